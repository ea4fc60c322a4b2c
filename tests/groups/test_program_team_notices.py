"""The program team hears of what needs it: applications, leave and leadership requests."""

import pytest
from django.core import mail
from django.test import override_settings

from groups.models import Group
from leaders.models import Leadership
from leaders.services import leadership_hand_over
from membership.services import group_submit, leave_request_create
from tests.factories import GroupFactory, LeadershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_team_address")]

TEAM = "team@example.org"


@pytest.fixture
def _team_address(settings):
    settings.PROGRAM_TEAM_EMAIL = TEAM


def team_mail() -> list:
    return [message for message in mail.outbox if message.to == [TEAM]]


def test_a_new_application_is_announced_to_the_program_team(django_capture_on_commit_callbacks):
    group = GroupFactory(status=Group.Status.DRAFT, name="Umeå Cloud")
    leader = LeadershipFactory(group=group).user
    with django_capture_on_commit_callbacks(execute=True):
        group_submit(group=group, by=leader)
    (message,) = team_mail()
    assert message.subject.endswith("New application: Umeå Cloud")
    assert f"/admin/groups/group/{group.pk}/decide/" in message.body


def test_a_resubmission_is_announced_again(django_capture_on_commit_callbacks):
    group = GroupFactory(status=Group.Status.CHANGES_REQUESTED)
    leader = LeadershipFactory(group=group).user
    with django_capture_on_commit_callbacks(execute=True):
        group_submit(group=group, by=leader)
    (message,) = team_mail()
    assert "Application resubmitted" in message.subject


def test_a_leave_request_is_announced_with_its_reason(django_capture_on_commit_callbacks):
    group = GroupFactory(admitted=True)
    leader = LeadershipFactory(group=group).user
    with django_capture_on_commit_callbacks(execute=True):
        leave_request_create(group=group, by=leader, reason="We are merging with another group.")
    (message,) = team_mail()
    assert "Request to leave the program" in message.subject
    assert "We are merging with another group." in message.body


def test_a_hand_over_is_announced(django_capture_on_commit_callbacks):
    group = GroupFactory(admitted=True)
    leader = LeadershipFactory(group=group, role=Leadership.Role.LEADER).user
    LeadershipFactory(group=group, role=Leadership.Role.CO_LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        leadership_hand_over(group=group, by=leader)
    (message,) = team_mail()
    assert "Leadership change" in message.subject


@override_settings(LANGUAGE_CODE="en")
def test_team_notices_are_sent_once_per_event(django_capture_on_commit_callbacks):
    group = GroupFactory(status=Group.Status.DRAFT)
    leader = LeadershipFactory(group=group).user
    with django_capture_on_commit_callbacks(execute=True):
        group_submit(group=group, by=leader)
    from notifications.tasks import sweep_outbox

    sweep_outbox()
    assert len(team_mail()) == 1


def test_a_swedish_leaders_request_is_announced_in_the_program_teams_language(
    django_capture_on_commit_callbacks,
):
    from django.utils import translation

    group = GroupFactory(admitted=True)
    leader = LeadershipFactory(group=group).user
    with translation.override("sv"), django_capture_on_commit_callbacks(execute=True):
        leave_request_create(group=group, by=leader, reason="Vi slår ihop oss.")
    (message,) = team_mail()
    assert "Request to leave the program" in message.subject
