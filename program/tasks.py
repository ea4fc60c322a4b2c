"""Celery tasks of the program app: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from .calls import send_call_invitations


@shared_task
def send_quarterly_call_emails() -> dict[str, int]:
    """Hourly (beat): queue the call invitations, reminders and follow-ups that are due."""
    return send_call_invitations(now=timezone.now())
