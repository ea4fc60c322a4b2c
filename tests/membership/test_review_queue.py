"""The program team's review queue: what waits, in which order, with which checklist, and the
processing of what is in it (decisions, leave requests, leadership change requests)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from leaders.models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    RequestStatus,
)
from leaders.services import (
    APPLY,
    RECORD,
    REJECT,
    leadership_request_process,
)
from membership.models import LeaveRequest, ReturnRequest, Review
from membership.queue import QueueKind, review_queue
from membership.services import leave_request_process, leave_request_withdraw
from notifications.models import OutboxEmail
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    ProgramRulesFactory,
    RulesAcceptanceFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:groups_review_queue")
#: The queue page's queries: session, user, two-factor check, user and group permissions;
#: then the queue itself: 5 to find the items (groups, follow-ups, return, leave and leadership
#: change requests), the rules version, 1 + 2 prefetches for the checklists of the page's groups.
QUEUE_PAGE_QUERIES = 14


def days_ago(days: float) -> timezone.datetime:
    return timezone.now() - timedelta(days=days)


def led(group: Group, *, language: str = "en") -> Group:
    """Give the group a leader and a co-leader."""
    for role in Leadership.Role.values:
        LeadershipFactory(group=group, role=role, user=UserFactory(preferred_language=language))
    return group


def complete_group(**kwargs: object) -> Group:
    """A group that meets every requirement."""
    group = GroupFactory(**kwargs)
    rules = ProgramRulesFactory(version=1)
    for role in Leadership.Role.values:
        leadership = LeadershipFactory(group=group, role=role)
        RulesAcceptanceFactory(user=leadership.user, rules=rules)
    now = timezone.now()
    for month in range(8):
        MeetingFactory(group=group, starts_at=now - timedelta(days=20 + 45 * month))
    return group


def application(name: str, *, submitted_days_ago: float, **kwargs: object) -> Group:
    return GroupFactory(name=name, submitted_at=days_ago(submitted_days_ago), **kwargs)


def resubmission(name: str, *, submitted_days_ago: float, staff: object) -> Group:
    group = application(name, submitted_days_ago=submitted_days_ago)
    Review.objects.create(
        group=group,
        reviewer=staff,
        decided_at=days_ago(submitted_days_ago + 5),
        kind=Review.Kind.APPLICATION,
        decision=Review.Decision.REQUEST_CHANGES,
        message="Add a co-leader.",
        status_before=Group.Status.SUBMITTED,
        status_after=Group.Status.CHANGES_REQUESTED,
    )
    return group


def due(name: str, *, due_days_ago: int, **kwargs: object) -> Group:
    return GroupFactory(
        name=name,
        admitted=True,
        next_review_due=timezone.localdate() - timedelta(days=due_days_ago),
        **kwargs,
    )


def follow_up_due(name: str, *, due_days_ago: int, staff: object, **kwargs: object) -> Group:
    """An admitted group kept with a follow-up whose date was `due_days_ago` days ago."""
    today = timezone.localdate()
    group = GroupFactory(
        name=name, admitted=True, next_review_due=today + timedelta(days=120), **kwargs
    )
    Review.objects.create(
        group=group,
        reviewer=staff,
        decided_at=days_ago(due_days_ago + 30),
        kind=Review.Kind.PERIODIC,
        decision=Review.Decision.KEEP_WITH_FOLLOW_UP,
        message="Name a co-leader.",
        follow_up_by=today - timedelta(days=due_days_ago),
        status_before=Group.Status.ADMITTED,
        status_after=Group.Status.ADMITTED,
    )
    return group


def return_request(
    name: str, *, created_days_ago: float = 1, status: str = Group.Status.INACTIVE
) -> ReturnRequest:
    group = led(GroupFactory(name=name, status=status))
    leader = group.leaderships.get(role=Leadership.Role.LEADER)
    return ReturnRequest.objects.create(
        group=group,
        requested_by=leader.user,
        what_changed="We have a new co-leader and meet monthly again.",
        group_status=status,
        created_at=days_ago(created_days_ago),
    )


def leave_request(group: Group, *, created_days_ago: float = 1, **kwargs: object) -> LeaveRequest:
    leader = group.leaderships.filter(role=Leadership.Role.LEADER).first()
    return LeaveRequest.objects.create(
        group=group,
        requested_by=leader.user if leader else UserFactory(),
        reason="We are merging with the Lund group.",
        created_at=days_ago(created_days_ago),
        **kwargs,
    )


def change_request(
    group: Group, kind: str, *, created_days_ago: float = 1, by: object = None, **kwargs: object
) -> LeadershipChangeRequest:
    if by is None:
        by = group.leaderships.get(role=Leadership.Role.LEADER, ended_at=None).user
    return LeadershipChangeRequest.objects.create(
        group=group,
        requested_by=by,
        kind=kind,
        details="Our co-leader moved abroad.",
        created_at=days_ago(created_days_ago),
        **kwargs,
    )


# Contents and order --------------------------------------------------------------------------


def test_queue_holds_each_kind_of_work_oldest_first(staff):
    application("New application", submitted_days_ago=10)
    resubmission("Resubmitted", submitted_days_ago=3, staff=staff)
    due("Due for review", due_days_ago=5)
    leave_request(led(GroupFactory(name="Leaving", admitted=True)), created_days_ago=7)
    change_request(
        led(GroupFactory(name="Changing", admitted=True)),
        LeadershipChangeRequest.Kind.CO_LEADER_LEFT,
        created_days_ago=1,
    )

    queue = review_queue(now=timezone.now())

    assert [(item.kind, item.group.name) for item in queue] == [
        (QueueKind.APPLICATION, "New application"),
        (QueueKind.LEAVE_REQUEST, "Leaving"),
        (QueueKind.PERIODIC_REVIEW, "Due for review"),
        (QueueKind.RESUBMISSION, "Resubmitted"),
        (QueueKind.LEADERSHIP_CHANGE, "Changing"),
    ]
    assert queue.total == 5
    assert all(item.checklist is not None for item in queue)


def test_groups_that_wait_for_nobody_or_for_their_leaders_are_not_in_the_queue(staff):
    GroupFactory(name="Draft", status=Group.Status.DRAFT)
    GroupFactory(name="Changes requested", status=Group.Status.CHANGES_REQUESTED)
    GroupFactory(name="Declined", status=Group.Status.DECLINED)
    GroupFactory(name="Inactive", status=Group.Status.INACTIVE)
    GroupFactory(name="Left", status=Group.Status.LEFT)
    GroupFactory(name="Admitted, no date", admitted=True, next_review_due=None)
    GroupFactory(
        name="Review next week",
        admitted=True,
        next_review_due=timezone.localdate() + timedelta(days=7),
    )

    assert review_queue(now=timezone.now()).items == []


def test_a_review_due_today_is_in_the_queue(staff):
    """The compliance job makes an inactive group's review due today (membership/reminders.py)."""
    group = due("Quiet group", due_days_ago=0)

    [item] = review_queue(now=timezone.now())

    assert item.kind == QueueKind.PERIODIC_REVIEW
    assert item.group == group
    assert timezone.localdate(item.waiting_since) == timezone.localdate()


def test_settled_requests_are_not_in_the_queue(staff):
    group = led(GroupFactory(admitted=True))
    leave_request(group, status=LeaveRequest.Status.PROCESSED, processed_by=staff)
    leave_request(group, status=LeaveRequest.Status.WITHDRAWN, processed_by=staff)
    for status in (RequestStatus.PROCESSED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN):
        change_request(group, LeadershipChangeRequest.Kind.HAND_OVER, status=status)

    assert review_queue(now=timezone.now()).items == []


def test_an_application_waits_since_it_was_submitted(staff):
    group = application("Waiting", submitted_days_ago=4)

    [item] = review_queue(now=timezone.now())

    assert item.waiting_since == group.submitted_at
    assert item.days_waiting(timezone.now()) == 4


def test_a_group_with_changes_requested_after_its_submission_is_not_a_resubmission(staff):
    """Only a request for changes before the latest submission makes it a resubmission."""
    group = application("Submitted", submitted_days_ago=10)
    Review.objects.create(
        group=group,
        reviewer=staff,
        decided_at=days_ago(2),
        kind=Review.Kind.APPLICATION,
        decision=Review.Decision.REQUEST_CHANGES,
        status_before="submitted",
        status_after="changes_requested",
    )

    [item] = review_queue(now=timezone.now())

    assert item.kind == QueueKind.APPLICATION


def test_decisions_link_to_the_decide_page_and_requests_to_their_processing_page(staff):
    group = due("Due", due_days_ago=1)
    leave = leave_request(led(GroupFactory(admitted=True)), created_days_ago=2)
    change = change_request(
        led(GroupFactory(admitted=True)), LeadershipChangeRequest.Kind.OTHER, created_days_ago=3
    )

    links = {item.kind: item.action_url for item in review_queue(now=timezone.now())}

    assert links == {
        QueueKind.PERIODIC_REVIEW: reverse("admin:groups_group_decide", args=[group.pk]),
        QueueKind.LEAVE_REQUEST: reverse("admin:membership_leaverequest_process", args=[leave.pk]),
        QueueKind.LEADERSHIP_CHANGE: reverse(
            "admin:leaders_leadershipchangerequest_process", args=[change.pk]
        ),
    }


def test_each_item_carries_its_group_s_checklist_summary_and_failing_titles(staff):
    complete_group(name="Complete", submitted_at=days_ago(2))
    application("No conduct, no leaders", submitted_days_ago=1, code_of_conduct_url="")

    complete, failing = review_queue(now=timezone.now())

    assert (complete.checklist.met, complete.checklist.total) == (5, 5)
    assert complete.failing_titles == []
    assert (failing.checklist.met, failing.checklist.total) == (1, 5)
    assert failing.failing_titles == [
        "A leader and a co-leader",
        "A code of conduct reachable from the group's home page",
        "At least 6 Azure-related meetings a year, at regular intervals",
        "The program's rules of conduct accepted",
    ]


def test_requests_carry_the_checklist_of_their_group(staff):
    group = complete_group(name="Leaving", admitted=True)
    leave_request(group)

    [item] = review_queue(now=timezone.now())

    assert item.kind == QueueKind.LEAVE_REQUEST
    assert item.checklist is not None
    assert item.checklist.all_met


def test_kinds_narrow_the_queue_but_the_counts_cover_all_of_it(staff):
    application("A", submitted_days_ago=3)
    application("B", submitted_days_ago=2)
    due("C", due_days_ago=1)

    queue = review_queue(now=timezone.now(), kinds=[QueueKind.PERIODIC_REVIEW])

    assert [item.group.name for item in queue] == ["C"]
    assert queue.total == 1
    assert queue.counts[QueueKind.APPLICATION] == 2
    assert queue.counts[QueueKind.PERIODIC_REVIEW] == 1
    assert queue.counts[QueueKind.LEAVE_REQUEST] == 0


def test_a_page_of_the_queue_is_a_slice_of_the_whole_order(staff):
    for number in range(5):
        application(f"Group {number}", submitted_days_ago=10 - number)

    page = review_queue(now=timezone.now(), offset=2, limit=2)

    assert [item.group.name for item in page] == ["Group 2", "Group 3"]
    assert page.total == 5


def build_queue(size: int, staff: object) -> None:
    """`size` items of every kind, with leaders, meetings and checklists to compute."""
    for number in range(size):
        group = led(application(f"Application {number}", submitted_days_ago=number + 1))
        MeetingFactory(group=group)
        resubmission(f"Resubmission {number}", submitted_days_ago=number + 1, staff=staff)
        group = led(due(f"Due {number}", due_days_ago=number))
        MeetingFactory(group=group)
        group = led(follow_up_due(f"Follow-up {number}", due_days_ago=number, staff=staff))
        MeetingFactory(group=group)
        return_request(f"Return {number}", created_days_ago=number)
        leave_request(led(GroupFactory(admitted=True)), created_days_ago=number)
        change_request(
            led(GroupFactory(admitted=True)),
            LeadershipChangeRequest.Kind.CO_LEADER_LEFT,
            created_days_ago=number,
        )


def test_the_queue_costs_the_same_queries_for_3_and_30_groups_of_each_kind(staff):
    ProgramRulesFactory(version=1)
    build_queue(3, staff)
    with CaptureQueriesContext(connection) as few:
        assert review_queue(now=timezone.now()).total == 21

    build_queue(27, staff)
    with CaptureQueriesContext(connection) as many:
        assert review_queue(now=timezone.now()).total == 210

    assert len(few) == len(many) == 9


# The admin page ------------------------------------------------------------------------------


def test_queue_page_shows_the_items_with_their_checklist_and_action_links(client, staff):
    group = application("Stockholm Azure Meetup", submitted_days_ago=2, code_of_conduct_url="")
    leave = leave_request(led(GroupFactory(name="Leaving Group", admitted=True)))

    response = client.get(QUEUE_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Stockholm Azure Meetup" in content
    assert "2 of 5 met" in content
    assert "A code of conduct reachable from the group&#x27;s home page" in content
    assert "Leaving Group" in content
    assert "We are merging with the Lund group." in content
    decide = reverse("admin:groups_group_decide", args=[group.pk])
    process = reverse("admin:membership_leaverequest_process", args=[leave.pk])
    assert f'href="{decide}?from=queue"' in content
    assert f'href="{process}?from=queue"' in content


def test_queue_page_can_show_one_kind(client, staff):
    application("An application", submitted_days_ago=2)
    due("A due review", due_days_ago=2)

    content = client.get(QUEUE_URL, {"kind": "periodic_review"}).content.decode()

    assert "A due review" in content
    assert "An application" not in content


def test_queue_page_ignores_an_unknown_kind_and_page(client, staff):
    application("An application", submitted_days_ago=2)

    response = client.get(QUEUE_URL, {"kind": "nonsense", "page": "x"})

    assert response.status_code == 200
    assert "An application" in response.content.decode()


def test_empty_queue_says_so(client, staff):
    content = client.get(QUEUE_URL).content.decode()

    assert "Nothing is waiting for the program team." in content


def test_queue_page_runs_the_same_number_of_queries_for_3_and_30_groups(
    client, staff, django_assert_num_queries
):
    ProgramRulesFactory(version=1)
    build_queue(3, staff)
    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        assert client.get(QUEUE_URL).status_code == 200

    build_queue(27, staff)
    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        response = client.get(QUEUE_URL)
    assert response.status_code == 200
    assert "210 items waiting" in response.content.decode()


def test_group_list_and_groups_app_page_link_to_the_queue(client, staff):
    group_list = client.get(reverse("admin:groups_group_changelist")).content.decode()
    app_page = client.get(reverse("admin:app_list", args=["groups"])).content.decode()

    assert f'href="{QUEUE_URL}"' in group_list
    assert f'href="{QUEUE_URL}"' in app_page


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(QUEUE_URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_leader_is_sent_to_login(client):
    leadership = LeadershipFactory()
    client.force_login(leadership.user)

    response = client.get(QUEUE_URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_staff_without_the_review_permission_gets_403(client):
    client.force_login(StaffFactory())

    assert client.get(QUEUE_URL).status_code == 403


def test_staff_with_only_the_review_permission_sees_the_queue(client):
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="review_group"))
    client.force_login(user)

    assert client.get(QUEUE_URL).status_code == 200


@pytest.mark.parametrize("name", ["leave", "change"])
def test_processing_pages_need_their_permission(client, name):
    group = led(GroupFactory(admitted=True))
    if name == "leave":
        url = reverse("admin:membership_leaverequest_process", args=[leave_request(group).pk])
    else:
        change = change_request(group, LeadershipChangeRequest.Kind.OTHER)
        url = reverse("admin:leaders_leadershipchangerequest_process", args=[change.pk])

    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(group.leaderships.first().user)
    assert client.get(url).status_code == 302  # a leader: to the login
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"action": "process", "outcome": RECORD, "note": "x"}).status_code == 403
    )
    assert LeaveRequest.objects.filter(status="open").count() == (name == "leave")
    assert LeadershipChangeRequest.objects.filter(status="open").count() == (name == "change")


def test_processing_a_missing_request_is_404(client, staff):
    assert (
        client.get(reverse("admin:membership_leaverequest_process", args=[9999])).status_code == 404
    )
    assert (
        client.get(
            reverse("admin:leaders_leadershipchangerequest_process", args=[9999])
        ).status_code
        == 404
    )


# Decisions taken from the queue ----------------------------------------------------------------


def decide_from_queue(client, group: Group, **data: str):
    group.refresh_from_db()
    data.setdefault("message", "")
    data.setdefault("override_reason", "")
    url = reverse("admin:groups_group_decide", args=[group.pk]) + "?from=queue"
    return client.post(url, {"version": group.version, **data})


def test_decide_page_from_the_queue_offers_keep_keep_with_follow_up_and_inactivate(client, staff):
    group = due("Due", due_days_ago=3)

    response = client.get(reverse("admin:groups_group_decide", args=[group.pk]) + "?from=queue")

    choices = [value for value, _label in response.context["form"].fields["decision"].choices]
    assert choices == ["keep", "keep_follow_up", "inactivate"]
    assert "follow_up_by" in response.context["form"].fields


def test_keeping_a_group_sets_its_next_review_from_the_setting_and_returns_to_the_queue(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.TECHGROUPS_REVIEW_INTERVAL_DAYS = 100
    group = complete_group(name="Kept Group", admitted=True)
    Group.objects.filter(pk=group.pk).update(next_review_due=timezone.localdate())

    with django_capture_on_commit_callbacks(execute=True):
        response = decide_from_queue(client, group, decision="keep", message="Keep it up!")

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    group.refresh_from_db()
    assert group.status == Group.Status.ADMITTED
    assert group.next_review_due == timezone.localdate() + timedelta(days=100)
    review = Review.objects.get(group=group)
    assert (review.kind, review.decision, review.reviewer) == ("periodic", "keep", staff)
    assert (review.requirements_met, review.requirements_total) == (5, 5)
    assert {item["code"] for item in review.checklist} >= {"contacts", "azure_meetings"}
    leaders = {
        leadership.user.email for leadership in Leadership.objects.active().filter(group=group)
    }
    assert {message.to[0] for message in mail.outbox} == leaders
    assert all("Keep it up!" in message.body for message in mail.outbox)
    assert all("Kept Group stays in the program" in message.subject for message in mail.outbox)
    assert review_queue(now=timezone.now()).items == []


def test_requesting_changes_is_refused_for_an_admitted_group_and_changes_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    group = led(due("Needs work", due_days_ago=2, code_of_conduct_url=""))

    with django_capture_on_commit_callbacks(execute=True):
        response = decide_from_queue(
            client, group, decision="request_changes", message="Publish a code of conduct."
        )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    group.refresh_from_db()
    assert group.status == Group.Status.ADMITTED
    assert not Review.objects.filter(group=group).exists()
    assert len(mail.outbox) == 0


def test_requesting_changes_on_an_application_from_the_queue(
    client, staff, django_capture_on_commit_callbacks
):
    group = led(application("Applicant", submitted_days_ago=3))

    with django_capture_on_commit_callbacks(execute=True):
        decide_from_queue(client, group, decision="request_changes", message="Add meetings.")

    group.refresh_from_db()
    assert group.status == Group.Status.CHANGES_REQUESTED
    assert Review.objects.get(group=group).kind == Review.Kind.APPLICATION
    assert all("Add meetings." in message.body for message in mail.outbox)


def test_inactivating_a_group_needs_a_message(client, staff):
    group = led(due("Quiet", due_days_ago=2))

    response = decide_from_queue(client, group, decision="inactivate")

    assert response.status_code == 200
    assert "Tell the leaders what to change, or why." in response.content.decode()
    group.refresh_from_db()
    assert group.status == Group.Status.ADMITTED


def test_inactivating_a_group_moves_it_out_of_the_program_and_tells_its_leaders(
    client, staff, django_capture_on_commit_callbacks
):
    group = led(due("Quiet", due_days_ago=2))

    with django_capture_on_commit_callbacks(execute=True):
        response = decide_from_queue(
            client, group, decision="inactivate", message="No meetings for a year."
        )

    assert response["Location"] == QUEUE_URL
    group.refresh_from_db()
    assert group.status == Group.Status.INACTIVE
    assert group.next_review_due is None
    assert AuditEntry.objects.filter(group=group, action="status_change").exists()
    review = Review.objects.get(group=group)
    assert (review.status_before, review.status_after) == ("admitted", "inactive")
    assert len(review.checklist) == review.requirements_total == 5
    assert len(mail.outbox) == 2
    assert all("No meetings for a year." in message.body for message in mail.outbox)
    assert all("inactive" in message.subject for message in mail.outbox)


def test_a_stale_decision_from_the_queue_goes_back_to_the_decide_page_of_the_queue(client, staff):
    group = due("Due", due_days_ago=2)
    stale = group.version
    decide_from_queue(client, group, decision="keep")

    response = client.post(
        reverse("admin:groups_group_decide", args=[group.pk]) + "?from=queue",
        {"version": stale, "decision": "inactivate", "message": "x", "override_reason": ""},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/{group.pk}/decide/?from=queue")
    assert Review.objects.filter(group=group).count() == 1


# Leave requests --------------------------------------------------------------------------------


def leaving_group(**kwargs: object) -> tuple[Group, LeaveRequest]:
    group = led(GroupFactory(name="Umeå Azure Group", admitted=True, **kwargs))
    Group.objects.filter(pk=group.pk).update(next_review_due=timezone.localdate())
    LeadershipFactory(
        group=group,
        role=Leadership.Role.LEADER,
        started_at=days_ago(900),
        ended_at=days_ago(500),
        end_reason=Leadership.EndReason.STEPPED_DOWN,
    )
    return group, leave_request(group, created_days_ago=3)


def test_processing_a_leave_request_moves_the_group_to_left_and_ends_its_roles(
    staff, django_capture_on_commit_callbacks
):
    group, leave = leaving_group()
    active = list(Leadership.objects.active().filter(group=group))
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        leave_request_process(request=leave, by=staff, now=now)

    group.refresh_from_db()
    assert group.status == Group.Status.LEFT
    assert group.status_changed_at == now
    assert group.next_review_due is None
    assert not Leadership.objects.active().filter(group=group).exists()
    assert Leadership.objects.filter(group=group).count() == 3  # history kept
    for leadership in active:
        leadership.refresh_from_db()
        assert leadership.ended_at == now
        assert leadership.end_reason == Leadership.EndReason.GROUP_LEFT
    leave.refresh_from_db()
    assert (leave.status, leave.processed_by, leave.processed_at) == ("processed", staff, now)
    status_change = AuditEntry.objects.get(group=group, action="status_change")
    assert status_change.actor == staff
    assert status_change.changes == {"status": {"before": "admitted", "after": "left"}}
    assert AuditEntry.objects.filter(group=group, action="leadership_change").count() == 2
    assert AuditEntry.objects.filter(group=group, action="request").count() == 1


def test_processing_a_leave_request_emails_the_leaders_in_their_language(
    staff, django_capture_on_commit_callbacks
):
    group = GroupFactory(name="Umeå Azure Group", admitted=True)
    english = LeadershipFactory(group=group, user=UserFactory(preferred_language="en")).user
    swedish = LeadershipFactory(
        group=group, role=Leadership.Role.CO_LEADER, user=UserFactory(preferred_language="sv")
    ).user
    leave = leave_request(group)

    with django_capture_on_commit_callbacks(execute=True):
        leave_request_process(request=leave, by=staff)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {english.email, swedish.email}
    assert by_address[english.email].subject.endswith(
        "Umeå Azure Group has left the Tech Groups program"
    )
    assert "We are merging with the Lund group." in by_address[english.email].body
    assert by_address[swedish.email].subject.endswith(
        "Umeå Azure Group har lämnat Tech Groups-programmet"
    )
    rows = OutboxEmail.objects.filter(kind="leave_processed")
    assert {row.user for row in rows} == {english, swedish}


def test_processing_a_leave_request_twice_is_refused_and_changes_nothing(
    staff, django_capture_on_commit_callbacks
):
    _group, leave = leaving_group()
    with django_capture_on_commit_callbacks(execute=True):
        leave_request_process(request=leave, by=staff)
    entries = AuditEntry.objects.count()
    sent = len(mail.outbox)

    with pytest.raises(ValidationError, match="already processed"):
        leave_request_process(request=leave, by=StaffFactory())

    leave.refresh_from_db()
    assert leave.processed_by == staff
    assert AuditEntry.objects.count() == entries
    assert len(mail.outbox) == sent


def test_processing_a_leave_request_revokes_invitations_and_closes_change_requests(staff):
    group, leave = leaving_group()
    invitation = CoLeaderInvitation.objects.create(
        group=group,
        email="invited@example.org",
        invited_by=staff,
        expires_at=timezone.now() + timedelta(days=14),
    )
    change = change_request(group, LeadershipChangeRequest.Kind.OTHER)

    leave_request_process(request=leave, by=staff)

    invitation.refresh_from_db()
    change.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.REVOKED
    assert change.status == RequestStatus.PROCESSED
    assert change.staff_note == "Closed: the group left the program."
    assert review_queue(now=timezone.now()).items == []


def test_a_failing_leave_processing_writes_nothing(staff, monkeypatch):
    group, leave = leaving_group()

    def broken(**kwargs: object) -> None:
        raise RuntimeError("mail template broken")

    monkeypatch.setattr("membership.services._leave_processed_enqueue", broken)
    with pytest.raises(RuntimeError):
        leave_request_process(request=leave, by=staff)

    group.refresh_from_db()
    leave.refresh_from_db()
    assert group.status == Group.Status.ADMITTED
    assert leave.status == LeaveRequest.Status.OPEN
    assert Leadership.objects.active().filter(group=group).count() == 2
    assert not AuditEntry.objects.filter(group=group).exists()


def test_withdrawing_a_leave_request_keeps_the_group_and_records_the_note(staff):
    group, leave = leaving_group()

    leave_request_withdraw(request=leave, by=staff, note="The leader phoned: they stay.")

    group.refresh_from_db()
    leave.refresh_from_db()
    assert group.status == Group.Status.ADMITTED
    assert leave.status == LeaveRequest.Status.WITHDRAWN
    assert leave.processed_by == staff
    entry = AuditEntry.objects.get(group=group)
    assert "The leader phoned: they stay." in entry.summary
    assert Leadership.objects.active().filter(group=group).count() == 2
    with pytest.raises(ValidationError):
        leave_request_process(request=leave, by=staff)


def test_withdrawing_needs_a_note(staff):
    _group, leave = leaving_group()

    with pytest.raises(ValidationError) as caught:
        leave_request_withdraw(request=leave, by=staff, note="  ")

    assert list(caught.value.message_dict) == ["note"]


def test_leave_processing_page_says_what_will_happen(client, staff):
    group, leave = leaving_group()
    CoLeaderInvitation.objects.create(
        group=group,
        email="invited@example.org",
        invited_by=staff,
        expires_at=timezone.now() + timedelta(days=14),
    )
    leaders = [held.user for held in Leadership.objects.active().filter(group=group)]

    response = client.get(reverse("admin:membership_leaverequest_process", args=[leave.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "We are merging with the Lund group." in content
    assert "to “Left the program”" in content
    for leader in leaders:
        assert leader.display_name in content
        assert leader.email in content
    assert "invited@example.org" in content
    group.refresh_from_db()
    assert group.status == Group.Status.ADMITTED  # looking changes nothing


def test_leave_processing_page_processes_on_post_and_returns_to_the_queue(
    client, staff, django_capture_on_commit_callbacks
):
    group, leave = leaving_group()
    url = reverse("admin:membership_leaverequest_process", args=[leave.pk]) + "?from=queue"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "process"})

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    group.refresh_from_db()
    assert group.status == Group.Status.LEFT
    assert len(mail.outbox) == 2


def test_posting_the_leave_processing_page_twice_is_refused_with_a_message(client, staff):
    _group, leave = leaving_group()
    url = reverse("admin:membership_leaverequest_process", args=[leave.pk])
    client.post(url, {"action": "process"})
    entries = AuditEntry.objects.count()

    response = client.post(url, {"action": "process"}, follow=True)

    content = response.content.decode()
    assert "This leave request is already processed" in content
    assert "there is nothing more to do" in content
    assert AuditEntry.objects.count() == entries


def test_leave_processing_page_records_a_withdrawal_with_its_note(client, staff):
    _group, leave = leaving_group()
    url = reverse("admin:membership_leaverequest_process", args=[leave.pk])

    empty = client.post(url, {"action": "withdraw", "note": ""})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    response = client.post(url, {"action": "withdraw", "note": "They found a new leader."})

    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveRequest.Status.WITHDRAWN


def test_leave_request_list_links_to_processing_only_for_open_requests(client, staff):
    _group, leave = leaving_group()
    done = leave_request(
        led(GroupFactory(admitted=True)), status=LeaveRequest.Status.PROCESSED, processed_by=staff
    )

    content = client.get(reverse("admin:membership_leaverequest_changelist")).content.decode()

    assert reverse("admin:membership_leaverequest_process", args=[leave.pk]) in content
    assert reverse("admin:membership_leaverequest_process", args=[done.pk]) not in content


# Leadership change requests ---------------------------------------------------------------------


def test_co_leader_left_request_applied_ends_the_co_leader_role(staff):
    group = led(GroupFactory(admitted=True))
    co_leader = group.leaderships.get(role=Leadership.Role.CO_LEADER)
    change = change_request(group, LeadershipChangeRequest.Kind.CO_LEADER_LEFT)

    leadership_request_process(request=change, by=staff, outcome=APPLY)

    co_leader.refresh_from_db()
    change.refresh_from_db()
    assert co_leader.ended_at is not None
    assert co_leader.end_reason == Leadership.EndReason.REMOVED
    assert Leadership.objects.active().filter(group=group).count() == 1
    assert (change.status, change.processed_by) == (RequestStatus.PROCESSED, staff)
    assert co_leader.user.display_name in change.staff_note


def test_hand_over_request_applied_swaps_the_roles_and_keeps_history(staff):
    group = led(GroupFactory(admitted=True))
    leader = group.leaderships.get(role=Leadership.Role.LEADER).user
    co_leader = group.leaderships.get(role=Leadership.Role.CO_LEADER).user
    change = change_request(group, LeadershipChangeRequest.Kind.HAND_OVER)

    leadership_request_process(request=change, by=staff, outcome=APPLY, note="As asked.")

    roles = {held.role: held.user for held in Leadership.objects.active().filter(group=group)}
    assert roles == {Leadership.Role.LEADER: co_leader, Leadership.Role.CO_LEADER: leader}
    assert Leadership.objects.filter(group=group, end_reason="handed_over").count() == 2


def test_step_down_request_applied_ends_the_requester_s_role(staff):
    group = led(GroupFactory(admitted=True))
    co_leader = group.leaderships.get(role=Leadership.Role.CO_LEADER)
    change = change_request(group, LeadershipChangeRequest.Kind.STEP_DOWN, by=co_leader.user)

    leadership_request_process(request=change, by=staff, outcome=APPLY)

    co_leader.refresh_from_db()
    assert co_leader.end_reason == Leadership.EndReason.STEPPED_DOWN


def test_other_request_cannot_be_applied_but_can_be_recorded_with_a_note(staff):
    group = led(GroupFactory(admitted=True))
    change = change_request(group, LeadershipChangeRequest.Kind.OTHER)

    with pytest.raises(ValidationError) as caught:
        leadership_request_process(request=change, by=staff, outcome=APPLY)
    assert list(caught.value.message_dict) == ["outcome"]
    with pytest.raises(ValidationError) as caught:
        leadership_request_process(request=change, by=staff, outcome=RECORD)
    assert list(caught.value.message_dict) == ["note"]

    leadership_request_process(request=change, by=staff, outcome=RECORD, note="E-mail updated.")

    change.refresh_from_db()
    assert change.status == RequestStatus.PROCESSED
    assert change.staff_note == "E-mail updated."
    assert Leadership.objects.active().filter(group=group).count() == 2
    entry = AuditEntry.objects.get(group=group, action="request")
    assert entry.actor == staff


def test_rejecting_a_request_changes_no_role(staff):
    group = led(GroupFactory(admitted=True))
    change = change_request(group, LeadershipChangeRequest.Kind.CO_LEADER_LEFT)

    leadership_request_process(request=change, by=staff, outcome=REJECT, note="Still there.")

    change.refresh_from_db()
    assert change.status == RequestStatus.REJECTED
    assert Leadership.objects.active().filter(group=group).count() == 2


def test_a_settled_request_cannot_be_settled_again(staff):
    group = led(GroupFactory(admitted=True))
    change = change_request(group, LeadershipChangeRequest.Kind.CO_LEADER_LEFT)
    leadership_request_process(request=change, by=staff, outcome=APPLY)

    with pytest.raises(ValidationError, match="already been settled"):
        leadership_request_process(request=change, by=staff, outcome=REJECT, note="No.")


def test_a_change_is_not_applied_when_the_roles_changed_since_the_page_was_shown(staff):
    group = led(GroupFactory(admitted=True))
    seen = list(Leadership.objects.active().filter(group=group).values_list("pk", flat=True))
    change = change_request(group, LeadershipChangeRequest.Kind.CO_LEADER_LEFT)
    co_leader = group.leaderships.get(role=Leadership.Role.CO_LEADER)
    Leadership.objects.filter(pk=co_leader.pk).update(ended_at=timezone.now())
    LeadershipFactory(group=group, role=Leadership.Role.CO_LEADER)

    with pytest.raises(ValidationError, match="changed while you were looking"):
        leadership_request_process(request=change, by=staff, outcome=APPLY, expected_roles=seen)

    change.refresh_from_db()
    assert change.status == RequestStatus.OPEN


def test_change_processing_page_shows_the_plan_and_applies_it(client, staff):
    group = led(GroupFactory(admitted=True))
    co_leader = group.leaderships.get(role=Leadership.Role.CO_LEADER)
    change = change_request(group, LeadershipChangeRequest.Kind.CO_LEADER_LEFT)
    url = reverse("admin:leaders_leadershipchangerequest_process", args=[change.pk])

    page = client.get(url + "?from=queue")
    content = page.content.decode()
    assert page.status_code == 200
    assert f"{co_leader.user.display_name} is no longer Co-leader (secondary contact)" in content
    form = page.context["form"]

    response = client.post(
        url + "?from=queue",
        {"outcome": APPLY, "note": "", "roles": form.initial["roles"]},
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    co_leader.refresh_from_db()
    assert co_leader.ended_at is not None


def test_change_processing_page_shows_errors_on_the_form(client, staff):
    group = led(GroupFactory(admitted=True))
    change = change_request(group, LeadershipChangeRequest.Kind.OTHER)
    url = reverse("admin:leaders_leadershipchangerequest_process", args=[change.pk])

    response = client.post(url, {"outcome": REJECT, "note": ""})

    assert response.status_code == 200
    assert "Say what was done, or why the request is refused." in response.content.decode()
    change.refresh_from_db()
    assert change.status == RequestStatus.OPEN


def test_queue_page_past_the_end_offers_the_first_page(client, staff):
    application("An application", submitted_days_ago=2)

    content = client.get(QUEUE_URL, {"page": "7"}).content.decode()

    assert "There is nothing on this page." in content
    assert "Nothing is waiting for the program team." not in content
