"""Celery tasks of membership: thin wrappers that call the services."""

from celery import shared_task
from django.utils import timezone

from . import coc
from .reminders import queue_compliance_reminders as queue_reminders_due


@shared_task
def check_code_of_conduct_links() -> dict[str, int]:
    """Hourly (beat): check the code-of-conduct links that are due (a day after their last
    check), a batch per task.

    While more are due it queues itself again, so each task stays within the time limit;
    a run that crashed resumes on the next, as checked links are not due again for a day.
    """
    run = coc.check_code_of_conduct_links(
        now=timezone.now(), batch=coc.DEFAULT_BATCH, home_links=coc.home_page_links_to
    )
    if run.more_due:
        check_code_of_conduct_links.delay()
    return {"checked": run.checked, "broken": run.broken, "more_due": int(run.more_due)}


@shared_task
def queue_compliance_reminders() -> dict[str, int]:
    """Hourly (beat): queue the compliance reminders that are due and not yet queued.

    Idempotent: every reminder has an outbox key naming its period, so a second run (or a
    duplicate beat tick) the same day queues nothing, and a run that died is finished by the
    next tick.
    """
    return queue_reminders_due(now=timezone.now())
