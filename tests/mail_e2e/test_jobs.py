"""The jobs that queue e-mail, run by real workers: twice the same day, killed half-way, and
a call edited by two people at once. Every e-mail is queued once and arrives once.
"""

import ast
import re
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership, User
from membership import reminders
from membership.tasks import queue_compliance_reminders
from notifications.models import OutboxEmail
from program.models import QuarterlyCall
from program.tasks import queue_quarterly_call_emails
from tests.builders import group_with_history, lead
from tests.factories import (
    GroupFactory,
    MeetingFactory,
    QuarterlyCallFactory,
    StaffFactory,
    UserFactory,
)

from .harness import statuses, tally, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxEmail.Status


def job_results(*workers) -> list[dict[str, int]]:
    return [
        ast.literal_eval(result)
        for worker in workers
        for result in worker.results("queue_compliance_reminders")
    ]


# The compliance job twice the same day -------------------------------------------------------


def add_contacts(group: Group, *, co_leader: bool = True) -> None:
    """An English-speaking leader and, unless told otherwise, a Swedish-speaking co-leader."""
    lead(group, user=UserFactory(preferred_language="en"))
    if co_leader:
        lead(group, user=UserFactory(preferred_language="sv"), role=Leadership.Role.CO_LEADER)


def test_the_compliance_job_twice_the_same_day_queues_each_reminder_once(worker, smtp):
    """Five groups, four with something to remind about: no code of conduct; no co-leader;
    changes requested three weeks ago and untouched; no meeting for 200 days with the review
    due in 20 days (pace, inactivity, review due, and the program team told: the escalation
    moves the review to today). The job runs on the worker, then again the same day: the
    second run queues nothing and says so."""
    today = timezone.localdate()
    add_contacts(group_with_history(code_of_conduct_url=""))
    add_contacts(group_with_history(), co_leader=False)
    add_contacts(
        group_with_history(status=Group.Status.CHANGES_REQUESTED, meetings=0, changed_days_ago=21)
    )
    inactive = group_with_history(meetings=0, next_review_due=today + timedelta(days=20))
    MeetingFactory(group=inactive, starts_at=timezone.now() - timedelta(days=200))
    add_contacts(inactive)
    add_contacts(group_with_history())  # nothing to remind about

    queue_compliance_reminders.apply_async()  # as beat sends it
    wait_until(lambda: len(job_results(worker)) == 1, what="the first run")
    queued_by_the_first = OutboxEmail.objects.count()
    queue_compliance_reminders.apply_async()  # the next hourly tick, the same day
    wait_until(lambda: len(job_results(worker)) == 2, what="the second run")
    first, second = job_results(worker)

    assert first == {
        reminders.PACE: 2,
        reminders.INACTIVITY: 2,
        reminders.CONTACTS: 1,
        reminders.CODE_OF_CONDUCT: 2,
        reminders.TECH_COMMUNITY_IDS: 0,
        reminders.CHANGES_REQUESTED: 2,
        reminders.REVIEW_DUE: 2,
        reminders.ESCALATION: 1,
        reminders.FOLLOW_UP: 0,
        reminders.FOLLOW_UP_OVERDUE: 0,
    }
    assert set(second.values()) == {0}
    queued = list(OutboxEmail.objects.values_list("pk", flat=True))
    assert len(queued) == queued_by_the_first == sum(first.values())  # 1 program-team notice
    inactive.refresh_from_db()
    assert inactive.next_review_due == today
    assert AuditEntry.objects.filter(group=inactive).count() == 1  # escalated once

    wait_until(lambda: statuses() == {Status.SENT: len(queued)}, what="the reminders sent")
    arrivals = tally(
        "compliance job twice",
        queued,
        smtp.mailbox,
        queued_by_the_first_run=sum(first.values()),
        by_the_second=sum(second.values()),
    )
    assert arrivals == dict.fromkeys(queued, 1)


# A call edited by two people at once ---------------------------------------------------------


def change_form(call: QuarterlyCall, *, starts_at, ends_at) -> dict[str, str]:
    """The admin change form of `call` as a browser posts it (TIME_ZONE is UTC)."""
    starts, ends = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return {
        "title": call.title,
        "starts_at_0": f"{starts:%Y-%m-%d}",
        "starts_at_1": f"{starts:%H:%M:%S}",
        "ends_at_0": f"{ends:%Y-%m-%d}",
        "ends_at_1": f"{ends:%H:%M:%S}",
        "agenda": call.agenda,
        "join_url": call.join_url,
        "recording_url": "",
        "slides_url": "",
        "status": QuarterlyCall.Status.SCHEDULED,
        "_save": "Save",
    }


def test_two_people_saving_the_same_new_time_at_once_send_one_update(worker, smtp, program_team):
    """The call's invitations are out (the hourly job on the worker); two members of the
    program team open the call and save the same new start time at the same moment. Both
    pages answer with a redirect; the second save finds the stored call already at that time
    (read under the row lock), so SEQUENCE is 1 and each invited leader gets one update."""
    starts_at = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    call = QuarterlyCallFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    for _ in range(3):
        add_contacts(GroupFactory(admitted=True))
    queue_quarterly_call_emails.apply_async()  # as beat sends it
    wait_until(lambda: statuses() == {Status.SENT: 6}, what="the 6 invitations sent")
    invitations = list(OutboxEmail.objects.values_list("pk", flat=True))

    url = reverse("admin:program_quarterlycall_change", args=[call.pk])
    data = change_form(
        call, starts_at=starts_at + timedelta(hours=1), ends_at=starts_at + timedelta(hours=2)
    )
    clients = []
    for name in ("Petra", "Paul"):
        staff = StaffFactory(name=name)
        staff.groups.add(program_team)
        client = Client()
        client.force_login(staff)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    answers: dict[int, tuple[int, float, float]] = {}

    def save(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            began = time.monotonic()
            response = clients[index].post(url, data)
            answers[index] = (response.status_code, began, time.monotonic())
        finally:
            connection.close()  # this thread's own connection to the test database

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [answers[i][0] for i in range(len(clients))] == [302, 302]
    call.refresh_from_db()
    assert (call.starts_at, call.sequence) == (starts_at + timedelta(hours=1), 1)
    updates = OutboxEmail.objects.filter(kind="call-update")
    assert sorted(updates.values_list("user", flat=True)) == sorted(
        OutboxEmail.objects.filter(pk__in=invitations).values_list("user", flat=True)
    )  # one update per invited leader
    wait_until(lambda: statuses() == {Status.SENT: 12}, what="the 6 updates sent")
    (_first_began, first_ended), (second_began, second_ended) = sorted(
        (began, ended) for _status, began, ended in answers.values()
    )
    overlap = min(first_ended, second_ended) - second_began
    assert overlap > 0  # the second save began before the first one had answered
    arrivals = tally(
        "two saves at once",
        invitations + list(updates.values_list("pk", flat=True)),
        smtp.mailbox,
        updates=updates.count(),
        sequence=call.sequence,
        saves_overlapping_ms=int(overlap * 1000),
    )
    assert sorted(arrivals.values()) == [1] * 12


# The compliance job killed half-way ----------------------------------------------------------

#: Seconds before Redis hands a task taken by a dead worker to another (production: 600).
VISIBILITY_TIMEOUT = 5


def groups_in_bulk(count: int, **fields) -> list[Group]:
    return Group.objects.bulk_create(GroupFactory.build_batch(count, **fields))


def leaders_in_bulk(groups: list[Group]) -> dict[int, set[int]]:
    """A leader and a co-leader for each group; returns their user pks by group pk."""
    users = User.objects.bulk_create(UserFactory.build_batch(2 * len(groups)))
    started_at = timezone.now() - timedelta(days=400)
    Leadership.objects.bulk_create(
        Leadership(group=group, user=user, role=role, started_at=started_at)
        for i, group in enumerate(groups)
        for user, role in [
            (users[2 * i], Leadership.Role.LEADER),
            (users[2 * i + 1], Leadership.Role.CO_LEADER),
        ]
    )
    return {group.pk: {users[2 * i].pk, users[2 * i + 1].pk} for i, group in enumerate(groups)}


def test_a_compliance_job_killed_half_way_is_finished_once(
    start_worker, broker, private_redis, smtp
):
    """The job reads the groups in chunks of CHUNK_SIZE (1,000), each committed on its own:
    50 groups without a code of conduct and 950 applications with nothing due make the first
    chunk, 150 more without a code of conduct the second. The worker (one pool process) is
    SIGKILLed while the job works on the second chunk: the first chunk's 100 reminders are
    committed, the second's are rolled back with the dead connection.

    The job's message was taken and never acknowledged (acks_late): after the visibility
    timeout (5 s here, CELERY_VISIBILITY_TIMEOUT) Redis hands it to the next worker, which
    runs it again: the keys already queued are skipped, the 300 others queued. The next
    hourly tick then queues nothing. Every reminder a clean run queues is queued once and
    arrives once.
    """
    now = timezone.now()
    month_ago = now - timedelta(days=30)
    due = {"status": Group.Status.ADMITTED, "admitted_at": month_ago, "code_of_conduct_url": ""}
    first = groups_in_bulk(50, status_changed_at=month_ago, **due)
    groups_in_bulk(1000 - len(first), status=Group.Status.CHANGES_REQUESTED, status_changed_at=now)
    second = groups_in_bulk(150, status_changed_at=month_ago, **due)
    recipients = leaders_in_bulk(first + second)
    period = reminders.month_period(now)
    expected_keys = {
        f"reminder:{reminders.CODE_OF_CONDUCT}:group-{group}:user-{user}:{period}"
        for group, users in recipients.items()
        for user in users
    }
    short = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    doomed = start_worker("doomed", concurrency=1, env=short)  # no delivery beside the job
    doomed.wait_ready()

    queue_compliance_reminders.apply_async()  # as beat sends it
    wait_until(
        lambda: OutboxEmail.objects.count() >= 2 * len(first),
        what="the job to commit its first chunk",
        timeout=60,
    )
    time.sleep(0.4)  # into the second chunk
    doomed.kill()
    killed_at = time.monotonic()
    queued_before_the_kill = OutboxEmail.objects.count()
    assert queued_before_the_kill == 2 * len(first)  # the second chunk died uncommitted
    broker_db = private_redis.client(int(broker.rpartition("/")[2]))
    [(_tag, taken_at)] = broker_db.zrange("unacked_index", 0, -1, withscores=True)

    # Started once the timeout has passed: a new worker looks for such tasks when it starts
    # (and then every unacked_restore_interval x unacked_restore_throttle, 100 s in kombu).
    wait_until(
        lambda: time.time() > taken_at + VISIBILITY_TIMEOUT + 0.5,
        what="the visibility timeout",
        timeout=VISIBILITY_TIMEOUT + 5,
    )
    rescuer = start_worker("rescuer", env=short)
    rescuer.wait_ready()
    wait_until(lambda: job_results(rescuer), what="the job handed out again", timeout=60)
    finished_again_after = time.monotonic() - killed_at
    queue_compliance_reminders.apply_async()  # the next hourly tick
    wait_until(lambda: len(job_results(rescuer)) == 2, what="the next tick")
    again, tick = job_results(rescuer)

    keys = list(OutboxEmail.objects.values_list("key", flat=True))
    assert set(keys) == expected_keys
    assert len(keys) == len(expected_keys)
    assert sum(again.values()) == again[reminders.CODE_OF_CONDUCT] == 2 * len(second)
    assert set(tick.values()) == {0}
    [job_id] = re.findall(r"queue_compliance_reminders\[([\w-]+)\] received", doomed.output())
    assert f"queue_compliance_reminders[{job_id}] succeeded" in rescuer.output()  # the same task

    queued = list(OutboxEmail.objects.values_list("pk", flat=True))
    wait_until(
        lambda: statuses() == {Status.SENT: len(queued)}, what="the reminders sent", timeout=120
    )
    arrivals = tally(
        "compliance job killed",
        queued,
        smtp.mailbox,
        queued_before_the_kill=queued_before_the_kill,
        by_the_job_handed_out_again=sum(again.values()),
        by_the_next_tick=sum(tick.values()),
        seconds_from_the_kill_to_the_job_done=round(finished_again_after),
    )
    assert arrivals == dict.fromkeys(queued, 1)
