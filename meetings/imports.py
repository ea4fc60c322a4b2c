"""Imports of a group's iCal feed (in the worker: `feed_import_queue`, then `feed_import_run`)."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.fields import web_url_validator
from core.models import AuditEntry
from groups.models import Group
from notifications.outbox import BROKER_ERRORS

from .fetch import FetchError, fetch_url
from .ical import CalendarError, FeedEvent, ParsedFeed, SkippedEvent, parse_feed
from .models import FeedImport, Meeting
from .selectors import group_time_zone, groups_due_for_daily_import
from .services import meeting_rule_errors

logger = logging.getLogger(__name__)

#: What a feed import sets on a meeting it imported before. What leaders add by hand
#: (Azure-related, format, topics, attendees, charges) is kept.
FEED_FIELDS = ["title", "starts_at", "ends_at", "all_day", "venue", "online_url"]
#: What an import sets when the calendar cancels a meeting, or takes its cancellation back.
CANCELLATION_FIELDS = ["cancelled_at", "cancelled_by", "cancellation_reason"]

FEED_MAX_BYTES = 5 * 1024 * 1024
FEED_TIMEOUT_SECONDS = 10.0
#: An import's page lists at most this many meetings and skipped events of each kind; the
#: counts are complete.
FEED_IMPORT_DETAILS_LIMIT = 200
#: The audit row of an import names at most this many meetings of each kind.
AUDIT_TITLES_LIMIT = 20


@dataclass
class ImportResult:
    """What an import did, for the leader to read. Each meeting is in one list."""

    added: list[Meeting] = field(default_factory=list)
    #: Changed by the calendar (title, times, place), or no longer cancelled in it.
    updated: list[Meeting] = field(default_factory=list)
    #: Cancelled in the calendar: meetings imported before, and new ones stored as cancelled.
    cancelled: list[Meeting] = field(default_factory=list)
    unchanged: list[Meeting] = field(default_factory=list)
    skipped: list[SkippedEvent] = field(default_factory=list)
    #: Imported before, in the window, and no longer in the feed: reported, never changed.
    missing: list[Meeting] = field(default_factory=list)
    #: How many events of the feed start outside the import window (not read).
    outside_window: int = 0
    #: The keys of the updated meetings whose cancellation the calendar took back.
    uncancelled: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.cancelled)


def _is_web_link(text: str) -> bool:
    if not text.lower().startswith(("http://", "https://")) or len(text) > 500:
        return False
    try:
        web_url_validator(text)
    except ValidationError:
        return False
    return True


def _shortened(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _feed_values(event: FeedEvent) -> dict[str, Any]:
    """The meeting fields the feed event sets; a link as its location is the online link."""
    values: dict[str, Any] = {
        "title": _shortened(event.title, 200),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "all_day": event.all_day,
    }
    if _is_web_link(event.location):
        values["online_url"] = event.location
    elif event.location:
        values["venue"] = _shortened(event.location, 300)
    return values


def _problems(meeting: Meeting) -> str:
    """Why an imported meeting cannot be stored, as one line; empty when it can.

    Checked in Python, without queries, so an import costs the same whatever the feed's size:
    the group is locked by the caller, UIDs are matched by one lookup, and the database's own
    constraints still hold as the last line.
    """
    errors = meeting_rule_errors(meeting)
    if errors:
        return " ".join(errors.values())
    try:
        meeting.full_clean(exclude=["group"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return " ".join(
            f"{Meeting._meta.get_field(name).verbose_name}: {' '.join(messages)}"  # type: ignore[union-attr]
            if name in {f.name for f in Meeting._meta.fields}
            else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return ""


@transaction.atomic
def meetings_import_ical(
    *, group: Group, by: Any, content: bytes, now: datetime | None = None
) -> ImportResult:
    """Add, update and cancel the group's meetings from its iCal feed, as the program counts
    them (docs/program.md, "Meetings imported from a group's calendar").

    Each event, and each occurrence of a repeating one, in the import window is one meeting,
    known by its key (`ical.occurrence_key`): imported before, it is updated, never added
    twice. New meetings count as Azure-related when the event mentions Azure
    (`ical.AZURE_MENTION`). An event cancelled in the calendar cancels its meeting, or is
    stored as cancelled; the calendar takes back only its own cancellations, never a leader's.
    A meeting a leader deleted stays deleted. A meeting imported before whose event is gone
    is reported as missing and left as it is. Events that cannot be used are skipped with a
    reason. When meetings changed, one audit row says what, for who asked (`by`; None for the
    daily import and the command).

    Raises CalendarError when the content is not a calendar. A fixed number of queries.
    """
    now = now or timezone.now()
    parsed = parse_feed(content, time_zone=group_time_zone(group), now=now)
    # One import at a time per group, so two cannot both add the same event.
    Group.objects.select_for_update().filter(pk=group.pk).values_list("pk").get()
    window_start, window_end = parsed.window
    # One lookup: the meetings the feed's events were imported as (deleted ones too, which
    # stay deleted), and the imported meetings in the window that might have gone missing.
    stored = Meeting.all_objects.filter(group=group).filter(
        Q(external_uid__in=[event.key for event in parsed.events])
        | Q(
            starts_at__gte=window_start,
            starts_at__lt=window_end,
            cancelled_at__isnull=True,
            deleted_at__isnull=True,
        )
        & ~Q(external_uid="")
    )
    known = {meeting.external_uid: meeting for meeting in stored}
    rekeyed = _rekey(known, parsed, time_zone=group_time_zone(group))
    result = ImportResult(skipped=list(parsed.skipped), outside_window=parsed.outside_window)
    read: set[str] = set()
    for event in parsed.events:
        if event.key in read:
            result.skipped.append(_skipped(event, _("The same UID appears earlier in the feed.")))
            continue
        read.add(event.key)
        meeting = known.get(event.key)
        if meeting is not None and meeting.deleted_at is not None:
            result.skipped.append(
                _skipped(event, _("You deleted it in the portal, so the import leaves it out."))
            )
            continue
        was_cancelled = meeting is not None and meeting.cancelled_at is not None
        kind, changed = _event_applied(group, meeting, event, now=now)
        if kind == "unchanged" and changed.pk in rekeyed:
            kind, changed.updated_at = "updated", now  # the same meeting, known by a new key
        if kind == "unchanged":
            result.unchanged.append(changed)
            continue
        problems = _problems(changed)
        if problems:
            result.skipped.append(_skipped(event, problems))
            continue
        getattr(result, kind).append(changed)
        if was_cancelled and changed.cancelled_at is None:
            result.uncancelled.add(changed.external_uid)
    result.missing = sorted(
        (
            meeting
            for meeting in known.values()
            if meeting.deleted_at is None
            and meeting.cancelled_at is None
            and parsed.in_window(meeting.starts_at)
            and not parsed.holds(meeting.external_uid)
        ),
        key=lambda meeting: (meeting.starts_at, meeting.pk),
    )
    written = [*result.added, *result.updated, *result.cancelled]
    new = [meeting for meeting in written if meeting.pk is None]
    imported_before = [meeting for meeting in written if meeting.pk is not None]
    Meeting.objects.bulk_create(new)
    Meeting.all_objects.bulk_update(
        imported_before, ["external_uid", *FEED_FIELDS, *CANCELLATION_FIELDS, "updated_at"]
    )
    if result.changed:
        _audit_import(group=group, by=by, result=result, now=now)
    return result


def _base_uid(key: str) -> str:
    return key.split("#", 1)[0]


def _rekey(known: dict[str, Meeting], parsed: ParsedFeed, *, time_zone: tzinfo) -> set[int]:
    """Give a meeting whose key the feed no longer has the key of the event that took its place.

    Keys change when a single event becomes a repeating one, or when a whole series is moved
    (its occurrences' RECURRENCE-IDs change): the feed then has new keys for the same
    meetings. A meeting of the same UID on the same local day as an event with a new key is
    that event's meeting (it keeps what leaders set, and is not counted twice); the match is
    made in `known`, in memory. Returns the primary keys of the meetings given a new key.
    """
    unmatched: dict[tuple[str, date], list[FeedEvent]] = {}
    for event in parsed.events:
        if event.key not in known:
            day = event.starts_at.astimezone(time_zone).date()
            unmatched.setdefault((event.uid, day), []).append(event)
    if not unmatched:
        return set()
    rekeyed: set[int] = set()
    stale = sorted(
        (meeting for meeting in known.values() if not parsed.holds(meeting.external_uid)),
        key=lambda meeting: (meeting.starts_at, meeting.pk),
    )
    for meeting in stale:
        day = meeting.starts_at.astimezone(time_zone).date()
        candidates = unmatched.get((_base_uid(meeting.external_uid), day))
        if not candidates:
            continue
        event = candidates.pop(0)
        del known[meeting.external_uid]
        meeting.external_uid = event.key
        known[event.key] = meeting
        rekeyed.add(meeting.pk)
    return rekeyed


def _skipped(event: FeedEvent, reason: str) -> SkippedEvent:
    return SkippedEvent(uid=event.key, title=event.title, reason=reason, starts_at=event.starts_at)


def _event_applied(
    group: Group, meeting: Meeting | None, event: FeedEvent, *, now: datetime
) -> tuple[str, Meeting]:
    """The event applied to its meeting (a new one if it has none), unsaved, with the result
    list it belongs to: "added", "updated", "cancelled" or "unchanged"."""
    values = _feed_values(event)
    if meeting is None:
        link = values.get("online_url", "")
        meeting = Meeting(
            group=group,
            external_uid=event.key,
            is_azure_related=event.mentions_azure,
            format=Meeting.Format.ONLINE if link else Meeting.Format.IN_PERSON,
            **values,
        )
        if event.cancelled:
            _cancel(meeting, now=now)
            return "cancelled", meeting
        return "added", meeting
    changed = {name for name, value in values.items() if getattr(meeting, name) != value}
    cancels = event.cancelled and meeting.cancelled_at is None
    # Only the calendar's own cancellation is taken back; a leader's stands.
    uncancels = not event.cancelled and meeting.cancelled_by == Meeting.CancelledBy.CALENDAR
    if not (changed or cancels or uncancels):
        return "unchanged", meeting
    for name, value in values.items():
        setattr(meeting, name, value)
    if cancels:
        _cancel(meeting, now=now)
    if uncancels:
        meeting.cancelled_at, meeting.cancelled_by, meeting.cancellation_reason = None, "", ""
    meeting.updated_at = now  # bulk_update does not touch auto_now fields
    return ("cancelled" if cancels else "updated"), meeting


def _cancel(meeting: Meeting, *, now: datetime) -> None:
    meeting.cancelled_at = now
    meeting.cancelled_by = Meeting.CancelledBy.CALENDAR
    # No reason: "cancelled in the group's calendar" is said by `cancelled_by`, in the
    # reader's language (a stored sentence would be in the language of whoever imported).
    meeting.cancellation_reason = ""


def _audit_import(*, group: Group, by: Any, result: ImportResult, now: datetime) -> None:
    """One audit row for an import that changed meetings: the counts, and the meetings."""

    def titles(meetings: list[Meeting]) -> str:
        named = [f"{meeting.title} ({meeting.starts_at:%Y-%m-%d})" for meeting in meetings]
        cut = named[:AUDIT_TITLES_LIMIT]
        return "; ".join(cut) + ("; …" if len(named) > len(cut) else "")

    changes = {
        kind: {"before": "", "after": titles(meetings)}
        for kind, meetings in (
            ("meetings_added", result.added),
            ("meetings_updated", result.updated),
            ("meetings_cancelled", result.cancelled),
        )
        if meetings
    }
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.MEETINGS_IMPORTED,
        summary=_(
            "Meetings imported from the group's calendar: %(added)d added, %(updated)d "
            "updated, %(cancelled)d cancelled."
        )
        % {
            "added": len(result.added),
            "updated": len(result.updated),
            "cancelled": len(result.cancelled),
        },
        changes=changes,
        at=now,
    )


def feed_import_queue(*, group: Group, by: Any, language: str) -> FeedImport:
    """A leader asks for the group's iCal feed to be imported ("Import now"), or the daily
    import does (`feed_imports_queue_daily`, `by` None): the import is queued for the worker,
    so a slow feed never holds a web request.

    One import at a time per group: while one is queued or running, asking again returns it
    (a double click starts one import). One that outlived its lease (`FeedImport.is_stale`)
    was lost, and is marked failed so a new one can start. Raises ValidationError when the
    group has no feed address.
    """
    with transaction.atomic():
        feed_import, created = _feed_import_create(group=group, by=by, language=language)
        if created:
            # robust: the import is queued either way; a failing enqueue marks it failed itself.
            transaction.on_commit(partial(_feed_import_enqueue, feed_import.pk), robust=True)
    return feed_import


def feed_import_now(*, group: Group, language: str, url: str = "") -> FeedImport:
    """The program team imports a group's feed at once (the `import_meetings` command): an
    import row asked for by nobody, run in this process by the worker's own code
    (`feed_import_run`). `url` replaces the group's feed address for this import only.

    Raises ValidationError when there is no feed address, the address is not a web address,
    or an import of the group is under way.
    """
    if url:
        # The row's own checks: a web address (http or https) of at most 500 characters.
        FeedImport._meta.get_field("url").clean(url, None)
    with transaction.atomic():
        feed_import, created = _feed_import_create(group=group, by=None, language=language, url=url)
    if not created:
        raise ValidationError(_("An import of this group is under way. Try again in a minute."))
    feed_import_run(pk=feed_import.pk)
    feed_import.refresh_from_db()
    return feed_import


def _feed_import_create(
    *, group: Group, by: Any, language: str, url: str = ""
) -> tuple[FeedImport, bool]:
    """A new import row of the group's feed (or of `url`), in the caller's transaction; or the
    import under way, and False."""
    # One request at a time per group sees and replaces the unfinished import.
    feed_url = (
        Group.objects.select_for_update()
        .filter(pk=group.pk)
        .values_list("ical_feed_url", flat=True)
        .get()
    )
    if not (url or feed_url):
        raise ValidationError(_("The group has no iCal feed address yet."))
    now = timezone.now()
    unfinished = FeedImport.objects.filter(group=group, status__in=FeedImport.UNFINISHED).first()
    if unfinished is not None:
        if not unfinished.is_stale(now=now):
            return unfinished, False
        FeedImport.objects.filter(pk=unfinished.pk, status=unfinished.status).update(
            status=FeedImport.Status.FAILED, finished_at=now, error=_stale_reason(unfinished)
        )
    feed_import = FeedImport.objects.create(
        group=group, requested_by=by, url=url or feed_url, language=language
    )
    return feed_import, True


@transaction.atomic
def feed_auto_import_set(*, group: Group, by: Any, enabled: bool) -> Group:
    """A leader switches the daily import of the group's feed on or off (docs/program.md,
    "Meetings imported from a group's calendar"), with an audit row. Setting what is already
    set changes nothing.

    The group's `version` is not bumped: it guards the application a reviewer decides on, and
    this choice is no part of it.
    """
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if locked.ical_feed_auto_import == enabled:
        return locked
    locked.ical_feed_auto_import = enabled
    locked.save(update_fields=["ical_feed_auto_import", "updated_at"])
    audit_record(
        group=locked,
        actor=by,
        action=AuditEntry.Action.GROUP_EDIT,
        summary=_("Daily import of the calendar feed switched on.")
        if enabled
        else _("Daily import of the calendar feed switched off."),
        changes={"ical_feed_auto_import": {"before": str(not enabled), "after": str(enabled)}},
    )
    group.ical_feed_auto_import = enabled
    return locked


#: A group that asked for the daily import is due once its latest import (by anyone) is this
#: old. The job ticks hourly, so each group is imported once a day, at about the same hour.
DAILY_IMPORT_AFTER = timedelta(hours=23)
#: At most this many imports are queued per tick, those waiting longest first, so one tick
#: never floods the worker; the next tick queues the rest.
DAILY_IMPORTS_PER_TICK = 200


def feed_imports_queue_daily(*, now: datetime) -> int:
    """The daily import: queue an import (`feed_import_queue`, asked for by nobody) for each
    group whose leaders switched it on and whose latest import is older than
    `DAILY_IMPORT_AFTER`. Returns how many were queued.

    Idempotent: a group imported in the last 23 hours, or with an import under way, is not
    due, so a second run within the hour queues nothing. Results are written in the
    program's language (settings.LANGUAGE_CODE): no leader's page asked.
    """
    queued = 0
    for group in groups_due_for_daily_import(
        imported_before=now - DAILY_IMPORT_AFTER, limit=DAILY_IMPORTS_PER_TICK
    ):
        try:
            feed_import_queue(group=group, by=None, language=settings.LANGUAGE_CODE)
        except ValidationError:  # the feed address was removed since the lookup
            continue
        queued += 1
    return queued


def _stale_reason(feed_import: FeedImport) -> str:
    if feed_import.status == FeedImport.Status.QUEUED:
        return _("The import did not start in time. Start it again.")
    return _("The import did not finish in time. Start it again.")


#: The task that runs one import (meetings/tasks.py).
IMPORT_TASK = "meetings.tasks.import_feed"


def _feed_import_enqueue(pk: int) -> None:
    try:
        # By name: the task module imports this one (MeetingsConfig.ready imports it).
        current_app.tasks[IMPORT_TASK].delay(pk)
    except BROKER_ERRORS as error:
        logger.warning("Feed import %s not queued: broker unreachable (%s)", pk, error)
        FeedImport.objects.filter(pk=pk, status=FeedImport.Status.QUEUED).update(
            status=FeedImport.Status.FAILED,
            finished_at=timezone.now(),
            error=_("The import could not be started. Try again in a few minutes."),
        )


def feed_import_run(*, pk: int) -> str:
    """Run one queued import (the worker's task): fetch the feed, import it and record what
    happened for the leader. Returns the row's new status, or "skipped".

    Idempotent: the row is claimed with one conditional UPDATE (queued to running), so a
    second delivery of the task, or a task for a finished import, does nothing. The fetch
    runs outside any transaction; the meetings and the result are saved in one, so a row is
    "done" exactly when its meetings are saved. Messages are in the language of the page that
    asked for the import.
    """
    claimed = FeedImport.objects.filter(pk=pk, status=FeedImport.Status.QUEUED).update(
        status=FeedImport.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    feed_import = FeedImport.objects.select_related("group", "requested_by").get(pk=pk)
    with translation.override(feed_import.language or None):
        try:
            content = fetch_url(
                feed_import.url, max_bytes=FEED_MAX_BYTES, timeout=FEED_TIMEOUT_SECONDS
            )
            with transaction.atomic():
                result = meetings_import_ical(
                    group=feed_import.group, by=feed_import.requested_by, content=content
                )
                _feed_import_finish(pk, status=FeedImport.Status.DONE, **_result_fields(result))
        except (FetchError, CalendarError) as error:
            _feed_import_finish(pk, status=FeedImport.Status.FAILED, error=str(error))
            return FeedImport.Status.FAILED
        except Exception:  # a feed the parser chokes on, or the task's time limit
            # The row must not stay "running" until its lease ends: the leader sees it failed.
            logger.exception("Feed import %s failed", pk)
            _feed_import_finish(
                pk,
                status=FeedImport.Status.FAILED,
                error=_("The calendar could not be imported. Check the feed, or try again later."),
            )
            return FeedImport.Status.FAILED
    return FeedImport.Status.DONE


def _feed_import_finish(pk: int, **fields: Any) -> None:
    # By pk alone: a late result is the truth, also for a row meanwhile counted as lost.
    FeedImport.objects.filter(pk=pk).update(finished_at=timezone.now(), **fields)


def _entry(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "all_day": meeting.all_day,
    }


def _by_start(meetings: list[Meeting]) -> list[Meeting]:
    return sorted(meetings, key=lambda meeting: meeting.starts_at)


def _result_fields(result: ImportResult) -> dict[str, Any]:
    """The result as FeedImport fields: counts and plain details, meetings by their start."""
    limit = FEED_IMPORT_DETAILS_LIMIT
    return {
        "added_count": len(result.added),
        "updated_count": len(result.updated),
        "cancelled_count": len(result.cancelled),
        "unchanged_count": len(result.unchanged),
        "skipped_count": len(result.skipped),
        "missing_count": len(result.missing),
        "details": {
            "added": [
                {**_entry(meeting), "about_azure": meeting.is_azure_related}
                for meeting in _by_start(result.added)[:limit]
            ],
            "updated": [
                {**_entry(meeting), "uncancelled": meeting.external_uid in result.uncancelled}
                for meeting in _by_start(result.updated)[:limit]
            ],
            "cancelled": [_entry(meeting) for meeting in _by_start(result.cancelled)[:limit]],
            "missing": [_entry(meeting) for meeting in result.missing[:limit]],
            "skipped": [
                {
                    "title": event.title,
                    "uid": event.uid,
                    "reason": event.reason,
                    "starts_at": event.starts_at.isoformat() if event.starts_at else "",
                }
                for event in result.skipped[:limit]
            ],
            "outside_window": result.outside_window,
        },
    }
