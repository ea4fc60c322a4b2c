"""Reads for the program's pages: quarterly calls, the content library and news.

Each function costs one query (or none until evaluated), however many rows there are.
"""

import zoneinfo
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)

from groups.models import LANGUAGE_CHOICES, Group
from leaders.access import groups_led_by

from .models import ContentItem, NewsItem, QuarterlyCall

UTC = zoneinfo.ZoneInfo("UTC")


def upcoming_calls(*, now: datetime) -> QuerySet[QuarterlyCall]:
    """Calls that have not ended yet, soonest first; cancelled ones stay listed (and marked).

    A call in progress counts as upcoming, so a late leader still finds its join link.
    """
    return QuarterlyCall.objects.filter(ends_at__gt=now).order_by("starts_at", "pk")


def past_calls(*, now: datetime) -> QuerySet[QuarterlyCall]:
    """Calls that took place, newest first: the ones with recordings and slides."""
    return (
        QuarterlyCall.objects.filter(ends_at__lte=now)
        .exclude(status=QuarterlyCall.Status.CANCELLED)
        .order_by("-starts_at", "-pk")
    )


def call_for_calendar(*, pk: int) -> QuarterlyCall | None:
    return QuarterlyCall.objects.filter(pk=pk).first()


def viewer_group(user: Any) -> Group | None:
    """The admitted group whose time zone the program pages use: the first one admitted."""
    return groups_led_by(user).with_benefits().order_by("admitted_at", "pk").first()


def viewer_timezone(group: Group | None) -> zoneinfo.ZoneInfo:
    """The group's time zone, or UTC when there is no group or its zone is unknown."""
    if group is None:
        return UTC
    try:
        return zoneinfo.ZoneInfo(group.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def language_name(code: str) -> str:
    """The language's name in the viewer's language, or its code when the portal knows none."""
    return str(dict(LANGUAGE_CHOICES).get(code, code))


def content_languages() -> list[tuple[str, str]]:
    """(code, name) of the languages that published content is in, by name."""
    codes = ContentItem.objects.published().order_by().values_list("language", flat=True).distinct()
    return sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1])


def content_library(*, kind: str = "", language: str = "", now: datetime) -> QuerySet[ContentItem]:
    """Published content, newest first, optionally of one kind and in one language.

    Each item carries `is_early_access` (still in its early-access window at `now`) and
    `language_name` (translated when the language is one the portal names).
    """
    items = ContentItem.objects.published()
    if kind:
        items = items.filter(kind=kind)
    if language:
        items = items.filter(language=language)
    names = [When(language=code, then=Value(str(name))) for code, name in LANGUAGE_CHOICES]
    return items.annotate(
        is_early_access=ExpressionWrapper(
            Q(early_access_until__gt=now), output_field=BooleanField()
        ),
        language_name=Case(*names, default=F("language"), output_field=CharField()),
    ).order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk")


def published_news() -> QuerySet[NewsItem]:
    """Published news, newest first."""
    return NewsItem.objects.published().order_by("-published_at", "-created_at", "-pk")
