"""The program team: a Django group with the permissions its work needs (not superusers).

Synced after every migrate (core/apps.py) and by anything that must make
sure the team exists after the database was emptied, e.g. transactional tests.
"""

from typing import Any

PROGRAM_TEAM = "Program team"

PERMISSIONS = {
    "core": {"auditentry": ["view"]},
    "notifications": {"outboxemail": ["view", "change"], "emailtemplate": ["view", "change"]},
    "groups": {"group": ["view", "change", "review", "export"]},
    "leaders": {
        "user": ["view"],
        "leadership": ["view", "add", "change"],
        "coleaderinvitation": ["view"],
        "leadershipchangerequest": ["view", "change"],
        "programrules": ["view", "add", "change"],
        "rulesacceptance": ["view"],
    },
    "meetings": {"meeting": ["view", "add", "change"], "feedimport": ["view"]},
    "membership": {
        "review": ["view"],
        "leaverequest": ["view", "change"],
        "codeofconductcheck": ["view"],
    },
    "program": {
        "quarterlycall": ["view", "add", "change"],
        "contentitem": ["view", "add", "change"],
        "newsitem": ["view", "add", "change"],
    },
    # Conversations with leaders: read, answer, close and reopen (never delete).
    "contact": {"thread": ["view", "change"], "message": ["view"]},
    "django_celery_beat": {
        "periodictask": ["view", "change"],
        "crontabschedule": ["view", "add", "change"],
        "intervalschedule": ["view", "add", "change"],
    },
}


def _exists(apps: Any, app_label: str, model: str) -> bool:
    try:
        apps.get_model(app_label, model)
    except LookupError:
        return False
    return True


def sync_program_team(apps: Any) -> Any:
    """Create the team if needed and give it exactly PERMISSIONS; returns the auth group.

    In a migration, models that do not exist yet at that point are left for a later one.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # create_permissions skips an app without a models module, as migration stubs are.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    team, _created = Group.objects.get_or_create(name=PROGRAM_TEAM)
    wanted = [
        Permission.objects.get(
            content_type__app_label=app_label,
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for app_label, models in PERMISSIONS.items()
        for model, actions in models.items()
        if _exists(apps, app_label, model)
        for action in actions
    ]
    team.permissions.set(wanted)
    return team
