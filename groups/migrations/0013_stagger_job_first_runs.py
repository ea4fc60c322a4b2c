from django.db import migrations

from groups.schedules import stagger_first_runs


def stagger(apps, schema_editor):
    stagger_first_runs(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0012_outbox_priority_and_handing"),
        ("groups", "0009_compliance_reminder_schedule"),
        ("program", "0004_news_email"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(stagger, migrations.RunPython.noop)]
