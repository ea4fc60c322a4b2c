"""Forms of the program team's review in the admin, and of the leaders' portal."""

import functools
import zoneinfo
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from groups.models import LANGUAGE_CHOICES, Group
from meetings.url_rules import public_url_error

from .models import Review
from .services import APPLICATION_DRAFT_FIELDS, LEADER_EDITABLE_FIELDS, STAFF_EDITABLE_FIELDS


class BulkDecisionForm(forms.Form):
    """The texts of a decision; for several groups each still gets its own record and e-mail."""

    message = forms.CharField(
        label=_("Message to the leaders"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_(
            "Required when requesting changes, declining, moving to inactive or keeping with a "
            "follow-up (then: what to fix)."
        ),
    )
    override_reason = forms.CharField(
        label=_("Reason for admitting despite failed requirements"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Used only for groups that fail a requirement."),
    )


class DecisionForm(BulkDecisionForm):
    """One decision on one group; `version` is the state the decider looked at."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Review.Decision.choices)
    follow_up_by = forms.DateField(
        label=_("Fix by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Only when keeping the group with a follow-up: the message says what to fix. The "
            "group comes back to the review queue on this date."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    field_order = ["decision", "message", "follow_up_by", "override_reason"]

    def __init__(self, *args: Any, decisions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Review.Decision.choices)
        decision = cast(forms.ChoiceField, self.fields["decision"])
        decision.choices = [(d, labels[d]) for d in decisions]
        if Review.Decision.KEEP_WITH_FOLLOW_UP not in decisions:
            del self.fields["follow_up_by"]


#: The links the portal fetches: the calendar import and the code-of-conduct link check.
FETCHED_URL_FIELDS = ["code_of_conduct_url", "ical_feed_url"]


def public_link(value: str) -> str:
    """A link the portal fetches, refused beside its field if it leads into a private network
    (meetings.url_rules); the fetch checks the address it resolves to again every time."""
    error = public_url_error(value) if value else None
    if error:
        raise ValidationError(error, code="not_public")
    return value


class FetchedLinksMixin:
    """Refuses code-of-conduct and feed links that cannot lead to the public internet."""

    cleaned_data: dict[str, Any]

    def clean_code_of_conduct_url(self) -> str:
        return public_link(self.cleaned_data["code_of_conduct_url"])

    def clean_ical_feed_url(self) -> str:
        return public_link(self.cleaned_data["ical_feed_url"])


class GroupAdminForm(FetchedLinksMixin, forms.ModelForm[Group]):
    """The program team's edit of a group: languages as boxes to tick, not raw JSON."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Group
        fields = STAFF_EDITABLE_FIELDS


# The leaders' portal ------------------------------------------------------------------------

#: Over a year of weekly meetings is not a plan; anything above this is a typing slip.
MAX_PLANNED_MEETINGS = 365


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(
        name for name in zoneinfo.available_timezones() if "/" in name and "Etc/" not in name
    )
    return [(name, name.replace("_", " ")) for name in [*names, "UTC"]]


#: Only plain web links: the message says so instead of Django's "Enter a valid URL."
WEB_ADDRESS_MESSAGE = _("Enter a web address that starts with https:// or http://.")
web_address_validator = URLValidator(schemes=["http", "https"], message=WEB_ADDRESS_MESSAGE)
URL_FIELDS = ["home_page_url", "code_of_conduct_url", "event_page_url", "ical_feed_url"]


class GroupDetailsForm(FetchedLinksMixin, forms.ModelForm[Group]):
    """A leader's view of the group's fields: languages as boxes, time zones as a list.

    Subclasses pick the fields; everything a leader may not set is simply not a field.
    """

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages your meetings are held in."),
        error_messages={"required": _("Choose at least one language.")},
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Meeting times and the meeting rules are counted in this time zone."),
    )
    planned_meetings_per_year = forms.IntegerField(
        label=_("Planned meetings per year"),
        min_value=0,
        max_value=MAX_PLANNED_MEETINGS,
        required=False,
        help_text=_("How many Azure-related meetings you plan to hold in a year."),
    )

    class Meta:
        model = Group
        fields = LEADER_EDITABLE_FIELDS
        labels = {
            "name": _("Group name"),
            "city": _("City"),
            "country": _("Country"),
            "description": _("Description"),
            "home_page_url": _("Home page"),
            "code_of_conduct_url": _("Code of conduct"),
            "event_page_url": _("Event page"),
            "ical_feed_url": _("iCal feed"),
        }
        help_texts = {
            "name": _("As your members know it, e.g. “Malmö .NET & Azure User Group”."),
            "description": _(
                "What the group is about and who it is for (at most 2,000 characters)."
            ),
            "home_page_url": _("Where people find the group, e.g. its Meetup page or web site."),
            "code_of_conduct_url": _(
                "The public address of your code of conduct, easy to reach from your home page."
            ),
            "event_page_url": _("Where your meetings are announced, if not on the home page."),
            "ical_feed_url": _(
                "A calendar feed of your meetings (e.g. the one a Meetup group publishes), "
                "so they can be imported."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - set(self._meta.fields or []):
            del self.fields[name]  # a declared field that this step does not ask
        current_timezone = self.instance.timezone
        timezone = cast(forms.ChoiceField, self.fields.get("timezone"))
        if timezone is not None and current_timezone not in dict(timezone_choices()):
            # A time zone set by the program team stays selectable.
            timezone.choices = [*timezone_choices(), (current_timezone, current_timezone)]
        for name in URL_FIELDS:
            if name in self.fields:
                field = self.fields[name]
                field.error_messages["invalid"] = WEB_ADDRESS_MESSAGE
                field.validators.append(web_address_validator)


class ApplicationGroupForm(GroupDetailsForm):
    """Step 1 of an application: what the group is and where it meets."""

    class Meta(GroupDetailsForm.Meta):
        fields = APPLICATION_DRAFT_FIELDS


class ApplicationLinksForm(GroupDetailsForm):
    """The application's links: home page, code of conduct, event page, calendar feed."""

    class Meta(GroupDetailsForm.Meta):
        fields = URL_FIELDS


class ApplicationMeetingsForm(GroupDetailsForm):
    """The application's meeting plan."""

    class Meta(GroupDetailsForm.Meta):
        fields = ["planned_meetings_per_year"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["planned_meetings_per_year"].required = True


class GroupEditForm(GroupDetailsForm):
    """Everything a leader may edit about the group after applying."""


class ApplicationRulesForm(forms.Form):
    """Accept the program rules in force; invite the co-leader.

    The acceptance box is there only while the person has not accepted the current version,
    and the invitation only while the group has no co-leader.
    """

    accept_rules = forms.BooleanField(
        label=_("I have read the program rules and accept them on behalf of the group."),
        error_messages={"required": _("Tick the box to accept the program rules.")},
    )
    rules_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    co_leader_email = forms.EmailField(
        label=_("Co-leader's e-mail address"),
        required=False,
        max_length=254,
        help_text=_(
            "We e-mail them a link to join as co-leader, the group's secondary contact. They "
            "accept the program rules when they join. Leave empty to invite someone later."
        ),
    )

    def __init__(
        self, *args: Any, ask_acceptance: bool, ask_co_leader: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not ask_acceptance:
            del self.fields["accept_rules"]
            del self.fields["rules_version"]
        if not ask_co_leader:
            del self.fields["co_leader_email"]

    def accepted_version(self) -> int | None:
        if not self.cleaned_data.get("accept_rules"):
            return None
        version = self.cleaned_data.get("rules_version")
        return int(version) if version is not None else None


class LeaveRequestForm(forms.Form):
    """A request to leave the program: a reason, and a box that says the leader means it."""

    reason = forms.CharField(
        label=_("Why does the group want to leave?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The program team reads this when they process the request (at most 2,000 characters)."
        ),
        error_messages={"required": _("Tell the program team why the group is leaving.")},
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that the group will leave the program and lose its benefits once the "
            "program team has processed the request."
        ),
        error_messages={"required": _("Tick the box to confirm that the group wants to leave.")},
    )


class ReturnRequestForm(forms.Form):
    """An inactive, declined or departed group asks for a new review: what changed."""

    what_changed = forms.CharField(
        label=_("What has changed since the group left the program or was last reviewed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The program team reads this when it reviews the group again (at most 2,000 "
            "characters): new leaders, meetings held or planned, a code of conduct."
        ),
        error_messages={"required": _("Tell the program team what has changed.")},
    )
