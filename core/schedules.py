"""Default beat schedules (django-celery-beat), created by each app's data migration.

The program team can change them in the admin afterwards; running a migration again changes
nothing, because a task is looked up by its name. Each job gets a first run a few minutes
after the migration (`first_run_after`), so that a new beat does not start them all at once;
the outbox sweep starts at once, the code-of-conduct link check (which fetches outside
addresses) last. Daily work ticks hourly: every job is idempotent, so a run killed half-way
is finished by the next tick.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone


def ensure_interval_task(
    apps: Any,
    *,
    name: str,
    task: str,
    every: int,
    period: str,
    first_run_after: timedelta | None = None,
) -> None:
    """Create the periodic task `name` running `task` every `every` `period` if it is missing,
    starting `first_run_after` from now (at once when None)."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval = IntervalSchedule.objects.filter(every=every, period=period).first()
    if interval is None:
        interval = IntervalSchedule.objects.create(every=every, period=period)
    now = timezone.now()
    start = now + first_run_after if first_run_after is not None else None
    PeriodicTask.objects.get_or_create(
        name=name,
        defaults={"task": task, "interval": interval, "enabled": True, "start_time": start},
    )
    # Historical models send no signals: tell a running beat that its schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": now})


def remove_task(apps: Any, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
