"""A decision's e-mail goes through the real broker (Redis) and a real Celery worker."""

import time

import pytest
from django.core import mail

from groups.models import Group
from leaders.models import Leadership
from membership.services import review_decide
from tests.factories import GroupFactory, LeadershipFactory, StaffFactory


@pytest.mark.django_db(transaction=True)
def test_request_changes_email_is_delivered_by_the_worker(celery_worker, program_team):
    group = GroupFactory()
    LeadershipFactory(group=group, role=Leadership.Role.LEADER)
    LeadershipFactory(group=group, role=Leadership.Role.CO_LEADER)
    staff = StaffFactory()
    staff.groups.add(program_team)

    review_decide(
        group=group,
        by=staff,
        decision="request_changes",
        message="Please log your meetings.",
        expected_version=group.version,
    )

    deadline = time.monotonic() + 20
    while len(mail.outbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Group.objects.get(pk=group.pk).status == Group.Status.CHANGES_REQUESTED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        group.leaderships.values_list("user__email", flat=True)
    )
    assert all("Please log your meetings." in m.body for m in mail.outbox)
