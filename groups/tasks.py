"""Celery tasks of the groups app: thin wrappers that call the services with primary keys."""

import smtplib

from celery import shared_task

from .notifications import notify_review_decision

#: Temporary failures worth a retry; anything else is a bug or a permanent refusal.
TEMPORARY_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


@shared_task(
    autoretry_for=TEMPORARY_SMTP_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def send_review_decision(review_id: int) -> int:
    """E-mail a recorded decision to the group's leaders; returns the messages sent."""
    return notify_review_decision(review_id=review_id)
