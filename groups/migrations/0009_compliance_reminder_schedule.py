"""The compliance reminder job runs once a day (django-celery-beat); the team can change it."""

from django.db import migrations

from groups.schedules import ensure_interval_task, remove_task

SCHEDULE_NAME = "Send compliance reminders"


def create_schedule(apps, schema_editor):
    ensure_interval_task(
        apps,
        name=SCHEDULE_NAME,
        task="groups.tasks.send_compliance_reminders",
        every=1,
        period="days",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0008_coc_link_check"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
