"""Celery tasks of the groups app: thin wrappers that call the services with primary keys."""

from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from . import coc
from .outbox import MAX_ATTEMPTS, TEMPORARY_SMTP_ERRORS, outbox_deliver, outbox_sweep
from .reminders import send_compliance_reminders as queue_compliance_reminders

__all__ = [
    "TEMPORARY_SMTP_ERRORS",
    "check_code_of_conduct_links",
    "deliver_outbox_email",
    "send_compliance_reminders",
    "sweep_outbox",
]

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


@shared_task
def check_code_of_conduct_links() -> dict[str, int]:
    """Hourly (beat): check the code-of-conduct links that are due (a day after their last
    check), a batch per task.

    While more are due it queues itself again, so each task stays within the time limit;
    a run that crashed resumes on the next, as checked links are not due again for a day.
    """
    run = coc.check_code_of_conduct_links(now=timezone.now(), batch=coc.DEFAULT_BATCH)
    if run.more_due:
        check_code_of_conduct_links.delay()
    return {"checked": run.checked, "broken": run.broken, "more_due": int(run.more_due)}


@shared_task
def send_compliance_reminders() -> dict[str, int]:
    """Hourly (beat): queue the compliance reminders that are due and not yet queued.

    Idempotent: every reminder has an outbox key naming its period, so a second run (or a
    duplicate beat tick) the same day queues nothing, and a run that died is finished by the
    next tick.
    """
    return queue_compliance_reminders(now=timezone.now())
