"""The program team: a Django group with the permissions its work needs (not superusers)."""

from django.db import migrations

PROGRAM_TEAM = "Program team"

PERMISSIONS = {
    "groups": {
        "group": ["view", "change", "review", "export"],
        "review": ["view"],
        "leaverequest": ["view", "change"],
        "auditentry": ["view"],
    },
    "leaders": {
        "user": ["view"],
        "leadership": ["view", "add", "change"],
        "coleaderinvitation": ["view"],
        "leadershipchangerequest": ["view", "change"],
    },
    "meetings": {"meeting": ["view", "add", "change"]},
    "program": {
        "programrules": ["view", "add", "change"],
        "rulesacceptance": ["view"],
        "quarterlycall": ["view", "add", "change"],
        "contentitem": ["view", "add", "change"],
        "newsitem": ["view", "add", "change"],
    },
    "django_celery_beat": {
        "periodictask": ["view", "change"],
        "crontabschedule": ["view", "add", "change"],
        "intervalschedule": ["view", "add", "change"],
    },
}


def create_program_team(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    team, _created = Group.objects.get_or_create(name=PROGRAM_TEAM)
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                permission = Permission.objects.get(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename=f"{action}_{model}",
                )
                team.permissions.add(permission)


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
