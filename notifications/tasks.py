"""Celery tasks of the outbox: deliver one e-mail (nudged after a commit), sweep what is due."""

from typing import Any

from celery import Task, shared_task

from .outbox import MAX_ATTEMPTS, outbox_deliver, outbox_sweep

#: A retry waits on the broker at most this long; anything later is found by the sweep.
MAX_BROKER_COUNTDOWN = 300


@shared_task(bind=True, max_retries=MAX_ATTEMPTS)
def deliver_outbox_email(self: Task[Any, Any], pk: int) -> str:
    """Send one outbox e-mail if it is still to be sent; retry with backoff on temporary errors.

    Idempotent: the row is claimed before sending, so a duplicate task sends nothing.
    """
    delivery = outbox_deliver(pk=pk)
    if delivery.retry_in is not None:
        countdown = min(int(delivery.retry_in.total_seconds()), MAX_BROKER_COUNTDOWN)
        raise self.retry(countdown=countdown)
    return delivery.outcome


@shared_task
def sweep_outbox() -> dict[str, int]:
    """Every minute (beat): deliver what was never nudged, never finished or is due again."""
    return outbox_sweep()
