"""Reads about meetings, always within one group."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groups.models import Group

from .models import FeedImport, Meeting, MeetingQuerySet


def meetings_of_group(*, group: Group) -> MeetingQuerySet:
    """The group's meetings, newest first (the pk breaks ties between meetings at one time)."""
    return Meeting.objects.filter(group=group).order_by("-starts_at", "-pk")


def meeting_of_group_or_404(*, group: Group, pk: int) -> Meeting:
    """One of the group's meetings; a meeting of another group is answered with 404."""
    return get_object_or_404(Meeting, group=group, pk=pk)


def group_time_zone(group: Group) -> ZoneInfo:
    """The zone the group meets in: times are typed and shown in it."""
    try:
        return ZoneInfo(group.timezone)
    except (ZoneInfoNotFoundError, ValueError):  # the model validates it; old rows might not
        return ZoneInfo("UTC")


def latest_feed_import(*, group: Group) -> FeedImport | None:
    """The group's most recent feed import, with who asked for it (one query)."""
    return (
        FeedImport.objects.filter(group=group)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Reach:
    """How many people a group's meetings reached in a period, from the counts leaders gave."""

    #: The sum of the actual attendee counts.
    people: int
    #: Meetings with an actual attendee count (the others are not in `people`).
    meetings_with_count: int
    #: Meetings that have taken place (ended), with or without a count.
    meetings_held: int


def reach_of_group(
    group: Group, *, start: datetime, end: datetime, now: datetime | None = None
) -> Reach:
    """The group's reach over the meetings that start in [start, end], both ends included, as
    `membership.requirements.meeting_window` counts them; cancelled and deleted meetings are
    left out. A meeting is held once it has ended by `end` or `now` (the clock), whichever is
    earlier. One query."""
    held_by = min(end, now or timezone.now())
    figures = (
        Meeting.objects.not_cancelled()
        .filter(group=group, starts_at__gte=start, starts_at__lte=end)
        .aggregate(
            people=Coalesce(Sum("attendee_count"), 0),
            meetings_with_count=Count("pk", filter=Q(attendee_count__isnull=False)),
            meetings_held=Count("pk", filter=Q(ends_at__lte=held_by)),
        )
    )
    return Reach(**figures)


def latest_finished_feed_import(*, group: Group) -> FeedImport | None:
    """The group's most recent import that finished, done or failed (one query): what the
    meetings page says about the last import, also while a new one is under way."""
    return (
        FeedImport.objects.filter(group=group, status__in=FeedImport.FINISHED)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def groups_due_for_daily_import(*, imported_before: datetime, limit: int) -> list[Group]:
    """The groups whose leaders switched the daily import on, with a feed address, not
    imported since `imported_before`: those waiting longest (or never imported) first. Only
    groups in the program or applying: a group that left, was declined or is inactive is not
    imported (its leaders can still import by hand)."""
    in_program = {*Group.BENEFITS_APPLY, *Group.EDITABLE_APPLICATION, *Group.UNDER_REVIEW}
    return list(
        Group.objects.filter(ical_feed_auto_import=True, status__in=in_program)
        .exclude(ical_feed_url="")
        .annotate(last_import=Max("feed_imports__created_at"))
        .filter(Q(last_import__isnull=True) | Q(last_import__lt=imported_before))
        .order_by(F("last_import").asc(nulls_first=True), "pk")[:limit]
    )
