"""The outbox sweep runs every minute, from the first minute (django-celery-beat)."""

from django.db import migrations

from core.schedules import ensure_interval_task, remove_task

SWEEP_NAME = "Send unsent e-mail from the outbox"


def create_schedule(apps, schema_editor):
    ensure_interval_task(
        apps, name=SWEEP_NAME, task="notifications.tasks.sweep_outbox", every=1, period="minutes"
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SWEEP_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
