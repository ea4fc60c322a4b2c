"""Celery tasks of the program app: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from .calls import queue_call_emails
from .news import queue_due_news, queue_weekly_digests


@shared_task
def queue_quarterly_call_emails() -> dict[str, int]:
    """Hourly (beat): queue the call invitations, reminders and follow-ups that are due."""
    return queue_call_emails(now=timezone.now())


@shared_task
def queue_news_emails() -> dict[str, int]:
    """Hourly (beat): e-mail the news items whose publication time has come."""
    return queue_due_news(now=timezone.now())


@shared_task
def queue_digest_emails() -> dict[str, int]:
    """Hourly (beat): the weekly digests, sent by the first run of each week."""
    return queue_weekly_digests(now=timezone.now())
