from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_program_team(sender: AppConfig, **kwargs: Any) -> None:
    """After every `migrate` (all apps' models exist then), the "Program team" auth group has
    exactly the permissions core/program_team.py lists."""
    from django.apps import apps as global_apps

    from .program_team import sync_program_team

    sync_program_team(kwargs.get("apps") or global_apps)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared records: the audit trail"

    def ready(self) -> None:
        post_migrate.connect(_sync_program_team, dispatch_uid="core.sync_program_team")
