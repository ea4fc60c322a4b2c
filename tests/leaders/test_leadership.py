"""Who leads a group: one leader and one co-leader at a time, with the history kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEntry
from leaders.models import CoLeaderInvitation, Leadership
from leaders.services import leadership_end, leadership_start
from tests.builders import co_leader_invitation
from tests.factories import GroupFactory, LeadershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER
STEPPED_DOWN = Leadership.EndReason.STEPPED_DOWN


def ended(**kwargs) -> Leadership:
    return LeadershipFactory(
        ended_at=timezone.now() - timedelta(days=1), end_reason=STEPPED_DOWN, **kwargs
    )


# The constraints, at the database.


def test_second_active_leader_of_a_group_is_refused():
    first = LeadershipFactory(role=LEADER)

    with pytest.raises(IntegrityError), transaction.atomic():
        LeadershipFactory(group=first.group, role=LEADER)


def test_second_active_co_leader_of_a_group_is_refused():
    first = LeadershipFactory(role=CO_LEADER)

    with pytest.raises(IntegrityError), transaction.atomic():
        LeadershipFactory(group=first.group, role=CO_LEADER)


def test_ended_leaderships_do_not_count_against_the_new_leader():
    group = GroupFactory()
    ended(group=group, role=LEADER)
    ended(group=group, role=LEADER)

    LeadershipFactory(group=group, role=LEADER)

    assert group.leaderships.count() == 3
    assert group.leaderships.filter(ended_at__isnull=True).count() == 1


def test_leaders_of_different_groups_do_not_clash():
    LeadershipFactory(role=LEADER)

    LeadershipFactory(role=LEADER)

    assert Leadership.objects.active().count() == 2


def test_one_person_cannot_be_leader_and_co_leader_of_a_group_at_once():
    first = LeadershipFactory(role=LEADER)

    with pytest.raises(IntegrityError), transaction.atomic():
        LeadershipFactory(group=first.group, user=first.user, role=CO_LEADER)


def test_former_leader_may_become_co_leader_of_the_same_group():
    former = ended(role=LEADER)

    LeadershipFactory(group=former.group, user=former.user, role=CO_LEADER)

    assert former.group.leaderships.filter(user=former.user).count() == 2


def test_one_person_may_lead_two_groups():
    first = LeadershipFactory(role=LEADER)

    LeadershipFactory(user=first.user, role=LEADER)

    assert first.user.leaderships.active().count() == 2


def test_leadership_cannot_end_before_it_starts():
    started = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        LeadershipFactory(started_at=started, ended_at=started - timedelta(seconds=1))


def test_leadership_may_end_the_moment_it_starts():
    started = timezone.now()

    leadership = LeadershipFactory(started_at=started, ended_at=started)

    assert not leadership.is_active


def test_full_clean_explains_that_the_role_is_taken():
    first = LeadershipFactory(role=LEADER)
    second = Leadership(group=first.group, user=UserFactory(), role=LEADER)

    with pytest.raises(ValidationError) as caught:
        second.full_clean()

    assert "This group already has someone in that role." in caught.value.messages


def test_full_clean_explains_that_leader_and_co_leader_must_differ():
    first = LeadershipFactory(role=LEADER)
    second = Leadership(group=first.group, user=first.user, role=CO_LEADER)

    with pytest.raises(ValidationError) as caught:
        second.full_clean()

    assert "The leader and the co-leader must be two different people." in caught.value.messages


def test_second_pending_invitation_of_a_group_is_refused():
    group = GroupFactory()
    co_leader_invitation(group)

    with pytest.raises(IntegrityError), transaction.atomic():
        co_leader_invitation(group)


def test_pending_invitation_may_follow_a_revoked_one():
    group = GroupFactory()
    co_leader_invitation(group, status=CoLeaderInvitation.Status.REVOKED)

    co_leader_invitation(group)

    assert group.invitations.count() == 2


def test_invitation_cannot_expire_when_it_is_created():
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        co_leader_invitation(GroupFactory(), created_at=now, expires_at=now)


def test_invitation_cannot_expire_before_it_is_created():
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        co_leader_invitation(GroupFactory(), created_at=now, expires_at=now - timedelta(days=1))


# The services.


def test_leadership_start_gives_the_person_the_role():
    group = GroupFactory()
    person = UserFactory()

    leadership = leadership_start(group=group, user=person, role=LEADER, by=StaffFactory())

    assert leadership.pk is not None
    assert leadership.is_active
    assert group.leaderships.active().get().user == person


def test_leadership_start_records_who_became_what():
    group = GroupFactory()
    person = UserFactory(email="ada@example.org")
    staff = StaffFactory()

    leadership_start(group=group, user=person, role=CO_LEADER, by=staff)

    entry = AuditEntry.objects.get(group=group)
    assert entry.action == AuditEntry.Action.LEADERSHIP_CHANGE
    assert entry.actor == staff
    assert entry.actor_is_staff
    assert entry.changes == {"co_leader": {"before": "", "after": "ada@example.org"}}


def test_leadership_start_refuses_a_taken_role_and_records_nothing():
    current = LeadershipFactory(role=LEADER)

    with pytest.raises(ValidationError):
        leadership_start(group=current.group, user=UserFactory(), role=LEADER, by=StaffFactory())

    assert current.group.leaderships.count() == 1
    assert not AuditEntry.objects.exists()


def test_leadership_end_keeps_the_row_as_history():
    leadership = LeadershipFactory(role=LEADER)

    leadership_end(leadership=leadership, by=StaffFactory(), reason=STEPPED_DOWN)

    leadership.refresh_from_db()
    assert leadership.ended_at is not None
    assert leadership.end_reason == STEPPED_DOWN
    assert Leadership.objects.filter(pk=leadership.pk).exists()


def test_leadership_end_records_who_is_no_longer_what():
    leadership = LeadershipFactory(role=LEADER, user=UserFactory(email="ada@example.org"))
    staff = StaffFactory()

    leadership_end(leadership=leadership, by=staff, reason=STEPPED_DOWN)

    entry = AuditEntry.objects.get(group=leadership.group)
    assert entry.action == AuditEntry.Action.LEADERSHIP_CHANGE
    assert entry.actor == staff
    assert entry.changes == {"leader": {"before": "ada@example.org", "after": ""}}


def test_ending_a_leadership_twice_is_refused():
    leadership = LeadershipFactory(role=LEADER)
    leadership_end(leadership=leadership, by=StaffFactory(), reason=STEPPED_DOWN)

    with pytest.raises(ValidationError):
        leadership_end(leadership=leadership, by=StaffFactory(), reason=STEPPED_DOWN)


def test_ending_a_leadership_twice_records_only_the_first_end():
    leadership = LeadershipFactory(role=LEADER)
    leadership_end(leadership=leadership, by=StaffFactory(), reason=STEPPED_DOWN)
    first_end = Leadership.objects.get(pk=leadership.pk).ended_at

    with pytest.raises(ValidationError):
        leadership_end(
            leadership=leadership, by=StaffFactory(), reason=Leadership.EndReason.REMOVED
        )

    assert Leadership.objects.get(pk=leadership.pk).ended_at == first_end
    assert AuditEntry.objects.filter(group=leadership.group).count() == 1


def test_handing_over_keeps_both_the_old_and_the_new_leader():
    group = GroupFactory()
    staff = StaffFactory()
    old = leadership_start(group=group, user=UserFactory(), role=LEADER, by=staff)

    leadership_end(leadership=old, by=staff, reason=Leadership.EndReason.HANDED_OVER)
    new = leadership_start(group=group, user=UserFactory(), role=LEADER, by=staff)

    assert list(group.leaderships.filter(role=LEADER).order_by("pk")) == [old, new]
    assert list(group.leaderships.active()) == [new]
    assert group.audit_entries.filter(action=AuditEntry.Action.LEADERSHIP_CHANGE).count() == 3


def test_leadership_end_never_ends_before_the_start():
    started = timezone.now()
    leadership = LeadershipFactory(started_at=started)

    ended_row = leadership_end(
        leadership=leadership,
        by=StaffFactory(),
        reason=STEPPED_DOWN,
        now=started - timedelta(hours=1),
    )

    assert ended_row.ended_at == started
