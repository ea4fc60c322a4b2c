"""Changes leaders make to a group's meetings (imports from the group's feed are in
`meetings.imports`), and the rules every meeting is held to. Each change a leader makes is
written to the group's audit trail in the same transaction."""

import copy
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import audit_record, field_changes
from core.models import AuditEntry
from groups.models import Group

from .models import Meeting
from .selectors import group_time_zone

logger = logging.getLogger(__name__)

#: What a leader sets on a meeting; the group and the calendar UID are never part of an edit.
MEETING_EDITABLE_FIELDS = [
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "format",
    "venue",
    "online_url",
    "is_azure_related",
    "topics",
    "expected_attendee_count",
    "attendee_count",
    "entry_fee",
    "cost_recovery_charge",
    "cost_recovery_reason",
]
#: What cancelling and undoing it change (and the audit trail records).
CANCELLATION_FIELDS = ["cancelled_at", "cancelled_by", "cancellation_reason"]

#: Meetings are held in this century: catches typos such as year 225 before they are stored.
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_START = datetime(2100, 1, 1, tzinfo=UTC)
#: A meeting lasts hours, or a weekend at most; this also keeps its end a real date.
MAX_MEETING_LENGTH = timedelta(days=7)


def meeting_rule_errors(meeting: Meeting, *, now: datetime | None = None) -> dict[str, str]:
    """What breaks the meeting rules, by field: amounts that are not negative, a cost-recovery
    charge that says what it covers (docs/program.md, Requirement 3), an end after the start and
    within a week of it, a start in this century (docs/program.md, "What counts as a meeting"),
    and no actual attendance for a meeting that has not started yet (as of `now`, the clock if
    not given).

    An entry fee above 0 is not refused: it is what attendees were charged, recorded as it was,
    and the checklist judges it (requirement 3, free attendance, fails).
    """
    errors: dict[str, str] = {}
    if meeting.entry_fee is not None and meeting.entry_fee < 0:
        errors["entry_fee"] = _("An entry fee cannot be negative: enter 0 if attendance was free.")
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
    now = now or timezone.now()
    in_future = starts is not None and "starts_at" not in errors and starts > now
    if meeting.attendee_count is not None and in_future:
        errors["attendee_count"] = _(
            "This meeting has not started yet: leave the number of attendees empty until it "
            "has taken place (you can enter how many you expect)."
        )
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


def _validate(meeting: Meeting, *, now: datetime) -> None:
    errors = meeting_rule_errors(meeting, now=now)
    if errors:
        raise ValidationError(errors)
    meeting.full_clean()


def _named(meeting: Meeting) -> str:
    """The meeting as the audit trail names it: its title and its date where the group meets."""
    local = timezone.localtime(meeting.starts_at, group_time_zone(meeting.group))
    return _("“%(title)s” on %(date)s") % {
        "title": meeting.title,
        "date": date_format(local, "DATE_FORMAT"),
    }


def _locked(meeting: Meeting) -> Meeting:
    """The meeting, locked for this transaction (with its group, which the audit row names).

    Raises Meeting.DoesNotExist when it was deleted meanwhile."""
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    )


def _sync(meeting: Meeting, saved: Meeting, fields: list[str]) -> None:
    """The caller's instance shows what was saved."""
    for name in fields:
        setattr(meeting, name, getattr(saved, name))


@transaction.atomic
def meeting_create(
    *, group: Group, by: Any, data: dict[str, Any], now: datetime | None = None
) -> Meeting:
    """A leader logs a meeting of the group, as it was or will be: an entry fee is recorded and
    judged by requirement 3 (docs/program.md, Requirement 3: free attendance); the
    Azure-related ones count towards six a year (requirement 4)."""
    now = now or timezone.now()
    meeting = Meeting(group=group)
    _apply(meeting, data)
    _validate(meeting, now=now)
    meeting.save()
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.MEETING_ADDED,
        summary=_("Meeting added: %(meeting)s") % {"meeting": _named(meeting)},
        at=now,
    )
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: Any, data: dict[str, Any], now: datetime | None = None
) -> Meeting:
    """A leader corrects a meeting; the same rules as for a new one hold. What changed is
    recorded in the group's audit trail (nothing is recorded when nothing changed)."""
    now = now or timezone.now()
    locked = _locked(meeting)
    before = copy.copy(locked)
    _apply(locked, data)
    _validate(locked, now=now)
    locked.save()
    changes = field_changes(before, locked, MEETING_EDITABLE_FIELDS)
    if changes:
        names = ", ".join(
            str(getattr(Meeting._meta.get_field(name), "verbose_name", name)) for name in changes
        )
        audit_record(
            group=locked.group,
            actor=by,
            action=AuditEntry.Action.MEETING_CHANGED,
            summary=_("Meeting changed: %(meeting)s (%(fields)s)")
            % {"meeting": _named(locked), "fields": names},
            changes=changes,
            at=now,
        )
    meeting.refresh_from_db()
    return locked


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    try:
        Meeting._meta.get_field("cancellation_reason").clean(reason, None)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from error
    return reason


@transaction.atomic
def meeting_cancel(
    *, meeting: Meeting, by: Any, reason: str = "", now: datetime | None = None
) -> bool:
    """A leader cancels a meeting, with an optional reason. It stays in the group's list, and
    no longer counts anywhere (docs/program.md, "What counts as a meeting": cancelled meetings
    do not count towards requirement 4).

    Returns False, and changes nothing, when the meeting was already cancelled (by a leader or
    by the group's calendar). Raises ValidationError for a reason longer than 300 characters,
    Meeting.DoesNotExist when the meeting was deleted meanwhile."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    locked = _locked(meeting)
    if locked.cancelled_at is not None:
        _sync(meeting, locked, CANCELLATION_FIELDS)
        return False
    before = copy.copy(locked)
    locked.cancelled_at = now
    locked.cancelled_by = Meeting.CancelledBy.LEADER
    locked.cancellation_reason = reason
    locked.save(update_fields=[*CANCELLATION_FIELDS, "updated_at"])
    summary = _("Meeting cancelled: %(meeting)s") % {"meeting": _named(locked)}
    if reason:
        summary = _("%(summary)s. Reason: %(reason)s") % {"summary": summary, "reason": reason}
    audit_record(
        group=locked.group,
        actor=by,
        action=AuditEntry.Action.MEETING_CANCELLED,
        summary=summary,
        changes=field_changes(before, locked, CANCELLATION_FIELDS),
        at=now,
    )
    _sync(meeting, locked, CANCELLATION_FIELDS)
    return True


@transaction.atomic
def meeting_uncancel(*, meeting: Meeting, by: Any, now: datetime | None = None) -> bool:
    """A leader undoes a cancellation (theirs or the calendar's): the meeting counts again
    like any other.

    Returns False, and changes nothing, when the meeting was not cancelled. Raises
    Meeting.DoesNotExist when the meeting was deleted meanwhile."""
    now = now or timezone.now()
    locked = _locked(meeting)
    if locked.cancelled_at is None:
        _sync(meeting, locked, CANCELLATION_FIELDS)
        return False
    before = copy.copy(locked)
    locked.cancelled_at = None
    locked.cancelled_by = ""
    locked.cancellation_reason = ""
    locked.save(update_fields=[*CANCELLATION_FIELDS, "updated_at"])
    audit_record(
        group=locked.group,
        actor=by,
        action=AuditEntry.Action.MEETING_UNCANCELLED,
        summary=_("Meeting no longer cancelled: %(meeting)s") % {"meeting": _named(locked)},
        changes=field_changes(before, locked, CANCELLATION_FIELDS),
        at=now,
    )
    _sync(meeting, locked, CANCELLATION_FIELDS)
    return True


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by: Any, now: datetime | None = None) -> bool:
    """A leader deletes a meeting logged by mistake. The delete is soft: the meeting leaves the
    group's list and every count (`Meeting.objects` no longer finds it), and is kept for the
    program team (`Meeting.all_objects`, the admin) with its audit row.

    Returns False, and changes nothing, when it was already deleted."""
    now = now or timezone.now()
    locked = (
        Meeting.all_objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=meeting.pk)
    )
    if locked.deleted_at is not None:
        meeting.deleted_at = locked.deleted_at
        return False
    before = copy.copy(locked)
    locked.deleted_at = now
    locked.save(update_fields=["deleted_at", "updated_at"])
    audit_record(
        group=locked.group,
        actor=by,
        action=AuditEntry.Action.MEETING_DELETED,
        summary=_("Meeting deleted: %(meeting)s") % {"meeting": _named(locked)},
        changes=field_changes(before, locked, ["deleted_at"]),
        at=now,
    )
    meeting.deleted_at = now
    return True
