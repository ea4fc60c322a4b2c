"""The program team can read the e-mail outbox and resend failed e-mails."""

from django.db import migrations

from groups.program_team import sync_program_team


def update_program_team(apps, schema_editor):
    sync_program_team(apps)


class Migration(migrations.Migration):
    dependencies = [("groups", "0005_outbox_sweep_schedule")]

    operations = [migrations.RunPython(update_program_team, migrations.RunPython.noop)]
