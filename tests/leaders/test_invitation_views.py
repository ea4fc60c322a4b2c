"""The invitation link: sign in, then accept or decline; unusable links get a clear page."""

from datetime import timedelta
from html import unescape
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from leaders.models import CoLeaderInvitation, Leadership, RulesAcceptance
from tests.builders import co_leader_invitation, verified_user
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    ProgramRulesFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INVITEE = "new.co-leader@example.org"
GROUP_NAME = "Secret Azure Circle"
RULES_TEXT = "Keep every meeting free to attend."


@pytest.fixture
def group():
    return GroupFactory(name=GROUP_NAME)


@pytest.fixture
def leader(group):
    return LeadershipFactory(group=group, role=Leadership.Role.LEADER).user


@pytest.fixture
def rules():
    return ProgramRulesFactory(version=3, title="Program rules of conduct", body=RULES_TEXT)


@pytest.fixture
def invitation(group, leader):
    return co_leader_invitation(group, email=INVITEE, by=leader)


@pytest.fixture
def invitee():
    return verified_user(email=INVITEE)


def url_of(invitation) -> str:
    return reverse("leaders:invitation", kwargs={"token": invitation.token})


def page_text(response) -> str:
    return unescape(response.content.decode())


def make_expired(invitation):
    CoLeaderInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=20),
        expires_at=timezone.now() - timedelta(seconds=1),
    )


# A visitor who has not signed in


def test_anonymous_visitor_is_asked_to_sign_in_or_up_and_sent_back(client, invitation):
    response = client.get(url_of(invitation))

    assert response.status_code == 200
    back = urlencode({"next": url_of(invitation)})
    content = page_text(response)
    assert f"{reverse('account_login')}?{back}" in content
    assert f"{reverse('account_signup')}?{back}" in content
    assert GROUP_NAME not in content


def test_anonymous_visitor_with_an_unknown_token_gets_404(client, invitation):
    response = client.get(reverse("leaders:invitation", kwargs={"token": "no-such-token"}))

    assert response.status_code == 404
    assert "Invitation not found" in page_text(response)


def test_anonymous_visitor_with_an_expired_token_gets_410(client, invitation):
    make_expired(invitation)

    response = client.get(url_of(invitation))

    assert response.status_code == 410
    assert "This invitation has expired." in page_text(response)
    assert GROUP_NAME not in page_text(response)


# The invited person


def test_invitee_sees_the_group_the_inviter_and_the_rules(client, invitation, invitee, rules):
    client.force_login(invitee)

    response = client.get(url_of(invitation))

    assert response.status_code == 200
    content = page_text(response)
    assert GROUP_NAME in content
    assert invitation.invited_by.display_name in content
    assert RULES_TEXT in content
    assert "I accept the program rules" in content
    assert 'value="accept"' in content
    assert 'value="decline"' in content


def test_accepting_with_the_rules_ticked_makes_the_invitee_co_leader(
    client, group, invitation, invitee, rules
):
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": "accept", "accept_rules": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("groups:dashboard", kwargs={"slug": group.slug})
    assert Leadership.objects.active().get(group=group, role="co_leader").user == invitee
    assert RulesAcceptance.objects.filter(user=invitee, rules=rules).exists()
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.ACCEPTED


def test_accepting_without_ticking_the_rules_is_refused_beside_the_box(
    client, group, invitation, invitee, rules
):
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": "accept"})

    assert response.status_code == 200
    assert response.context["form"].errors["accept_rules"] == [
        "To become co-leader, tick the box to accept the program rules."
    ]
    assert not Leadership.objects.filter(user=invitee).exists()
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.PENDING


def test_without_published_rules_there_is_nothing_to_tick(client, group, invitation, invitee):
    client.force_login(invitee)

    page = client.get(url_of(invitation))
    response = client.post(url_of(invitation), {"answer": "accept"})

    assert "I accept the program rules" not in page_text(page)
    assert response.status_code == 302
    assert Leadership.objects.active().filter(group=group, user=invitee).exists()


def test_declining_needs_no_tick_and_leaves_the_role_empty(
    client, group, invitation, invitee, rules
):
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": "decline"}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "You declined the invitation." in page_text(response)
    assert not Leadership.objects.filter(user=invitee).exists()
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.DECLINED


@pytest.mark.parametrize("answer", [None, "", "maybe"])
def test_a_missing_or_unknown_answer_changes_nothing(client, invitation, invitee, rules, answer):
    client.force_login(invitee)
    data = {"accept_rules": "on"} if answer is None else {"answer": answer, "accept_rules": "on"}

    response = client.post(url_of(invitation), data)

    assert response.status_code == 200
    assert response.context["form"].errors["answer"]
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.PENDING


def test_a_group_that_meanwhile_has_a_co_leader_gets_a_message_not_an_error(
    client, group, invitation, invitee, rules
):
    LeadershipFactory(group=group, role=Leadership.Role.CO_LEADER)
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": "accept", "accept_rules": "on"})

    assert response.status_code == 200
    assert "This group already has someone in that role." in page_text(response)
    assert not Leadership.objects.filter(user=invitee).exists()


def test_answering_needs_the_csrf_token(invitation, invitee, rules):
    client = Client(enforce_csrf_checks=True)
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": "accept", "accept_rules": "on"})

    assert response.status_code == 403
    assert not Leadership.objects.filter(user=invitee).exists()


# Links that cannot be used


@pytest.mark.parametrize("status", ["accepted", "declined", "revoked"])
def test_a_used_or_withdrawn_link_gets_410(client, invitation, invitee, status):
    CoLeaderInvitation.objects.filter(pk=invitation.pk).update(status=status)
    client.force_login(invitee)

    for response in (
        client.get(url_of(invitation)),
        client.post(url_of(invitation), {"answer": "accept", "accept_rules": "on"}),
    ):
        assert response.status_code == 410
        assert "This invitation has already been used or withdrawn." in page_text(response)
        assert GROUP_NAME not in page_text(response)
    assert not Leadership.objects.filter(user=invitee).exists()


def test_an_expired_link_gets_410(client, invitation, invitee):
    make_expired(invitation)
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": "accept", "accept_rules": "on"})

    assert response.status_code == 410
    assert "This invitation has expired." in page_text(response)
    assert not Leadership.objects.filter(user=invitee).exists()


def test_an_unknown_link_gets_404(client, invitee):
    client.force_login(invitee)

    response = client.get(reverse("leaders:invitation", kwargs={"token": "x" * 43}))

    assert response.status_code == 404
    assert "We do not know this invitation link." in page_text(response)


@pytest.mark.parametrize(
    "make_visitor",
    [
        lambda group: LeadershipFactory().user,
        lambda group: StaffFactory(),
        lambda group: UserFactory(),
        lambda group: Leadership.objects.get(group=group).user,
    ],
    ids=["leader of another group", "staff", "someone else", "the inviter"],
)
def test_someone_else_gets_403_and_learns_nothing_about_the_group(
    client, group, invitation, make_visitor
):
    visitor = make_visitor(group)
    client.force_login(visitor)

    for response in (
        client.get(url_of(invitation)),
        client.post(url_of(invitation), {"answer": "accept", "accept_rules": "on"}),
    ):
        assert response.status_code == 403
        content = page_text(response)
        assert "This invitation was sent to n…@example.org." in content
        assert GROUP_NAME not in content
        assert INVITEE not in content
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.PENDING


def test_someone_else_is_offered_to_sign_out_and_come_back(client, invitation):
    client.force_login(UserFactory())

    content = page_text(client.get(url_of(invitation)))

    assert f'action="{reverse("account_logout")}"' in content
    assert f'name="next" value="{url_of(invitation)}"' in content
    assert f'href="{reverse("account_email")}"' in content


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_the_invited_address_unverified_gets_403_and_changes_nothing(
    client, group, invitation, rules, answer
):
    invitee = UserFactory(email=INVITEE)
    EmailAddress.objects.create(user=invitee, email=INVITEE, verified=False, primary=True)
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": answer, "accept_rules": "on"})

    assert response.status_code == 403
    content = page_text(response)
    assert "This invitation was sent to n…@example.org." in content
    assert "add and verify it in your account's e-mail settings" in content
    assert GROUP_NAME not in content
    assert not Leadership.objects.filter(user=invitee).exists()
    assert not RulesAcceptance.objects.filter(user=invitee).exists()
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.PENDING


def test_a_verified_second_address_opens_the_invitation(client, group, invitation, rules):
    invitee = verified_user(email="someone@example.org")
    EmailAddress.objects.create(user=invitee, email=INVITEE.upper(), verified=True)
    client.force_login(invitee)

    response = client.post(url_of(invitation), {"answer": "accept", "accept_rules": "on"})

    assert response.status_code == 302
    assert Leadership.objects.active().get(group=group, role="co_leader").user == invitee


@pytest.mark.parametrize("size", [1, 20])
def test_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    group = GroupFactory()
    leader = LeadershipFactory(group=group).user
    for version in range(1, size + 1):
        ProgramRulesFactory(version=version)
    for number in range(size):
        CoLeaderInvitation.objects.create(
            group=group,
            email=f"old{number}@example.org",
            invited_by=leader,
            expires_at=timezone.now() + timedelta(days=1),
            status="declined",
        )
    invitation = CoLeaderInvitation.objects.create(
        group=group, email=INVITEE, invited_by=leader, expires_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(verified_user(email=INVITEE))

    # session, user, the invitation with its group and inviter, the invitee's verified
    # address, the rules, the layout's menu
    with django_assert_num_queries(6):
        response = client.get(url_of(invitation))

    assert response.status_code == 200


@hypothesis_settings(
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    answer=st.one_of(st.sampled_from(["accept", "decline"]), st.text(max_size=20)),
    accept_rules=st.one_of(st.none(), st.text(max_size=10)),
    token=st.text(
        alphabet=st.characters(blacklist_characters="/?#", blacklist_categories=["Cs", "Cc"]),
        min_size=1,
        max_size=80,
    ),
)
def test_generated_input_never_breaks_the_invitation_page(
    client, invitation, invitee, rules, answer, accept_rules, token
):
    client.force_login(invitee)
    data = (
        {"answer": answer}
        if accept_rules is None
        else {"answer": answer, "accept_rules": accept_rules}
    )

    answered = client.post(url_of(invitation), data)
    unknown = client.get(f"/invitations/{quote(token, safe='')}/")

    assert answered.status_code in {200, 302, 410}
    assert unknown.status_code in {200, 404, 410}


def test_the_refusal_speaks_the_visitors_language(client, invitation):
    client.force_login(UserFactory())
    client.cookies["django_language"] = "sv"

    with translation.override("en"):  # the request activates Swedish: not for the next test
        content = page_text(client.get(url_of(invitation)))

    assert "Inbjudan skickades till n…@example.org. Logga in med den adressen" in content
    assert "Öppna dina e-postinställningar" in content
