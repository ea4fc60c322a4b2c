"""A backlog drained by the sweep at the SMTP server's pace, urgent e-mail first.

The sweep goes on batch after batch (SWEEP_BATCH rows over one connection each) while rows are
due, so a backlog of 2,000 is one sweep, not 20 minutes of one batch a minute.
"""

import ast
import time

import pytest

from notifications.models import OutboxEmail
from notifications.outbox import SWEEP_BATCH
from notifications.tasks import sweep_outbox

from .harness import bulk_queue, pks, statuses, tally, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxEmail.Status
Priority = OutboxEmail.Priority


def test_a_backlog_of_2000_is_drained_by_one_sweep_urgent_ones_first(worker, smtp):
    """2,000 bulk rows, then 10 urgent ones (an account e-mail, an invitation) queued after
    them, all without nudges; one sweep task. The urgent ones arrive first. 10 more urgent
    rows queued while the backlog drains go out with the next batch, not after the backlog."""
    backlog = bulk_queue(2000, prefix="backlog")
    urgent = bulk_queue(10, prefix="urgent", priority=Priority.URGENT)

    started = time.monotonic()
    sweep_outbox.apply_async()  # as beat sends it
    wait_until(lambda: smtp.mailbox.count() >= 550, what="550 messages", timeout=120)
    arrived_before_late_urgent = smtp.mailbox.count()
    late_urgent = bulk_queue(10, prefix="late-urgent", priority=Priority.URGENT)
    everything = pks(backlog) + pks(urgent) + pks(late_urgent)
    wait_until(
        lambda: statuses() == {Status.SENT: len(everything)},
        what="the backlog marked sent",
        timeout=300,
    )
    took = time.monotonic() - started
    wait_until(lambda: worker.results("sweep_outbox"), what="the sweep to finish")
    sweeps = [ast.literal_eval(result) for result in worker.results("sweep_outbox")]

    order = smtp.mailbox.outbox_pks()
    late_positions = [order.index(pk) for pk in pks(late_urgent)]
    arrivals = tally(
        "backlog of 2,000",
        everything,
        smtp.mailbox,
        sweep_runs=len(sweeps),
        seconds=round(took),
        messages_per_second=round(len(everything) / took),
        late_urgent_arrived_after=min(late_positions) - arrived_before_late_urgent,
    )
    assert arrivals == dict.fromkeys(everything, 1)
    assert sweeps == [{"sent": len(everything)}]  # one sweep drained it
    assert set(order[:10]) == set(pks(urgent))  # queued last, sent first
    # At the head of the next batch claimed after they were queued (or the one after, if it
    # was being claimed as they were written): not behind the 1,450 still waiting.
    assert max(late_positions) < arrived_before_late_urgent + 2 * SWEEP_BATCH + 10
