"""Quarterly calls as iCalendar files: the page's .ics download and, later, the invitation e-mail.

Both must produce the same UID for a call, so a calendar client updates the event it already
has (SEQUENCE tells it which version is newer) instead of adding a second one.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import QuarterlyCall

PRODID = "-//Tech Groups//Tech Groups Portal//EN"


def site_domain() -> str:
    """The portal's host name (from SITE_URL): the right-hand side of every UID it makes."""
    return urlsplit(settings.SITE_URL).hostname or "techgroups"


def call_uid(call: QuarterlyCall) -> str:
    """The call's iCalendar UID: stable for the call's whole life, whatever else changes."""
    return f"quarterly-call-{call.pk}@{site_domain()}"


def call_description(call: QuarterlyCall) -> str:
    """The agenda followed by the join link, as plain text."""
    parts = [call.agenda.strip()] if call.agenda.strip() else []
    if call.join_url:
        parts.append(_("Join the call: %(url)s") % {"url": call.join_url})
    return "\n\n".join(parts)


def call_event(call: QuarterlyCall, *, now: datetime) -> Event:
    """One VEVENT for the call, times in UTC."""
    event = Event()
    event.add("uid", call_uid(call))
    event.add("sequence", call.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", call.starts_at.astimezone(UTC))
    event.add("dtend", call.ends_at.astimezone(UTC))
    event.add("summary", call.title)
    event.add("description", call_description(call))
    if call.join_url:
        event.add("url", call.join_url)
        event.add("location", call.join_url)
    cancelled = call.status == QuarterlyCall.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if call.created_at:
        event.add("created", call.created_at.astimezone(UTC))
    if call.updated_at:
        event.add("last-modified", call.updated_at.astimezone(UTC))
    return event


def call_calendar(call: QuarterlyCall, *, now: datetime) -> Calendar:
    """A published calendar (METHOD:PUBLISH) holding the call's one event."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(call_event(call, now=now))
    return calendar


def call_ics(call: QuarterlyCall, *, now: datetime) -> bytes:
    """The call's .ics file, UTF-8 encoded."""
    data: bytes = call_calendar(call, now=now).to_ical()
    return data


def call_ics_filename(call: QuarterlyCall) -> str:
    """A file name that says what the file is, e.g. leaders-call-q1-2026.ics."""
    return f"{slugify(call.title) or f'quarterly-call-{call.pk}'}.ics"
