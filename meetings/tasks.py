"""Celery tasks of the meetings app: thin wrappers that call the services with primary keys."""

from celery import shared_task

from .imports import feed_import_run


@shared_task
def import_feed(import_pk: int) -> str:
    """Run one feed import a leader asked for (see `feed_import_run`); idempotent, so a
    second delivery, or a task for a finished import, does nothing."""
    return feed_import_run(pk=import_pk)
