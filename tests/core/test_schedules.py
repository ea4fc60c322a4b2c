"""The jobs' schedules: a fresh beat starts them one after another, a killed job is run again.

Each app's data migration creates its jobs (django-celery-beat) with a first run a few
minutes later; without one, a new beat would fire all of them at once, the code-of-conduct
check fetching outside addresses among them. Daily work ticks hourly: each job is
idempotent, so the next tick finishes a run that died, and a task a dead worker took is
handed out again after the visibility timeout.
"""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from notifications.tasks import MAX_BROKER_COUNTDOWN

SWEEP = "notifications.tasks.sweep_outbox"
LINK_CHECK = "membership.tasks.check_code_of_conduct_links"
HOURLY = [
    "membership.tasks.queue_compliance_reminders",
    LINK_CHECK,
    "program.tasks.queue_quarterly_call_emails",
    "program.tasks.queue_news_emails",
    "program.tasks.queue_digest_emails",
    "meetings.tasks.import_feeds_daily",
]


@pytest.mark.django_db
def test_after_migrate_no_two_jobs_start_at_the_same_time_and_the_sweep_starts_at_once():
    tasks = {task.task: task for task in PeriodicTask.objects.filter(enabled=True)}

    assert tasks[SWEEP].start_time is None
    starts = [tasks[name].start_time for name in HOURLY]
    assert None not in starts
    assert len(set(starts)) == len(starts)
    assert min(starts) > timezone.now() - timedelta(hours=1)  # set when migrate ran


@pytest.mark.django_db
def test_the_link_check_that_fetches_outside_addresses_starts_last():
    tasks = PeriodicTask.objects.filter(task__in=HOURLY)

    assert tasks.order_by("-start_time").first().task == LINK_CHECK


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOURLY)
def test_daily_work_ticks_hourly(name):
    task = PeriodicTask.objects.get(task=name)

    assert (task.interval.every, task.interval.period) == (1, "hours")


@pytest.mark.django_db
def test_running_a_schedule_migration_again_keeps_what_the_program_team_edited():
    weekly, _created = IntervalSchedule.objects.get_or_create(every=7, period="days")
    PeriodicTask.objects.filter(task=LINK_CHECK).update(interval=weekly, start_time=None)
    migration = importlib.import_module("membership.migrations.0002_schedules")

    migration.create_schedules(apps, None)

    (task,) = PeriodicTask.objects.filter(task=LINK_CHECK)
    assert (task.interval.every, task.interval.period, task.start_time) == (7, "days", None)


def test_a_task_a_dead_worker_took_comes_back_before_an_hour_but_never_while_it_runs():
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT
    assert timeout < 3600
    assert timeout > settings.CELERY_TASK_TIME_LIMIT
    assert timeout > MAX_BROKER_COUNTDOWN
