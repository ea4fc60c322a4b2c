"""Services about people: co-leader invitations, leadership changes and the profile."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEntry
from leaders.models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    RulesAcceptance,
)
from leaders.services import (
    INVITATION_EXPIRED,
    INVITATION_FOREIGN,
    INVITATION_USED,
    InvitationError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_decline,
    invitation_withdraw,
    leadership_hand_over,
    leadership_step_down,
    masked_address,
    profile_update,
)
from membership.requirements import Code, Outcome
from membership.selectors import checklist_for
from tests.builders import active_roles, co_leader_invitation, verified_user
from tests.factories import (
    LeadershipFactory,
    ProgramRulesFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER
PENDING = CoLeaderInvitation.Status.PENDING
INVITEE = "new.co-leader@example.org"


def group_with_leader(**kwargs):
    leadership = LeadershipFactory(role=LEADER, **kwargs)
    return leadership.group, leadership.user


def group_with_both():
    group, leader = group_with_leader()
    co_leader = LeadershipFactory(group=group, role=CO_LEADER).user
    return group, leader, co_leader


def leadership_audit(group) -> list[str]:
    entries = AuditEntry.objects.filter(group=group, action=AuditEntry.Action.LEADERSHIP_CHANGE)
    return list(entries.order_by("pk").values_list("summary", flat=True))


# invitation_create


def test_invitation_is_pending_until_the_configured_expiry():
    group, leader = group_with_leader()
    now = timezone.now()

    invitation = invitation_create(group=group, email=f"  {INVITEE} ", by=leader, now=now)

    assert invitation.status == PENDING
    assert invitation.email == INVITEE
    assert invitation.invited_by == leader
    assert invitation.expires_at == now + timedelta(days=settings.TECHGROUPS_INVITATION_EXPIRY_DAYS)
    assert len(invitation.token) >= 40


def test_new_invitation_revokes_the_pending_one():
    group, leader = group_with_leader()
    first = invitation_create(group=group, email="first@example.org", by=leader)

    second = invitation_create(group=group, email="second@example.org", by=leader)

    first.refresh_from_db()
    assert first.status == CoLeaderInvitation.Status.REVOKED
    assert first.responded_at is not None
    assert list(CoLeaderInvitation.objects.filter(group=group, status=PENDING)) == [second]


def test_invitation_that_does_not_replace_the_active_co_leader_is_refused():
    group, leader, co_leader = group_with_both()

    with pytest.raises(ValidationError) as error:
        invitation_create(group=group, email=INVITEE, by=leader)

    assert error.value.message_dict["replaces_co_leader"] == [
        f"The group has a co-leader ({co_leader.display_name}). Tick the box to say that the "
        "person you invite replaces them when they accept."
    ]
    assert not CoLeaderInvitation.objects.exists()


def test_invitation_of_someone_who_already_leads_the_group_is_refused():
    group, leader = group_with_leader()

    with pytest.raises(ValidationError) as error:
        invitation_create(group=group, email=leader.email.upper(), by=leader)

    assert error.value.message_dict["email"] == ["This person already leads the group."]


def test_invitation_of_a_malformed_address_is_refused():
    group, leader = group_with_leader()

    with pytest.raises(ValidationError) as error:
        invitation_create(group=group, email="not an address", by=leader)

    assert "email" in error.value.message_dict
    assert not CoLeaderInvitation.objects.exists()


def test_invitation_is_audited():
    group, leader = group_with_leader()

    invitation_create(group=group, email=INVITEE, by=leader)

    assert leadership_audit(group) == [f"{INVITEE} was invited to be co-leader"]


def test_invitation_email_is_sent_once_the_transaction_commits(django_capture_on_commit_callbacks):
    group, leader = group_with_leader()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invitation_create(group=group, email=INVITEE, by=leader)
    assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [INVITEE]
    assert message.subject == f"[Tech Groups] You are invited to co-lead {group.name}"
    link = f"{settings.SITE_URL}/invitations/{invitation.token}/"
    assert link in message.body
    assert link in message.alternatives[0].content


def test_invitation_email_is_in_the_language_of_an_existing_account(
    django_capture_on_commit_callbacks,
):
    group, leader = group_with_leader(user__preferred_language="en")
    UserFactory(email=INVITEE, preferred_language="sv")

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(group=group, email=INVITEE, by=leader)

    assert '<html lang="sv">' in mail.outbox[0].alternatives[0].content


def test_invitation_email_to_a_new_address_is_in_the_inviters_language(
    django_capture_on_commit_callbacks,
):
    group, leader = group_with_leader(user__preferred_language="sv")

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(group=group, email=INVITEE, by=leader)

    assert '<html lang="sv">' in mail.outbox[0].alternatives[0].content


def test_no_email_goes_out_for_an_invitation_that_was_replaced(django_capture_on_commit_callbacks):
    group, leader = group_with_leader()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(group=group, email="first@example.org", by=leader)
        invitation_create(group=group, email="second@example.org", by=leader)

    assert [message.to for message in mail.outbox] == [["second@example.org"]]


# invitation_check, invitation_accept, invitation_decline


def test_accepting_makes_the_invitee_co_leader():
    group, leader = group_with_leader()
    invitation = co_leader_invitation(group)
    invitee = verified_user(email=INVITEE)

    leadership = invitation_accept(invitation=invitation, user=invitee)

    assert leadership.role == CO_LEADER
    assert active_roles(group) == {LEADER: leader, CO_LEADER: invitee}
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.ACCEPTED
    assert invitation.accepted_by == invitee
    assert invitation.responded_at is not None


def test_accepting_records_acceptance_of_the_current_rules():
    group, _leader = group_with_leader()
    ProgramRulesFactory(version=1)
    current = ProgramRulesFactory(version=2)
    invitee = verified_user(email=INVITEE)

    invitation_accept(invitation=co_leader_invitation(group), user=invitee)

    assert list(RulesAcceptance.objects.filter(user=invitee).values_list("rules", flat=True)) == [
        current.pk
    ]


def test_accepting_without_published_rules_records_no_acceptance():
    group, _leader = group_with_leader()
    invitee = verified_user(email=INVITEE)

    invitation_accept(invitation=co_leader_invitation(group), user=invitee)

    assert not RulesAcceptance.objects.exists()
    assert active_roles(group)[CO_LEADER] == invitee


def test_address_comparison_ignores_case():
    group, _leader = group_with_leader()
    invitee = verified_user(email="New.Co-Leader@Example.org")

    invitation_accept(invitation=co_leader_invitation(group), user=invitee)

    assert active_roles(group)[CO_LEADER] == invitee


def test_someone_else_cannot_accept():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)

    with pytest.raises(InvitationError) as error:
        invitation_accept(invitation=invitation, user=UserFactory(email="other@example.org"))

    assert error.value.code == INVITATION_FOREIGN
    assert CO_LEADER not in active_roles(group)


def test_an_unverified_invited_address_cannot_accept():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)
    invitee = UserFactory(email=INVITEE)
    EmailAddress.objects.create(user=invitee, email=INVITEE, verified=False, primary=True)
    audit_before = leadership_audit(group)

    with pytest.raises(InvitationError) as error:
        invitation_accept(invitation=invitation, user=invitee)

    assert error.value.code == INVITATION_FOREIGN
    assert error.value.message == (
        "This invitation was sent to n…@example.org. Sign in with that address, or add and "
        "verify it in your account's e-mail settings."
    )
    assert CO_LEADER not in active_roles(group)
    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.PENDING
    assert leadership_audit(group) == audit_before


def test_an_account_that_only_names_the_invited_address_cannot_accept():
    """No EmailAddress at all (an account made by hand): nobody confirmed the address."""
    group, _leader = group_with_leader()

    with pytest.raises(InvitationError) as error:
        invitation_accept(invitation=co_leader_invitation(group), user=UserFactory(email=INVITEE))

    assert error.value.code == INVITATION_FOREIGN
    assert CO_LEADER not in active_roles(group)


def test_an_unverified_invited_address_cannot_decline_either():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)

    with pytest.raises(InvitationError):
        invitation_decline(invitation=invitation, user=UserFactory(email=INVITEE))

    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.PENDING


def test_a_verified_second_address_of_the_account_can_accept():
    group, _leader = group_with_leader()
    invitee = verified_user(email="main@example.org")
    EmailAddress.objects.create(user=invitee, email="NEW.co-leader@example.org", verified=True)

    invitation_accept(invitation=co_leader_invitation(group), user=invitee)

    assert active_roles(group)[CO_LEADER] == invitee


def test_the_invited_address_verified_by_another_account_does_not_count():
    group, _leader = group_with_leader()
    verified_user(email=INVITEE)
    other = UserFactory(email="other@example.org")
    EmailAddress.objects.create(user=other, email=INVITEE, verified=False)

    with pytest.raises(InvitationError):
        invitation_accept(invitation=co_leader_invitation(group), user=other)

    assert CO_LEADER not in active_roles(group)


@pytest.mark.parametrize(
    ("email", "masked"),
    [("bo@example.org", "b…@example.org"), ("b@x.se", "b…@x.se"), ("no-at-sign", "…")],
)
def test_the_invited_address_is_shown_masked(email, masked):
    assert masked_address(email) == masked


@pytest.mark.parametrize(
    "status",
    [
        CoLeaderInvitation.Status.ACCEPTED,
        CoLeaderInvitation.Status.DECLINED,
        CoLeaderInvitation.Status.REVOKED,
    ],
)
def test_an_answered_or_withdrawn_invitation_cannot_be_used(status):
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group, status=status)

    with pytest.raises(InvitationError) as error:
        invitation_accept(invitation=invitation, user=verified_user(email=INVITEE))

    assert error.value.code == INVITATION_USED
    assert error.value.message == "This invitation has already been used or withdrawn."


def test_invitation_expires_at_its_expiry_time():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)
    invitee = verified_user(email=INVITEE)

    with pytest.raises(InvitationError) as error:
        invitation_accept(invitation=invitation, user=invitee, now=invitation.expires_at)

    assert error.value.code == INVITATION_EXPIRED
    assert error.value.message == (
        "This invitation has expired. Ask the group's leader to send a new one."
    )


def test_invitation_still_works_a_second_before_it_expires():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)
    invitee = verified_user(email=INVITEE)
    just_before = invitation.expires_at - timedelta(seconds=1)

    invitation_accept(invitation=invitation, user=invitee, now=just_before)

    assert active_roles(group)[CO_LEADER] == invitee


def test_accepted_invitation_cannot_be_accepted_twice():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)
    invitee = verified_user(email=INVITEE)
    invitation_accept(invitation=invitation, user=invitee)

    with pytest.raises(InvitationError):
        invitation_accept(invitation=invitation, user=invitee)


def test_check_without_a_signed_in_user_skips_only_the_address():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)

    invitation_check(invitation=invitation, user=None, now=timezone.now())
    with pytest.raises(InvitationError):
        invitation_check(invitation=invitation, user=None, now=invitation.expires_at)


def test_declining_leaves_the_role_empty_and_is_audited():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)
    invitee = verified_user(email=INVITEE)

    invitation_decline(invitation=invitation, user=invitee)

    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.DECLINED
    assert invitation.responded_at is not None
    assert CO_LEADER not in active_roles(group)
    assert leadership_audit(group) == [f"{INVITEE} declined the co-leader invitation"]


def test_someone_else_cannot_decline():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)

    with pytest.raises(InvitationError):
        invitation_decline(invitation=invitation, user=UserFactory())

    invitation.refresh_from_db()
    assert invitation.status == PENDING


# invitation_withdraw


def test_leader_withdraws_a_pending_invitation():
    group, leader = group_with_leader()
    invitation = co_leader_invitation(group)

    invitation_withdraw(invitation=invitation, by=leader)

    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.REVOKED
    assert invitation.responded_at is not None
    assert leadership_audit(group) == [f"The co-leader invitation of {INVITEE} was withdrawn"]


def test_someone_who_does_not_lead_the_group_cannot_withdraw_its_invitation():
    group, _leader = group_with_leader()
    invitation = co_leader_invitation(group)
    other_leader = LeadershipFactory().user

    with pytest.raises(ValidationError) as error:
        invitation_withdraw(invitation=invitation, by=other_leader)

    assert error.value.messages == [
        "Only the group's leader or co-leader can withdraw its invitation."
    ]
    invitation.refresh_from_db()
    assert invitation.status == PENDING


def test_an_answered_invitation_cannot_be_withdrawn():
    group, leader = group_with_leader()
    invitation = co_leader_invitation(group, status=CoLeaderInvitation.Status.ACCEPTED)

    with pytest.raises(ValidationError) as error:
        invitation_withdraw(invitation=invitation, by=leader)

    assert error.value.messages == ["This invitation has already been answered or withdrawn."]


# leadership_hand_over


def test_hand_over_swaps_leader_and_co_leader():
    group, leader, co_leader = group_with_both()

    leadership_hand_over(group=group, by=leader)

    assert active_roles(group) == {LEADER: co_leader, CO_LEADER: leader}


def test_hand_over_ends_both_old_roles_as_handed_over_and_starts_new_ones():
    group, leader, _co_leader = group_with_both()
    now = timezone.now()

    leadership_hand_over(group=group, by=leader, now=now)

    ended = Leadership.objects.filter(group=group, ended_at__isnull=False)
    assert {(held.ended_at, held.end_reason) for held in ended} == {
        (now, Leadership.EndReason.HANDED_OVER)
    }
    assert ended.count() == 2
    started = Leadership.objects.active().filter(group=group)
    assert {held.started_at for held in started} == {now}


def test_hand_over_is_a_processed_request_the_program_team_sees():
    group, leader, co_leader = group_with_both()
    now = timezone.now()

    request = leadership_hand_over(group=group, by=leader, now=now)

    assert request.kind == LeadershipChangeRequest.Kind.HAND_OVER
    assert request.status == "processed"
    assert request.processed_at == now
    assert request.requested_by == leader
    assert request.details == (
        f"{leader.display_name} handed leadership over to {co_leader.display_name}, "
        "and is now co-leader."
    )
    assert len(leadership_audit(group)) == 4


def test_co_leader_cannot_hand_over():
    group, _leader, co_leader = group_with_both()

    with pytest.raises(ValidationError) as error:
        leadership_hand_over(group=group, by=co_leader)

    assert error.value.messages == ["Only the group's leader can hand leadership over."]
    assert not LeadershipChangeRequest.objects.exists()


def test_hand_over_needs_a_co_leader():
    group, leader = group_with_leader()

    with pytest.raises(ValidationError) as error:
        leadership_hand_over(group=group, by=leader)

    assert error.value.messages == [
        "The group has no co-leader to hand over to. Invite a co-leader first."
    ]


# leadership_step_down


def test_co_leader_steps_down_and_the_role_is_empty():
    group, leader, co_leader = group_with_both()
    now = timezone.now()

    request = leadership_step_down(group=group, by=co_leader, now=now)

    assert active_roles(group) == {LEADER: leader}
    ended = Leadership.objects.get(group=group, user=co_leader)
    assert ended.end_reason == Leadership.EndReason.STEPPED_DOWN
    assert request.kind == LeadershipChangeRequest.Kind.STEP_DOWN
    assert request.status == "processed"
    assert request.processed_at == now
    assert request.requested_by == co_leader


def test_checklist_says_the_co_leader_is_missing_after_they_step_down():
    group, _leader, co_leader = group_with_both()

    leadership_step_down(group=group, by=co_leader)

    contacts = next(
        r for r in checklist_for(group, now=timezone.now()).results if r.code == Code.CONTACTS
    )
    assert contacts.outcome is Outcome.FAIL
    assert "no co-leader" in contacts.message


def test_leader_steps_down_leaving_the_leader_role_empty():
    group, leader, co_leader = group_with_both()

    request = leadership_step_down(group=group, by=leader)

    assert active_roles(group) == {CO_LEADER: co_leader}
    assert request.details == f"{leader.display_name} stepped down as Leader (primary contact)."
    contacts = next(
        r for r in checklist_for(group, now=timezone.now()).results if r.code == Code.CONTACTS
    )
    assert contacts.checks[0].message == "The group has no leader (primary contact). Name one."


def test_leader_steps_down_and_the_co_leader_takes_over():
    group, leader, co_leader = group_with_both()

    request = leadership_step_down(group=group, by=leader, co_leader_takes_over=True)

    assert active_roles(group) == {LEADER: co_leader}
    assert Leadership.objects.get(group=group, user=leader).end_reason == "stepped_down"
    old_co_role = Leadership.objects.get(group=group, user=co_leader, role=CO_LEADER)
    assert old_co_role.end_reason == Leadership.EndReason.HANDED_OVER
    assert request.details.endswith(
        f"{co_leader.display_name} became leader; the co-leader role is empty."
    )


def test_co_leader_cannot_ask_to_take_over_when_stepping_down():
    group, _leader, co_leader = group_with_both()

    with pytest.raises(ValidationError) as error:
        leadership_step_down(group=group, by=co_leader, co_leader_takes_over=True)

    assert error.value.messages == ["Only the leader can let the co-leader take over."]
    assert CO_LEADER in active_roles(group)


def test_the_only_contact_cannot_step_down():
    group, leader = group_with_leader()

    with pytest.raises(ValidationError) as error:
        leadership_step_down(group=group, by=leader)

    assert "only contact" in error.value.messages[0]
    assert active_roles(group) == {LEADER: leader}
    assert not LeadershipChangeRequest.objects.exists()


def test_someone_outside_the_group_cannot_step_down_from_it():
    group, _leader, _co_leader = group_with_both()

    with pytest.raises(ValidationError) as error:
        leadership_step_down(group=group, by=StaffFactory())

    assert error.value.messages == ["You do not lead this group."]


def test_step_down_is_audited():
    group, _leader, co_leader = group_with_both()

    leadership_step_down(group=group, by=co_leader)

    assert leadership_audit(group) == [
        f"{co_leader.display_name} is no longer Co-leader (secondary contact) (Stepped down)"
    ]


# profile_update


def test_profile_update_saves_the_profile():
    user = UserFactory(tech_community_id=None)

    saved = profile_update(
        user=user, name="  Ada Lovelace ", preferred_language="sv", tech_community_id=123456
    )

    user.refresh_from_db()
    assert (user.name, user.preferred_language, user.tech_community_id) == (
        "Ada Lovelace",
        "sv",
        123456,
    )
    assert saved == user


def test_profile_update_clears_the_tech_community_id():
    user = UserFactory(tech_community_id=123456)

    profile_update(user=user, name=user.name, preferred_language="en", tech_community_id=None)

    user.refresh_from_db()
    assert user.tech_community_id is None


def test_a_tech_community_id_of_another_account_is_refused():
    UserFactory(tech_community_id=123456)
    user = UserFactory(name="Before", tech_community_id=None)

    with pytest.raises(ValidationError) as error:
        profile_update(user=user, name="After", preferred_language="sv", tech_community_id=123456)

    assert error.value.message_dict["tech_community_id"] == [
        "Another account already uses this Tech Community user ID. Check the number; if it is "
        "yours, write to the program team."
    ]
    assert user.name == "Before"  # the caller's object is untouched
    user.refresh_from_db()
    assert (user.name, user.tech_community_id) == ("Before", None)


def test_keeping_ones_own_tech_community_id_is_fine():
    user = UserFactory(tech_community_id=123456)

    profile_update(user=user, name="New name", preferred_language="en", tech_community_id=123456)

    user.refresh_from_db()
    assert user.name == "New name"


def test_an_unknown_language_is_refused():
    user = UserFactory()

    with pytest.raises(ValidationError) as error:
        profile_update(user=user, name="", preferred_language="xx", tech_community_id=None)

    assert "preferred_language" in error.value.message_dict


def test_an_overlong_name_is_refused():
    user = UserFactory()

    with pytest.raises(ValidationError) as error:
        profile_update(user=user, name="x" * 151, preferred_language="en", tech_community_id=None)

    assert "name" in error.value.message_dict
