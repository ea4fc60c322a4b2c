from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_new_email_templates(sender: AppConfig, **kwargs: Any) -> None:
    """Wording shipped with a new release reaches the database with `migrate`, without a
    migration per e-mail; what the program team edited is never touched."""
    from .mail import install_default_templates

    apps = kwargs.get("apps")
    if apps is None:  # `flush` sends the signal without the migration state
        install_default_templates()
        return
    try:
        apps.get_model("notifications", "EmailTemplate")
    except LookupError:  # migrated back to before the model existed
        return
    install_default_templates(apps)


class NotificationsConfig(AppConfig):
    verbose_name = "E-mail: the outbox and the wording"
    name = "notifications"

    def ready(self) -> None:
        post_migrate.connect(_install_new_email_templates, sender=self)
        from . import tasks  # noqa: F401 - registers the tasks the outbox starts by name
