"""Changes leaders make to a group's meetings (imports from the group's feed are in
`meetings.imports`), and the rules every meeting is held to."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.models import Group

from .models import Meeting

logger = logging.getLogger(__name__)

#: What a leader sets on a meeting; the group and the calendar UID are never part of an edit.
MEETING_EDITABLE_FIELDS = [
    "title",
    "starts_at",
    "ends_at",
    "format",
    "venue",
    "online_url",
    "is_azure_related",
    "topics",
    "attendee_count",
    "entry_fee",
    "cost_recovery_charge",
    "cost_recovery_reason",
]

#: Meetings are held in this century: catches typos such as year 225 before they are stored.
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_START = datetime(2100, 1, 1, tzinfo=UTC)
#: A meeting lasts hours, or a weekend at most; this also keeps its end a real date.
MAX_MEETING_LENGTH = timedelta(days=7)


def meeting_rule_errors(meeting: Meeting) -> dict[str, str]:
    """What breaks the meeting rules, by field: free attendance (docs/program.md, Requirement 3),
    an end after the start and within a week of it, a start in this century (docs/program.md,
    "What counts as a meeting")."""
    errors: dict[str, str] = {}
    if meeting.entry_fee != 0:
        errors["entry_fee"] = _(
            "Members are never charged to attend, so the entry fee must be 0. To share the "
            "costs of the venue, food and drink, use the cost-recovery charge and say what it "
            "covers."
        )
    if meeting.cost_recovery_charge > 0 and not meeting.cost_recovery_reason:
        errors["cost_recovery_reason"] = _(
            "Say what the cost-recovery charge covers: venue rental, food and drink or other "
            "meeting costs."
        )
    starts, ends = meeting.starts_at, meeting.ends_at
    if starts is not None and not EARLIEST_START <= starts < LATEST_START:
        errors["starts_at"] = _("Enter a start between the years 2000 and 2099.")
    elif starts is not None and ends is not None and ends <= starts:
        errors["ends_at"] = _("The meeting must end after it starts.")
    elif starts is not None and ends is not None and ends - starts > MAX_MEETING_LENGTH:
        errors["ends_at"] = _("A meeting lasts at most a week: check the end.")
    return errors


def _apply(meeting: Meeting, data: dict[str, Any]) -> None:
    unknown = set(data) - set(MEETING_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in data.items():
        setattr(meeting, name, value)
    meeting.title = meeting.title.strip()
    if meeting.cost_recovery_charge == 0:
        meeting.cost_recovery_reason = ""  # nothing to explain when nothing is charged


def _validate(meeting: Meeting) -> None:
    errors = meeting_rule_errors(meeting)
    if errors:
        raise ValidationError(errors)
    meeting.full_clean()


@transaction.atomic
def meeting_create(*, group: Group, by: Any, data: dict[str, Any]) -> Meeting:
    """A leader logs a meeting of the group. Attendance must be free (docs/program.md,
    Requirement 3); the Azure-related ones count towards six a year (requirement 4)."""
    meeting = Meeting(group=group)
    _apply(meeting, data)
    _validate(meeting)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: Any, data: dict[str, Any]) -> Meeting:
    """A leader corrects a meeting; the same rules as for a new one hold."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _apply(locked, data)
    _validate(locked)
    locked.save()
    meeting.refresh_from_db()
    return locked
