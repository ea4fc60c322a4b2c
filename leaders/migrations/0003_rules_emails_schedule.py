"""The program rules e-mails tick hourly (django-celery-beat): a version published for a later
time is announced once it is current, and contacts named since are asked too. Idempotent (one
e-mail per person and version)."""

from datetime import timedelta

from django.db import migrations

from core.schedules import ensure_interval_task, remove_task

NAME = "Ask contacts to accept the current program rules"


def create_schedule(apps, schema_editor):
    ensure_interval_task(
        apps,
        name=NAME,
        task="leaders.tasks.queue_rules_emails",
        every=1,
        period="hours",
        first_run_after=timedelta(minutes=20),
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("leaders", "0002_rules_languages"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
