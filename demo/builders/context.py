"""What every builder shares: one seeded random generator, the moment the demo is built for,
the people planned but not yet written, and the helpers that write rows in batches."""

import random
import unicodedata
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from core.models import AuditEntry
from groups.models import Group
from leaders.models import User

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - printed for the demo; never a real account
#: Rows per INSERT when writing in bulk.
BATCH_SIZE = 2000
#: Tech Community user IDs of generated people start above the highest one in the database.
FIRST_TECH_ID = 1_200_000


@dataclass
class DemoContext:
    """The state the builders share; make one with `demo_context`.

    Everything random comes from `rng`, so the same seed gives the same demo, as long as the
    builders are called in the same order. Dates are relative to `now`.
    """

    rng: random.Random
    now: datetime
    #: The date of `now`, in the portal's time zone.
    today: date
    password_hash: str
    review_interval: timedelta
    #: The next Tech Community user ID to hand out.
    tech_id: int
    #: People planned and not yet written (people.people_save writes them).
    unsaved_users: list[User] = field(default_factory=list)
    person_counter: int = 0
    names_used: Counter[str] = field(default_factory=Counter)
    slugs_used: set[str] = field(default_factory=set)
    zones: dict[str, zoneinfo.ZoneInfo] = field(default_factory=dict)

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def at(self, day: date, at: clock, tz: str) -> datetime:
        """`day` at `at` o'clock in the time zone `tz`."""
        zone = self.zones.get(tz)
        if zone is None:
            zone = self.zones[tz] = zoneinfo.ZoneInfo(tz)
        return datetime.combine(day, at, tzinfo=zone)


def demo_context(
    *, seed: int, now: datetime | None = None, password_hash: str | None = None
) -> DemoContext:
    """A fresh context: `now` defaults to the clock, the password to the demo's (hashed once
    here, which is most of the cost of a small demo)."""
    highest = User.objects.aggregate(m=Max("tech_community_id"))["m"]
    now = now or timezone.now()
    return DemoContext(
        # Demo data, not secrets: a seeded, reproducible generator is the point.
        rng=random.Random(seed),  # noqa: S311
        now=now,
        today=timezone.localdate(now),
        password_hash=password_hash or make_password(DEMO_PASSWORD),
        review_interval=timedelta(days=settings.TECHGROUPS_REVIEW_INTERVAL_DAYS),
        tech_id=(highest or FIRST_TECH_ID) + 1,
    )


_ASCII = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "ð": "d", "Ð": "D"})
_ASCII.update(str.maketrans({"ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "'": ""}))


def ascii_slug(text: str) -> str:
    """A slug that keeps Nordic letters readable: "Tromsø" becomes "tromso", not "troms"."""
    return slugify(unicodedata.normalize("NFKD", text.translate(_ASCII)))


def batched_create(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    for start in range(0, len(objects), BATCH_SIZE):
        model._default_manager.bulk_create(objects[start : start + BATCH_SIZE])


def audit_backdate(*, ctx: DemoContext, group: Group, when: datetime) -> None:
    """Date the audit entries a service just wrote for `group` to when it happened.

    Services that take `now` date their audit entries by it; the edits of a group's details
    (group_update, group_update_by_leader) take no date and are stamped with the clock, and
    without this a demo group's history would partly happen today. The demo's events are all
    in its past, so the entries newer than `ctx.now` are the new ones.
    """
    AuditEntry.objects.filter(group=group, created_at__gt=ctx.now).update(created_at=when)
