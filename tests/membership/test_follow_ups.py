"""A periodic review's outcomes (docs/program.md, "Periodic review"): keep, keep with a
follow-up (dashboard, reminders, the queue, the escalation) and move to inactive."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from membership.followups import FollowUpState, open_follow_up
from membership.models import Review
from membership.queue import QueueKind, review_queue
from membership.reminders import queue_compliance_reminders
from membership.services import review_decide
from notifications.models import OutboxEmail
from tests.builders import leader_of
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

Decision = Review.Decision
Status = Group.Status


def admitted_group(**kwargs) -> Group:
    """An admitted group that meets every requirement, due for its periodic review today."""
    rules = ProgramRulesFactory()
    group = GroupFactory(admitted=True, next_review_due=timezone.localdate(), **kwargs)
    for role in ("leader", "co_leader"):
        leadership = LeadershipFactory(group=group, role=role)
        RulesAcceptanceFactory(user=leadership.user, rules=rules)
    now = timezone.now()
    for days in [15, 75, 135, 195, 255, 315]:
        MeetingFactory(group=group, starts_at=now - timedelta(days=days))
    return group


def decide(group: Group, decision: str, **kwargs) -> Review:
    kwargs.setdefault("by", StaffFactory())
    kwargs.setdefault("expected_version", Group.objects.get(pk=group.pk).version)
    return review_decide(group=group, decision=decision, **kwargs)


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def keep_with_follow_up(group: Group, *, days: int = 30, message: str = "Name a co-leader."):
    return decide(group, Decision.KEEP_WITH_FOLLOW_UP, message=message, follow_up_by=in_days(days))


# The service ----------------------------------------------------------------------------------


def test_keep_with_follow_up_keeps_the_group_admitted_with_its_date_and_message(
    django_capture_on_commit_callbacks,
):
    group = admitted_group()

    with django_capture_on_commit_callbacks(execute=True):
        review = keep_with_follow_up(group, days=21, message="Publish your code of conduct.")

    group.refresh_from_db()
    assert group.status == Status.ADMITTED
    assert group.next_review_due is not None
    assert (review.kind, review.decision) == ("periodic", "keep_follow_up")
    assert review.follow_up_by == in_days(21)
    assert open_follow_up(group) == review
    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.REVIEW_DECISION)
    assert entry.changes["follow_up_by"]["after"] == in_days(21).isoformat()
    assert {message.to[0] for message in mail.outbox} == {
        leadership.user.email for leadership in group.leaderships.all()
    }
    assert all("Publish your code of conduct." in message.body for message in mail.outbox)
    assert all("please fix one thing by" in message.subject for message in mail.outbox)


def test_keep_with_follow_up_needs_a_message():
    group = admitted_group()

    with pytest.raises(ValidationError) as error:
        decide(group, Decision.KEEP_WITH_FOLLOW_UP, follow_up_by=in_days(10))

    assert "message" in error.value.message_dict
    assert not Review.objects.filter(group=group).exists()


@pytest.mark.parametrize("days", [None, 0, -3, 400])
def test_keep_with_follow_up_needs_a_date_after_today_and_before_the_next_review(days):
    group = admitted_group()

    with pytest.raises(ValidationError) as error:
        decide(
            group,
            Decision.KEEP_WITH_FOLLOW_UP,
            message="Fix it.",
            follow_up_by=None if days is None else in_days(days),
        )

    assert "follow_up_by" in error.value.message_dict
    assert not Review.objects.filter(group=group).exists()


def test_request_changes_is_refused_for_an_admitted_group():
    group = admitted_group()

    with pytest.raises(ValidationError) as error:
        decide(group, Decision.REQUEST_CHANGES, message="Change it.")

    assert "decision" in error.value.message_dict
    group.refresh_from_db()
    assert group.status == Status.ADMITTED


def test_a_keep_closes_the_open_follow_up_and_records_it():
    group = admitted_group()
    follow_up = keep_with_follow_up(group)

    kept = decide(group, Decision.KEEP)

    follow_up.refresh_from_db()
    assert follow_up.follow_up_closed_by == kept
    assert open_follow_up(group) is None
    entry = AuditEntry.objects.get(review=kept, action=AuditEntry.Action.REVIEW_DECISION)
    assert entry.changes["follow_up"]["after"] == "closed"


def test_a_new_follow_up_replaces_the_old_one():
    group = admitted_group()
    first = keep_with_follow_up(group, days=10)

    second = keep_with_follow_up(group, days=20)

    first.refresh_from_db()
    assert first.follow_up_closed_by == second
    assert open_follow_up(group) == second


def test_move_to_inactive_needs_a_reason_and_has_its_own_email(django_capture_on_commit_callbacks):
    group = admitted_group()
    with pytest.raises(ValidationError):
        decide(group, Decision.INACTIVATE)

    with django_capture_on_commit_callbacks(execute=True):
        decide(group, Decision.INACTIVATE, message="No meetings since March.")

    group.refresh_from_db()
    assert group.status == Status.INACTIVE
    assert group.next_review_due is None
    assert all("is now inactive" in message.subject for message in mail.outbox)
    assert all("No meetings since March." in message.body for message in mail.outbox)
    assert all("Ask for a new review" in message.body for message in mail.outbox)
    kinds = set(OutboxEmail.objects.filter(group=group).values_list("kind", flat=True))
    assert kinds == {"review_inactivated"}


def test_keep_has_its_own_email(django_capture_on_commit_callbacks):
    group = admitted_group(name="Steady Group")

    with django_capture_on_commit_callbacks(execute=True):
        decide(group, Decision.KEEP)

    kinds = set(OutboxEmail.objects.filter(group=group).values_list("kind", flat=True))
    assert kinds == {"review_kept"}
    assert all("Steady Group stays in the program" in message.subject for message in mail.outbox)


# The rule of the dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "step", "due", "overdue"),
    [
        (20, None, False, False),
        (14, 14, False, False),
        (4, 14, False, False),
        (3, 3, False, False),
        (1, 3, False, False),
        (0, None, True, False),
        (-1, None, True, True),
    ],
)
def test_follow_up_state_by_days_left(days_left, step, due, overdue):
    today = timezone.localdate()
    state = FollowUpState(follow_up_by=today + timedelta(days=days_left), today=today)

    assert (state.reminder_step, state.due, state.overdue) == (step, due, overdue)


# Reminders and the escalation --------------------------------------------------------------


def test_reminders_14_and_3_days_before_each_once(django_capture_on_commit_callbacks):
    group = admitted_group()
    review = keep_with_follow_up(group, days=20)
    decided = review.decided_at

    def run(days_after: int) -> dict[str, int]:
        return queue_compliance_reminders(now=decided + timedelta(days=days_after))

    assert run(2)["follow_up"] == 0  # 18 days left
    assert run(6)["follow_up"] == 2  # 14 days left: leader and co-leader
    assert run(7)["follow_up"] == 0  # the 14-day reminder is sent once
    assert run(17)["follow_up"] == 2  # 3 days left
    assert run(18)["follow_up"] == 0
    keys = set(OutboxEmail.objects.filter(kind="reminder_follow_up").values_list("key", flat=True))
    assert len(keys) == 4
    assert all(f"review-{review.pk}" in key for key in keys)


def test_overdue_follow_up_tells_the_program_team_once(settings):
    group = admitted_group()
    review = keep_with_follow_up(group, days=5)

    on_the_day = queue_compliance_reminders(now=review.decided_at + timedelta(days=5))
    after = queue_compliance_reminders(now=review.decided_at + timedelta(days=6))
    again = queue_compliance_reminders(now=review.decided_at + timedelta(days=9))

    assert on_the_day["follow_up_overdue"] == 0
    assert after["follow_up_overdue"] == 1
    assert again["follow_up_overdue"] == 0
    notice = OutboxEmail.objects.get(kind="follow_up_overdue")
    assert notice.to_email == settings.PROGRAM_TEAM_EMAIL


def test_a_follow_up_closed_in_time_is_never_escalated():
    group = admitted_group()
    review = keep_with_follow_up(group, days=5)
    decide(group, Decision.KEEP)

    counts = queue_compliance_reminders(now=review.decided_at + timedelta(days=8))

    assert counts["follow_up_overdue"] == 0
    assert counts["follow_up"] == 0


# The queue ----------------------------------------------------------------------------------


def test_the_group_is_back_in_the_queue_on_its_date_flagged_overdue_after_it():
    group = admitted_group()
    review = keep_with_follow_up(group, days=5)

    before = review_queue(now=review.decided_at + timedelta(days=4))
    on_the_day = review_queue(now=review.decided_at + timedelta(days=5))
    later = review_queue(now=review.decided_at + timedelta(days=7))

    assert before.counts[QueueKind.FOLLOW_UP_DUE] == 0
    (item,) = on_the_day.items
    assert (item.kind, item.overdue, item.follow_up_message) == (
        QueueKind.FOLLOW_UP_DUE,
        False,
        "Name a co-leader.",
    )
    (item,) = later.items
    assert item.overdue
    assert item.action_url == reverse("admin:groups_group_decide", args=[group.pk])


def test_a_follow_up_item_replaces_the_groups_periodic_review_item():
    group = admitted_group()
    review = keep_with_follow_up(group, days=5)
    Group.objects.filter(pk=group.pk).update(next_review_due=timezone.localdate())

    queue = review_queue(now=review.decided_at + timedelta(days=6))

    assert [item.kind for item in queue.items] == [QueueKind.FOLLOW_UP_DUE]


def test_the_queue_page_flags_an_overdue_follow_up(client, staff):
    group = admitted_group(name="Late Group")
    keep_with_follow_up(group, days=5)
    Review.objects.filter(group=group).update(follow_up_by=in_days(-2))

    content = client.get(reverse("admin:groups_review_queue")).content.decode()

    assert "Follow-up due" in content
    assert "tg-overdue" in content
    assert "Name a co-leader." in content


# The admin ----------------------------------------------------------------------------------


def test_the_decide_page_keeps_with_a_follow_up(client, staff):
    group = admitted_group()
    url = reverse("admin:groups_group_decide", args=[group.pk])

    response = client.post(
        url,
        {
            "version": group.version,
            "decision": "keep_follow_up",
            "message": "Name a co-leader.",
            "follow_up_by": in_days(30).isoformat(),
            "override_reason": "",
        },
    )

    assert response.status_code == 302
    assert Review.objects.get(group=group).follow_up_by == in_days(30)


def test_the_decide_page_shows_a_missing_date_next_to_the_field(client, staff):
    group = admitted_group()
    url = reverse("admin:groups_group_decide", args=[group.pk])

    response = client.post(
        url,
        {
            "version": group.version,
            "decision": "keep_follow_up",
            "message": "Name a co-leader.",
            "follow_up_by": "",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["follow_up_by"]
    assert not Review.objects.filter(group=group).exists()


def test_bulk_request_changes_leaves_admitted_groups_alone(client, staff):
    group = admitted_group()
    changelist = reverse("admin:groups_group_changelist")

    response = client.post(
        changelist,
        {
            "action": "request_changes_selected",
            "_selected_action": [group.pk],
            "apply": "1",
            "message": "Change it.",
            f"version_{group.pk}": group.version,
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "cannot get this decision" in response.content.decode()
    group.refresh_from_db()
    assert group.status == Status.ADMITTED
    assert not Review.objects.filter(group=group).exists()


# The dashboard -------------------------------------------------------------------------------


def test_the_dashboard_shows_what_to_fix_and_by_when(client):
    group = admitted_group()
    keep_with_follow_up(group, days=12, message="Publish your code of conduct.")
    client.force_login(leader_of(group))

    content = client.get(reverse("groups:dashboard", kwargs={"slug": group.slug})).content.decode()

    assert "Publish your code of conduct." in content
    assert "12 days left" in content


def test_the_dashboard_with_a_follow_up_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    group = admitted_group()
    keep_with_follow_up(group)
    client.force_login(leader_of(group))
    url = reverse("groups:dashboard", kwargs={"slug": group.slug})
    few = query_count(lambda: client.get(url))
    for days in range(3, 300, 7):
        MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=days))
    keep_with_follow_up(group, days=40)

    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.context["follow_up"] is not None
    assert few == 14
