"""Imports of a group's iCal feed (in the worker: `feed_import_queue`, then `feed_import_run`)."""

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.fields import web_url_validator
from groups.models import Group
from notifications.outbox import BROKER_ERRORS

from .fetch import FetchError, fetch_url
from .ical import CalendarError, FeedEvent, SkippedEvent, parse_feed
from .models import FeedImport, Meeting
from .selectors import group_time_zone
from .services import meeting_rule_errors

logger = logging.getLogger(__name__)

#: What a feed import sets on a meeting it imported before. What leaders add by hand
#: (Azure-related, format, topics, attendees, charges) is kept.
FEED_FIELDS = ["title", "starts_at", "ends_at", "venue", "online_url"]

FEED_MAX_BYTES = 5 * 1024 * 1024
FEED_TIMEOUT_SECONDS = 10.0
#: An import's page lists at most this many meetings and skipped events of each kind; the
#: counts are complete.
FEED_IMPORT_DETAILS_LIMIT = 200


@dataclass
class ImportResult:
    """What an import did, for the leader to read."""

    added: list[Meeting] = field(default_factory=list)
    updated: list[Meeting] = field(default_factory=list)
    unchanged: list[Meeting] = field(default_factory=list)
    skipped: list[SkippedEvent] = field(default_factory=list)


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
def meetings_import_ical(*, group: Group, by: Any, content: bytes) -> ImportResult:
    """Add and update the group's meetings from its iCal feed: an event imported before (same
    UID) is updated, never added twice; events that cannot be used are skipped with a reason.

    New meetings count as Azure-related when the event mentions Azure (`ical.AZURE_MENTION`).
    Raises CalendarError when the content is not a calendar. A fixed number of queries.
    """
    parsed = parse_feed(content, time_zone=group_time_zone(group))
    # One import at a time per group, so two cannot both add the same event.
    Group.objects.select_for_update().filter(pk=group.pk).values_list("pk").get()
    known = {
        meeting.external_uid: meeting
        for meeting in Meeting.objects.filter(
            group=group, external_uid__in=[event.uid for event in parsed.events]
        )
    }
    result = ImportResult(skipped=list(parsed.skipped))
    now = timezone.now()
    for event in parsed.events:
        meeting = known.get(event.uid)
        if event.cancelled:
            reason = (
                _("Cancelled in the calendar. It was imported before: check it in your list.")
                if meeting
                else _("Cancelled in the calendar.")
            )
            result.skipped.append(SkippedEvent(uid=event.uid, title=event.title, reason=reason))
            continue
        values = _feed_values(event)
        if meeting is None:
            link = values.get("online_url", "")
            meeting = Meeting(
                group=group,
                external_uid=event.uid,
                is_azure_related=event.mentions_azure,
                format=Meeting.Format.ONLINE if link else Meeting.Format.IN_PERSON,
                **values,
            )
            bucket = result.added
        else:
            changed = {name for name, value in values.items() if getattr(meeting, name) != value}
            if not changed:
                result.unchanged.append(meeting)
                continue
            for name, value in values.items():
                setattr(meeting, name, value)
            meeting.updated_at = now  # bulk_update does not touch auto_now fields
            bucket = result.updated
        problems = _problems(meeting)
        if problems:
            result.skipped.append(SkippedEvent(uid=event.uid, title=event.title, reason=problems))
            continue
        bucket.append(meeting)
    Meeting.objects.bulk_create(result.added)
    Meeting.objects.bulk_update(result.updated, [*FEED_FIELDS, "updated_at"])
    return result


def feed_import_queue(*, group: Group, by: Any, language: str) -> FeedImport:
    """A leader asks for the group's iCal feed to be imported ("Import now"): the import is
    queued for the worker, so a slow feed never holds a web request.

    One import at a time per group: while one is queued or running, asking again returns it
    (a double click starts one import). One that outlived its lease (`FeedImport.is_stale`)
    was lost, and is marked failed so a new one can start. Raises ValidationError when the
    group has no feed address.
    """
    with transaction.atomic():
        # One request at a time per group sees and replaces the unfinished import.
        feed_url = (
            Group.objects.select_for_update()
            .filter(pk=group.pk)
            .values_list("ical_feed_url", flat=True)
            .get()
        )
        if not feed_url:
            raise ValidationError(_("The group has no iCal feed address yet."))
        now = timezone.now()
        unfinished = FeedImport.objects.filter(
            group=group, status__in=FeedImport.UNFINISHED
        ).first()
        if unfinished is not None:
            if not unfinished.is_stale(now=now):
                return unfinished
            FeedImport.objects.filter(pk=unfinished.pk, status=unfinished.status).update(
                status=FeedImport.Status.FAILED, finished_at=now, error=_stale_reason(unfinished)
            )
        feed_import = FeedImport.objects.create(
            group=group, requested_by=by, url=feed_url, language=language
        )
        # robust: the import is queued either way; a failing enqueue marks it failed itself.
        transaction.on_commit(partial(_feed_import_enqueue, feed_import.pk), robust=True)
    return feed_import


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
    return FeedImport.Status.DONE


def _feed_import_finish(pk: int, **fields: Any) -> None:
    # By pk alone: a late result is the truth, also for a row meanwhile counted as lost.
    FeedImport.objects.filter(pk=pk).update(finished_at=timezone.now(), **fields)


def _result_fields(result: ImportResult) -> dict[str, Any]:
    """The result as FeedImport fields: counts and plain details."""
    limit = FEED_IMPORT_DETAILS_LIMIT
    return {
        "added_count": len(result.added),
        "updated_count": len(result.updated),
        "unchanged_count": len(result.unchanged),
        "skipped_count": len(result.skipped),
        "details": {
            "added": [
                {
                    "title": meeting.title,
                    "starts_at": meeting.starts_at.isoformat(),
                    "about_azure": meeting.is_azure_related,
                }
                for meeting in result.added[:limit]
            ],
            "updated": [
                {"title": meeting.title, "starts_at": meeting.starts_at.isoformat()}
                for meeting in result.updated[:limit]
            ],
            "skipped": [
                {"title": event.title, "uid": event.uid, "reason": event.reason}
                for event in result.skipped[:limit]
            ],
        },
    }
