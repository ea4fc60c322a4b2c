"""The whole demo (`build_demo`, what seed_demo and the benchmarks write) and single groups
built the same way (`group_build`, for tests)."""

from dataclasses import dataclass, field

from django.db import transaction

from groups.models import Group
from leaders.models import ProgramRules, User

from .context import DemoContext
from .groups import (
    SCENARIOS,
    GroupPlan,
    acceptances_create,
    group_create,
    group_plan,
    group_plans,
    groups_bulk_create,
)
from .history import history_bulk_create, history_create
from .meetings import meetings_create
from .people import (
    ADMIN_EMAIL,
    APPLICANT_EMAIL,
    CO_LEADER_EMAIL,
    LEADER_EMAIL,
    NEW_LEADER_EMAIL,
    SOLO_EMAIL,
    STAFF_EMAIL,
    people_save,
    program_team_create,
)
from .program import program_content_create, program_rules_publish
from .requests import group_leave, requests_create

Status = Group.Status

#: How many of the first groups are written through the services, as the portal would have
#: written them: the SCENARIOS (every status; the demo accounts' groups) and the three whose
#: leaders seed_demo prints. The others are written in bulk (history.HistoryBulk): through the
#: services a group costs about 200 queries and its e-mails, so 1,000 groups took 158 s
#: instead of 6.5 s (SQLite), and the outbox would fill with e-mails about its past.
THROUGH_SERVICES = 12


@dataclass
class Summary:
    """The sign-in accounts the demo features, by what they show, and a few other leaders."""

    featured: dict[str, str] = field(default_factory=dict)
    sample_leaders: list[str] = field(default_factory=list)


@transaction.atomic
def build_demo(
    *,
    ctx: DemoContext,
    groups: int,
    meetings_per_group: int,
    through_services: int = THROUGH_SERVICES,
) -> Summary:
    """The program team, `groups` groups (at least one per SCENARIOS story) with their leaders,
    a year of meetings and their history, the requests in the review queue, and the program's
    calls, content and news, on an empty database.

    The builders are called in a fixed order, so the same seed gives the same demo whatever
    is written through the services (`through_services` groups) and whatever in bulk.
    """
    if groups < len(SCENARIOS):
        raise ValueError(f"A demo has at least {len(SCENARIOS)} groups, one per story.")
    staff = program_team_create(ctx=ctx)
    rules = program_rules_publish(ctx=ctx)
    plans = group_plans(ctx=ctx, count=groups)
    people_save(ctx=ctx)
    by_service, in_bulk = plans[:through_services], plans[through_services:]
    for plan in by_service:
        plan.through_services = True
        group_create(ctx=ctx, plan=plan, staff=staff)
    groups_bulk_create(plans=in_bulk)
    acceptances_create(ctx=ctx, plans=plans, rules=rules)
    # Before the decisions: the checklist each decision records counts the meetings.
    meetings_create(ctx=ctx, plans=plans, per_year=meetings_per_group)
    for plan in by_service:
        history_create(ctx=ctx, plan=plan, staff=staff)
    history_bulk_create(ctx=ctx, plans=in_bulk, staff=staff)
    requests_create(ctx=ctx, plans=plans, staff=staff)
    program_content_create(ctx=ctx)
    return _summary(plans)


def _summary(plans: list[GroupPlan]) -> Summary:
    names = [plan.group.name for plan in plans[:4]]
    summary = Summary(
        featured={
            "Superuser": ADMIN_EMAIL,
            "Program team (staff)": STAFF_EMAIL,
            f"Leader of “{names[0]}” (meets every requirement)": LEADER_EMAIL,
            f"Co-leader of “{names[0]}”": CO_LEADER_EMAIL,
            f"Leader of “{names[1]}” (no co-leader, review due)": SOLO_EMAIL,
            f"New leader of “{names[2]}” (rules not accepted)": NEW_LEADER_EMAIL,
            f"Applicant for “{names[3]}” (draft)": APPLICANT_EMAIL,
        }
    )
    for plan in plans[len(SCENARIOS) : len(SCENARIOS) + 3]:
        status = plan.group.get_status_display()
        summary.sample_leaders.append(f"{plan.applicant.email} ({plan.group.name}, {status})")
    return summary


@transaction.atomic
def group_build(
    *,
    ctx: DemoContext,
    staff: User,
    status: str = Status.ADMITTED,
    meetings_per_year: int = 12,
    rules: ProgramRules | None = None,
) -> GroupPlan:
    """One group in `status` as the demo makes them, written through the services: generated
    leaders (some come and go), its dates and decisions, and a year of meetings. With `rules`,
    its leaders have accepted them. `plan.row` is the group; `plan.roles` who led it when.

    `staff` decides (`people.program_team_create` makes one).
    """
    plan = group_plan(ctx=ctx, status=status)
    people_save(ctx=ctx)
    plan.through_services = True
    group_create(ctx=ctx, plan=plan, staff=staff)
    if rules is not None:
        acceptances_create(ctx=ctx, plans=[plan], rules=rules)
    meetings_create(ctx=ctx, plans=[plan], per_year=meetings_per_year)
    history_create(ctx=ctx, plan=plan, staff=staff)
    if status == Status.LEFT:
        group_leave(ctx=ctx, plan=plan, staff=staff)
    plan.row.refresh_from_db()
    return plan
