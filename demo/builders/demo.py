"""The whole demo: what seed_demo writes."""

from dataclasses import dataclass, field

from django.db import transaction

from .context import DemoContext
from .groups import (
    SCENARIOS,
    GroupPlan,
    acceptances_create,
    group_plans,
    groups_bulk_create,
)
from .history import history_create
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
from .requests import requests_create


@dataclass
class Summary:
    """The sign-in accounts the demo features, by what they show, and a few other leaders."""

    featured: dict[str, str] = field(default_factory=dict)
    sample_leaders: list[str] = field(default_factory=list)


@transaction.atomic
def build_demo(*, ctx: DemoContext, groups: int, meetings_per_group: int) -> Summary:
    """The program team, `groups` groups (at least one per SCENARIOS story) with their leaders,
    a year of meetings and their history, the requests in the review queue, and the program's
    calls, content and news, on an empty database.

    The builders are called in a fixed order, so the same seed gives the same demo.
    """
    if groups < len(SCENARIOS):
        raise ValueError(f"A demo has at least {len(SCENARIOS)} groups, one per story.")
    staff = program_team_create(ctx=ctx)
    rules = program_rules_publish(ctx=ctx)
    plans = group_plans(ctx=ctx, count=groups)
    people_save(ctx=ctx)
    groups_bulk_create(plans=plans)
    acceptances_create(ctx=ctx, plans=plans, rules=rules)
    history_create(ctx=ctx, plans=plans, staff=staff)
    meetings_create(ctx=ctx, plans=plans, per_year=meetings_per_group)
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
