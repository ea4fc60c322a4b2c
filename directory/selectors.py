"""The public group directory: reads for its pages and its calendar feeds.

Only admitted groups are public; a draft, an application, a declined, inactive or departed
group never shows. Nothing here reads leaders: the directory shows the group and its meetings,
never the people behind it. Each selector costs one query, however many rows there are.
"""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries import countries
from icalendar import Calendar, Event, vDuration

from groups.models import LANGUAGE_CHOICES, Group, GroupQuerySet
from meetings.models import Meeting
from program.ics import PRODID, site_domain

GROUPS_PER_PAGE = 24
#: How many upcoming meetings a group's page lists.
GROUP_PAGE_MEETINGS = 5
#: A group's feed: its meetings of the coming year, at most this many.
GROUP_FEED_DAYS = 365
GROUP_FEED_LIMIT = 100
#: The program's feed: every admitted group's meetings of the coming 90 days, at most 500.
PROGRAM_FEED_DAYS = 90
PROGRAM_FEED_LIMIT = 500
#: What the list shows of a group (the rest, e.g. the review dates, stays unread).
LIST_FIELDS = (
    "name",
    "slug",
    "city",
    "country",
    "timezone",
    "languages",
    "home_page_url",
    "event_page_url",
    "code_of_conduct_url",
)
#: How often a calendar client should fetch a feed again (RFC 7986 REFRESH-INTERVAL).
FEED_REFRESH = timedelta(hours=6)


# The list and the group page ---------------------------------------------------------------


def public_groups() -> GroupQuerySet:
    """The groups the public may see: admitted ones, and only those."""
    return Group.objects.with_benefits()


def upcoming_meetings_of_admitted_groups(*, now: datetime) -> QuerySet[Meeting]:
    """Meetings that have not ended by `now` (one in progress still counts), soonest first."""
    return (
        Meeting.objects.not_cancelled()
        .filter(group__status=Group.Status.ADMITTED, ends_at__gt=now)
        .order_by("starts_at", "pk")
    )


def directory_groups(
    *, now: datetime, search: str = "", country: str = "", city: str = ""
) -> GroupQuerySet:
    """Admitted groups by name, matching the search and filters, each with its next meeting.

    `search` looks in the name, city and description; `country` is a country code and `city`
    a city name (case-insensitive), "" for all. Each group carries `next_meeting_title` and
    `next_meeting_starts_at` (None when nothing is planned).
    """
    groups = public_groups()
    if search:
        groups = groups.filter(
            Q(name__icontains=search) | Q(city__icontains=search) | Q(description__icontains=search)
        )
    if country:
        groups = groups.filter(country=country)
    if city:
        groups = groups.filter(city__iexact=city)
    upcoming = (
        Meeting.objects.not_cancelled()
        .filter(group=OuterRef("pk"), ends_at__gt=now)
        .order_by("starts_at", "pk")
    )
    return (
        groups.only(*LIST_FIELDS)
        .annotate(
            next_meeting_title=Subquery(upcoming.values("title")[:1]),
            next_meeting_starts_at=Subquery(upcoming.values("starts_at")[:1]),
        )
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class Places:
    """Where admitted groups are: the choices of the directory's country and city filters."""

    #: (country code, country name) pairs, by name.
    countries: list[tuple[str, str]]
    #: Each country's cities, by name (a city spelt in two cases is listed once).
    cities_by_country: dict[str, list[str]]

    def cities(self, country: str = "") -> list[str]:
        """The cities in `country`, or in every country for ""."""
        if country:
            return list(self.cities_by_country.get(country, []))
        return _unique_cities(city for cities in self.cities_by_country.values() for city in cities)


def _unique_cities(cities: Iterable[str]) -> list[str]:
    # Two groups may spell a city in different cases: list it once (the first spelling sorted).
    unique = {city.casefold(): city for city in sorted(cities, reverse=True)}
    return sorted(unique.values(), key=str.casefold)


def directory_places() -> Places:
    """The countries and cities admitted groups are in; one query."""
    pairs = public_groups().order_by().values_list("country", "city").distinct()
    by_country: dict[str, list[str]] = {}
    for code, city in pairs:
        by_country.setdefault(str(code), []).append(city)
    return Places(
        countries=sorted(((code, str(countries.name(code))) for code in by_country), key=_by_name),
        cities_by_country={code: _unique_cities(cities) for code, cities in by_country.items()},
    )


def public_group(*, slug: str) -> Group | None:
    """The admitted group with this slug, or None (for any other status too)."""
    return public_groups().filter(slug=slug).first()


def group_upcoming_meetings(
    group: Group, *, now: datetime, limit: int = GROUP_PAGE_MEETINGS
) -> list[Meeting]:
    """The group's next meetings (not ended by `now`), soonest first."""
    upcoming = group.meetings.not_cancelled().filter(ends_at__gt=now)
    return list(upcoming.order_by("starts_at", "pk")[:limit])


def group_zone(group: Group) -> zoneinfo.ZoneInfo:
    """The group's time zone, where its meetings happen; UTC if the stored name is unknown."""
    try:
        return zoneinfo.ZoneInfo(group.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def language_names(codes: object) -> list[str]:
    """The names of a group's languages (a list of codes), in the visitor's language."""
    if not isinstance(codes, list):  # the JSON field's validator wants a list; be safe
        return []
    names = dict(LANGUAGE_CHOICES)
    return [str(names.get(str(code), str(code))) for code in codes]


@dataclass(frozen=True)
class DirectoryEntry:
    """A group as the list shows it: with its time zone and its languages' names."""

    group: Group
    zone: zoneinfo.ZoneInfo
    languages: list[str]


def directory_entries(groups: Iterable[Group]) -> list[DirectoryEntry]:
    return [
        DirectoryEntry(
            group=group, zone=group_zone(group), languages=language_names(group.languages)
        )
        for group in groups
    ]


def _by_name(pair: tuple[str, str]) -> str:
    return pair[1].casefold()


# Calendar feeds -----------------------------------------------------------------------------


def group_feed_meetings(group: Group, *, now: datetime) -> list[Meeting]:
    """What a group's feed holds: its meetings of the coming year, soonest first, capped;
    cancelled ones too, marked CANCELLED so subscribed calendars drop them."""
    horizon = now + timedelta(days=GROUP_FEED_DAYS)
    meetings = group.meetings.filter(ends_at__gt=now, starts_at__lt=horizon)
    return list(meetings.order_by("starts_at", "pk")[:GROUP_FEED_LIMIT])


def program_feed_meetings(*, now: datetime) -> list[Meeting]:
    """What the program's feed holds: admitted groups' meetings of the coming 90 days, capped;
    cancelled ones too (marked so), as in a group's feed."""
    horizon = now + timedelta(days=PROGRAM_FEED_DAYS)
    meetings = Meeting.objects.filter(
        group__status=Group.Status.ADMITTED, ends_at__gt=now, starts_at__lt=horizon
    ).order_by("starts_at", "pk")
    return list(meetings.select_related("group")[:PROGRAM_FEED_LIMIT])


def meeting_uid(meeting: Meeting) -> str:
    """The meeting's UID in the feeds: the same for its whole life, whatever else changes."""
    return f"group-meeting-{meeting.pk}@{site_domain()}"


@dataclass(frozen=True)
class FeedLinks:
    """Absolute addresses the feed refers to: the directory page of each group."""

    base_url: str  # scheme and host, no trailing slash

    def group_page(self, group: Group) -> str:
        return self.base_url + reverse("directory:group", kwargs={"slug": group.slug})


def meeting_location(meeting: Meeting) -> str:
    """Where the meeting is, as far as the public may know: the place, or that it is online.

    The online link is left out on purpose: it may let anyone into a meeting (a passcode in
    the link), and the group's own event page is where people sign up.
    """
    if meeting.format == Meeting.Format.ONLINE:
        return str(_("Online"))
    if meeting.format == Meeting.Format.HYBRID:
        return f"{meeting.venue} ({_('and online')})" if meeting.venue else str(_("Online"))
    return meeting.venue


def meeting_event(meeting: Meeting, *, group: Group, links: FeedLinks, now: datetime) -> Event:
    """One VEVENT with the meeting's public details only; times in UTC."""
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", f"{meeting.title} ({group.name})")
    page = links.group_page(group)
    description = [meeting.topics.strip()] if meeting.topics.strip() else []
    description.append(_("Organised by %(group)s: %(url)s") % {"group": group.name, "url": page})
    event.add("description", "\n\n".join(description))
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    event.add("url", group.event_page_url or page)
    # A cancelled meeting stays in the feed as CANCELLED, so subscribed calendars drop it.
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    if meeting.updated_at:
        event.add("last-modified", meeting.updated_at.astimezone(UTC))
    return event


def meetings_calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    links: FeedLinks,
    now: datetime,
    group: Group | None = None,
) -> bytes:
    """A published calendar (METHOD:PUBLISH) of the meetings, UTF-8 encoded.

    With `group`, every meeting is that group's (saves reading it from each meeting).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for meeting in meetings:
        owner = group if group is not None else meeting.group
        calendar.add_component(meeting_event(meeting, group=owner, links=links, now=now))
    data: bytes = calendar.to_ical()
    return data
