"""The outbox sweep runs every minute (django-celery-beat); the program team can change it."""

from django.db import migrations

from groups.schedules import ensure_interval_task, remove_task

SWEEP_NAME = "Send unsent e-mail from the outbox"


def create_sweep_schedule(apps, schema_editor):
    ensure_interval_task(
        apps, name=SWEEP_NAME, task="groups.tasks.sweep_outbox", every=1, period="minutes"
    )


def remove_sweep_schedule(apps, schema_editor):
    remove_task(apps, name=SWEEP_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0004_outbox_email"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_sweep_schedule, remove_sweep_schedule)]
