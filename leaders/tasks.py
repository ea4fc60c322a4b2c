"""Celery tasks of the leaders app: thin wrappers around the services, given primary keys."""

from celery import shared_task

from groups.tasks import TEMPORARY_SMTP_ERRORS

from .services import notify_invitation


@shared_task(
    autoretry_for=TEMPORARY_SMTP_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def send_invitation(invitation_id: int) -> int:
    """E-mail a co-leader invitation with its link; nothing if it is no longer pending."""
    return notify_invitation(invitation_id=invitation_id)
