"""The daily import of the calendar feeds of the groups that asked for it ticks hourly
(django-celery-beat): each tick queues the groups not imported for 23 hours, so each group is
imported once a day, and a tick killed half-way is finished by the next. Its first run comes
25 minutes after the migration: it fetches outside addresses, like the code-of-conduct link
check, which starts last."""

from datetime import timedelta

from django.db import migrations

from core.schedules import ensure_interval_task, remove_task

NAME = "Import the calendar feeds of the groups that asked for a daily import"


def create_schedule(apps, schema_editor):
    ensure_interval_task(
        apps,
        name=NAME,
        task="meetings.tasks.import_feeds_daily",
        every=1,
        period="hours",
        first_run_after=timedelta(minutes=25),
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_meeting_states_and_facts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
