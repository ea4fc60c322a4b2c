"""Reads about meetings, always within one group."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import F, Max, Q
from django.shortcuts import get_object_or_404

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
    imported since `imported_before`: those waiting longest (or never imported) first."""
    return list(
        Group.objects.filter(ical_feed_auto_import=True)
        .exclude(ical_feed_url="")
        .annotate(last_import=Max("feed_imports__created_at"))
        .filter(Q(last_import__isnull=True) | Q(last_import__lt=imported_before))
        .order_by(F("last_import").asc(nulls_first=True), "pk")[:limit]
    )
