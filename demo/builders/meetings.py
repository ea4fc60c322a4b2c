"""Meetings: a year of them for each group, shaped by its status and meeting profile, written
in batches (they are most of the demo's rows: about 100,000 for 10,000 groups).

Meetings are not a change of a group's status, so they are written in bulk for every group,
before the decisions: the checklist a decision records counts them.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal

from django.utils import timezone

from groups.models import Group
from meetings.models import Meeting

from .catalogue import AZURE_TALKS, CHARGES, OTHER_TALKS, VENUE_HOSTS, VENUE_STREETS
from .context import BATCH_SIZE, DemoContext
from .groups import GroupPlan

Status = Group.Status


def _spread(ctx: DemoContext, count: int, first: date, last: date) -> list[date]:
    """`count` days between first and last, evenly spaced with some jitter."""
    span = max((last - first).days, 1)
    return [
        first + timedelta(days=int(span * (k + ctx.rng.uniform(0.15, 0.85)) / count))
        for k in range(count)
    ]


def _meeting_days(ctx: DemoContext, plan: GroupPlan, per_year: int) -> list[tuple[date, bool]]:
    """The days a group met (or will meet), each with whether it was about Azure."""
    rng, today, group = ctx.rng, ctx.today, plan.group
    if per_year == 0:
        return []
    year_ago = today - timedelta(days=364)
    status = group.status
    days: list[date] = []
    azure_max = None
    if status == Status.ADMITTED:
        if plan.profile == "sparse":
            days = _spread(ctx, rng.randint(2, 5), year_ago, today - timedelta(days=2))
        elif plan.profile == "bunched":
            end = today - timedelta(days=rng.randint(130, 240))
            days = _spread(ctx, per_year, end - timedelta(days=rng.randint(50, 80)), end)
        else:
            count = per_year if plan.scenario == "featured" else per_year + rng.randint(-2, 2)
            days = _spread(ctx, max(count, 1), year_ago, today - timedelta(days=2))
            if plan.profile == "off_topic":
                azure_max = rng.randint(2, 5)
        upcoming = 0 if plan.profile == "bunched" else rng.randint(1, 2)
        days += _spread(ctx, upcoming, today + timedelta(days=7), today + timedelta(days=60))
    elif status in {Status.INACTIVE, Status.LEFT}:
        stopped = timezone.localdate(group.status_changed_at) - timedelta(days=60)
        count = max(per_year // 2, 1) + rng.randint(0, 3)
        days = _spread(ctx, count, stopped - timedelta(days=364), stopped)
    elif status == Status.DRAFT:
        days = _spread(ctx, rng.randint(0, 3), year_ago, today - timedelta(days=2))
    else:
        count = rng.randint(2, max(per_year // 2, 2))
        days = _spread(ctx, count, year_ago, today - timedelta(days=2))
    result = []
    azure_left = len(days) if azure_max is None else azure_max
    for day in days:
        on_topic = azure_left > 0 and rng.random() < (0.93 if azure_max is None else 0.5)
        azure_left -= on_topic
        result.append((day, on_topic))
    return result


def group_meetings(*, ctx: DemoContext, plan: GroupPlan, per_year: int) -> Iterator[Meeting]:
    """The meetings of one written group (unsaved): `per_year` is what a regular admitted
    group holds in a year; the others hold fewer, bunched, off-topic or long ago."""
    rng, group, row = ctx.rng, plan.group, plan.row
    feed = bool(group.ical_feed_url)
    for number, (day, azure) in enumerate(_meeting_days(ctx, plan, per_year), start=1):
        workshop = azure and rng.random() < 0.08
        if workshop:  # a Saturday, on or before the planned day
            day -= timedelta(days=(day.weekday() - 5) % 7)
            at, hours = clock(rng.choice([9, 10])), 6.0
        else:  # a Tuesday to Thursday evening, on or before the planned day
            day -= timedelta(days={0: 4, 4: 1, 5: 2, 6: 3}.get(day.weekday(), 0))
            at, hours = clock(17, 30) if rng.random() < 0.7 else clock(18), 2.5
        title, topics = rng.choice(AZURE_TALKS if azure else OTHER_TALKS)
        if workshop:
            title = f"Hands-on workshop: {title}"
        elif azure and day.month == 4 and rng.random() < 0.4:
            title, topics = f"Global Azure {day.year} in {group.city}", "Global Azure"
        meeting_format = rng.choices(
            [Meeting.Format.IN_PERSON, Meeting.Format.HYBRID, Meeting.Format.ONLINE],
            [60, 22, 18],
        )[0]
        if meeting_format == Meeting.Format.ONLINE and not workshop:
            at, hours = (clock(12), 1.0) if rng.random() < 0.3 else (clock(18), 1.5)
        starts_at = ctx.at(day, at, group.timezone)
        in_room = meeting_format != Meeting.Format.ONLINE
        venue = ""
        if in_room:
            host = rng.choice(VENUE_HOSTS)
            street = f"{rng.choice(VENUE_STREETS)} {rng.randint(1, 80)}"
            venue = f"{host} office, {street}, {group.city}"
        charge, reason = Decimal(0), ""
        if in_room and rng.random() < 0.08:
            charge = rng.choice(CHARGES)
            reason = rng.choices(
                [Meeting.CostReason.FOOD_AND_DRINK, Meeting.CostReason.VENUE], [80, 20]
            )[0]
        past = day < ctx.today
        attendees = None
        if past:
            attendees = max(4, int(plan.audience * rng.uniform(0.5, 1.4)))
        yield Meeting(
            group=row,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            format=meeting_format,
            venue=venue,
            online_url=(
                f"https://meet.example.com/{group.slug}/{day:%Y%m%d}"
                if not in_room or meeting_format == Meeting.Format.HYBRID
                else ""
            ),
            is_azure_related=azure,
            topics=topics,
            attendee_count=attendees,
            entry_fee=Decimal(0),
            cost_recovery_charge=charge,
            cost_recovery_reason=reason,
            external_uid=f"{group.slug}-{day:%Y%m%d}-{number}@events.example.net" if feed else "",
        )


def meetings_create(*, ctx: DemoContext, plans: list[GroupPlan], per_year: int) -> None:
    """Write the meetings of written groups, in batches, so 100,000 of them never sit in
    memory at once."""
    batch: list[Meeting] = []
    for plan in plans:
        batch.extend(group_meetings(ctx=ctx, plan=plan, per_year=per_year))
        if len(batch) >= BATCH_SIZE:
            Meeting.objects.bulk_create(batch)
            batch = []
    if batch:
        Meeting.objects.bulk_create(batch)
