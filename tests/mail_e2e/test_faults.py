"""Faults between the outbox, Redis, the worker and the SMTP server: every e-mail arrives once.

Each test prints its counts ("expected 40, arrived 40, duplicates 0"); run with -s to see them.
The one place where a message can arrive twice is the window notifications/outbox.py describes (the
SMTP server accepted it; the process died before reading the 250 or before marking the row);
the test that kills the pool processes inside that window counts it.
"""

import ast
import logging
import random
import re
import secrets
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group
from leaders.models import Leadership
from notifications.models import OutboxEmail
from notifications.tasks import sweep_outbox
from program.tasks import queue_quarterly_call_emails
from techgroups.celery import app
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    QuarterlyCallFactory,
    StaffFactory,
    UserFactory,
)

from .harness import (
    bulk_queue,
    expire_claims,
    expire_handed,
    handed_unmarked,
    pks,
    queue_emails,
    statuses,
    tally,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxEmail.Status


def sweep_results(*workers) -> list[dict[str, int]]:
    return [ast.literal_eval(result) for w in workers for result in w.results("sweep_outbox")]


# a. The worker killed in the middle of a batch -----------------------------------------------


def test_worker_killed_in_the_middle_of_a_sweep_batch(
    start_worker, shared_worker, private_redis, smtp
):
    """The worker and its pool are SIGKILLed while the sweep sends a batch of 40.

    The sweep claimed all 40 ("sending", claimed_at = its start) and had sent and marked 10;
    it had marked the 11th handed (handed_at) and the SMTP server was receiving it, not yet
    accepted, so it is not delivered; the other 29 were claimed and never handed.
    A sweep on another worker leaves them all alone within CLAIM_LEASE (a live process might
    still be sending them). After CLAIM_LEASE (moved back here instead of waiting a minute)
    the next sweep sends the 29; the handed row may have reached the server, so it waits for
    HANDED_LEASE (moved back too) and is sent then. The server had not accepted it: no
    message arrives twice.
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
    handed = handed_unmarked()
    assert at_the_kill == {Status.SENT: 10, Status.SENDING: 30}
    assert len(handed) == 1
    assert smtp.mailbox.count() == 10
    assert not handed & set(smtp.mailbox.outbox_pks())  # handed, never accepted

    rescuer = shared_worker  # another worker, already running (on its own Redis database)
    rescuer.wait_ready()
    rescuer.forget_output()
    with app.connection_for_write(private_redis.url(0)) as rescuers_broker:

        def rescue(runs: int) -> dict[str, int]:
            sweep_outbox.apply_async(connection=rescuers_broker)
            wait_until(lambda: len(sweep_results(rescuer)) == runs, what=f"sweep {runs}")
            return sweep_results(rescuer)[-1]

        assert rescue(1) == {}  # the dead worker's claims still hold
        expire_claims()
        after_the_claim_lease = rescue(2)
        assert after_the_claim_lease == {"sent": 29}
        assert handed_unmarked() == handed  # may have reached the server: not yet
        expire_handed()
        after_the_handed_lease = rescue(3)
        assert after_the_handed_lease == {"sent": 1}
    assert statuses() == {Status.SENT: 40}

    arrivals = tally(
        "worker killed mid-sweep",
        pks(rows),
        smtp.mailbox,
        sent_before_the_kill=at_the_kill[Status.SENT],
        claimed_never_handed=at_the_kill[Status.SENDING] - len(handed),
        handed_not_accepted=len(handed),
        sent_after_the_claim_lease=after_the_claim_lease["sent"],
        sent_after_the_handed_lease=after_the_handed_lease["sent"],
    )
    assert arrivals == dict.fromkeys(pks(rows), 1)


def deliveries_done(worker, count: int) -> bool:
    return len(worker.results("deliver_outbox_email")) == count


def test_pool_processes_killed_while_the_server_answers_quit_leave_no_duplicate(worker, smtp):
    """Both pool processes are SIGKILLed while delivering a nudged batch of 40: one has had
    its message accepted (250) and waits for the server's answer to QUIT; the other is in the
    middle of sending its message (handed, not accepted).

    A row is marked sent as soon as the server answers 250, before QUIT, so the first row is
    marked already. (Before the outbox marked rows ahead of QUIT, this kill left that row
    unmarked and its message arrived twice: 1 duplicate; now 0.)

    The main worker process sees its pool processes lost and, with acks_late and
    reject_on_worker_lost, puts both tasks back on the queue; its new pool processes send
    the other 28 and skip the two returned tasks: one row is sent, the other handed. The
    handed row may have reached the server, so it waits for HANDED_LEASE (moved back here);
    then the sweep sends it, once: the server had not accepted it.
    """
    smtp.mailbox.hold_quit_of = 11  # the 11th accepted message: 250 sent, QUIT unanswered
    smtp.mailbox.hold_after = 11  # and no further message is accepted meanwhile
    rows = queue_emails(40)  # each nudged on commit: 40 deliver tasks

    wait_until(
        lambda: smtp.mailbox.held_quit == 1 and smtp.mailbox.held_data == 1,
        what="one pool process waiting for QUIT's answer and the other one sending",
    )
    # Both pool processes wait on the SMTP server: nothing changes until the kill.
    in_quit = smtp.mailbox.outbox_pks()[-1]
    marked = set(OutboxEmail.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    handed = handed_unmarked()
    assert in_quit in marked
    assert len(marked) == 11
    assert len(handed) == 1
    assert not handed & set(smtp.mailbox.outbox_pks())  # being received, not accepted
    killed = worker.kill_pool()
    assert len(killed) == 2
    wait_until(
        lambda: smtp.mailbox.held_quit == smtp.mailbox.held_data == 0,
        what="the server to see both clients gone",
    )
    smtp.mailbox.release()

    wait_until(
        lambda: deliveries_done(worker, 40),
        what="the 38 other deliveries and the 2 returned tasks",
    )
    assert statuses() == {Status.SENT: 39, Status.SENDING: 1}
    assert worker.results("deliver_outbox_email").count("'skipped'") == 2
    assert handed_unmarked() == handed
    expire_handed()
    sweep_outbox.apply_async()
    wait_until(lambda: statuses() == {Status.SENT: 40}, what="all 40 rows marked sent")

    arrivals = tally(
        "pool killed waiting for QUIT",
        pks(rows),
        smtp.mailbox,
        accepted_waiting_for_quit_at_the_kill=1,
        handed_not_accepted_at_the_kill=len(handed),
    )
    assert arrivals == dict.fromkeys(pks(rows), 1)


def test_pool_processes_killed_before_reading_the_250_send_that_message_twice(worker, smtp):
    """The window that remains (notifications/outbox.py): both pool processes are SIGKILLed while
    delivering a nudged batch of 40; the SMTP server has recorded one process's message but
    not yet answered 250, and the other process's message is being received (not accepted).

    Both rows are "sending" and handed. The returned tasks skip them; after HANDED_LEASE
    (moved back here) the sweep sends both. The message the server had is delivered a
    second time, with the same Message-ID, so mail clients can tell. The test counts it and
    asserts that it is the only duplicate.
    """
    smtp.mailbox.hold_reply_of = 11  # the 11th message is recorded; its 250 waits
    smtp.mailbox.hold_after = 11  # and no further message is accepted meanwhile
    rows = queue_emails(40)

    wait_until(
        lambda: smtp.mailbox.held_reply == 1 and smtp.mailbox.held_data == 1,
        what="one pool process waiting for its 250 and the other one sending",
    )
    in_window = smtp.mailbox.outbox_pks()[-1]
    handed = handed_unmarked()
    marked = set(OutboxEmail.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    assert in_window in handed
    assert (len(marked), len(handed)) == (10, 2)
    killed = worker.kill_pool()
    assert len(killed) == 2
    wait_until(
        lambda: smtp.mailbox.held_reply == smtp.mailbox.held_data == 0,
        what="the server to see both clients gone",
    )
    smtp.mailbox.release()

    wait_until(
        lambda: deliveries_done(worker, 40),
        what="the 38 other deliveries and the 2 returned tasks",
    )
    assert statuses() == {Status.SENT: 38, Status.SENDING: 2}
    assert worker.results("deliver_outbox_email").count("'skipped'") == 2
    assert handed_unmarked() == handed  # neither is sent again within HANDED_LEASE
    expire_handed()
    sweep_outbox.apply_async()
    wait_until(lambda: statuses() == {Status.SENT: 40}, what="all 40 rows marked sent")

    arrivals = tally(
        "pool killed before reading the 250",
        pks(rows),
        smtp.mailbox,
        accepted_but_unanswered_at_the_kill=1,
        handed_not_accepted_at_the_kill=len(handed) - 1,
    )
    assert {pk for pk, count in arrivals.items() if count > 1} == {in_window}
    assert arrivals[in_window] == 2
    assert set(arrivals) == set(pks(rows))
    copies = {
        str(m["Message-ID"])
        for m in smtp.mailbox.messages
        if str(m["Message-ID"]).startswith(f"<outbox-{in_window}-")
    }
    assert len(copies) == 1  # both copies carry the same Message-ID


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

    queue_quarterly_call_emails.apply_async()
    queue_quarterly_call_emails.apply_async()
    wait_until(lambda: statuses() == {Status.SENT: 20}, what="20 invitations marked sent")

    def job_runs() -> list[dict[str, int]]:
        return [
            ast.literal_eval(result)
            for w in (first, second)
            for result in w.results("queue_quarterly_call_emails")
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
    caplog.set_level(logging.WARNING, logger="notifications.outbox")
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


# f. The auditor's measure: the pool killed at random moments ---------------------------------


def test_pool_killed_at_random_moments_while_the_sweep_drains(worker, smtp):
    """12 to 16 rounds: 30 more rows are queued (no nudge), a sweep starts, and after a random
    number of its messages have arrived both pool processes are SIGKILLed, wherever the sweep
    is. The sweep task comes back (acks_late) and finds the rest of its batch still claimed.
    Before the next round (nothing is running then) the leases are moved back, so the rows
    of the dead sweep are due again; after the last round a sweep sends what is left.

    A kill between the server's 250 and the UPDATE that marks the row leaves a message the
    server has with its row handed: that row, and only that, arrives twice. The test prints
    how many kills landed there (the figure in the README).
    """
    seed = secrets.randbits(32)
    rng = random.Random(seed)
    kills = rng.randint(12, 16)
    per_round = 30
    rows: list[OutboxEmail] = []
    left_handed = 0  # kills that left a row handed and unmarked
    in_the_window: Counter[int] = Counter()  # ... whose message the server had: sent again
    for round_ in range(kills):
        expire_claims()
        expire_handed()
        rows += bulk_queue(per_round, prefix=f"round-{round_}")
        before = Counter(smtp.mailbox.outbox_pks())
        finished = len(worker.results("sweep_outbox"))
        sweep_outbox.apply_async()
        after = rng.randint(1, per_round - 1)
        wait_until(
            lambda: smtp.mailbox.count() >= before.total() + after,  # noqa: B023 (called at once)
            what=f"round {round_}: {after} messages",
        )
        worker.kill_pool()
        wait_until(
            lambda: len(worker.results("sweep_outbox")) > finished,  # noqa: B023
            what=f"round {round_}: the sweep put back to finish",
        )
        handed = handed_unmarked()  # the dead sweep's; the one put back does not touch them
        arrived = Counter(smtp.mailbox.outbox_pks())
        left_handed += len(handed)
        in_the_window.update(pk for pk in handed if arrived[pk] > before[pk])
    expire_claims()
    expire_handed()
    sweep_outbox.apply_async()
    wait_until(lambda: statuses() == {Status.SENT: len(rows)}, what="every row marked sent")

    arrivals = tally(
        "pool killed at random moments",
        pks(rows),
        smtp.mailbox,
        kills=kills,
        kills_leaving_a_row_handed=left_handed,
        of_which_after_the_server_had_it=in_the_window.total(),
        seed=seed,
    )
    assert set(arrivals) == set(pks(rows))
    # Each row arrived once, and once more for each kill that caught it in the window.
    assert arrivals == {pk: 1 + in_the_window[pk] for pk in pks(rows)}
