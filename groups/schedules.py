"""Default beat schedules (django-celery-beat), created by data migrations.

The program team can change them in the admin afterwards; running a migration again changes
nothing, because a task is looked up by its name.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

#: When each job first runs after a fresh install, so that a new beat does not start them all
#: at once (the sweep at once: it delivers e-mail). Daily jobs tick hourly: each is
#: idempotent, so a run killed half-way is finished by the next tick, not a day later.
FIRST_RUN_AFTER: dict[str, timedelta] = {
    "program.tasks.send_quarterly_call_emails": timedelta(minutes=2),
    "program.tasks.send_news_emails": timedelta(minutes=4),
    "groups.tasks.send_compliance_reminders": timedelta(minutes=10),
    "program.tasks.send_digest_emails": timedelta(minutes=20),
    "groups.tasks.check_code_of_conduct_links": timedelta(minutes=30),
}
HOURLY: set[str] = {
    "groups.tasks.send_compliance_reminders",
    "groups.tasks.check_code_of_conduct_links",
    "program.tasks.send_digest_emails",
}


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


def stagger_first_runs(apps: Any) -> int:
    """Give every job that never ran a first run spread over the next half hour, and the daily
    ones an hourly tick where the schedule is still the shipped one a day; returns how many
    jobs changed. Jobs the program team edited or that ran already keep their schedule."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    hourly = IntervalSchedule.objects.filter(every=1, period="hours").first()
    now = timezone.now()
    changed = 0
    for task in PeriodicTask.objects.filter(task__in=FIRST_RUN_AFTER, last_run_at__isnull=True):
        task.start_time = task.start_time or now + FIRST_RUN_AFTER[task.task]
        interval = task.interval
        if task.task in HOURLY and interval and (interval.every, interval.period) == (1, "days"):
            if hourly is None:
                hourly = IntervalSchedule.objects.create(every=1, period="hours")
            task.interval = hourly
        task.save()
        changed += 1
    if changed:
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": now})
    return changed
