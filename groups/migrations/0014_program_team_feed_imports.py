"""The program team can read each group's feed imports (meetings.FeedImport)."""

from django.db import migrations

from groups.program_team import sync_program_team


def update_program_team(apps, schema_editor):
    sync_program_team(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0013_stagger_job_first_runs"),
        ("meetings", "0002_feed_import"),
    ]

    operations = [migrations.RunPython(update_program_team, migrations.RunPython.noop)]
