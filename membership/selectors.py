"""Reads about groups, shaped so that a page of groups costs a fixed number of queries."""

import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from core.models import AuditEntry
from groups.models import Group
from leaders.access import groups_led_by
from leaders.models import CoLeaderInvitation, Leadership, ProgramRules, RulesAcceptance
from leaders.rules import current_rules_version, rules_grace
from meetings.models import Meeting, MeetingQuerySet
from meetings.selectors import Reach, reach_of_group

from .models import LeaveRequest, Review
from .requirements import (
    APPLICATION_STATUSES,
    BenefitsCheck,
    Checklist,
    Code,
    Contact,
    GroupFacts,
    RequirementResult,
    check_benefit_ids,
    evaluate_requirements,
    meeting_window,
)


def _meetings_in_window(*, now: datetime) -> MeetingQuerySet:
    start, end = meeting_window(now)
    return Meeting.objects.not_cancelled().filter(starts_at__gte=start, starts_at__lte=end)


def _count(queryset: QuerySet[Meeting]) -> Coalesce:
    counted = queryset.order_by().values("group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def groups_with_checklist_facts(queryset: QuerySet[Group], *, now: datetime) -> QuerySet[Group]:
    """What `requirement_facts` needs for each group fetched: the main query (with two
    per-row meeting counts and the current program rules' publication time) and two
    prefetches, however many groups are fetched.

    For pages and jobs that read the groups they show. To filter on the requirements in SQL
    (`requirements.failing_q`), use `groups_with_requirement_facts`.
    """
    in_window = _meetings_in_window(now=now).filter(group=OuterRef("pk"))
    acceptances = RulesAcceptance.objects.filter(
        user=OuterRef("user_id"), rules__published_at__lte=now
    ).order_by("-rules__version")
    rules_published_at = (
        ProgramRules.objects.published(at=now).order_by("-version").values("published_at")[:1]
    )
    contacts = (
        Leadership.objects.active()
        .select_related("user")
        .annotate(accepted_version=Subquery(acceptances.values("rules__version")[:1]))
    )
    azure_starts = _meetings_in_window(now=now).counted().only("group_id", "starts_at").order_by()
    return queryset.annotate(
        req_fee_meetings=_count(in_window.filter(entry_fee__gt=0)),
        req_azure_meetings=_count(in_window.counted()),
        req_rules_published_at=Subquery(rules_published_at, output_field=DateTimeField()),
    ).prefetch_related(
        Prefetch("leaderships", queryset=contacts, to_attr="active_leaderships"),
        Prefetch("meetings", queryset=azure_starts, to_attr="azure_meetings_in_window"),
    )


def long_meeting_gap(*, now: datetime) -> Q:
    """True for a group whose Azure-related meetings in the window leave a stretch longer than
    TECHGROUPS_MAX_MEETING_GAP_DAYS, counted from the window's start: the SQL twin of the
    interval check of requirement 4 for established groups (`requirements.is_established`,
    whose pace starts at the window's start).

    Either no meeting within the limit after the window's start, or a meeting followed by none
    within the limit while the limit has passed by `now`.
    """
    window_start, _end = meeting_window(now)
    limit = timedelta(days=settings.TECHGROUPS_MAX_MEETING_GAP_DAYS)
    counted = Meeting.objects.counted().filter(starts_at__gte=window_start, starts_at__lte=now)
    of_group = counted.filter(group=OuterRef("pk"))
    next_within_limit = counted.filter(
        group=OuterRef("group"),
        starts_at__gt=OuterRef("starts_at"),
        starts_at__lte=ExpressionWrapper(
            OuterRef("starts_at") + Value(limit), output_field=DateTimeField()
        ),
    )
    stranded = of_group.filter(starts_at__lt=now - limit).filter(~Exists(next_within_limit))
    return ~Exists(of_group.filter(starts_at__lte=window_start + limit)) | Exists(stranded)


def annotate_requirement_facts(
    queryset: QuerySet[Group], *, now: datetime, rules_version: int | None
) -> QuerySet[Group]:
    """The contacts' facts `requirements.failing_q` filters on, as SQL annotations, added to
    a queryset from `groups_with_checklist_facts` (which has the meeting counts it also needs;
    `groups_with_requirement_facts` is the two together).

    Meant for filters over many groups. PostgreSQL computes these for the whole table (hashed
    subplans) even when a page shows fifty groups, so pages that only show groups take
    `groups_with_checklist_facts`, which reads the same facts from its prefetch.
    """
    active = Leadership.objects.active().filter(group=OuterRef("pk"))
    leader = active.filter(role=Leadership.Role.LEADER)
    co_leader = active.filter(role=Leadership.Role.CO_LEADER)
    with_id = Q(user__tech_community_id__isnull=False)
    leader_accepted: Exists | Value
    co_leader_accepted: Exists | Value
    if rules_version is None:
        leader_accepted = co_leader_accepted = Value(True, output_field=BooleanField())
    else:
        # Requirement 5: accepted the current version, or still in the grace period (past the
        # application; from the publication or the role's start, whichever is later).
        accepted = Exists(
            RulesAcceptance.objects.filter(user=OuterRef("user"), rules__version=rules_version)
        )
        since = now - rules_grace()
        published_recently = Exists(
            ProgramRules.objects.filter(version=rules_version, published_at__gt=since)
        )
        in_grace = ~Q(group__status__in=APPLICATION_STATUSES) & (
            Q(started_at__gt=since) | Q(published_recently)
        )
        leader_accepted = Exists(leader.filter(Q(accepted) | in_grace))
        co_leader_accepted = Exists(co_leader.filter(Q(accepted) | in_grace))
    return queryset.annotate(
        req_has_leader=Exists(leader),
        req_has_co_leader=Exists(co_leader),
        req_leader_has_id=Exists(leader.filter(with_id)),
        req_co_leader_has_id=Exists(co_leader.filter(with_id)),
        req_leader_accepted=leader_accepted,
        req_co_leader_accepted=co_leader_accepted,
        req_long_meeting_gap=ExpressionWrapper(long_meeting_gap(now=now), BooleanField()),
    )


def groups_with_requirement_facts(
    queryset: QuerySet[Group], *, now: datetime, rules_version: int | None
) -> QuerySet[Group]:
    """Everything `requirement_facts` reads and `requirements.failing_q` filters on."""
    return annotate_requirement_facts(
        groups_with_checklist_facts(queryset, now=now), now=now, rules_version=rules_version
    )


def _contact(leadership: Leadership | None) -> Contact | None:
    if leadership is None:
        return None
    return Contact(
        user_id=leadership.user_id,
        name=leadership.user.display_name,
        has_tech_community_id=leadership.user.tech_community_id is not None,
        accepted_rules_version=getattr(leadership, "accepted_version", None),
        role_started_at=leadership.started_at,
    )


def active_contacts(group: Group) -> dict[str, Leadership]:
    """The group's active leadership per role, from the prefetch (no query)."""
    return {leadership.role: leadership for leadership in group.active_leaderships}  # type: ignore[attr-defined]


def requirement_facts(group: Group, *, rules_version: int | None) -> GroupFacts:
    """The facts of a group fetched through `groups_with_checklist_facts` (no query)."""
    contacts = active_contacts(group)
    return GroupFacts(
        status=group.status,
        timezone=group.timezone,
        admitted_at=group.admitted_at,
        code_of_conduct_url=group.code_of_conduct_url,
        planned_meetings_per_year=group.planned_meetings_per_year,
        leader=_contact(contacts.get(Leadership.Role.LEADER)),
        co_leader=_contact(contacts.get(Leadership.Role.CO_LEADER)),
        azure_meeting_starts=[m.starts_at for m in group.azure_meetings_in_window],  # type: ignore[attr-defined]
        fee_meeting_count=group.req_fee_meetings,  # type: ignore[attr-defined]
        current_rules_version=rules_version,
        rules_published_at=getattr(group, "req_rules_published_at", None)
        if rules_version
        else None,
        coc_link_failures=group.coc_link_failures,
        coc_link_failing_since=group.coc_link_failing_since,
        coc_link_checked_at=group.coc_link_checked_at,
        coc_link_status_code=group.coc_link_status_code,
        coc_linked_from_home=group.coc_linked_from_home,
    )


def group_checklist(group: Group, *, now: datetime, rules_version: int | None) -> Checklist:
    return evaluate_requirements(requirement_facts(group, rules_version=rules_version), now=now)


def checklist_for(group: Group, *, now: datetime) -> Checklist:
    """The checklist of one group, fetched fresh (a handful of queries)."""
    return standing_of(group, now=now)[0]


def standing_of(group: Group, *, now: datetime) -> tuple[Checklist, BenefitsCheck]:
    """One group's checklist and what its benefits need, from one fetch of its facts."""
    version = current_rules_version(at=now)
    fetched = groups_with_checklist_facts(Group.objects.filter(pk=group.pk), now=now).get()
    facts = requirement_facts(fetched, rules_version=version)
    return evaluate_requirements(facts, now=now), check_benefit_ids(facts)


# The leaders' portal ------------------------------------------------------------------------

#: The application's steps, in order; step 1 ("group") creates the draft.
APPLICATION_STEPS = ["group", "links", "meetings", "rules", "review"]
#: Steps that need the group's home page (it is asked in "links", and a group must have one).
STEPS_AFTER_LINKS = frozenset({"meetings", "rules", "review"})


@dataclass(frozen=True)
class MonthCount:
    """The Azure-related meetings a group held in one calendar month (its own time zone)."""

    month: date
    count: int


@dataclass(frozen=True)
class GroupDashboard:
    """What a group's dashboard shows, fetched in a fixed number of queries."""

    checklist: Checklist
    #: Not a requirement: the Tech Community user IDs Leaders Hub access needs.
    benefits: BenefitsCheck
    months: list[MonthCount]
    #: The people the group's meetings reached in the window (the counts leaders gave).
    reach: Reach
    window_start: datetime
    window_end: datetime
    latest_review: Review | None
    open_leave_request: LeaveRequest | None

    @property
    def azure_meeting_count(self) -> int:
        return sum(month.count for month in self.months)

    @property
    def minimum(self) -> int:
        return int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)

    @property
    def azure_result(self) -> RequirementResult | None:
        """The checklist's verdict on requirement 4 (it knows about new groups' pace)."""
        return self.checklist.result(Code.AZURE_MEETINGS)


def _month_start(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def meetings_per_month(
    starts: Sequence[datetime], *, window_start: datetime, window_end: datetime, timezone: str
) -> list[MonthCount]:
    """Count meeting starts per calendar month of the window, in the group's time zone.

    Every month the window touches is listed, empty ones too, oldest first; the counts add up
    to the meetings inside the window.
    """
    tz = zoneinfo.ZoneInfo(timezone)
    counts = Counter(
        _month_start(start.astimezone(tz))
        for start in starts
        if window_start <= start <= window_end
    )
    month = _month_start(window_start.astimezone(tz))
    last = _month_start(window_end.astimezone(tz))
    months = []
    while month <= last:
        months.append(MonthCount(month=month, count=counts[month]))
        month += relativedelta(months=1)
    return months


def open_leave_request(group: Group) -> LeaveRequest | None:
    """The group's request to leave that the program team has not processed yet (one query)."""
    return (
        group.leave_requests.filter(status=LeaveRequest.Status.OPEN)
        .select_related("requested_by")
        .first()
    )


def group_dashboard(group: Group, *, now: datetime) -> GroupDashboard:
    """The dashboard of one group: its checklist, meetings per month, latest decision, requests.

    The chart and the checklist read the same fetched meetings, so they always agree.
    """
    version = current_rules_version(at=now)
    fetched = groups_with_checklist_facts(Group.objects.filter(pk=group.pk), now=now).get()
    window_start, window_end = meeting_window(now)
    starts = [meeting.starts_at for meeting in fetched.azure_meetings_in_window]  # type: ignore[attr-defined]
    facts = requirement_facts(fetched, rules_version=version)
    return GroupDashboard(
        checklist=evaluate_requirements(facts, now=now),
        benefits=check_benefit_ids(facts),
        months=meetings_per_month(
            starts, window_start=window_start, window_end=window_end, timezone=group.timezone
        ),
        reach=reach_of_group(group, start=window_start, end=window_end, now=now),
        window_start=window_start,
        window_end=window_end,
        latest_review=group.reviews.order_by("-decided_at", "-pk").first(),
        open_leave_request=open_leave_request(group),
    )


def groups_with_role(user: Any) -> QuerySet[Group]:
    """The groups the user leads or co-leads, each annotated with `my_role` (one query)."""
    role = Leadership.objects.active().filter(group=OuterRef("pk"), user=user).values("role")[:1]
    return groups_led_by(user).annotate(my_role=Subquery(role)).order_by("name", "pk")


def application_steps_done(group: Group, *, rules_accepted: bool) -> dict[str, bool]:
    """Which of the application's steps hold what they ask (from the group; no query)."""
    return {
        "group": True,
        "links": bool(group.home_page_url),
        "meetings": group.planned_meetings_per_year is not None,
        "rules": rules_accepted,
        "review": not group.application_editable,
    }


def application_next_step(group: Group, *, rules_accepted: bool) -> str:
    """Where a leader resumes the application: the first step not done, else the review."""
    done = application_steps_done(group, rules_accepted=rules_accepted)
    return next((step for step in APPLICATION_STEPS if not done[step]), "review")


def pending_invitation(group: Group) -> CoLeaderInvitation | None:
    return group.invitations.filter(status=CoLeaderInvitation.Status.PENDING).first()


def active_co_leader(group: Group) -> Leadership | None:
    return (
        Leadership.objects.active()
        .filter(group=group, role=Leadership.Role.CO_LEADER)
        .select_related("user")
        .first()
    )


@dataclass(frozen=True)
class TimelineEvent:
    """One line of an application's history: a status change or a program team decision."""

    at: datetime
    status_before: str
    status_after: str
    review: Review | None = None
    actor_name: str = ""

    @property
    def status_before_label(self) -> str:
        return _status_label(self.status_before)

    @property
    def status_after_label(self) -> str:
        return _status_label(self.status_after)


def _status_label(value: str) -> str:
    return str(Group.Status(value).label) if value in Group.Status.values else value


def application_timeline(group: Group) -> list[TimelineEvent]:
    """The group's status history, newest first: decisions with their messages, and the other
    status changes (submissions, resubmissions) from the audit trail; a decision's own status
    change links to its review and is shown with it. Two queries."""
    reviews = list(group.reviews.order_by("-decided_at", "-pk"))
    entries = (
        AuditEntry.objects.filter(
            group=group, action=AuditEntry.Action.STATUS_CHANGE, review__isnull=True
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    events = [
        TimelineEvent(
            at=review.decided_at,
            status_before=review.status_before,
            status_after=review.status_after,
            review=review,
        )
        for review in reviews
    ]
    for entry in entries:
        status = entry.changes.get("status", {})
        events.append(
            TimelineEvent(
                at=entry.created_at,
                status_before=str(status.get("before", "")),
                status_after=str(status.get("after", "")),
                actor_name=entry.actor.display_name if entry.actor else "",
            )
        )
    return sorted(events, key=lambda event: event.at, reverse=True)
