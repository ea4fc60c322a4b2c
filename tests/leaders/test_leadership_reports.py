"""Reporting that a contact has left, with a successor; invitations that replace the co-leader
(docs/program.md, "Leadership changes" and "Co-leader invitation")."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.emails import program_team_key
from leaders.models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    RequestStatus,
)
from leaders.services import (
    RECORD,
    _report_emails_enqueue,
    active_roles,
    invitation_accept,
    invitation_create,
    leadership_report_left,
    leadership_request_plan,
    leadership_request_process,
    leadership_step_down,
    left_report_plan,
)
from membership.requirements import Code, Outcome
from membership.selectors import checklist_for
from notifications.models import OutboxEmail
from tests.builders import active_roles as holders
from tests.builders import verified_user
from tests.factories import GroupFactory, LeadershipFactory, StaffFactory, UserFactory
from tests.pages import signed_in

pytestmark = pytest.mark.django_db

LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER
SUCCESSOR = "cecilia@example.org"


@pytest.fixture
def group():
    return GroupFactory(admitted=True)


@pytest.fixture
def leader(group):
    return LeadershipFactory(group=group, role=LEADER).user


@pytest.fixture
def co_leader(group, leader):
    return LeadershipFactory(group=group, role=CO_LEADER).user


def contacts_passes(group) -> bool:
    results = checklist_for(group, now=timezone.now()).results
    result = next(r for r in results if r.code == Code.CONTACTS)
    return result.outcome == Outcome.PASS


def keys_of(request):
    return {
        f"leadership_reported_left:request-{request.pk}",
        f"leadership_report_confirmation:request-{request.pk}",
        program_team_key("leadership_report", str(request.pk)),
    }


# The rule, on its own


def test_plan_of_a_leader_reporting_the_co_leader(group, leader, co_leader):
    roles = active_roles(group)

    plan = left_report_plan(roles, reporter_id=leader.pk, takes_over=False, with_successor=True)

    assert (plan.reported.user, plan.reporter.user) == (co_leader, leader)
    assert plan.kind == LeadershipChangeRequest.Kind.CO_LEADER_LEFT


def test_plan_refuses_a_successor_while_the_reporting_co_leader_keeps_the_role(
    group, leader, co_leader
):
    with pytest.raises(ValidationError) as error:
        left_report_plan(
            active_roles(group), reporter_id=co_leader.pk, takes_over=False, with_successor=True
        )

    assert "successor_email" in error.value.message_dict


def test_plan_refuses_a_leader_taking_over(group, leader, co_leader):
    with pytest.raises(ValidationError) as error:
        left_report_plan(
            active_roles(group), reporter_id=leader.pk, takes_over=True, with_successor=False
        )

    assert "takes_over" in error.value.message_dict


def test_plan_refuses_the_only_contact(group, leader):
    with pytest.raises(ValidationError, match="nobody to report"):
        left_report_plan(
            active_roles(group), reporter_id=leader.pk, takes_over=False, with_successor=False
        )


def test_plan_refuses_someone_who_does_not_lead_the_group(group, leader, co_leader):
    with pytest.raises(ValidationError, match="do not lead"):
        left_report_plan(
            active_roles(group),
            reporter_id=UserFactory().pk,
            takes_over=False,
            with_successor=False,
        )


# The report


def test_leader_reports_the_co_leader_left_and_the_role_ends_at_once(group, leader, co_leader):
    request = leadership_report_left(group=group, by=leader, details="Moved to Berlin.")

    assert holders(group) == {LEADER: leader}
    ended = Leadership.objects.get(group=group, user=co_leader)
    assert ended.end_reason == Leadership.EndReason.STEPPED_DOWN
    assert (request.kind, request.status, request.details) == (
        LeadershipChangeRequest.Kind.CO_LEADER_LEFT,
        RequestStatus.OPEN,
        "Moved to Berlin.",
    )
    assert request.reported_leadership == ended
    assert not contacts_passes(group)


def test_report_writes_its_audit_rows(group, leader, co_leader):
    leadership_report_left(group=group, by=leader)

    entries = AuditEntry.objects.filter(group=group)
    assert entries.filter(action=AuditEntry.Action.REQUEST, actor=leader).count() == 1
    assert entries.filter(action=AuditEntry.Action.LEADERSHIP_CHANGE).count() == 1


def test_report_emails_the_reported_person_the_reporter_and_the_team_once(group, leader, co_leader):
    request = leadership_report_left(group=group, by=leader)
    _report_emails_enqueue(
        request=request,
        report=left_report_plan(
            {CO_LEADER: request.reported_leadership, LEADER: group.leaderships.get(role=LEADER)},
            reporter_id=leader.pk,
            takes_over=False,
            with_successor=False,
        ),
    )

    emails = OutboxEmail.objects.filter(key__in=keys_of(request))
    assert {(email.kind, email.to_email) for email in emails} == {
        ("leadership_reported_left", co_leader.email),
        ("leadership_report_confirmation", leader.email),
        ("program_team_leadership_report", settings.PROGRAM_TEAM_EMAIL),
    }
    assert OutboxEmail.objects.count() == 3


def test_reported_person_is_written_to_in_their_language(group, leader):
    swede = LeadershipFactory(
        group=group, role=CO_LEADER, user=UserFactory(preferred_language="sv")
    ).user

    leadership_report_left(group=group, by=leader)

    email = OutboxEmail.objects.get(kind="leadership_reported_left")
    assert (email.to_email, email.language) == (swede.email, "sv")
    assert "har meddelat att du har lämnat" in email.subject


def test_report_with_a_successor_invites_them(group, leader, co_leader):
    request = leadership_report_left(
        group=group, by=leader, successor_email=SUCCESSOR, successor_name="Cecilia Holm"
    )

    invitation = CoLeaderInvitation.objects.get()
    assert request.invitation == invitation
    assert (invitation.email, invitation.name, invitation.replaces) == (
        SUCCESSOR,
        "Cecilia Holm",
        None,
    )
    email = OutboxEmail.objects.get(kind="coleader_invitation")
    assert email.to_email == SUCCESSOR
    assert "Hello Cecilia Holm" in email.body_text


def test_co_leader_takes_over_when_the_leader_left(group, leader, co_leader):
    request = leadership_report_left(group=group, by=co_leader, takes_over=True)

    assert holders(group) == {LEADER: co_leader}
    assert request.kind == LeadershipChangeRequest.Kind.LEADER_LEFT
    confirmation = OutboxEmail.objects.get(kind="leadership_report_confirmation")
    assert "You took over as leader" in confirmation.body_text


def test_co_leader_reporting_the_leader_without_taking_over_stays_co_leader(
    group, leader, co_leader
):
    leadership_report_left(group=group, by=co_leader)

    assert holders(group) == {CO_LEADER: co_leader}


def test_a_refused_successor_address_changes_nothing(group, leader, co_leader):
    with pytest.raises(ValidationError) as error:
        leadership_report_left(group=group, by=leader, successor_email=leader.email)

    assert "successor_email" in error.value.message_dict
    assert holders(group) == {LEADER: leader, CO_LEADER: co_leader}
    assert not LeadershipChangeRequest.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_the_second_of_two_crossing_reports_is_refused(group, leader, co_leader):
    leadership_report_left(group=group, by=leader)

    with pytest.raises(ValidationError, match="do not lead"):
        leadership_report_left(group=group, by=co_leader)

    assert holders(group) == {LEADER: leader}


def test_the_only_contact_cannot_report(group, leader):
    with pytest.raises(ValidationError):
        leadership_report_left(group=group, by=leader)

    assert holders(group) == {LEADER: leader}


def test_successor_accepting_restores_requirement_1(group, leader, co_leader):
    leadership_report_left(group=group, by=leader, successor_email=SUCCESSOR)
    successor = verified_user(email=SUCCESSOR)

    invitation_accept(invitation=CoLeaderInvitation.objects.get(), user=successor)

    assert holders(group) == {LEADER: leader, CO_LEADER: successor}
    assert contacts_passes(group)


# The program team settles the report


def test_team_has_nothing_to_apply_for_a_report_even_after_a_new_co_leader(
    group, leader, co_leader
):
    request = leadership_report_left(group=group, by=leader, successor_email=SUCCESSOR)
    invitation_accept(
        invitation=CoLeaderInvitation.objects.get(), user=verified_user(email=SUCCESSOR)
    )

    assert leadership_request_plan(request, active_roles(group)) == []


def test_team_records_the_report(group, leader, co_leader):
    request = leadership_report_left(group=group, by=leader)

    leadership_request_process(
        request=request, by=StaffFactory(), outcome=RECORD, note="Confirmed by phone."
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.PROCESSED


# Invitations that replace the active co-leader


def test_replacing_invitation_keeps_the_co_leader_until_accepted(group, leader, co_leader):
    invitation = invitation_create(group=group, email=SUCCESSOR, by=leader, replaces_co_leader=True)

    assert invitation.replaces.user == co_leader
    assert holders(group) == {LEADER: leader, CO_LEADER: co_leader}


def test_accepting_a_replacing_invitation_ends_the_old_co_leaders_role(group, leader, co_leader):
    invitation = invitation_create(group=group, email=SUCCESSOR, by=leader, replaces_co_leader=True)
    successor = verified_user(email=SUCCESSOR)

    invitation_accept(invitation=invitation, user=successor)

    assert holders(group) == {LEADER: leader, CO_LEADER: successor}
    old = Leadership.objects.get(group=group, user=co_leader)
    assert old.end_reason == Leadership.EndReason.HANDED_OVER
    summaries = list(AuditEntry.objects.filter(group=group).values_list("summary", flat=True))
    assert any("replacing" in summary for summary in summaries)
    assert (
        AuditEntry.objects.filter(
            group=group, action=AuditEntry.Action.LEADERSHIP_CHANGE, actor=successor
        ).count()
        == 2
    )  # the old role ended, the new one started


def test_replaced_co_leader_and_team_are_emailed_once(group, leader, co_leader):
    invitation = invitation_create(group=group, email=SUCCESSOR, by=leader, replaces_co_leader=True)
    invitation_accept(invitation=invitation, user=verified_user(email=SUCCESSOR))

    told = OutboxEmail.objects.get(key=f"coleader_replaced:invitation-{invitation.pk}")
    assert told.to_email == co_leader.email
    assert (
        OutboxEmail.objects.filter(
            key=program_team_key("coleader_replaced", f"invitation-{invitation.pk}")
        ).count()
        == 1
    )


def test_replacing_invitation_accepted_after_the_co_leader_stepped_down_just_starts(
    group, leader, co_leader
):
    invitation = invitation_create(group=group, email=SUCCESSOR, by=leader, replaces_co_leader=True)
    leadership_step_down(group=group, by=co_leader)
    successor = verified_user(email=SUCCESSOR)

    invitation_accept(invitation=invitation, user=successor)

    assert holders(group) == {LEADER: leader, CO_LEADER: successor}
    assert not OutboxEmail.objects.filter(kind="coleader_replaced").exists()


# The pages


def report_url(group):
    return reverse("leaders:report_left", kwargs={"slug": group.slug})


def people_url(group):
    return reverse("leaders:people", kwargs={"slug": group.slug})


def test_report_page_offers_the_co_leader_to_take_over(client, group, leader, co_leader):
    response = signed_in(co_leader, client=client).get(report_url(group))

    assert "takes_over" in response.context["form"].fields
    assert "I take over as leader" in response.content.decode()


def test_report_page_offers_the_leader_no_take_over(client, group, leader, co_leader):
    response = signed_in(leader, client=client).get(report_url(group))

    assert "takes_over" not in response.context["form"].fields


def test_report_page_of_the_only_contact_says_there_is_nobody_to_report(client, group, leader):
    response = signed_in(leader, client=client).get(report_url(group))

    assert "nobody to report" in response.content.decode()


def test_posting_a_report_goes_back_to_the_people_page(client, group, leader, co_leader):
    response = signed_in(leader, client=client).post(
        report_url(group), {"details": "Gone.", "successor_email": SUCCESSOR}
    )

    assert response.status_code == 302
    assert response["Location"] == people_url(group)
    assert LeadershipChangeRequest.objects.get().invitation.email == SUCCESSOR


def test_a_bad_successor_address_is_shown_beside_the_field(client, group, leader, co_leader):
    response = signed_in(leader, client=client).post(
        report_url(group), {"successor_name": "Cecilia", "successor_email": leader.email}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["successor_email"] == [
        "This person already leads the group."
    ]
    assert holders(group) == {LEADER: leader, CO_LEADER: co_leader}


def test_a_successor_name_without_an_address_is_refused(client, group, leader, co_leader):
    response = signed_in(leader, client=client).post(
        report_url(group), {"successor_name": "Cecilia"}
    )

    assert "successor_email" in response.context["form"].errors
    assert not LeadershipChangeRequest.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404(client, group, leader, co_leader, method):
    other_leader = LeadershipFactory(role=LEADER).user
    for visitor in (other_leader, UserFactory(), StaffFactory()):
        response = getattr(signed_in(visitor, client=client), method)(report_url(group))
        assert response.status_code == 404
    assert holders(group) == {LEADER: leader, CO_LEADER: co_leader}


def test_anonymous_visitors_go_to_the_login_page(client, group, leader, co_leader):
    response = client.post(report_url(group))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_reported_person_loses_the_groups_pages(client, group, leader, co_leader):
    leadership_report_left(group=group, by=leader)
    client = signed_in(co_leader, client=client)

    for path in (people_url(group), report_url(group)):
        assert client.get(path).status_code == 404
    assert client.post(report_url(group), {"takes_over": "on"}).status_code == 404
    assert holders(group) == {LEADER: leader}


@pytest.mark.parametrize("pending", [False, True])
def test_people_page_runs_a_fixed_number_of_queries(
    client, group, leader, co_leader, pending, django_assert_num_queries
):
    if pending:
        invitation_create(group=group, email=SUCCESSOR, by=leader, replaces_co_leader=True)
    client = signed_in(leader, client=client)

    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        response = client.get(people_url(group))

    assert response.status_code == 200


#: session, user, the access check, the roles, the pending invitation (with the co-leader it
#: replaces), the layout's menu
PEOPLE_PAGE_QUERIES = 6
