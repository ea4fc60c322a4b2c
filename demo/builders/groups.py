"""Groups and their leaders: planned in memory, then written through the services (a draft
application, its links, its leaders coming and going) or in bulk.

A `GroupPlan` is the group as it ends up: its status, dates and every stretch of every
leader. The plans come first and draw on the context's random generator in a fixed order; the
writing draws nothing, so how a group is written never changes what the demo contains.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from groups.models import Group
from leaders.models import Leadership, ProgramRules, RulesAcceptance, User
from leaders.services import leadership_end, leadership_start
from membership.services import group_create_draft, group_update, group_update_by_leader

from .catalogue import FOCUS_TOPICS, GROUP_NAME_PATTERNS, LANGUAGE_NAMES, PLACES, Place
from .context import DemoContext, ascii_slug, audit_backdate, batched_create
from .people import (
    APPLICANT_EMAIL,
    CO_LEADER_EMAIL,
    LEADER_EMAIL,
    NEW_LEADER_EMAIL,
    SOLO_EMAIL,
    demo_account,
    demo_person,
)

Status = Group.Status
Role = Leadership.Role
EndReason = Leadership.EndReason

#: The first groups tell the demo's stories, so every status and case is there at any size.
SCENARIOS = [
    "featured",  # admitted, meets every requirement: leader@ and coleader@
    "solo",  # admitted, no co-leader, a pending invitation, due for review: solo@
    "new_leader",  # admitted, leader changed 3 weeks ago, new leader has not accepted the rules
    "applicant",  # draft application of applicant@
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.DECLINED,
    Status.INACTIVE,
    Status.LEFT,
]
MIN_GROUPS = len(SCENARIOS)

STATUS_WEIGHTS = {
    Status.ADMITTED: 68,
    Status.DRAFT: 5,
    Status.SUBMITTED: 6,
    Status.CHANGES_REQUESTED: 4,
    Status.DECLINED: 4,
    Status.INACTIVE: 7,
    Status.LEFT: 6,
}
#: How an admitted group's year of meetings looks; all but "regular" miss a meeting rule.
MEETING_PROFILES = {"regular": 70, "sparse": 12, "bunched": 9, "off_topic": 9}

#: What the applicant gives when starting an application, and in its "links" step.
DRAFT_FIELDS = ["name", "city", "country", "timezone", "languages", "description"]
LINK_FIELDS = [
    "home_page_url",
    "code_of_conduct_url",
    "event_page_url",
    "ical_feed_url",
    "planned_meetings_per_year",
]


@dataclass(eq=False)
class Stretch:
    """One stretch of a person in a role, before it becomes a Leadership row."""

    user: User
    role: str
    started_at: datetime
    ended_at: datetime | None = None
    end_reason: str = ""
    #: The row, once written through the services.
    saved: Leadership | None = None


@dataclass(eq=False)
class GroupPlan:
    """A group as the demo means it to end up, and its row once written."""

    #: Every field as it ends up (status, dates); written as it is by the bulk path.
    group: Group
    place: Place
    scenario: str
    profile: str
    roles: list[Stretch] = field(default_factory=list)
    #: Typical turnout; meetings vary around it.
    audience: int = 30
    #: Written through the services (True) or in bulk.
    through_services: bool = False
    #: The group's row, once written: `group` itself in bulk, the services' own instance.
    saved: Group | None = None

    @property
    def row(self) -> Group:
        assert self.saved is not None, "the group is not written yet"
        return self.saved

    @property
    def applicant(self) -> User:
        """Who started the application: the first leader."""
        return self.roles[0].user

    def active(self, role: str) -> User | None:
        for stretch in self.roles:
            if stretch.role == role and stretch.ended_at is None:
                return stretch.user
        return None


# Planning --------------------------------------------------------------------------------


def _name_and_slug(ctx: DemoContext, place: Place) -> tuple[str, str]:
    base = ctx.rng.choice(GROUP_NAME_PATTERNS).format(city=place.city)
    ctx.names_used[base] += 1
    seen = ctx.names_used[base]
    name = base if seen == 1 else f"{base} {seen}"
    slug, n = ascii_slug(name), 1
    while slug in ctx.slugs_used:
        n += 1
        slug = f"{ascii_slug(name)}-{n}"
    ctx.slugs_used.add(slug)
    return name, slug


def _description(
    ctx: DemoContext, name: str, place: Place, languages: list[str], planned: int
) -> str:
    topics = ctx.rng.sample(FOCUS_TOPICS, 3)
    cadence = {6: "every other month", 8: "about eight times a year", 24: "twice a month"}
    spoken = " and ".join(LANGUAGE_NAMES[code] for code in languages)
    return (
        f"{name} brings together developers, architects and students in {place.city} who "
        f"build on Azure. We meet {cadence.get(planned, 'every month')} for talks, demos and "
        f"hands-on labs on {topics[0]}, {topics[1]} and {topics[2]}, with time to talk shop "
        f"afterwards. Meetings are in {spoken} and always free to attend."
    )


def group_plan(*, ctx: DemoContext, status: str, scenario: str = "random") -> GroupPlan:
    """A group in `status` somewhere in Europe, with its dates and (unless it is one of the
    SCENARIOS, which bring their own) generated leaders."""
    rng = ctx.rng
    place = rng.choices(PLACES, weights=[p.weight for p in PLACES])[0]
    name, slug = _name_and_slug(ctx, place)
    roll = rng.random()
    if len(place.languages) == 1 or roll < 0.3:
        languages = [place.languages[0]]
    elif roll < 0.4:
        languages = ["en"]
    else:
        languages = list(place.languages)
    planned = rng.choice([6, 8, 10, 12, 12, 12, 12, 24])
    home = rng.choice(
        [
            f"https://{slug}.example.org/",
            f"https://www.meetup.example.com/{slug}/",
            f"https://community.example.net/groups/{slug}/",
        ]
    )
    conduct = rng.choice(
        [
            f"https://{slug}.example.org/code-of-conduct",
            f"https://github.example.com/{slug}/.github/blob/main/CODE_OF_CONDUCT.md",
        ]
    )
    has_events = rng.random() < 0.75
    group = Group(
        name=name,
        slug=slug,
        city=place.city,
        country=place.country,
        timezone=place.timezone,
        languages=languages,
        description=_description(ctx, name, place, languages, planned),
        home_page_url=home,
        code_of_conduct_url="" if rng.random() < 0.1 else conduct,
        event_page_url=f"https://www.meetup.example.com/{slug}/events/" if has_events else "",
        ical_feed_url=(
            f"https://www.meetup.example.com/{slug}/events/ical/"
            if has_events and rng.random() < 0.6
            else ""
        ),
        planned_meetings_per_year=None if rng.random() < 0.05 else planned,
        status=status,
    )
    if status == Status.CHANGES_REQUESTED and rng.random() < 0.5:
        group.code_of_conduct_url = ""  # what the program team asked them to add
    profile = "none"
    if status == Status.ADMITTED:
        profile = rng.choices(list(MEETING_PROFILES), list(MEETING_PROFILES.values()))[0]
    plan = GroupPlan(group, place, scenario, profile, audience=rng.randint(12, 90))
    _set_dates(ctx, plan)
    if scenario == "random":
        _set_roles(ctx, plan)
    return plan


def _set_dates(ctx: DemoContext, plan: GroupPlan) -> None:
    """The application and decision dates that the status implies."""
    rng, group = ctx.rng, plan.group
    if group.status == Status.DRAFT:
        group.created_at = ctx.days_ago(rng.uniform(1, 60))
        group.status_changed_at = group.created_at
        return
    if group.status in {Status.ADMITTED, Status.INACTIVE, Status.LEFT}:
        # The stories and the groups that since stopped have been in for over a year.
        established = group.status != Status.ADMITTED or plan.scenario != "random"
        admitted_at = ctx.days_ago(rng.uniform(400 if established else 30, 1000))
        group.admitted_at = group.status_changed_at = admitted_at
        group.submitted_at = admitted_at - timedelta(days=rng.uniform(3, 40))
        if group.status == Status.INACTIVE:
            group.status_changed_at = ctx.days_ago(rng.uniform(10, 200))
        elif group.status == Status.LEFT:
            group.status_changed_at = ctx.days_ago(rng.uniform(10, 300))
    elif group.status == Status.SUBMITTED:
        group.submitted_at = ctx.days_ago(rng.uniform(1, 30))
        group.status_changed_at = group.submitted_at
    else:  # changes requested or declined
        group.submitted_at = ctx.days_ago(rng.uniform(20, 120))
        group.status_changed_at = group.submitted_at + timedelta(days=rng.uniform(2, 15))
    assert group.submitted_at is not None
    group.created_at = group.submitted_at - timedelta(days=rng.uniform(1, 20))
    if group.status == Status.ADMITTED and group.admitted_at is not None:
        first_due = timezone.localdate(group.admitted_at) + ctx.review_interval
        if first_due > ctx.today:
            group.next_review_due = first_due
        elif plan.scenario == "solo" or (plan.scenario == "random" and rng.random() < 0.2):
            overdue = timedelta(days=rng.randint(1, 60))
            group.next_review_due = max(first_due, ctx.today - overdue)
        else:
            group.next_review_due = ctx.today + timedelta(days=rng.randint(1, 182))
        # A review is due one interval after the last decision (history.planned_decisions
        # counts the periodic reviews back from this date): with no room for a periodic
        # review since the admission, the first one is due.
        first_keep = group.next_review_due - ctx.review_interval
        if first_keep <= timezone.localdate(group.admitted_at) + timedelta(days=30):
            group.next_review_due = first_due


def _set_roles(ctx: DemoContext, plan: GroupPlan) -> None:
    rng, group, country, now = ctx.rng, plan.group, plan.place.country, ctx.now
    start = group.created_at
    status = group.status
    applied = status != Status.DRAFT
    with_co_leader = rng.random() < (0.85 if applied else 0.5)
    story = "stable"
    if status in {Status.ADMITTED, Status.INACTIVE}:
        story = rng.choices(["stable", "handover", "co_leader_replaced"], [70, 15, 15])[0]
    leader = demo_person(ctx=ctx, country=country, joined=start)
    if story == "handover":
        # The co-leader took over; the old leader's row stays as history.
        handover = start + (now - start) * rng.uniform(0.3, 0.9)
        successor = demo_person(ctx=ctx, country=country, joined=start)
        plan.roles += [
            Stretch(leader, Role.LEADER, start, handover, EndReason.HANDED_OVER),
            Stretch(successor, Role.CO_LEADER, start, handover, EndReason.HANDED_OVER),
            Stretch(successor, Role.LEADER, handover),
        ]
        if with_co_leader:
            new_co = demo_person(ctx=ctx, country=country, joined=handover)
            joined = min(handover + timedelta(days=7), now)
            plan.roles.append(Stretch(new_co, Role.CO_LEADER, joined))
        return
    plan.roles.append(Stretch(leader, Role.LEADER, start))
    if story == "co_leader_replaced" or (status == Status.ADMITTED and not with_co_leader):
        left = start + (now - start) * rng.uniform(0.2, 0.9)
        former = demo_person(ctx=ctx, country=country, joined=start)
        plan.roles.append(Stretch(former, Role.CO_LEADER, start, left, EndReason.STEPPED_DOWN))
        if with_co_leader:
            new_co = demo_person(ctx=ctx, country=country, joined=left)
            joined = min(left + timedelta(days=14), now)
            plan.roles.append(Stretch(new_co, Role.CO_LEADER, joined))
    elif with_co_leader:
        co_leader = demo_person(ctx=ctx, country=country, joined=start)
        plan.roles.append(Stretch(co_leader, Role.CO_LEADER, start))
    if status == Status.LEFT:
        for stretch in plan.roles:
            stretch.ended_at = group.status_changed_at
            stretch.end_reason = EndReason.GROUP_LEFT


def scenario_plan(*, ctx: DemoContext, scenario: str) -> GroupPlan:
    """One of the SCENARIOS, with the featured sign-in accounts where it has them."""
    status = {
        "featured": Status.ADMITTED,
        "solo": Status.ADMITTED,
        "new_leader": Status.ADMITTED,
        "applicant": Status.DRAFT,
    }.get(scenario, scenario)
    plan = group_plan(ctx=ctx, status=status, scenario=scenario)
    group, start = plan.group, plan.group.created_at
    country = plan.place.country
    if scenario not in {"featured", "solo", "new_leader", "applicant"}:
        _set_roles(ctx, plan)
    elif scenario == "featured":
        plan.profile = "regular"
        group.code_of_conduct_url = f"https://{group.slug}.example.org/code-of-conduct"
        leader = demo_account(
            ctx=ctx, email=LEADER_EMAIL, name="Astrid Lindqvist", language="sv", joined=start
        )
        co_leader = demo_account(ctx=ctx, email=CO_LEADER_EMAIL, name="Erik Nygaard", joined=start)
        plan.roles = [
            Stretch(leader, Role.LEADER, start),
            Stretch(co_leader, Role.CO_LEADER, start),
        ]
    elif scenario == "solo":
        plan.profile = "regular"
        leader = demo_account(ctx=ctx, email=SOLO_EMAIL, name="Mette Rasmussen", joined=start)
        former = demo_person(ctx=ctx, country=country, joined=start)
        left = ctx.days_ago(45)
        plan.roles = [
            Stretch(leader, Role.LEADER, start),
            Stretch(former, Role.CO_LEADER, start, max(left, start), EndReason.STEPPED_DOWN),
        ]
    elif scenario == "new_leader":
        plan.profile = "sparse"
        handover = ctx.days_ago(21)
        former = demo_person(ctx=ctx, country=country, joined=start)
        co_leader = demo_person(ctx=ctx, country=country, joined=start)
        leader = demo_account(
            ctx=ctx, email=NEW_LEADER_EMAIL, name="Jukka Virtanen", tech_id=False, joined=handover
        )
        plan.roles = [
            Stretch(former, Role.LEADER, start, max(handover, start), EndReason.STEPPED_DOWN),
            Stretch(co_leader, Role.CO_LEADER, start),
            Stretch(leader, Role.LEADER, max(handover, start)),
        ]
    elif scenario == "applicant":
        leader = demo_account(
            ctx=ctx, email=APPLICANT_EMAIL, name="Lucía García", tech_id=False, joined=start
        )
        plan.roles = [Stretch(leader, Role.LEADER, start)]
    return plan


def group_plans(*, ctx: DemoContext, count: int) -> list[GroupPlan]:
    """`count` groups: the SCENARIOS first, then groups in statuses drawn by STATUS_WEIGHTS."""
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    plans = []
    for index in range(count):
        if index < len(SCENARIOS):
            plans.append(scenario_plan(ctx=ctx, scenario=SCENARIOS[index]))
        else:
            status = ctx.rng.choices(statuses, weights)[0]
            plans.append(group_plan(ctx=ctx, status=status))
    return plans


# Writing ---------------------------------------------------------------------------------


def groups_bulk_create(*, plans: list[GroupPlan]) -> None:
    """Write groups as planned, with every stretch of their leaders, in a few INSERTs."""
    batched_create(Group, [plan.group for plan in plans])
    for plan in plans:
        plan.saved = plan.group
    batched_create(
        Leadership,
        [
            Leadership(
                group=plan.group,
                user=r.user,
                role=r.role,
                started_at=r.started_at,
                ended_at=r.ended_at,
                end_reason=r.end_reason,
            )
            for plan in plans
            for r in plan.roles
        ],
    )


def group_create(*, ctx: DemoContext, plan: GroupPlan, staff: User) -> Group:
    """Write a group as its applicant would: a draft application (they become its leader) and
    its links, through the services.

    `history.history_create` then plays the rest of its story: its leaders coming and going,
    its submission and the program team's decisions.
    """
    planned, applicant, created = plan.group, plan.applicant, plan.group.created_at
    first = plan.roles[0]
    assert first.role == Role.LEADER and first.started_at == created
    group = group_create_draft(
        by=applicant, data={name: getattr(planned, name) for name in DRAFT_FIELDS}, now=created
    )
    group_update_by_leader(
        group=group, by=applicant, data={name: getattr(planned, name) for name in LINK_FIELDS}
    )
    if group.slug != planned.slug:
        # The portal's slug drops letters it cannot spell in ASCII ("Tromsø" → "troms"); the
        # program team gives the group the readable address the demo planned.
        group_update(group=group, by=staff, data={"slug": planned.slug})
    audit_backdate(ctx=ctx, group=group, when=created)
    first.saved = Leadership.objects.get(group=group, user=applicant, ended_at=None)
    plan.saved = group
    return group


@dataclass(frozen=True)
class LeaderChange:
    """A stretch that starts or ends: one call of leaders.services."""

    when: datetime
    stretch: Stretch
    starts: bool


def leader_changes(plan: GroupPlan) -> list[LeaderChange]:
    """Every start and end of a stretch after the applicant's start (`group_create`), in
    the order they happened; an end first when a start is at the same time. Roles that end
    because the group left end when its leave request is processed (`requests`)."""
    changes = []
    for stretch in plan.roles:
        if stretch is not plan.roles[0]:
            changes.append(LeaderChange(stretch.started_at, stretch, starts=True))
        if stretch.ended_at is not None and stretch.end_reason != EndReason.GROUP_LEFT:
            changes.append(LeaderChange(stretch.ended_at, stretch, starts=False))
    return sorted(changes, key=lambda change: (change.when, change.starts))


def leader_change_apply(
    *, ctx: DemoContext, plan: GroupPlan, change: LeaderChange, staff: User
) -> None:
    """Start or end a stretch through leaders.services, on its day.

    Co-leaders join themselves (they accept an invitation); the program team names a new
    leader and makes a hand-over; a person who steps down does so themselves.
    """
    group, stretch, when = plan.row, change.stretch, change.when
    if change.starts:
        by = stretch.user if stretch.role == Role.CO_LEADER else staff
        stretch.saved = leadership_start(
            group=group, user=stretch.user, role=stretch.role, by=by, now=when
        )
    else:
        assert stretch.saved is not None, "a stretch ends after it starts"
        by = staff if stretch.end_reason == EndReason.HANDED_OVER else stretch.user
        leadership_end(leadership=stretch.saved, by=by, reason=stretch.end_reason, now=when)
    audit_backdate(ctx=ctx, group=group, when=when)


def acceptances_create(*, ctx: DemoContext, plans: list[GroupPlan], rules: ProgramRules) -> None:
    """Contacts accept the rules when they apply; the new leader of "new_leader" has not.

    Written in bulk for every group: leaders.rules.rules_accept takes no date, and the
    acceptance is not a change of the group.
    """
    published = rules.published_at
    assert published is not None
    accepted: dict[str, RulesAcceptance] = {}
    for plan in plans:
        if plan.group.status == Status.DRAFT:
            continue
        for r in plan.roles:
            if r.user.email == NEW_LEADER_EMAIL or r.user.email in accepted:
                continue
            when = max(r.started_at, published) + timedelta(hours=ctx.rng.uniform(1, 72))
            accepted[r.user.email] = RulesAcceptance(
                user=r.user, rules=rules, accepted_at=min(when, ctx.now)
            )
    batched_create(RulesAcceptance, list(accepted.values()))
