"""Leaving the program: a confirmed request with a reason, one open at a time, seen by staff."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from groups.models import Group
from membership.models import LeaveRequest
from tests.builders import leader_of, led_group
from tests.factories import StaffFactory
from tests.pages import GROUP_VISITORS, inline_code_in, query_count, sign_in_as

pytestmark = pytest.mark.django_db

REQUEST = {"reason": "We are merging with the Lund group.", "confirm": "on"}


def leave_url(group: Group) -> str:
    return reverse("groups:leave", kwargs={"slug": group.slug})


@pytest.mark.parametrize(("visitor", "expected"), GROUP_VISITORS.items())
def test_leave_page_answers_each_visitor(client, visitor, expected):
    group = led_group(admitted=True)
    sign_in_as(client, visitor, group=group)

    assert client.get(leave_url(group)).status_code == expected


@pytest.mark.parametrize(("visitor", "expected"), GROUP_VISITORS.items())
def test_only_the_group_s_leaders_can_ask_to_leave(client, visitor, expected):
    group = led_group(admitted=True)
    sign_in_as(client, visitor, group=group)

    client.post(leave_url(group), REQUEST)

    assert LeaveRequest.objects.filter(group=group).exists() == (expected == 200)


def test_a_confirmed_request_is_sent_and_recorded(client):
    group = led_group(admitted=True)
    leader = leader_of(group)
    client.force_login(leader)

    response = client.post(leave_url(group), REQUEST, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "groups:dashboard", kwargs={"slug": group.slug}
    )
    assert "Your request to leave the program is sent." in response.content.decode()
    request = LeaveRequest.objects.get(group=group)
    assert request.status == LeaveRequest.Status.OPEN
    assert request.reason == REQUEST["reason"]
    assert request.requested_by == leader
    entry = AuditEntry.objects.get(group=group)
    assert entry.action == AuditEntry.Action.REQUEST
    assert entry.actor == leader
    group.refresh_from_db()
    assert group.status == Group.Status.ADMITTED  # the program team processes it


def test_a_request_without_the_confirmation_is_refused(client):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))

    response = client.post(leave_url(group), {"reason": REQUEST["reason"]})

    assert response.context["form"].errors["confirm"] == [
        "Tick the box to confirm that the group wants to leave."
    ]
    assert "Tick the box to confirm" in response.content.decode()
    assert not LeaveRequest.objects.exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Tell the program team why the group is leaving."),
        ("   ", "Tell the program team why the group is leaving."),
        ("r" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
    ],
)
def test_a_request_without_a_sensible_reason_is_refused(client, reason, message):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))

    response = client.post(leave_url(group), {**REQUEST, "reason": reason})

    assert response.context["form"].errors["reason"] == [message]
    assert not LeaveRequest.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_second_request_shows_the_open_one_instead_of_the_form(client):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))
    client.post(leave_url(group), REQUEST)
    client.force_login(leader_of(group, role="co_leader"))

    content = client.get(leave_url(group)).content.decode()

    assert "Your request to leave" in content
    assert "there is no need to send another" in content
    assert REQUEST["reason"] in content
    assert 'name="confirm"' not in content


def test_a_second_request_posted_anyway_gets_a_clear_message_and_is_not_saved(client):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))
    client.post(leave_url(group), REQUEST)

    response = client.post(leave_url(group), {**REQUEST, "reason": "Again."})

    assert response.status_code == 200
    assert "Your group already asked to leave the program on" in response.content.decode()
    assert LeaveRequest.objects.filter(group=group).count() == 1


def test_the_program_team_sees_the_request_in_the_admin(client, program_team):
    group = led_group(admitted=True, name="Lund Azure Meetup")
    client.force_login(leader_of(group))
    client.post(leave_url(group), REQUEST)
    staff = StaffFactory()
    staff.groups.add(program_team)
    client.force_login(staff)

    response = client.get(reverse("admin:membership_leaverequest_changelist"))
    detail = client.get(
        reverse("admin:membership_leaverequest_change", args=[LeaveRequest.objects.get().pk])
    )

    assert response.status_code == 200
    assert "Lund Azure Meetup" in response.content.decode()
    assert REQUEST["reason"] in detail.content.decode()


def test_leave_page_has_no_inline_code(client):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))

    found = inline_code_in(client.get(leave_url(group)).content.decode())

    assert found.problems == []
    assert found.external == []


def test_the_leave_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))
    few = query_count(lambda: client.get(leave_url(group)))
    client.post(leave_url(group), REQUEST)
    for status in ("processed", "withdrawn", "withdrawn"):
        LeaveRequest.objects.create(
            group=group, requested_by=leader_of(group), reason="Old.", status=status
        )

    with django_assert_num_queries(few):
        client.get(leave_url(group))

    assert few == 5  # session, user, group, open request, the layout's menu
