"""A way back (docs/program.md, "Joining"): an inactive, declined or departed group asks for a
new review; the program team admits it, requests changes or declines."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership
from membership.followups import groups_left_with, return_contacts
from membership.models import LeaveRequest, ReturnRequest, Review
from membership.queue import QueueKind, review_queue
from membership.services import (
    allowed_decisions,
    leave_request_create,
    leave_request_process,
    return_request_create,
    return_request_withdraw,
    review_decide,
)
from notifications.models import OutboxEmail
from tests.builders import leader_of, verified_user
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    ProgramRulesFactory,
    RulesAcceptanceFactory,
    StaffFactory,
)
from tests.pages import query_count

pytestmark = pytest.mark.django_db

Status = Group.Status
Decision = Review.Decision
LEADER, CO_LEADER = Leadership.Role.LEADER, Leadership.Role.CO_LEADER


def group_in(status: str, **kwargs) -> Group:
    """A group in `status` that meets every requirement, led by two verified people."""
    rules = ProgramRulesFactory()
    first = timezone.now() - timedelta(days=400)
    group = GroupFactory(status=status, admitted_at=first, **kwargs)
    for number, role in enumerate((LEADER, CO_LEADER)):
        user = verified_user(email=f"{group.slug}-{number}@example.org")
        LeadershipFactory(group=group, user=user, role=role)
        RulesAcceptanceFactory(user=user, rules=rules)
    now = timezone.now()
    for days in [15, 75, 135, 195, 255, 315]:
        MeetingFactory(group=group, starts_at=now - timedelta(days=days))
    return group


def left_group() -> tuple[Group, list]:
    """A group that left through a processed leave request; returns its last contacts."""
    group = group_in(Status.ADMITTED, next_review_due=timezone.localdate())
    contacts = return_contacts(group)
    leave = leave_request_create(group=group, by=contacts[0], reason="Merging.")
    leave_request_process(request=leave, by=StaffFactory())
    group.refresh_from_db()
    return group, contacts


def ask(group: Group, by=None, text: str = "We meet monthly again.") -> ReturnRequest:
    return return_request_create(group=group, by=by or return_contacts(group)[0], what_changed=text)


def decide(group: Group, decision: str, **kwargs) -> Review:
    group.refresh_from_db()
    kwargs.setdefault("by", StaffFactory())
    return review_decide(group=group, decision=decision, expected_version=group.version, **kwargs)


def url(group: Group, name: str = "groups:return_request") -> str:
    return reverse(name, kwargs={"slug": group.slug})


# Asking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.INACTIVE, Status.DECLINED])
def test_a_leader_asks_for_a_new_review(status, django_capture_on_commit_callbacks, settings):
    group = group_in(status)
    leader = leader_of(group)
    version = group.version

    with django_capture_on_commit_callbacks(execute=True):
        request = ask(group, by=leader)

    group.refresh_from_db()
    assert (request.status, request.group_status, request.requested_by) == ("open", status, leader)
    assert group.status == status  # nothing changes until the team decides
    assert group.version == version + 1
    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.REQUEST)
    assert entry.actor == leader
    recipients = {message.to[0] for message in mail.outbox}
    assert settings.PROGRAM_TEAM_EMAIL in recipients
    assert {user.email for user in return_contacts(group)} <= recipients
    kinds = set(OutboxEmail.objects.filter(group=group).values_list("kind", flat=True))
    assert kinds == {"program_team_return_request", "return_request_received"}


def test_one_open_request_at_a_time():
    group = group_in(Status.INACTIVE)
    ask(group)

    with pytest.raises(ValidationError):
        ask(group)

    assert ReturnRequest.objects.filter(group=group).count() == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_what_changed_is_required_and_at_most_2000_characters(text):
    group = group_in(Status.INACTIVE)

    with pytest.raises(ValidationError) as error:
        ask(group, text=text)

    assert "what_changed" in error.value.message_dict
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize("status", [Status.ADMITTED, Status.SUBMITTED, Status.DRAFT])
def test_a_group_in_the_program_or_applying_cannot_ask(status):
    group = group_in(status)

    with pytest.raises(ValidationError):
        ask(group)


def test_someone_else_cannot_ask():
    group = group_in(Status.INACTIVE)

    with pytest.raises(ValidationError):
        ask(group, by=verified_user(email="stranger@example.org"))


def test_withdrawing_keeps_the_request_and_the_group_as_it_is():
    group = group_in(Status.INACTIVE)
    request = ask(group)
    co_leader = leader_of(group, role=CO_LEADER)

    return_request_withdraw(request=request, by=co_leader)

    request.refresh_from_db()
    assert (request.status, request.closed_by) == ("withdrawn", co_leader)
    group.refresh_from_db()
    assert group.status == Status.INACTIVE
    assert AuditEntry.objects.filter(group=group, summary__contains="withdrawn").exists()
    ask(group)  # a new request may follow


# Deciding -----------------------------------------------------------------------------------


def test_an_open_request_offers_admit_request_changes_and_decline():
    group = group_in(Status.INACTIVE)
    assert allowed_decisions(group) == ["admit"]

    assert allowed_decisions(group, return_request_open=True) == [
        "admit",
        "request_changes",
        "decline",
    ]


def test_admitting_a_returning_inactive_group_keeps_its_first_admission_date(
    django_capture_on_commit_callbacks,
):
    group = group_in(Status.INACTIVE)
    first = group.admitted_at
    request = ask(group)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        review = decide(group, Decision.ADMIT)

    group.refresh_from_db()
    request.refresh_from_db()
    assert group.status == Status.ADMITTED
    assert group.admitted_at == first
    assert group.next_review_due is not None
    assert (review.kind, review.status_before) == ("return", Status.INACTIVE)
    assert (request.status, request.review) == ("decided", review)
    assert len(mail.outbox) == 2
    assert all("is admitted" in message.subject for message in mail.outbox)


def test_requesting_changes_makes_it_an_application_to_edit_and_resubmit():
    group = group_in(Status.DECLINED)
    ask(group)

    decide(group, Decision.REQUEST_CHANGES, message="Add your new co-leader.")

    group.refresh_from_db()
    assert group.status == Status.CHANGES_REQUESTED
    assert group.application_editable


def test_declining_needs_a_reason_and_leaves_the_group_as_it_was():
    group = group_in(Status.INACTIVE)
    request = ask(group)
    with pytest.raises(ValidationError):
        decide(group, Decision.DECLINE)

    review = decide(group, Decision.DECLINE, message="Still no meetings.")

    group.refresh_from_db()
    request.refresh_from_db()
    assert group.status == Status.INACTIVE
    assert review.status_after == Status.INACTIVE
    assert request.status == "decided"


# A group that left ----------------------------------------------------------------------------


def test_the_last_contacts_of_a_group_that_left_may_ask():
    group, contacts = left_group()
    assert not Leadership.objects.active().filter(group=group).exists()

    request = ask(group, by=contacts[1])

    assert request.group_status == Status.LEFT
    assert return_contacts(group) == contacts
    assert list(groups_left_with(contacts[0])) == [group]


def test_someone_who_stepped_down_before_the_group_left_may_not_ask():
    group = group_in(Status.ADMITTED)
    earlier = verified_user(email="earlier@example.org")
    LeadershipFactory(
        group=group,
        user=earlier,
        role=CO_LEADER,
        started_at=timezone.now() - timedelta(days=300),
        ended_at=timezone.now() - timedelta(days=200),
        end_reason=Leadership.EndReason.STEPPED_DOWN,
    )
    leave = leave_request_create(group=group, by=leader_of(group), reason="Merging.")
    leave_request_process(request=leave, by=StaffFactory())

    with pytest.raises(ValidationError):
        ask(group, by=earlier)


def test_admitting_a_group_that_left_gives_its_contacts_their_roles_back(
    django_capture_on_commit_callbacks,
):
    group, contacts = left_group()
    ask(group)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(group, Decision.ADMIT)

    group.refresh_from_db()
    assert group.status == Status.ADMITTED
    assert return_contacts(group) == contacts
    assert {
        (leadership.user, leadership.role)
        for leadership in Leadership.objects.active().filter(group=group)
    } == {(contacts[0], LEADER), (contacts[1], CO_LEADER)}
    assert {message.to[0] for message in mail.outbox} == {user.email for user in contacts}


def test_declining_a_group_that_left_tells_its_last_contacts(django_capture_on_commit_callbacks):
    group, contacts = left_group()
    ask(group)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(group, Decision.DECLINE, message="Apply again as a new group.")

    group.refresh_from_db()
    assert group.status == Status.LEFT
    assert {message.to[0] for message in mail.outbox} == {user.email for user in contacts}


# The queue ----------------------------------------------------------------------------------------


def test_an_open_request_is_in_the_queue_as_its_own_kind_until_decided():
    group = group_in(Status.INACTIVE)
    ask(group)

    (item,) = review_queue(now=timezone.now()).items
    assert item.kind == QueueKind.RETURN_REQUEST
    assert item.is_decision
    assert item.action_url == reverse("admin:groups_group_decide", args=[group.pk])

    decide(group, Decision.ADMIT)
    assert review_queue(now=timezone.now()).total == 0


def test_the_decide_page_shows_the_request_and_its_decisions(client, staff):
    group = group_in(Status.INACTIVE)
    ask(group, text="New co-leader, three meetings since May.")

    response = client.get(reverse("admin:groups_group_decide", args=[group.pk]))

    choices = [value for value, _label in response.context["form"].fields["decision"].choices]
    assert choices == ["admit", "request_changes", "decline"]
    assert "New co-leader, three meetings since May." in response.content.decode()


# The leaders' page: who may open it -----------------------------------------------------------


@pytest.fixture
def inactive():
    return group_in(Status.INACTIVE, name="Inactive Foxtrot", slug="inactive-foxtrot")


def visitor(name: str, inactive: Group):
    other = group_in(Status.ADMITTED, name="Other Golf", slug="other-golf")
    return {
        "anonymous": None,
        "plain": verified_user(email="plain@example.org"),
        "other_leader": leader_of(other),
        "staff": StaffFactory(),
        "leader": leader_of(inactive),
        "co_leader": leader_of(inactive, role=CO_LEADER),
    }[name]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("plain", 404),
        ("other_leader", 404),
        ("staff", 404),
        ("leader", 200),
        ("co_leader", 200),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_who_may_open_the_return_page(client, inactive, who, expected, method):
    user = visitor(who, inactive)
    if user is not None:
        client.force_login(user)

    response = getattr(client, method)(url(inactive), {"what_changed": "We are back."})

    if expected == "login":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif method == "post" and expected == 200:
        assert response.status_code == 302  # sent, back to the page
    else:
        assert response.status_code == expected
    assert ReturnRequest.objects.exists() == (method == "post" and expected == 200)


@pytest.mark.parametrize("who", ["anonymous", "plain", "other_leader", "staff"])
def test_others_cannot_withdraw(client, inactive, who):
    request = ask(inactive)
    user = visitor(who, inactive)
    if user is not None:
        client.force_login(user)

    response = client.post(url(inactive, "groups:return_request_withdraw"))

    assert response.status_code in {302, 404}
    if user is not None:
        assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "open"


def test_a_leader_withdraws_from_the_page(client, inactive):
    request = ask(inactive)
    client.force_login(leader_of(inactive, role=CO_LEADER))

    response = client.post(url(inactive, "groups:return_request_withdraw"))

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_withdraw_is_post_only(client, inactive):
    client.force_login(leader_of(inactive))

    assert client.get(url(inactive, "groups:return_request_withdraw")).status_code == 405


def test_a_too_long_text_is_refused_next_to_the_field(client, inactive):
    client.force_login(leader_of(inactive))

    response = client.post(url(inactive), {"what_changed": "x" * 2001})

    assert response.status_code == 200
    assert response.context["form"].errors["what_changed"]
    assert not ReturnRequest.objects.exists()


def test_the_page_of_an_admitted_group_leads_back_to_the_dashboard(client):
    group = group_in(Status.ADMITTED)
    client.force_login(leader_of(group))

    response = client.get(url(group))

    assert response.status_code == 302
    assert response["Location"] == reverse("groups:dashboard", kwargs={"slug": group.slug})


def test_the_former_contacts_of_a_group_that_left_reach_it_from_my_groups(client):
    group, contacts = left_group()
    client.force_login(contacts[1])

    my_groups = client.get(reverse("groups:list")).content.decode()
    page = client.get(url(group))
    sent = client.post(url(group), {"what_changed": "We split from the merger."})

    assert url(group) in my_groups
    assert page.status_code == 200
    assert sent.status_code == 302
    assert ReturnRequest.objects.get(group=group).requested_by == contacts[1]


def test_a_group_that_left_is_404_to_a_stranger(client):
    group, _contacts = left_group()
    client.force_login(verified_user(email="stranger@example.org"))

    assert client.get(url(group)).status_code == 404


def test_the_inactive_dashboard_offers_a_new_review(client, inactive):
    client.force_login(leader_of(inactive))

    content = client.get(reverse("groups:dashboard", kwargs={"slug": inactive.slug})).content

    assert url(inactive) in content.decode()


def test_the_return_page_runs_a_fixed_number_of_queries(
    client, inactive, django_assert_num_queries
):
    client.force_login(leader_of(inactive))
    few = query_count(lambda: client.get(url(inactive)))
    ask(inactive)

    with django_assert_num_queries(few):
        response = client.get(url(inactive))

    assert response.context["open_request"] is not None
    assert LeaveRequest.objects.count() == 0
