"""Celery tasks of the program app: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from .calls import send_call_invitations
from .news import send_due_news, send_weekly_digests


@shared_task
def send_quarterly_call_emails() -> dict[str, int]:
    """Hourly (beat): queue the call invitations, reminders and follow-ups that are due."""
    return send_call_invitations(now=timezone.now())


@shared_task
def send_news_emails() -> dict[str, int]:
    """Hourly (beat): e-mail the news items whose publication time has come."""
    return send_due_news(now=timezone.now())


@shared_task
def send_digest_emails() -> dict[str, int]:
    """Hourly (beat): the weekly digests, sent by the first run of each week."""
    return send_weekly_digests(now=timezone.now())
