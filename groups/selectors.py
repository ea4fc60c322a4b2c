"""Reads about groups, shaped so that a page of groups costs a fixed number of queries."""

from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from leaders.models import Leadership
from meetings.models import Meeting, MeetingQuerySet
from program.models import ProgramRules, RulesAcceptance

from .models import Group
from .requirements import Checklist, Contact, GroupFacts, evaluate_requirements, meeting_window


def current_rules_version() -> int | None:
    rules = ProgramRules.objects.current()
    return rules.version if rules else None


def _meetings_in_window(*, now: datetime) -> MeetingQuerySet:
    start, end = meeting_window(now)
    return Meeting.objects.filter(starts_at__gte=start, starts_at__lte=end)


def _count(queryset: QuerySet[Meeting]) -> Coalesce:
    counted = queryset.order_by().values("group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def groups_with_requirement_facts(
    queryset: QuerySet[Group], *, now: datetime, rules_version: int | None
) -> QuerySet[Group]:
    """Annotate and prefetch what `requirement_facts` and `requirements.failing_q` need.

    Costs the main query plus two prefetches, however many groups the page shows.
    """
    in_window = _meetings_in_window(now=now).filter(group=OuterRef("pk"))
    active = Leadership.objects.active().filter(group=OuterRef("pk"))
    leader = active.filter(role=Leadership.Role.LEADER)
    co_leader = active.filter(role=Leadership.Role.CO_LEADER)
    with_id = Q(user__tech_community_id__isnull=False)
    leader_accepted: Exists | Value
    co_leader_accepted: Exists | Value
    if rules_version is None:
        leader_accepted = co_leader_accepted = Value(True, output_field=BooleanField())
    else:
        accepted = Exists(
            RulesAcceptance.objects.filter(user=OuterRef("user"), rules__version=rules_version)
        )
        leader_accepted = Exists(leader.filter(accepted))
        co_leader_accepted = Exists(co_leader.filter(accepted))

    acceptances = RulesAcceptance.objects.filter(
        user=OuterRef("user_id"), rules__published_at__isnull=False
    ).order_by("-rules__version")
    contacts = (
        Leadership.objects.active()
        .select_related("user")
        .annotate(accepted_version=Subquery(acceptances.values("rules__version")[:1]))
    )
    azure_starts = (
        _meetings_in_window(now=now).azure_related().only("group_id", "starts_at").order_by()
    )
    return queryset.annotate(
        req_has_leader=Exists(leader),
        req_has_co_leader=Exists(co_leader),
        req_leader_has_id=Exists(leader.filter(with_id)),
        req_co_leader_has_id=Exists(co_leader.filter(with_id)),
        req_leader_accepted=leader_accepted,
        req_co_leader_accepted=co_leader_accepted,
        req_fee_meetings=_count(in_window.filter(entry_fee__gt=0)),
        req_azure_meetings=_count(in_window.filter(is_azure_related=True)),
    ).prefetch_related(
        Prefetch("leaderships", queryset=contacts, to_attr="active_leaderships"),
        Prefetch("meetings", queryset=azure_starts, to_attr="azure_meetings_in_window"),
    )


def _contact(leadership: Leadership | None) -> Contact | None:
    if leadership is None:
        return None
    return Contact(
        user_id=leadership.user_id,
        name=leadership.user.display_name,
        has_tech_community_id=leadership.user.tech_community_id is not None,
        accepted_rules_version=getattr(leadership, "accepted_version", None),
    )


def active_contacts(group: Group) -> dict[str, Leadership]:
    """The group's active leadership per role, from the prefetch (no query)."""
    return {leadership.role: leadership for leadership in group.active_leaderships}  # type: ignore[attr-defined]


def requirement_facts(group: Group, *, rules_version: int | None) -> GroupFacts:
    """The facts of a group fetched through `groups_with_requirement_facts` (no query)."""
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
    )


def group_checklist(group: Group, *, now: datetime, rules_version: int | None) -> Checklist:
    return evaluate_requirements(requirement_facts(group, rules_version=rules_version), now=now)


def checklist_for(group: Group, *, now: datetime) -> Checklist:
    """The checklist of one group, fetched fresh (a handful of queries)."""
    version = current_rules_version()
    fetched = groups_with_requirement_facts(
        Group.objects.filter(pk=group.pk), now=now, rules_version=version
    ).get()
    return group_checklist(fetched, now=now, rules_version=version)
