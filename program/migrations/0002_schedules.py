"""The call, news and digest e-mails are queued hourly (django-celery-beat); each job first
runs a few minutes after the migration, so a fresh beat does not start them all at once."""

from datetime import timedelta

from django.db import migrations

from core.schedules import ensure_interval_task, remove_task

CALLS_NAME = "Send quarterly call e-mails"
NEWS_NAME = "Send program news"
DIGEST_NAME = "Send weekly digests"

JOBS = [
    (CALLS_NAME, "program.tasks.queue_quarterly_call_emails", timedelta(minutes=2)),
    (NEWS_NAME, "program.tasks.queue_news_emails", timedelta(minutes=4)),
    # Sends on the week's first run only (its key names the week).
    (DIGEST_NAME, "program.tasks.queue_digest_emails", timedelta(minutes=20)),
]


def create_schedules(apps, schema_editor):
    for name, task, first_run_after in JOBS:
        ensure_interval_task(
            apps, name=name, task=task, every=1, period="hours", first_run_after=first_run_after
        )


def remove_schedules(apps, schema_editor):
    for name, _task, _after in JOBS:
        remove_task(apps, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
