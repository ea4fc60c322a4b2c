"""The compliance reminders and the code-of-conduct link check tick hourly (django-celery-beat).

Both are idempotent (a reminder is queued once per period, a link is checked once a day), so
a run killed half-way is finished by the next tick. Their first runs come 10 and 30 minutes
after the migration: a fresh beat does not start every job at once, and the link check, which
fetches outside addresses, comes last.
"""

from datetime import timedelta

from django.db import migrations

from core.schedules import ensure_interval_task, remove_task

REMINDERS_NAME = "Send compliance reminders"
CHECK_NAME = "Check the code-of-conduct links of admitted groups"


def create_schedules(apps, schema_editor):
    ensure_interval_task(
        apps,
        name=REMINDERS_NAME,
        task="membership.tasks.queue_compliance_reminders",
        every=1,
        period="hours",
        first_run_after=timedelta(minutes=10),
    )
    ensure_interval_task(
        apps,
        name=CHECK_NAME,
        task="membership.tasks.check_code_of_conduct_links",
        every=1,
        period="hours",
        first_run_after=timedelta(minutes=30),
    )


def remove_schedules(apps, schema_editor):
    remove_task(apps, name=REMINDERS_NAME)
    remove_task(apps, name=CHECK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
