"""Test data the test modules share, built on tests/factories.py: people, groups and their leaders.

One definition of each. Arguments are keyword-only; the defaults suit most tests and any other
field goes on to the factory (`led_group(admitted=True, name="Alpha")`).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, User
from program.models import QuarterlyCall
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    QuarterlyCallFactory,
    UserFactory,
)

LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER


# People ---------------------------------------------------------------------------------------


def verified_user(*, email: str = "leader@example.org", **fields: Any) -> User:
    """A person who signed up and confirmed their address (allauth signs in no one else).

    `fields` go to UserFactory: `password=` replaces the factories' PASSWORD, `is_staff=True`..."""
    user: User = UserFactory(email=email, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


# Groups and their leaders ---------------------------------------------------------------------


def lead(
    group: Group, *, user: User | None = None, role: str = LEADER, **leadership_fields: Any
) -> Leadership:
    """`user` (a new person unless given) leads `group` in `role`; `leadership_fields` go to
    LeadershipFactory (`started_at`, `ended_at`, `end_reason`)."""
    leadership: Leadership = LeadershipFactory(
        group=group, user=user or UserFactory(), role=role, **leadership_fields
    )
    return leadership


def led_group(*, leader: User | None = None, co_leader: User | None = None, **fields: Any) -> Group:
    """A group with an active leader and co-leader (new people unless given)."""
    group: Group = GroupFactory(**fields)
    lead(group, user=leader, role=LEADER)
    lead(group, user=co_leader, role=CO_LEADER)
    return group


def draft_group(**fields: Any) -> Group:
    """A draft application with its home page given, led by a leader and a co-leader."""
    fields.setdefault("status", Group.Status.DRAFT)
    fields.setdefault("submitted_at", None)
    return led_group(**fields)


def admitted_group(**fields: Any) -> Group:
    """An admitted group (admitted 500 days ago unless `admitted_at` says otherwise), no leaders."""
    group: Group = GroupFactory(admitted=True, **fields)
    return group


def group_with_history(
    *,
    now: datetime | None = None,
    status: str = Group.Status.ADMITTED,
    meetings: int = 6,
    changed_days_ago: int = 800,
    **fields: Any,
) -> Group:
    """A group as it stands at `now` (default: the clock): admitted 800 days before (if it is),
    its status last changed `changed_days_ago` days before, `meetings` spread over the year."""
    now = now or timezone.now()
    changed = now - timedelta(days=changed_days_ago)
    group: Group = GroupFactory(
        status=status,
        admitted_at=now - timedelta(days=800) if status == Group.Status.ADMITTED else None,
        status_changed_at=changed,
        **fields,
    )
    Group.objects.filter(pk=group.pk).update(updated_at=changed)
    for i in range(meetings):
        MeetingFactory(group=group, starts_at=now - timedelta(days=10 + 50 * i))
    group.refresh_from_db()
    return group


def leader_of(group: Group, *, role: str = LEADER) -> User:
    """Who holds `role` in `group` now."""
    return group.leaderships.active().get(role=role).user


def active_roles(group: Group) -> dict[str, User]:
    """Who holds which role in `group` now."""
    return {held.role: held.user for held in Leadership.objects.active().filter(group=group)}


def co_leader_invitation(
    group: Group,
    *,
    email: str = "new.co-leader@example.org",
    by: User | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> CoLeaderInvitation:
    """An invitation to co-lead `group` sent at `now` (default: the clock) by `by` (a new person
    unless given), pending for 14 days; `fields` (status, created_at, expires_at...) override."""
    now = now or timezone.now()
    values = {"created_at": now, "expires_at": now + timedelta(days=14), **fields}
    return CoLeaderInvitation.objects.create(
        group=group, email=email, invited_by=by or UserFactory(), **values
    )


# The program ----------------------------------------------------------------------------------

CALL_STARTS_AT = datetime(2099, 3, 12, 16, 0, tzinfo=UTC)


def quarterly_call(**fields: Any) -> QuarterlyCall:
    """The Q1 2099 leaders call, 75 minutes from CALL_STARTS_AT, unless `fields` say otherwise."""
    defaults = {
        "title": "Leaders call Q1 2099",
        "starts_at": CALL_STARTS_AT,
        "ends_at": CALL_STARTS_AT + timedelta(minutes=75),
        "agenda": "1. Welcome\n2. Your questions",
        "join_url": "https://meet.example.org/q1",
    }
    call: QuarterlyCall = QuarterlyCallFactory(**{**defaults, **fields})
    return call
