"""The meeting forms: the meeting itself (times in the group's time zone, costs that explain
the free-attendance rule) and its cancellation.

The forms check the shape of the input; the rules (amounts not negative, end after start, no
attendance before the meeting) are the services' (`meetings.services.meeting_rule_errors`),
whose messages the view puts beside the fields.
"""

from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Meeting
from .services import meeting_rule_errors

#: A PositiveIntegerField holds up to 2147483647; no meeting comes near this.
MAX_ATTENDEES = 100_000
MAX_AMOUNT = Decimal("999999.99")  # what max_digits=8, decimal_places=2 can hold


class GroupDateTimeField(forms.DateTimeField):
    """A date and time typed in the group's time zone (not the server's or the browser's)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *, time_zone: tzinfo | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.time_zone = time_zone or ZoneInfo("UTC")

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(self.time_zone):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(self.time_zone):
            return super().prepare_value(value)


WEB_LINK_MESSAGE = _("Enter a web link that starts with http:// or https://.")


class WebLinkField(forms.URLField):
    """A link people open: http or https only (no javascript:, ftp: or data:)."""

    default_error_messages = {"invalid": WEB_LINK_MESSAGE}
    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_LINK_MESSAGE)]


class AmountField(forms.DecimalField):
    """An amount of money; left empty it means 0."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 8)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("initial", Decimal(0))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal:
        cleaned = super().clean(value)
        return Decimal(0) if cleaned is None else cleaned


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = GroupDateTimeField(label=_("Starts"))
    ends_at = GroupDateTimeField(label=_("Ends"))
    all_day = forms.BooleanField(
        label=_("All-day meeting"),
        required=False,
        help_text=_(
            "For a workshop or conference day: the list shows its date only, without times."
        ),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Meeting.Format.choices)
    venue = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_(
            "Where people meet, e.g. the host's name and address. Upcoming meetings of admitted "
            "groups are public: the title, time, place and topics appear in the group directory "
            "and its calendar feeds; the online link does not."
        ),
    )
    online_url = WebLinkField(
        label=_("Online link"),
        max_length=500,
        required=False,
        help_text=_("For online and hybrid meetings; an http or https link."),
    )
    is_azure_related = forms.BooleanField(
        label=_("This meeting is about Azure products and services"),
        required=False,
        initial=True,
    )
    topics = forms.CharField(
        label=_("Topics"),
        max_length=300,
        required=False,
        help_text=_("A few words, e.g. “Azure Functions, Bicep”."),
    )
    expected_attendee_count = forms.IntegerField(
        label=_("Expected attendees"),
        min_value=0,
        max_value=MAX_ATTENDEES,
        required=False,
        error_messages={"min_value": _("The number of attendees cannot be negative.")},
        help_text=_("Optional: how many you expect, e.g. from the sign-ups."),
    )
    attendee_count = forms.IntegerField(
        label=_("Actual attendees"),
        min_value=0,
        max_value=MAX_ATTENDEES,
        required=False,
        error_messages={"min_value": _("The number of attendees cannot be negative.")},
        help_text=_("How many came. Leave empty until the meeting has taken place."),
    )
    entry_fee = AmountField(
        label=_("Entry fee"),
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        error_messages={"min_value": _("An entry fee cannot be negative.")},
        help_text=_(
            "Record what attendees were charged to attend. The program requires free "
            "attendance: a meeting with an entry fee makes requirement 3 fail for 12 months. "
            "Sharing real costs (venue, food and drink) is a cost-recovery charge instead."
        ),
    )
    cost_recovery_charge = AmountField(
        label=_("Cost-recovery charge"),
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        error_messages={"min_value": _("A charge cannot be negative.")},
        help_text=_(
            "Optional: what each attendee pays towards the real costs of this meeting. "
            "0 if nothing is charged."
        ),
    )
    cost_recovery_reason = forms.ChoiceField(
        label=_("What the charge covers"),
        choices=[("", _("Nothing is charged")), *Meeting.CostReason.choices],
        required=False,
        help_text=_("Needed when there is a cost-recovery charge."),
    )

    def __init__(self, *args: Any, time_zone: tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minimum = int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)
        self.fields["is_azure_related"].help_text = ngettext(
            "Meetings about Azure count towards the %(minimum)d a year the program asks for.",
            "Meetings about Azure count towards the %(minimum)d a year the program asks for.",
            minimum,
        ) % {"minimum": minimum}
        zone = str(time_zone)
        for name in ("starts_at", "ends_at"):
            field = self.fields[name]
            assert isinstance(field, GroupDateTimeField)
            field.time_zone = time_zone
            field.help_text = _("Local time in %(zone)s.") % {"zone": zone}

    def clean(self) -> dict[str, Any]:
        """Report the meeting rules (amounts, end after start, attendance) together with the
        other mistakes, so the leader sees everything at once; the service checks them again."""
        cleaned = super().clean() or {}
        values = {name: value for name, value in cleaned.items() if value is not None}
        for name, message in meeting_rule_errors(Meeting(**values)).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict[str, Any]:
        """The form's initial data for editing `meeting`."""
        return {name: getattr(meeting, name) for name in cls.base_fields}


class MeetingCancelForm(forms.Form):
    """Why the meeting is cancelled: optional, shown in the list and kept in the audit trail."""

    reason = forms.CharField(
        label=_("Why is it cancelled? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown beside the meeting in your list, e.g. “The speaker is ill”. At most 300 "
            "characters."
        ),
    )


class FeedAutoImportForm(forms.Form):
    """The leaders' choice, on the import page: import the group's feed every day."""

    enabled = forms.BooleanField(
        label=_("Import our calendar feed every day"),
        required=False,
        help_text=_(
            "The portal then imports your feed once a day by itself, the same way as "
            "“Import now”, and this page shows the latest result."
        ),
    )
