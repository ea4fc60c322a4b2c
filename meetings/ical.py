"""Reading a group's iCal feed (RFC 5545) into plain events, with the `icalendar` library.

Times become timezone-aware: a DTSTART/DTEND with a TZID or in UTC keeps its zone; a
"floating" time (no zone) and an all-day date are read in the group's time zone, where the
meeting happens. An event ends at DTEND, or at DTSTART + DURATION; an all-day event without
either lasts the day. Events the portal cannot use are returned as skipped, each with the
reason a leader reads on the import page.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

from django.utils.translation import gettext as _
from icalendar import Calendar, Component, Event

#: Imported meetings count as Azure-related when their title, description or categories
#: mention Azure (AzureML and "Azure Functions" too); leaders correct the rest by hand.
AZURE_MENTION = re.compile(r"\bazure", re.IGNORECASE)


class CalendarError(Exception):
    """The content is not an iCal calendar; `str(error)` is a message for the leader."""


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    mentions_azure: bool
    cancelled: bool


@dataclass(frozen=True)
class SkippedEvent:
    uid: str
    title: str
    reason: str


@dataclass
class ParsedFeed:
    events: list[FeedEvent] = field(default_factory=list)
    skipped: list[SkippedEvent] = field(default_factory=list)


def mentions_azure(*texts: str) -> bool:
    return any(AZURE_MENTION.search(text) for text in texts)


def _text(component: Component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):  # a property given more than once
        return " ".join(str(item) for item in value)
    return str(value).strip()


def _categories(component: Component) -> str:
    values = component.get("CATEGORIES")
    if values is None:
        return ""
    groups = values if isinstance(values, list) else [values]
    return " ".join(str(category) for group in groups for category in getattr(group, "cats", []))


def _aware(value: date | datetime, time_zone: tzinfo) -> datetime:
    """A timezone-aware datetime: floating times and all-day dates in `time_zone`."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=time_zone)
    return datetime.combine(value, time.min, tzinfo=time_zone)


def _times(event: Event, time_zone: tzinfo) -> tuple[datetime, datetime] | str:
    """The event's start and end, or the reason they cannot be read."""
    if "DTSTART" not in event:
        return _("It has no start time (DTSTART).")
    try:
        start = event.start
        all_day = not isinstance(start, datetime)
        if not all_day and "DTEND" not in event and "DURATION" not in event:
            return _("It has no end time (DTEND or DURATION).")
        end = event.end
        return _aware(start, time_zone), _aware(end, time_zone)
    except (ValueError, TypeError, OverflowError):  # icalendar's errors are ValueErrors
        return _("Its start or end time cannot be read.")


def parse_feed(content: bytes, *, time_zone: tzinfo) -> ParsedFeed:
    """The feed's events, in feed order, and the ones skipped with their reasons."""
    try:
        calendar = Calendar.from_ical(content)
    except (ValueError, TypeError, UnicodeError) as error:
        raise CalendarError(
            _("This is not an iCal calendar: the address should give a .ics feed.")
        ) from error
    if calendar.name != "VCALENDAR":
        raise CalendarError(_("This is not an iCal calendar: the address should give a .ics feed."))
    parsed = ParsedFeed()
    seen: set[str] = set()
    for event in calendar.walk("VEVENT"):
        if not isinstance(event, Event):  # icalendar builds VEVENTs as Event
            continue
        read = _read_event(event, time_zone=time_zone, seen=seen)
        if isinstance(read, FeedEvent):
            parsed.events.append(read)
        else:
            uid, title = _text(event, "UID"), _text(event, "SUMMARY")
            parsed.skipped.append(SkippedEvent(uid=uid, title=title, reason=read))
    return parsed


def _read_event(event: Event, *, time_zone: tzinfo, seen: set[str]) -> FeedEvent | str:
    """The event, or the reason it is skipped. `seen` collects the UIDs read so far."""
    uid, title = _text(event, "UID"), _text(event, "SUMMARY")
    if not uid:
        return _("It has no UID, so a later import could not recognise it.")
    if "RECURRENCE-ID" in event:
        return _("It changes one occurrence of a repeating event; add that meeting by hand.")
    if "RRULE" in event or "RDATE" in event:
        return _("It repeats; only single events are imported. Add its meetings by hand.")
    if uid in seen:
        return _("The same UID appears earlier in the feed.")
    seen.add(uid)
    if not title:
        return _("It has no title (SUMMARY).")
    times = _times(event, time_zone)
    if isinstance(times, str):
        return times
    starts_at, ends_at = times
    return FeedEvent(
        uid=uid,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=_text(event, "LOCATION"),
        mentions_azure=mentions_azure(title, _text(event, "DESCRIPTION"), _categories(event)),
        cancelled=_text(event, "STATUS").upper() == "CANCELLED",
    )
