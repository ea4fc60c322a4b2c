"""Forms about people; the Tech Community user ID accepts the number or the profile URL."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import parse_tech_community_id

TECH_COMMUNITY_ID_HELP = _(
    "Sign in at techcommunity.microsoft.com, click your avatar and choose My Profile: the "
    "number at the end of the address is your user ID. Paste the number or the whole address."
)


class TechCommunityIdField(forms.CharField):
    """Takes "123456" or the profile URL ending in /user-id/123456; cleans to the number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Tech Community user ID"))
        kwargs.setdefault("help_text", TECH_COMMUNITY_ID_HELP)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)  # a string, its length checked
        if text in self.empty_values:
            return None
        return parse_tech_community_id(text)


class StaffUserChangeForm(UserChangeForm[User]):
    tech_community_id = TechCommunityIdField(required=False)

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class ProfileForm(forms.Form):
    """A person's program profile; `profile_update` saves it."""

    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("Shown to the program team and to your group's other leader."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("The portal and its e-mails use this language once you are signed in."),
    )
    tech_community_id = TechCommunityIdField(required=False)
    # Not required: a form posted without it (a page from before it existed) keeps the choice.
    optional_email = forms.ChoiceField(
        label=_("Program news and non-urgent reminders"),
        choices=User.OptionalEmail.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "News from the program team, the reminder the day before a quarterly call and the "
            "follow-up with its recording. E-mails about your group's requirements and "
            "reviews, your requests, and invitations to calls and their changes always arrive."
        ),
    )

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> "ProfileForm":
        initial = {
            "name": user.name,
            "preferred_language": user.preferred_language,
            "tech_community_id": user.tech_community_id or "",
            "optional_email": user.optional_email,
        }
        return cls(data=data, initial=initial)


class CoLeaderInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("The co-leader's e-mail address"),
        max_length=254,
        help_text=_(
            "We send them a link. They sign in or sign up with this address and accept the "
            "program rules to become co-leader."
        ),
    )


class InvitationAnswerForm(forms.Form):
    """Accept or decline a co-leader invitation; accepting needs the rules ticked."""

    ACCEPT = "accept"
    DECLINE = "decline"

    accept_rules = forms.BooleanField(label=_("I accept the program rules"), required=False)
    answer = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))])

    def __init__(self, *args: Any, rules_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules_required = rules_required

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        accepting = cleaned.get("answer") == self.ACCEPT
        if accepting and self.rules_required and not cleaned.get("accept_rules"):
            self.add_error(
                "accept_rules", _("To become co-leader, tick the box to accept the program rules.")
            )
        return cleaned


class StepDownForm(forms.Form):
    """A leader with a co-leader chooses whether the co-leader takes over."""

    co_leader_takes_over = forms.TypedChoiceField(
        label=_("Who leads the group after you?"),
        choices=[
            ("yes", _("The co-leader becomes the leader (recommended)")),
            ("no", _("Nobody for now: the leader role stays empty")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
