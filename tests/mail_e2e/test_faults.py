"""Faults between the outbox, Redis, the worker and the SMTP server: every e-mail arrives once.

Each test prints its counts ("expected 40, arrived 40, duplicates 0"); run with -s to see them.
The one place where a message can arrive twice is the window groups/outbox.py describes (the
SMTP server accepted it, the process died before marking the row); the test that kills a pool
process inside that window counts it.
"""

import ast
import logging
import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, OutboxEmail
from groups.tasks import sweep_outbox
from leaders.models import Leadership
from program.tasks import send_quarterly_call_emails
from techgroups.celery import app
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    QuarterlyCallFactory,
    StaffFactory,
    UserFactory,
)

from .harness import expire_claims, queue_emails, statuses, tally, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxEmail.Status


def pks(rows: list[OutboxEmail]) -> list[int]:
    return [row.pk for row in rows]


def sweep_results(*workers) -> list[dict[str, int]]:
    return [ast.literal_eval(result) for w in workers for result in w.results("sweep_outbox")]


# a. The worker killed in the middle of a batch -----------------------------------------------


def test_worker_killed_in_the_middle_of_a_sweep_batch(
    start_worker, shared_worker, private_redis, smtp
):
    """The worker and its pool are SIGKILLed while the sweep sends a batch of 40.

    The sweep claimed all 40 ("sending", claimed_at = its start) and had sent and marked 10;
    the 11th was being received by the SMTP server, not yet accepted, so it is not delivered.
    A sweep on another worker leaves the 30 claimed rows alone until CLAIM_LEASE has passed
    (a live process might still be sending them); the test moves claimed_at back by the lease
    instead of waiting 10 minutes, and the next sweep sends the 30. No message was accepted
    and left unmarked, so none arrives twice.
    """
    doomed = start_worker("doomed")
    # Found by the sweep only, as if queued while Redis was down.
    rows = queue_emails(40, nudge=False)
    smtp.mailbox.hold_after = 10
    doomed.wait_ready()

    sweep_outbox.apply_async()  # as beat sends it
    wait_until(lambda: smtp.mailbox.held_data == 1, what="the sweep to send its 11th message")
    doomed.kill()
    wait_until(lambda: smtp.mailbox.held_data == 0, what="the server to see the client gone")
    smtp.mailbox.release()
    at_the_kill = statuses()
    assert at_the_kill == {Status.SENT: 10, Status.SENDING: 30}
    assert smtp.mailbox.count() == 10

    rescuer = shared_worker  # another worker, already running (on its own Redis database)
    rescuer.wait_ready()
    rescuer.forget_output()
    with app.connection_for_write(private_redis.url(0)) as rescuers_broker:
        sweep_outbox.apply_async(connection=rescuers_broker)
        wait_until(lambda: sweep_results(rescuer), what="a sweep within the lease")
        assert sweep_results(rescuer) == [{}]  # the dead worker's claims still hold
        expire_claims()
        sweep_outbox.apply_async(connection=rescuers_broker)
        wait_until(lambda: statuses() == {Status.SENT: 40}, what="all 40 rows marked sent")

    arrivals = tally(
        "worker killed mid-sweep",
        pks(rows),
        smtp.mailbox,
        sent_before_the_kill=at_the_kill[Status.SENT],
        left_claimed_by_the_dead_worker=at_the_kill[Status.SENDING],
        sent_after_the_lease=sweep_results(rescuer)[1]["sent"],
    )
    assert arrivals == dict.fromkeys(pks(rows), 1)


def test_pool_processes_killed_with_one_message_accepted_but_not_marked(worker, smtp):
    """Both pool processes are SIGKILLed while delivering a nudged batch of 40: one has had
    its message accepted by the SMTP server (250) and waits for the answer to QUIT, so the
    row is still "sending"; the other is in the middle of sending (not accepted).

    The main worker process sees its pool processes lost and, with acks_late and
    reject_on_worker_lost, puts both tasks back on the queue; its new pool processes send
    the other 28 and skip the two returned tasks, whose rows are still claimed. After
    CLAIM_LEASE (moved back here) the sweep sends both rows.

    This is the at-least-once window groups/outbox.py documents: the message accepted before
    the kill arrives a second time (with the same Message-ID, so mail clients can tell).
    The test counts it and asserts that it is the only duplicate: every row marked sent
    arrived exactly once, and the message the server had not accepted arrived once.
    """
    smtp.mailbox.hold_quit_of = 11  # the 11th accepted message: 250 sent, QUIT unanswered
    smtp.mailbox.hold_after = 11  # and no further message is accepted meanwhile
    rows = queue_emails(40)  # each nudged on commit: 40 deliver tasks

    wait_until(
        lambda: smtp.mailbox.held_quit == 1 and smtp.mailbox.held_data == 1,
        what="one pool process in the window and the other one sending",
    )
    # Both pool processes wait on the SMTP server: nothing changes until the kill.
    in_window = smtp.mailbox.outbox_pks()[-1]
    claimed = set(OutboxEmail.objects.filter(status=Status.SENDING).values_list("pk", flat=True))
    marked = set(OutboxEmail.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    accepted_unmarked = claimed & set(smtp.mailbox.outbox_pks())
    assert accepted_unmarked == {in_window}
    assert (len(marked), len(claimed)) == (10, 2)
    killed = worker.kill_pool()
    assert len(killed) == 2
    wait_until(
        lambda: smtp.mailbox.held_quit == smtp.mailbox.held_data == 0,
        what="the server to see both clients gone",
    )
    smtp.mailbox.release()

    def deliveries_done() -> bool:
        return len(worker.results("deliver_outbox_email")) == 40  # 38 + the 2 returned tasks

    wait_until(deliveries_done, what="the 38 other deliveries and the 2 returned tasks")
    assert statuses() == {Status.SENT: 38, Status.SENDING: 2}
    assert worker.results("deliver_outbox_email").count("'skipped'") == 2
    expire_claims()
    sweep_outbox.apply_async()
    wait_until(lambda: statuses() == {Status.SENT: 40}, what="all 40 rows marked sent")

    arrivals = tally(
        "pool killed in the window",
        pks(rows),
        smtp.mailbox,
        accepted_by_smtp_not_marked_at_the_kill=len(accepted_unmarked),
    )
    assert {pk for pk, count in arrivals.items() if count > 1} == accepted_unmarked
    assert arrivals[in_window] == 2
    assert all(arrivals[pk] == 1 for pk in marked)
    assert set(arrivals) == set(pks(rows))


# b. A task retried ---------------------------------------------------------------------------


def test_a_task_retried_after_421_arrives_once(worker, smtp):
    """The server answers the first try of each of 10 messages with 421 (try later): the
    task records the temporary error and retries itself through the broker (backoff cut to
    1 s in this worker); the retry is accepted. A sweep afterwards sends nothing more."""
    smtp.mailbox.temporary_failures = 10
    rows = queue_emails(10)

    wait_until(lambda: statuses() == {Status.SENT: 10}, what="10 rows marked sent")
    sweep_outbox.apply_async()
    wait_until(lambda: sweep_results(worker), what="the sweep")

    attempts = sum(OutboxEmail.objects.values_list("attempts", flat=True))
    retries = len(re.findall(r"retry: Retry in \d+s", worker.output()))
    arrivals = tally(
        "421 then accepted",
        pks(rows),
        smtp.mailbox,
        answered_421=smtp.mailbox.answered_421,
        task_retries=retries,
    )
    assert arrivals == dict.fromkeys(pks(rows), 1)
    assert smtp.mailbox.answered_421 == 10
    assert retries == 10
    assert attempts == 20  # one refused and one accepted try per row
    assert sweep_results(worker) == [{}]


# c. Beat ticking twice -----------------------------------------------------------------------


def test_beat_ticking_twice_sends_each_email_once(worker, start_worker, smtp):
    """Two workers get the hourly call job twice at once, then the sweep twice at once.

    The job's rows have unique keys (a concurrent twin's insert waits for the first and then
    finds the row), and the sweep locks with SKIP LOCKED and claims before sending."""
    first, second = worker, start_worker("second")
    starts_at = timezone.now() + timedelta(days=3)
    QuarterlyCallFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    for _ in range(10):
        group = GroupFactory(admitted=True)
        LeadershipFactory(group=group, user=UserFactory(preferred_language="en"))
        LeadershipFactory(
            group=group,
            role=Leadership.Role.CO_LEADER,
            user=UserFactory(preferred_language="sv"),
        )
    smtp.mailbox.delay = 0.02  # keep the two workers' deliveries overlapping
    second.wait_ready()

    send_quarterly_call_emails.apply_async()
    send_quarterly_call_emails.apply_async()
    wait_until(lambda: statuses() == {Status.SENT: 20}, what="20 invitations marked sent")

    def job_runs() -> list[dict[str, int]]:
        return [
            ast.literal_eval(result)
            for w in (first, second)
            for result in w.results("send_quarterly_call_emails")
        ]

    wait_until(lambda: len(job_runs()) == 2, what="both runs of the job to finish")
    invitations = list(OutboxEmail.objects.values_list("pk", flat=True))
    queued = sorted((run["invitations"] for run in job_runs()), reverse=True)
    arrivals = tally(
        "call job twice",
        invitations,
        smtp.mailbox,
        invitations_counted_by_one_run=queued[0],
        by_the_other=queued[1],
    )
    assert arrivals == dict.fromkeys(invitations, 1)

    rows = queue_emails(20, nudge=False, prefix="sweep")
    sweep_outbox.apply_async()
    sweep_outbox.apply_async()
    wait_until(lambda: statuses() == {Status.SENT: 40}, what="the 20 swept rows marked sent")
    wait_until(lambda: len(sweep_results(first, second)) == 2, what="both sweeps to finish")
    sent_by_sweeps = sorted(result.get("sent", 0) for result in sweep_results(first, second))
    arrivals = tally(
        "sweep twice",
        invitations + pks(rows),
        smtp.mailbox,
        sent_by_one_sweep=sent_by_sweeps[1],
        by_the_other=sent_by_sweeps[0],
    )
    assert arrivals == dict.fromkeys(invitations + pks(rows), 1)
    assert sum(sent_by_sweeps) == 20


# d. SMTP refusing, then accepting ------------------------------------------------------------


def test_smtp_refusing_connections_then_accepting(worker, smtp):
    """The SMTP server is down (connection refused) when 10 e-mails are nudged: each try is
    a temporary error and the task retries with backoff (cut to 1 s); once the server is up,
    the retries deliver each e-mail once."""
    smtp.stop()
    rows = queue_emails(10)

    def all_refused() -> bool:
        refused = OutboxEmail.objects.filter(
            status=Status.PENDING, attempts__gte=1, last_error__contains="Connection refused"
        )
        return refused.count() == 10

    wait_until(all_refused, what="a refused try of each of the 10 rows")
    smtp.start()
    wait_until(lambda: statuses() == {Status.SENT: 10}, what="10 rows marked sent")

    refused_tries = sum(OutboxEmail.objects.values_list("attempts", flat=True)) - 10
    arrivals = tally(
        "connection refused then accepted", pks(rows), smtp.mailbox, refused_tries=refused_tries
    )
    assert arrivals == dict.fromkeys(pks(rows), 1)
    assert refused_tries >= 10


# e. Redis stopped while a request queues mail ------------------------------------------------


def test_redis_down_while_a_staff_decision_queues_mail(
    client, worker, smtp, private_redis, program_team, caplog
):
    """The program team requests changes in the admin while Redis is stopped: the request
    succeeds (the rows are written with the decision; the nudge fails quietly), and once
    Redis is back a worker's sweep delivers the two leaders' e-mails once."""
    group = GroupFactory()
    leader = LeadershipFactory(group=group, user=UserFactory(preferred_language="en")).user
    co_leader = LeadershipFactory(
        group=group, role=Leadership.Role.CO_LEADER, user=UserFactory(preferred_language="sv")
    ).user
    staff = StaffFactory()
    staff.groups.add(program_team)
    client.force_login(staff)

    private_redis.stop()
    caplog.set_level(logging.WARNING, logger="groups.outbox")
    started = time.monotonic()
    response = client.post(
        reverse("admin:groups_group_decide", args=[group.pk]),
        {
            "decision": "request_changes",
            "message": "Please add your meetings.",
            "override_reason": "",
            "version": group.version,
        },
    )
    took = time.monotonic() - started
    assert response.status_code == 302
    assert Group.objects.get(pk=group.pk).status == Group.Status.CHANGES_REQUESTED
    rows = list(OutboxEmail.objects.order_by("pk"))
    assert sorted(row.to_email for row in rows) == sorted([leader.email, co_leader.email])
    assert {(row.status, row.attempts) for row in rows} == {(Status.PENDING, 0)}  # not tried
    waiting = [r.getMessage() for r in caplog.records if "waits for the sweep" in r.getMessage()]
    assert len(waiting) == 1  # one failed connection; the second nudge waits without trying

    private_redis.start()  # empty: what was queued before the outage is gone too
    sweep_outbox.apply_async()  # as beat sends it, once the worker is connected again
    wait_until(lambda: statuses() == {Status.SENT: 2}, what="the 2 decision e-mails sent")

    arrivals = tally(
        "Redis down during the request",
        pks(rows),
        smtp.mailbox,
        request_ms=int(took * 1000),
    )
    assert arrivals == dict.fromkeys(pks(rows), 1)
    assert sorted(str(m["To"]) for m in smtp.mailbox.messages) == sorted(
        [leader.email, co_leader.email]
    )
