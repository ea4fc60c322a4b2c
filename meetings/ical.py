"""Reading a group's iCal feed (RFC 5545) into plain events, with the `icalendar` library.

A feed that names its zone only in X-WR-TIMEZONE (Google Calendar) is first made standard with
`x_wr_timezone`. A repeating event (RRULE, RDATE, EXDATE, and occurrences changed through a
RECURRENCE-ID) is expanded by `recurring_ical_events` into one event per occurrence. Only the
import window is read (`import_window`: a year back and a year ahead), and at most
`SERIES_CAP` occurrences of one series.

Times become timezone-aware: a DTSTART/DTEND with a TZID or in UTC keeps its zone; a
"floating" time (no zone) and an all-day date are read in the group's time zone, where the
meeting happens. An event ends at DTEND, or at DTSTART + DURATION; an all-day event without
either lasts the day. Every event read has a key that stays the same from one import to the
next (`occurrence_key`). Events the portal cannot use are returned as skipped, each with the
reason a leader reads on the import page.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfoNotFoundError

import recurring_ical_events
import x_wr_timezone
from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Component, Event

#: Imported meetings count as Azure-related when their title, description or categories
#: mention Azure (AzureML and "Azure Functions" too); leaders correct the rest by hand.
AZURE_MENTION = re.compile(r"\bazure", re.IGNORECASE)

#: An import reads the events that start in the 12 months before it, the year requirement 4
#: counts (docs/program.md, "Requirement 4"), and in the 12 months after it, the meetings
#: planned. Older and later events are not read, so a long-running series costs little.
WINDOW_BEFORE = relativedelta(months=12)
WINDOW_AFTER = relativedelta(months=12)
#: One repeating event gives at most this many meetings per import: its first ones in the
#: window (a weekly meetup fills a year with 52). The rest are skipped with the reason.
SERIES_CAP = 60
#: A rule that repeats more often than daily is no series of meetings; expanding it would keep
#: the worker busy for nothing.
SUB_DAILY = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
#: The expansion asks the library for a little more than the window, then keeps exactly the
#: occurrences that start in it: floating and all-day times are compared in the group's zone.
EXPANSION_MARGIN = timedelta(days=2)


class CalendarError(Exception):
    """The content is not an iCal calendar; `str(error)` is a message for the leader."""


@dataclass(frozen=True)
class FeedEvent:
    #: What `Meeting.external_uid` stores (`occurrence_key`).
    key: str
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    location: str
    mentions_azure: bool
    cancelled: bool


@dataclass(frozen=True)
class SkippedEvent:
    #: The event's UID; for one occurrence of a repeating event, its key.
    uid: str
    title: str
    reason: str
    starts_at: datetime | None = None


@dataclass
class ParsedFeed:
    #: The import window: events that start from the first moment, before the second.
    window: tuple[datetime, datetime]
    events: list[FeedEvent] = field(default_factory=list)
    skipped: list[SkippedEvent] = field(default_factory=list)
    #: How many events (a repeating one counts once) start only outside the window.
    outside_window: int = 0
    #: The keys the feed holds, also of the events skipped: a meeting imported before whose
    #: key is not among them is no longer in the calendar (`holds`).
    keys: set[str] = field(default_factory=set)
    #: Repeating events skipped as a whole: their occurrences are in the feed, unread.
    skipped_series: set[str] = field(default_factory=set)

    def holds(self, key: str) -> bool:
        """Whether the feed still has the event `key`, read or skipped."""
        return key in self.keys or any(
            key == uid or key.startswith(f"{uid}#") for uid in self.skipped_series
        )

    def in_window(self, moment: datetime) -> bool:
        return self.window[0] <= moment < self.window[1]


def import_window(now: datetime) -> tuple[datetime, datetime]:
    """The events an import reads: those that start from 12 months before `now` to 12 months
    after it."""
    return now - WINDOW_BEFORE, now + WINDOW_AFTER


def occurrence_key(uid: str, recurrence_id: date | datetime | None, *, time_zone: tzinfo) -> str:
    """The feed's key for one meeting, stored in `Meeting.external_uid`.

    A single event is known by its UID (as before repeating events were imported, so the
    meetings imported then keep matching). One occurrence of a repeating event is known by the
    UID and its RECURRENCE-ID in UTC: "UID#20260115T170000Z", or "UID#20260115" for an all-day
    one. The RECURRENCE-ID stays when the occurrence is moved, so the key does too. A floating
    RECURRENCE-ID is read in the group's time zone.
    """
    if recurrence_id is None:
        return uid
    if isinstance(recurrence_id, datetime):
        moment = _aware(recurrence_id, time_zone).astimezone(UTC)
        return f"{uid}#{moment:%Y%m%dT%H%M%SZ}"
    return f"{uid}#{recurrence_id:%Y%m%d}"


def mentions_azure(*texts: str) -> bool:
    return any(AZURE_MENTION.search(text) for text in texts)


def _text(component: Component, name: str) -> str:
    """A text property as one line; NUL bytes dropped (the database refuses them)."""
    value = component.get(name)
    if value is None:
        return ""
    # A property given more than once is a list.
    text = " ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return text.replace("\x00", "").strip()


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


def _start(event: Event, time_zone: tzinfo) -> tuple[datetime, bool] | str:
    """The event's start and whether it is all-day, or the reason it cannot be read."""
    if "DTSTART" not in event:
        return _("It has no start time (DTSTART).")
    try:
        start = event.start
        return _aware(start, time_zone), not isinstance(start, datetime)
    # icalendar's errors are ValueErrors; a DTSTART given twice is a list without a date.
    except (ValueError, TypeError, AttributeError, OverflowError):
        return _("Its start or end time cannot be read.")


def _lacks_end(event: Event) -> bool:
    """A timed event needs DTEND or DURATION; an all-day one lasts its day without."""
    if "DTEND" in event or "DURATION" in event:
        return False
    try:
        return isinstance(event.start, datetime)
    except (ValueError, TypeError, AttributeError, OverflowError):
        return False  # the start is reported instead


def _end(event: Event, time_zone: tzinfo) -> datetime | str:
    if _lacks_end(event):
        return _("It has no end time (DTEND or DURATION).")
    try:
        return _aware(event.end, time_zone)
    except (ValueError, TypeError, AttributeError, OverflowError):  # as for the start
        return _("Its start or end time cannot be read.")


def _calendar(content: bytes) -> Calendar:
    """The feed as a standard calendar: times given with X-WR-TIMEZONE only are put in it."""
    not_a_calendar = _("This is not an iCal calendar: the address should give a .ics feed.")
    try:
        calendar = Calendar.from_ical(content)
    # icalendar's parse errors are ValueErrors; a property given twice where one is expected
    # (a TZID) ends in an AttributeError on the list it becomes.
    except (ValueError, TypeError, UnicodeError, AttributeError) as error:
        raise CalendarError(not_a_calendar) from error
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise CalendarError(not_a_calendar)
    try:
        standard: Calendar = x_wr_timezone.to_standard(calendar)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OverflowError):
        # An X-WR-TIMEZONE no zone has: its floating times are read in the group's zone.
        return calendar
    return standard


def parse_feed(content: bytes, *, time_zone: tzinfo, now: datetime) -> ParsedFeed:
    """The feed's events that start in the import window (`import_window(now)`), one per
    occurrence of a repeating event, in feed order; and the ones skipped with their reasons."""
    calendar = _calendar(content)
    parsed = ParsedFeed(window=import_window(now))
    by_uid: dict[str, list[Event]] = {}
    for event in calendar.walk("VEVENT"):
        if not isinstance(event, Event):  # icalendar builds VEVENTs as Event
            continue
        uid = _text(event, "UID")
        if not uid:
            parsed.skipped.append(
                SkippedEvent(
                    uid="",
                    title=_text(event, "SUMMARY"),
                    reason=_("It has no UID, so a later import could not recognise it."),
                )
            )
            continue
        by_uid.setdefault(uid, []).append(event)
    for uid, events in by_uid.items():
        masters = [event for event in events if "RECURRENCE-ID" not in event]
        changed = [event for event in events if "RECURRENCE-ID" in event]
        for duplicate in masters[1:]:
            parsed.skipped.append(
                SkippedEvent(
                    uid=uid,
                    title=_text(duplicate, "SUMMARY"),
                    reason=_("The same UID appears earlier in the feed."),
                )
            )
        master = masters[0] if masters else None
        if master is not None and not changed and not _repeats(master):
            _read_single(parsed, master, uid=uid, time_zone=time_zone)
        else:
            _read_series(parsed, master, changed, uid=uid, time_zone=time_zone)
    return parsed


def _repeats(event: Event) -> bool:
    return "RRULE" in event or "RDATE" in event


def _read_single(parsed: ParsedFeed, event: Event, *, uid: str, time_zone: tzinfo) -> None:
    parsed.keys.add(uid)
    start = _start(event, time_zone)
    if not isinstance(start, str) and not parsed.in_window(start[0]):
        parsed.outside_window += 1
        return
    read = _read_event(event, key=uid, uid=uid, time_zone=time_zone)
    if isinstance(read, FeedEvent):
        parsed.events.append(read)
    else:
        parsed.skipped.append(SkippedEvent(uid=uid, title=_text(event, "SUMMARY"), reason=read))


def _read_series(
    parsed: ParsedFeed, master: Event | None, changed: list[Event], *, uid: str, time_zone: tzinfo
) -> None:
    """One repeating event: its occurrences in the window, the first `SERIES_CAP` of them."""
    title = _text(master or changed[0], "SUMMARY")

    def skip_series(reason: str) -> None:
        parsed.skipped_series.add(uid)
        parsed.skipped.append(SkippedEvent(uid=uid, title=title, reason=reason))

    if master is not None and _repeats_too_often(master):
        skip_series(_("It repeats more often than once a day, so it is not a series of meetings."))
        return
    if master is not None and (problem := _costly_rule(master, parsed.window[0], time_zone)):
        skip_series(problem)
        return
    occurrences = _occurrences(parsed, master, changed, uid=uid, time_zone=time_zone)
    if isinstance(occurrences, str):
        skip_series(occurrences)
        return
    if not occurrences:
        parsed.outside_window += 1
        return
    parsed.keys.update(key for key, _starts_at, _event in occurrences)
    if master is not None and not title:
        skip_series(_("It has no title (SUMMARY)."))
        return
    if master is not None and _lacks_end(master):
        skip_series(_("It has no end time (DTEND or DURATION)."))
        return
    for key, starts_at, occurrence in occurrences[:SERIES_CAP]:
        read = _read_event(occurrence, key=key, uid=uid, time_zone=time_zone)
        if isinstance(read, FeedEvent):
            parsed.events.append(read)
        else:
            parsed.skipped.append(
                SkippedEvent(
                    uid=key, title=_text(occurrence, "SUMMARY"), reason=read, starts_at=starts_at
                )
            )
    rest = len(occurrences) - SERIES_CAP
    if rest > 0:
        parsed.skipped.append(
            SkippedEvent(
                uid=uid,
                title=title,
                reason=ngettext(
                    "The portal imports the first %(cap)d meetings of a repeating event in the "
                    "import window; %(count)d more was not imported. Add it by hand.",
                    "The portal imports the first %(cap)d meetings of a repeating event in the "
                    "import window; %(count)d more were not imported. Add them by hand.",
                    rest,
                )
                % {"count": rest, "cap": SERIES_CAP},
                starts_at=occurrences[SERIES_CAP][1],
            )
        )


def _repeats_too_often(event: Event) -> bool:
    """Whether a rule repeats the event more often than once a day: a sub-daily frequency, or
    several hours, minutes or seconds a day."""
    rules = event.get("RRULE")
    if rules is None:
        return False
    for rule in rules if isinstance(rules, list) else [rules]:
        try:
            frequencies = [str(value).upper() for value in rule.get("FREQ", [])]
            parts = [rule.get(part, []) for part in ("BYHOUR", "BYMINUTE", "BYSECOND")]
        except (AttributeError, ValueError, TypeError):
            continue  # an unreadable rule: the expansion says so
        if SUB_DAILY.intersection(frequencies) or any(len(values) > 1 for values in parts):
            return True
    return False


#: A series that began this long before the import window is not expanded: reaching the window
#: would cost the worker thousands of steps per series, and no user group met that long ago.
OLDEST_SERIES_START = timedelta(days=20 * 366)


def _costly_rule(event: Event, window_start: datetime, time_zone: tzinfo) -> str:
    """Why expanding the series would never end or take too long; empty when it is safe.

    A rule with an INTERVAL below 1 repeats forever at the same time (dateutil never returns),
    and one that starts decades before the window walks through every occurrence since.
    """
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        try:
            intervals = [int(value) for value in rule.get("INTERVAL", [1])]
        except (AttributeError, ValueError, TypeError):
            return _("Its repetitions cannot be read (RRULE, RDATE, EXDATE or RECURRENCE-ID).")
        if any(interval < 1 for interval in intervals):
            return _("Its repeat rule has an interval below 1, so it cannot be read.")
    start = _start(event, time_zone)
    if not isinstance(start, str) and start[0] < window_start - OLDEST_SERIES_START:
        return _("It began repeating more than 20 years ago; add its meetings by hand.")
    return ""


Occurrence = tuple[str, datetime, Event]


def _occurrences(
    parsed: ParsedFeed, master: Event | None, changed: list[Event], *, uid: str, time_zone: tzinfo
) -> list[Occurrence] | str:
    """The series' occurrences that start in the window, as (key, start, event), by start; or
    the reason they cannot be read."""
    series = Calendar()
    for event in [master, *changed] if master is not None else changed:
        series.add_component(event)
    start, end = parsed.window
    try:
        components = recurring_ical_events.of(series).between(
            start - EXPANSION_MARGIN, end + EXPANSION_MARGIN
        )
        occurrences = []
        for component in components:
            starts_at = _start(component, time_zone)
            if isinstance(starts_at, str) or not parsed.in_window(starts_at[0]):
                continue
            recurrence_id = component["RECURRENCE-ID"].dt
            key = occurrence_key(uid, recurrence_id, time_zone=time_zone)
            occurrences.append((key, starts_at[0], component))
    # The library's and icalendar's errors about broken rules and dates are ValueErrors; a
    # date given twice (a list where one is expected) ends in an AttributeError.
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return _("Its repetitions cannot be read (RRULE, RDATE, EXDATE or RECURRENCE-ID).")
    occurrences.sort(key=lambda occurrence: (occurrence[1], occurrence[0]))
    return occurrences


def _read_event(event: Event, *, key: str, uid: str, time_zone: tzinfo) -> FeedEvent | str:
    """One event, or one occurrence of a repeating event, or the reason it is skipped."""
    title = _text(event, "SUMMARY")
    if not title:
        return _("It has no title (SUMMARY).")
    start = _start(event, time_zone)
    if isinstance(start, str):
        return start
    starts_at, all_day = start
    ends_at = _end(event, time_zone)
    if isinstance(ends_at, str):
        return ends_at
    return FeedEvent(
        key=key,
        uid=uid,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        location=_text(event, "LOCATION"),
        mentions_azure=mentions_azure(title, _text(event, "DESCRIPTION"), _categories(event)),
        cancelled=_text(event, "STATUS").upper() == "CANCELLED",
    )
