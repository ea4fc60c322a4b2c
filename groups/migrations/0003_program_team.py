"""The program team: a Django group with the permissions its work needs (not superusers)."""

from django.db import migrations

from groups.program_team import PROGRAM_TEAM, sync_program_team


def create_program_team(apps, schema_editor):
    sync_program_team(apps)


def remove_program_team(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=PROGRAM_TEAM).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("groups", "0002_initial"),
        ("leaders", "0001_initial"),
        ("meetings", "0001_initial"),
        ("program", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_program_team, remove_program_team)]
