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
    """Invite a co-leader; while one is active the invitee must be said to replace them."""

    name = forms.CharField(label=_("Their name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("The co-leader's e-mail address"),
        max_length=254,
        help_text=_(
            "We send them a link. They sign in or sign up with this address and accept the "
            "program rules to become co-leader."
        ),
    )

    def __init__(self, *args: Any, co_leader_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if co_leader_name:
            self.fields["replaces_co_leader"] = forms.BooleanField(
                label=_(
                    "The person I invite replaces %(name)s as co-leader: their role ends when "
                    "the invitation is accepted"
                )
                % {"name": co_leader_name},
                required=False,
            )


class ReportLeftForm(forms.Form):
    """A contact reports that the group's other contact has left; `leadership_report_left`
    judges and records it."""

    details = forms.CharField(
        label=_("What happened (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example when they left and why. The program team reads it."),
    )
    successor_name = forms.CharField(
        label=_("Successor's name (optional)"), max_length=150, required=False
    )
    successor_email = forms.EmailField(
        label=_("Successor's e-mail address (optional)"),
        max_length=254,
        required=False,
        help_text=_(
            "We invite them to become co-leader, as with any co-leader invitation. Leave it "
            "empty to invite someone later."
        ),
    )

    def __init__(self, *args: Any, offer_take_over: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offer_take_over:
            self.fields["takes_over"] = forms.BooleanField(
                label=_("I take over as leader"),
                required=False,
                help_text=_(
                    "You become the leader and the co-leader role is empty until your "
                    "successor accepts the invitation. Otherwise the program team names a new "
                    "leader."
                ),
            )
            self.order_fields(["details", "takes_over", "successor_name", "successor_email"])

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        named = cleaned.get("successor_name", "").strip()
        if named and not cleaned.get("successor_email") and "successor_email" not in self.errors:
            self.add_error(
                "successor_email", _("Give the successor's e-mail address to invite them.")
            )
        return cleaned


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
