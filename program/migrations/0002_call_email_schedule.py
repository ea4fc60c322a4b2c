"""The quarterly call e-mail job runs every hour (django-celery-beat); the team can change it."""

from django.db import migrations

from groups.schedules import ensure_interval_task, remove_task

SCHEDULE_NAME = "Send quarterly call e-mails"


def create_schedule(apps, schema_editor):
    ensure_interval_task(
        apps,
        name=SCHEDULE_NAME,
        task="program.tasks.send_quarterly_call_emails",
        every=1,
        period="hours",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
