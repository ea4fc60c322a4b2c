"""The program team's overview: figures about the whole program, in a fixed number of queries.

`program_overview` runs the same queries however many groups, meetings and e-mails there are:
the figures are counted by the database (GROUP BY or a filtered COUNT), except the groups at
risk, whose flags the database computes in one row per admitted group and Python counts.
Months and quarters are calendar periods in the program's time zone (settings.TIME_ZONE).

"At risk" means an admitted group that fails a requirement (`requirements.failing_q`, as the
admin's "failing requirement" filter) or is close to failing one (`CLOSE_TO_FAILING`, each a
database filter stating a condition the checklist reports in words).

Computing the figures reads every admitted group's facts; `cached_program_overview` keeps
them for TECHGROUPS_OVERVIEW_CACHE_SECONDS.
"""

import functools
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncMonth, TruncQuarter
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.models import AuditEntry
from groups.models import Group
from leaders.rules import current_rules_version
from meetings.models import Meeting
from membership.requirements import (
    BROKEN_LINK_CHECKS,
    Code,
    days_until_behind,
    failing_q,
    meeting_window,
    requirement_title,
)
from membership.selectors import MonthCount, groups_with_requirement_facts
from notifications.models import OutboxEmail
from program.calls import INVITATION
from program.models import QuarterlyCall

Status = Group.Status

#: How many months of Azure-related meetings, quarters of admissions, and calls are shown.
MONTHS = 12
QUARTERS = 8
CALLS = 6
#: The at-risk list shows at most this many groups; the total is given beside it.
AT_RISK_LIMIT = 50

#: Applications the program team has before it (drafts are not counted as applying).
APPLYING = tuple(sorted(Group.UNDER_REVIEW))


class Concern(StrEnum):
    """Ways an admitted group can be close to failing a requirement."""

    COC_LINK_FAILED_ONCE = "coc_link_failed_once"
    BEHIND_PACE = "behind_pace"
    NO_RECENT_MEETING = "no_recent_meeting"


CONCERN_TITLES: dict[Concern, Promise] = {
    Concern.COC_LINK_FAILED_ONCE: _("Code of conduct link failed its last check"),
    Concern.BEHIND_PACE: _("New group behind the pace of meetings"),
    Concern.NO_RECENT_MEETING: _("No recent Azure-related meeting"),
}


def program_timezone() -> tzinfo:
    return timezone.get_default_timezone()


def _min_meetings() -> int:
    return int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)


def _max_gap() -> timedelta:
    return timedelta(days=settings.TECHGROUPS_MAX_MEETING_GAP_DAYS)


# Close to failing: each a filter on groups annotated by `risk_facts` ---------------------


def coc_link_failed_once_q(*, now: datetime) -> Q:
    """The code-of-conduct link failed its last check(s), one short of failing requirement 2.

    `check_code_of_conduct` still passes such a group but says the next failure fails it.
    """
    return (
        ~Q(code_of_conduct_url="")
        & Q(coc_link_failures__gte=1)
        & Q(coc_link_failures__lt=BROKEN_LINK_CHECKS)
    )


def behind_pace_q(*, now: datetime) -> Q:
    """A group admitted in the last 12 months whose Azure-related meetings lag the pace of
    the minimum a year: the pace WARNING of `check_azure_meetings` for admitted groups.

    The pace rule is `requirements.meetings_expected`; for each count below the minimum,
    "behind" is "admitted at least D whole days ago", D = `requirements.days_until_behind`.
    """
    window_start, window_end = meeting_window(now)
    window_days = (window_end - window_start).days
    lagging = Q(pk__in=[])
    for count in range(_min_meetings()):
        days = days_until_behind(count, window_days=window_days)
        lagging |= Q(req_azure_meetings=count, admitted_at__lte=now - timedelta(days=days))
    return Q(admitted_at__gt=window_start) & lagging


def no_recent_meeting_q(*, now: datetime) -> Q:
    """A new group (admitted in the last 12 months, before the last
    TECHGROUPS_MAX_MEETING_GAP_DAYS days) with no Azure-related meeting in those days: the gap
    up to today alone makes the interval check of requirement 4 warn. (For an established
    group the same gap fails requirement 4, and it is counted among the failing.)
    """
    window_start, _end = meeting_window(now)
    return (
        Q(admitted_at__gt=window_start)
        & Q(admitted_at__lt=now - _max_gap())
        & Q(ov_recent_azure_meeting=False)
    )


CLOSE_TO_FAILING: dict[Concern, Callable[..., Q]] = {
    Concern.COC_LINK_FAILED_ONCE: coc_link_failed_once_q,
    Concern.BEHIND_PACE: behind_pace_q,
    Concern.NO_RECENT_MEETING: no_recent_meeting_q,
}


# The figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class QuarterFlow:
    """Status changes in one calendar quarter (from the audit trail)."""

    quarter: date  # its first day
    admitted: int
    left: int
    inactivated: int

    @property
    def departed(self) -> int:
        return self.left + self.inactivated

    @property
    def number(self) -> int:
        return (self.quarter.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        return f"{self.quarter.year} Q{self.number}"


@dataclass(frozen=True)
class RequirementCount:
    code: str
    title: str
    count: int
    #: The admin's group list filtered on the admitted groups failing it (empty for warnings).
    admin_url: str = ""


@dataclass(frozen=True)
class GroupAtRisk:
    pk: int
    name: str
    city: str
    country: str
    admin_url: str
    failing: list[str]
    warnings: list[str]


@dataclass(frozen=True)
class Risk:
    admitted: int
    failing_total: int
    #: Close to failing and failing none.
    close_total: int
    by_requirement: list[RequirementCount]
    by_warning: list[RequirementCount]
    groups: list[GroupAtRisk]
    failing_url: str

    @property
    def total(self) -> int:
        return self.failing_total + self.close_total

    @property
    def shown(self) -> int:
        return len(self.groups)


@dataclass(frozen=True)
class CountryCount:
    code: str
    name: str
    admitted: int
    applying: int


@dataclass(frozen=True)
class CallInvitations:
    pk: int
    title: str
    starts_at: datetime
    cancelled: bool
    admin_url: str
    sent: int
    waiting: int
    failed: int


@dataclass(frozen=True)
class KindCount:
    kind: str
    count: int


@dataclass(frozen=True)
class FailedEmails:
    total: int
    by_kind: list[KindCount]
    admin_url: str


@dataclass(frozen=True)
class Overview:
    now: datetime
    statuses: list[StatusCount]
    quarters: list[QuarterFlow]
    months: list[MonthCount]
    months_start: datetime
    risk: Risk
    countries: list[CountryCount]
    calls: list[CallInvitations]
    failed_emails: FailedEmails

    def count(self, status: str) -> int:
        return next((s.count for s in self.statuses if s.status == status), 0)

    @property
    def admitted(self) -> int:
        return self.count(Status.ADMITTED)

    @property
    def applying(self) -> int:
        return sum(self.count(status) for status in APPLYING)

    @property
    def total_groups(self) -> int:
        return sum(s.count for s in self.statuses)

    @property
    def meetings_total(self) -> int:
        return sum(m.count for m in self.months)

    @property
    def admissions_total(self) -> int:
        return sum(q.admitted for q in self.quarters)

    @property
    def departures_total(self) -> int:
        return sum(q.departed for q in self.quarters)


# Periods -----------------------------------------------------------------------------------


def month_starts(*, now: datetime, tz: tzinfo, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` calendar months, the current one last."""
    local = now.astimezone(tz)
    current = date(local.year, local.month, 1)
    return [current - relativedelta(months=back) for back in range(count - 1, -1, -1)]


def quarter_starts(*, now: datetime, tz: tzinfo, count: int = QUARTERS) -> list[date]:
    """The first days of the last `count` calendar quarters, the current one last."""
    local = now.astimezone(tz)
    current = date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
    return [current - relativedelta(months=3 * back) for back in range(count - 1, -1, -1)]


def _start_of(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


# Queries -----------------------------------------------------------------------------------


def groups_by_status() -> list[StatusCount]:
    """Every group by status, in the order of Group.Status (one query)."""
    rows = Group.objects.order_by().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return [
        StatusCount(status, str(label), counts.get(status, 0)) for status, label in Status.choices
    ]


def status_flows(*, now: datetime, tz: tzinfo) -> list[QuarterFlow]:
    """Admissions and departures per quarter, from the audit trail's status changes (one query).

    An admission is any move into "admitted" (a first admission or a re-admission from
    inactive); a departure is a move from "admitted" to "left" or "inactive" (an applicant
    that withdraws, or an inactive group that then leaves, is not one).
    """
    quarters = quarter_starts(now=now, tz=tz)
    after = "changes__status__after"
    from_admitted = Q(changes__status__before=Status.ADMITTED)
    rows = (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.STATUS_CHANGE,
            created_at__gte=_start_of(quarters[0], tz),
            created_at__lte=now,
        )
        .annotate(quarter=TruncQuarter("created_at", tzinfo=tz))
        .order_by()
        .values("quarter")
        .annotate(
            admitted=Count("pk", filter=Q(**{after: Status.ADMITTED}) & ~from_admitted),
            left=Count("pk", filter=Q(**{after: Status.LEFT}) & from_admitted),
            inactivated=Count("pk", filter=Q(**{after: Status.INACTIVE}) & from_admitted),
        )
    )
    by_quarter = {_as_date(row["quarter"]): row for row in rows}
    empty = {"admitted": 0, "left": 0, "inactivated": 0}
    return [
        QuarterFlow(
            quarter=quarter,
            admitted=by_quarter.get(quarter, empty)["admitted"],
            left=by_quarter.get(quarter, empty)["left"],
            inactivated=by_quarter.get(quarter, empty)["inactivated"],
        )
        for quarter in quarters
    ]


def azure_meetings_per_month(*, now: datetime, tz: tzinfo) -> list[MonthCount]:
    """Azure-related meetings held per calendar month, by every group (one query).

    The current month counts up to `now`: meetings planned later in it are not held yet.
    """
    months = month_starts(now=now, tz=tz)
    rows = (
        Meeting.objects.counted()
        .filter(starts_at__gte=_start_of(months[0], tz), starts_at__lte=now)
        .annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    counts = {_as_date(row["month"]): row["n"] for row in rows}
    return [MonthCount(month=month, count=counts.get(month, 0)) for month in months]


def _flag(condition: Q) -> ExpressionWrapper[Q]:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _failing_url(code: str = "any") -> str:
    base = reverse("admin:groups_group_changelist")
    return f"{base}?status__exact={Status.ADMITTED}&failing={code}"


def risk_facts(*, now: datetime) -> QuerySet[Group]:
    """Admitted groups annotated with what `failing_q` and `CLOSE_TO_FAILING` filter on."""
    since = now - _max_gap()
    recent = Meeting.objects.counted().filter(
        group=OuterRef("pk"), starts_at__gte=since, starts_at__lte=now
    )
    return (
        groups_with_requirement_facts(
            Group.objects.admitted(), now=now, rules_version=current_rules_version(at=now)
        )
        .prefetch_related(None)
        .annotate(ov_recent_azure_meeting=Exists(recent))
    )


def groups_at_risk(*, now: datetime, limit: int = AT_RISK_LIMIT) -> Risk:
    """Admitted groups failing a requirement or close to it: how many fail or lag in each way,
    and the first `limit` of them (failing ones first, then by name). Two queries.

    One pass reads every admitted group with a flag per condition (`failing_q` for each
    requirement, each of `CLOSE_TO_FAILING`), each fact computed once per group; the counts
    are taken from those rows as they stream by, and only the rows listed are kept.
    """
    failing_flags = {f"fail_{code.value}": code for code in Code}
    close_flags = {f"close_{concern.value}": concern for concern in CLOSE_TO_FAILING}
    conditions = {name: failing_q(code, now=now) for name, code in failing_flags.items()}
    conditions |= {name: CLOSE_TO_FAILING[c](now=now) for name, c in close_flags.items()}
    rows = (
        risk_facts(now=now)
        .annotate(**{name: _flag(condition) for name, condition in conditions.items()})
        .order_by("name", "pk")
        .values("pk", "name", "city", "country", *conditions)
    )
    # How many groups each flag holds for, and the first `limit` failing and close groups.
    totals = Counter[str]()
    failing: list[dict[str, Any]] = []
    close: list[dict[str, Any]] = []
    counts = Counter[str]()  # admitted, failing, close (failing none)
    for row in rows.iterator(chunk_size=2000):
        counts["admitted"] += 1
        totals.update(name for name in conditions if row[name])
        if any(row[name] for name in failing_flags):
            counts["failing"] += 1
            if len(failing) < limit:
                failing.append(row)
        elif any(row[name] for name in close_flags):
            counts["close"] += 1
            if len(close) < limit:
                close.append(row)
    groups = [
        GroupAtRisk(
            pk=row["pk"],
            name=row["name"],
            city=row["city"],
            country=str(countries.name(row["country"])),
            admin_url=reverse("admin:groups_group_change", args=[row["pk"]]),
            failing=[requirement_title(code) for name, code in failing_flags.items() if row[name]],
            warnings=[str(CONCERN_TITLES[c]) for name, c in close_flags.items() if row[name]],
        )
        for row in (failing + close)[:limit]
    ]
    return Risk(
        admitted=counts["admitted"],
        failing_total=counts["failing"],
        close_total=counts["close"],
        by_requirement=[
            RequirementCount(code.value, requirement_title(code), totals[name], _failing_url(code))
            for name, code in failing_flags.items()
        ],
        by_warning=[
            RequirementCount(c.value, str(CONCERN_TITLES[c]), totals[name])
            for name, c in close_flags.items()
        ],
        groups=groups,
        failing_url=_failing_url(),
    )


def groups_by_country() -> list[CountryCount]:
    """Admitted and applying groups per country, most admitted first (one query)."""
    rows = (
        Group.objects.filter(status__in=[Status.ADMITTED, *APPLYING])
        .order_by()
        .values("country")
        .annotate(
            admitted=Count("pk", filter=Q(status=Status.ADMITTED)),
            applying=Count("pk", filter=Q(status__in=APPLYING)),
        )
    )
    counted = [
        CountryCount(
            code=str(row["country"]),
            name=str(countries.name(row["country"])) or str(row["country"]),
            admitted=row["admitted"],
            applying=row["applying"],
        )
        for row in rows
    ]
    return sorted(counted, key=lambda c: (-c.admitted, -c.applying, c.name))


def _invitations(*statuses: str) -> Coalesce:
    """Invitations of the call in OuterRef with one of these statuses (the key names the call)."""
    prefix = Concat(Value(f"{INVITATION.kind}:"), Cast(OuterRef("pk"), CharField()), Value(":"))
    counted = (
        OutboxEmail.objects.filter(
            kind=INVITATION.kind, status__in=statuses, key__startswith=prefix
        )
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def call_invitations(*, now: datetime, count: int = CALLS) -> list[CallInvitations]:
    """The invitations of the latest calls (those whose invitation day has come), newest
    first: sent, still waiting in the outbox, failed. One query."""
    invitation_day = timedelta(days=settings.TECHGROUPS_CALL_INVITATION_DAYS)
    calls = (
        QuarterlyCall.objects.filter(starts_at__lte=now + invitation_day)
        .order_by("-starts_at", "-pk")
        .annotate(
            sent=_invitations(OutboxEmail.Status.SENT),
            waiting=_invitations(OutboxEmail.Status.PENDING, OutboxEmail.Status.SENDING),
            failed=_invitations(OutboxEmail.Status.FAILED),
        )
        .values(
            "pk",
            "title",
            "starts_at",
            "status",
            "sent",
            "waiting",
            "failed",
        )[:count]
    )
    return [
        CallInvitations(
            pk=call["pk"],
            title=call["title"],
            starts_at=call["starts_at"],
            cancelled=call["status"] == QuarterlyCall.Status.CANCELLED,
            admin_url=reverse("admin:program_quarterlycall_change", args=[call["pk"]]),
            sent=call["sent"],
            waiting=call["waiting"],
            failed=call["failed"],
        )
        for call in calls
    ]


def failed_emails() -> FailedEmails:
    """E-mails that failed and have not been sent again, per kind (one query)."""
    rows = (
        OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    )
    by_kind = sorted(
        (KindCount(row["kind"], row["n"]) for row in rows), key=lambda k: (-k.count, k.kind)
    )
    url = (
        reverse("admin:notifications_outboxemail_changelist")
        + f"?status__exact={OutboxEmail.Status.FAILED}"
    )
    return FailedEmails(total=sum(k.count for k in by_kind), by_kind=by_kind, admin_url=url)


#: "Compute again now" recomputes only figures older than this (a second click does nothing).
REFRESH_AFTER = timedelta(seconds=10)


@functools.cache
def figures_shape() -> str:
    """A fingerprint of the figures' classes and fields: cache entries written by a release
    whose `Overview` had another shape are never read (they expire on their own)."""
    classes = [
        value for value in globals().values() if isinstance(value, type) and is_dataclass(value)
    ]
    shape = ";".join(
        f"{cls.__name__}:{','.join(f.name for f in fields(cls))}"
        for cls in sorted(classes, key=lambda cls: cls.__name__)
    )
    return hashlib.sha256(shape.encode()).hexdigest()[:12]


def overview_cache_key(language: str | None = None) -> str:
    # The figures carry translated titles: one entry per language.
    return f"groups:overview:{figures_shape()}:{language or get_language()}"


def cached_program_overview(*, now: datetime, refresh: bool = False) -> Overview:
    """The overview as computed at most TECHGROUPS_OVERVIEW_CACHE_SECONDS ago.

    `refresh` ("Compute again now"): figures older than REFRESH_AFTER are computed again, and
    the other languages' copies are dropped, so every language shows the new figures.
    Computing them reads every admitted group's requirement facts and a year of meetings
    (about 0.3 s on 10,000 groups, README "Benchmarks"); the page says when they were.
    """
    seconds = settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS
    if seconds <= 0:
        return program_overview(now=now)
    key = overview_cache_key()
    cached = cache.get(key)
    if isinstance(cached, Overview) and not (refresh and now - cached.now >= REFRESH_AFTER):
        return cached
    if refresh:
        cache.delete_many([overview_cache_key(code) for code, _name in settings.LANGUAGES])
    overview = program_overview(now=now)
    cache.set(key, overview, seconds)
    return overview


def program_overview(*, now: datetime) -> Overview:
    """Every figure of the program team's overview page, in a fixed number of queries (8)."""
    tz = program_timezone()
    months = azure_meetings_per_month(now=now, tz=tz)
    return Overview(
        now=now,
        statuses=groups_by_status(),
        quarters=status_flows(now=now, tz=tz),
        months=months,
        months_start=_start_of(months[0].month, tz),
        risk=groups_at_risk(now=now),
        countries=groups_by_country(),
        calls=call_invitations(now=now),
        failed_emails=failed_emails(),
    )
