"""The people page of a group: its leaders, the co-leader invitation and leadership changes."""

from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.models import AuditEntry
from leaders.models import CoLeaderInvitation, Leadership, LeadershipChangeRequest
from tests.builders import active_roles, co_leader_invitation
from tests.factories import GroupFactory, LeadershipFactory, StaffFactory
from tests.pages import signed_in

pytestmark = pytest.mark.django_db

LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER
PENDING = CoLeaderInvitation.Status.PENDING
INVITEE = "new.co-leader@example.org"


@pytest.fixture
def group():
    return GroupFactory(admitted=True)


@pytest.fixture
def leader(group):
    return LeadershipFactory(group=group, role=LEADER).user


@pytest.fixture
def co_leader(group, leader):
    return LeadershipFactory(group=group, role=CO_LEADER).user


def url(name, group, **kwargs):
    return reverse(f"leaders:{name}", kwargs={"slug": group.slug, **kwargs})


def people_url(group):
    return url("people", group)


# Who may open the pages


def page_urls(group):
    invitation = co_leader_invitation(group)
    return [
        people_url(group),
        url("invitation_withdraw", group, pk=invitation.pk),
        url("hand_over", group),
        url("step_down", group),
    ]


def test_anonymous_visitor_is_sent_to_sign_in(client, group, leader):
    for page in [*page_urls(group), url("invite", group)]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{reverse('account_login')}?next="), page


def test_leader_of_another_group_gets_404(client, group, leader):
    signed_in(LeadershipFactory().user, client=client)

    for page in [*page_urls(group), url("invite", group)]:
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"email": INVITEE}).status_code == 404, page


def test_staff_who_does_not_lead_the_group_gets_404(client, group, leader):
    signed_in(StaffFactory(), client=client)

    for page in [*page_urls(group), url("invite", group)]:
        assert client.get(page).status_code == 404, page


def test_someone_who_stepped_down_gets_404(client, group, leader):
    former = LeadershipFactory(
        group=group, role=CO_LEADER, ended_at=timezone.now(), end_reason="stepped_down"
    ).user
    signed_in(former, client=client)

    assert client.get(people_url(group)).status_code == 404


@pytest.mark.parametrize("role", ["leader", "co_leader"])
def test_leader_and_co_leader_open_every_page(client, group, leader, co_leader, role):
    signed_in(leader if role == "leader" else co_leader, client=client)

    for page in page_urls(group):
        assert client.get(page).status_code == 200, page


def test_invite_address_takes_only_posts(client, group, leader):
    signed_in(leader, client=client)

    assert client.get(url("invite", group)).status_code == 405


# The people page


def test_page_shows_both_leaders_with_their_addresses_and_start(client, group, leader, co_leader):
    response = signed_in(leader, client=client).get(people_url(group))

    content = response.content.decode()
    assert "<h1" in content
    for person in (leader, co_leader):
        assert person.display_name in content
        assert person.email in content
    assert response.context["leader"].user == leader
    assert response.context["co_leader"].user == co_leader
    assert response.context["is_leader"] is True
    assert "Since " in content


def test_page_says_when_the_co_leader_role_is_empty_and_offers_the_invitation(
    client, group, leader
):
    response = signed_in(leader, client=client).get(people_url(group))

    content = response.content.decode()
    assert "Nobody holds this role" in content
    assert 'name="email"' in content
    assert 'name="replaces_co_leader"' not in content


def test_page_offers_to_invite_a_replacement_while_there_is_a_co_leader(
    client, group, leader, co_leader
):
    response = signed_in(leader, client=client).get(people_url(group))

    content = response.content.decode()
    assert 'name="email"' in content
    assert 'name="replaces_co_leader"' in content
    assert url("report_left", group) in content


def test_page_shows_the_pending_invitation_with_its_expiry_and_withdraw(client, group, leader):
    invitation = co_leader_invitation(group)

    response = signed_in(leader, client=client).get(people_url(group))

    content = response.content.decode()
    assert INVITEE in content
    assert "the link works until" in content
    assert url("invitation_withdraw", group, pk=invitation.pk) in content


def test_page_says_when_the_pending_invitation_has_expired(client, group, leader):
    co_leader_invitation(
        group,
        created_at=timezone.now() - timedelta(days=20),
        expires_at=timezone.now() - timedelta(days=6),
    )

    response = signed_in(leader, client=client).get(people_url(group))

    assert "The invitation expired on" in response.content.decode()


def test_co_leader_is_not_offered_the_hand_over(client, group, leader, co_leader):
    response = signed_in(co_leader, client=client).get(people_url(group))

    assert url("hand_over", group) not in response.content.decode()
    assert url("step_down", group) in response.content.decode()


@pytest.mark.parametrize("size", [1, 15])
def test_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    group = GroupFactory()
    leader = LeadershipFactory(group=group, role=LEADER).user
    for number in range(size):  # history: former co-leaders and answered invitations
        LeadershipFactory(
            group=group, role=CO_LEADER, ended_at=timezone.now(), end_reason="stepped_down"
        )
        co_leader_invitation(group, email=f"old{number}@example.org", status="declined")
    co_leader_invitation(group)
    signed_in(leader, client=client)

    # session, user, the access check, the roles, the pending invitation, the layout's menu
    with django_assert_num_queries(6):
        response = client.get(people_url(group))

    assert response.status_code == 200


# Inviting a co-leader


def test_leader_invites_a_co_leader(client, group, leader, django_capture_on_commit_callbacks):
    signed_in(leader, client=client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("invite", group), {"email": INVITEE}, follow=True)

    assert response.redirect_chain == [(people_url(group), 302)]
    assert f"We sent the invitation to {INVITEE}." in response.content.decode()
    invitation = CoLeaderInvitation.objects.get(group=group, status=PENDING)
    assert invitation.invited_by == leader
    [message] = mail.outbox
    assert message.to == [INVITEE]
    assert invitation.token in message.body


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "x" * 250 + "@example.org"])
def test_a_bad_address_is_refused_beside_the_field(client, group, leader, email):
    response = signed_in(leader, client=client).post(url("invite", group), {"email": email})

    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"]
    assert not CoLeaderInvitation.objects.exists()


def test_inviting_oneself_is_refused_beside_the_field(client, group, leader):
    response = signed_in(leader, client=client).post(url("invite", group), {"email": leader.email})

    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"] == [
        "This person already leads the group."
    ]


def test_inviting_while_there_is_a_co_leader_without_replacing_them_is_refused_beside_the_box(
    client, group, leader, co_leader
):
    response = signed_in(leader, client=client).post(url("invite", group), {"email": INVITEE})

    assert response.status_code == 200
    errors = response.context["invite_form"].errors["replaces_co_leader"]
    assert errors[0].startswith("The group has a co-leader")
    assert "Tick the box" in unescape(response.content.decode())
    assert not CoLeaderInvitation.objects.exists()


def test_inviting_a_replacement_of_the_co_leader_keeps_them_until_it_is_accepted(
    client, group, leader, co_leader
):
    response = signed_in(leader, client=client).post(
        url("invite", group),
        {"email": INVITEE, "name": "Cecilia Holm", "replaces_co_leader": "on"},
    )

    assert response.status_code == 302
    invitation = CoLeaderInvitation.objects.get()
    assert (invitation.name, invitation.replaces.user) == ("Cecilia Holm", co_leader)
    assert active_roles(group) == {LEADER: leader, CO_LEADER: co_leader}


def test_a_posted_group_or_status_is_ignored(client, group, leader):
    other = GroupFactory()
    signed_in(leader, client=client).post(
        url("invite", group), {"email": INVITEE, "group": other.pk, "status": "accepted"}
    )

    invitation = CoLeaderInvitation.objects.get()
    assert (invitation.group, invitation.status) == (group, PENDING)


def test_inviting_needs_the_csrf_token(group, leader):
    client = signed_in(leader, client=Client(enforce_csrf_checks=True))

    response = client.post(url("invite", group), {"email": INVITEE})

    assert response.status_code == 403
    assert not CoLeaderInvitation.objects.exists()


# Withdrawing the invitation


def test_withdraw_page_asks_for_confirmation(client, group, leader):
    invitation = co_leader_invitation(group)

    response = signed_in(leader, client=client).get(
        url("invitation_withdraw", group, pk=invitation.pk)
    )

    assert INVITEE in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == PENDING


def test_confirmed_withdrawal_revokes_the_invitation(client, group, leader):
    invitation = co_leader_invitation(group)

    response = signed_in(leader, client=client).post(
        url("invitation_withdraw", group, pk=invitation.pk)
    )

    assert response.status_code == 302
    assert response["Location"] == people_url(group)
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.REVOKED


def test_an_invitation_of_another_group_cannot_be_withdrawn_here(client, group, leader):
    foreign = co_leader_invitation(GroupFactory())

    response = signed_in(leader, client=client).post(
        url("invitation_withdraw", group, pk=foreign.pk)
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == PENDING


def test_an_answered_invitation_is_not_found_for_withdrawal(client, group, leader):
    answered = co_leader_invitation(group, status=CoLeaderInvitation.Status.DECLINED)

    response = signed_in(leader, client=client).get(
        url("invitation_withdraw", group, pk=answered.pk)
    )

    assert response.status_code == 404


# Handing over


def test_hand_over_page_names_the_new_leader(client, group, leader, co_leader):
    response = signed_in(leader, client=client).get(url("hand_over", group))

    assert f"Make {co_leader.display_name} the leader" in response.content.decode()
    assert active_roles(group) == {LEADER: leader, CO_LEADER: co_leader}


def test_confirmed_hand_over_swaps_the_roles(client, group, leader, co_leader):
    response = signed_in(leader, client=client).post(url("hand_over", group), follow=True)

    assert response.redirect_chain == [(people_url(group), 302)]
    assert "You handed leadership over. You are now co-leader." in response.content.decode()
    assert active_roles(group) == {LEADER: co_leader, CO_LEADER: leader}
    request = LeadershipChangeRequest.objects.get()
    assert (request.kind, request.status, request.requested_by) == (
        "hand_over",
        "processed",
        leader,
    )
    assert request.processed_at is not None


def test_co_leader_cannot_hand_over(client, group, leader, co_leader):
    signed_in(co_leader, client=client)

    page = client.get(url("hand_over", group))
    response = client.post(url("hand_over", group), follow=True)

    message = "Only the group's leader can hand leadership over."
    assert message in unescape(page.content.decode())
    assert message in unescape(response.content.decode())
    assert active_roles(group) == {LEADER: leader, CO_LEADER: co_leader}


def test_hand_over_without_a_co_leader_is_explained(client, group, leader):
    signed_in(leader, client=client)

    response = client.post(url("hand_over", group), follow=True)

    assert "The group has no co-leader to hand over to." in response.content.decode()
    assert active_roles(group) == {LEADER: leader}


def test_hand_over_needs_the_csrf_token(group, leader, co_leader):
    client = signed_in(leader, client=Client(enforce_csrf_checks=True))

    assert client.post(url("hand_over", group)).status_code == 403
    assert active_roles(group) == {LEADER: leader, CO_LEADER: co_leader}


# Stepping down


def test_co_leader_steps_down_after_confirming(client, group, leader, co_leader):
    signed_in(co_leader, client=client)

    page = client.get(url("step_down", group))
    response = client.post(url("step_down", group))

    assert "co_leader_takes_over" not in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:list")
    assert active_roles(group) == {LEADER: leader}
    request = LeadershipChangeRequest.objects.get()
    assert (request.kind, request.status, request.requested_by) == (
        "step_down",
        "processed",
        co_leader,
    )
    assert AuditEntry.objects.filter(group=group, actor=co_leader).exists()


def test_leader_is_asked_whether_the_co_leader_takes_over(client, group, leader, co_leader):
    response = signed_in(leader, client=client).get(url("step_down", group))

    content = response.content.decode()
    assert 'name="co_leader_takes_over"' in content
    assert "The co-leader becomes the leader" in content


def test_leader_steps_down_and_the_co_leader_takes_over(client, group, leader, co_leader):
    signed_in(leader, client=client).post(url("step_down", group), {"co_leader_takes_over": "yes"})

    assert active_roles(group) == {LEADER: co_leader}


def test_leader_steps_down_and_leaves_the_role_empty(client, group, leader, co_leader):
    signed_in(leader, client=client).post(url("step_down", group), {"co_leader_takes_over": "no"})

    assert active_roles(group) == {CO_LEADER: co_leader}


@pytest.mark.parametrize("choice", [None, "maybe"])
def test_leader_must_choose_who_leads_next(client, group, leader, co_leader, choice):
    data = {} if choice is None else {"co_leader_takes_over": choice}

    response = signed_in(leader, client=client).post(url("step_down", group), data)

    assert response.status_code == 200
    assert response.context["form"].errors["co_leader_takes_over"]
    assert active_roles(group) == {LEADER: leader, CO_LEADER: co_leader}


def test_the_only_contact_is_told_they_cannot_step_down(client, group, leader):
    signed_in(leader, client=client)

    page = client.get(url("step_down", group))
    response = client.post(url("step_down", group), follow=True)

    assert "only contact" in page.content.decode()
    assert response.redirect_chain == [(people_url(group), 302)]
    assert "only contact" in response.content.decode()
    assert active_roles(group) == {LEADER: leader}
    assert not LeadershipChangeRequest.objects.exists()


def test_stepping_down_needs_the_csrf_token(group, leader, co_leader):
    client = signed_in(co_leader, client=Client(enforce_csrf_checks=True))

    assert client.post(url("step_down", group)).status_code == 403
    assert CO_LEADER in active_roles(group)


def test_the_only_contact_is_offered_neither_hand_over_nor_step_down(client, group, leader):
    content = signed_in(leader, client=client).get(people_url(group)).content.decode()

    assert url("hand_over", group) not in content
    assert url("step_down", group) not in content
    assert "you cannot step down" in content


@hypothesis_settings(
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    email=st.one_of(st.emails().map(str), st.text(max_size=300)),
    takes_over=st.text(max_size=20),
)
def test_generated_input_never_breaks_the_people_forms(client, group, leader, email, takes_over):
    signed_in(leader, client=client)

    invited = client.post(url("invite", group), {"email": email})
    stepped = client.post(url("step_down", group), {"co_leader_takes_over": takes_over})

    assert invited.status_code in {200, 302}
    assert stepped.status_code in {200, 302}
    assert active_roles(group)[LEADER] == leader  # the only contact never steps down
