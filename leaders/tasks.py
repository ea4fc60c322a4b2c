"""Celery tasks of leaders: thin wrappers that call the services."""

from celery import shared_task
from django.utils import timezone

from .rules import rules_emails_queue


@shared_task
def queue_rules_emails() -> dict[str, int]:
    """Hourly (beat): ask the contacts who have not accepted the current program rules to
    accept them: a version that became current, or a contact named since.

    Idempotent: each e-mail has an outbox key per person and version.
    """
    return {"queued": rules_emails_queue(now=timezone.now())}
