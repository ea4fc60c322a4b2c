"""Celery tasks of the meetings app: thin wrappers that call the services with primary keys."""

from celery import shared_task
from django.utils import timezone

from .imports import feed_import_run, feed_imports_queue_daily


@shared_task
def import_feed(import_pk: int) -> str:
    """Run one feed import a leader asked for (see `feed_import_run`); idempotent, so a
    second delivery, or a task for a finished import, does nothing."""
    return feed_import_run(pk=import_pk)


@shared_task
def import_feeds_daily() -> int:
    """Hourly (beat): queue the daily import of each group that switched it on and is due
    (see `feed_imports_queue_daily`); idempotent, so a tick run twice queues nothing more."""
    return feed_imports_queue_daily(now=timezone.now())
