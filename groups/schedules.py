"""Default beat schedules (django-celery-beat), created by data migrations.

The program team can change them in the admin afterwards; running a migration again changes
nothing, because a task is looked up by its name.
"""

from typing import Any

from django.utils import timezone


def ensure_interval_task(apps: Any, *, name: str, task: str, every: int, period: str) -> None:
    """Create the periodic task `name` running `task` every `every` `period` if it is missing."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval = IntervalSchedule.objects.filter(every=every, period=period).first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=every, period=period)
    PeriodicTask.objects.get_or_create(
        name=name, defaults={"task": task, "interval": interval, "enabled": True}
    )
    # Historical models send no signals: tell a running beat that its schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_task(apps: Any, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
