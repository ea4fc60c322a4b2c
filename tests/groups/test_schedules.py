"""The jobs' schedules: a fresh beat starts them one after another, a killed job is run again.

Migrations create the jobs (django-celery-beat) with no last run; without a start time a new
beat would fire all of them at once, the code-of-conduct check fetching outside addresses
among them. Daily jobs tick hourly: each is idempotent, so the next tick finishes a run that
died, and a task a dead worker took is handed out again after the visibility timeout.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from groups.schedules import FIRST_RUN_AFTER, HOURLY, stagger_first_runs
from groups.tasks import MAX_BROKER_COUNTDOWN

SWEEP = "groups.tasks.sweep_outbox"


@pytest.mark.django_db
def test_after_migrate_no_two_jobs_start_at_the_same_time_and_the_sweep_starts_at_once():
    tasks = {task.task: task for task in PeriodicTask.objects.filter(enabled=True)}

    assert tasks[SWEEP].start_time is None
    starts = [tasks[name].start_time for name in FIRST_RUN_AFTER]
    assert None not in starts
    assert len(set(starts)) == len(starts)
    assert min(starts) > timezone.now() - timedelta(hours=1)  # set when migrate ran


@pytest.mark.django_db
def test_the_link_check_that_fetches_outside_addresses_starts_last():
    tasks = {task.task: task for task in PeriodicTask.objects.filter(task__in=FIRST_RUN_AFTER)}

    latest = max(tasks.values(), key=lambda task: task.start_time)
    assert latest.task == "groups.tasks.check_code_of_conduct_links"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOURLY))
def test_daily_jobs_tick_hourly(name):
    task = PeriodicTask.objects.get(task=name)

    assert (task.interval.every, task.interval.period) == (1, "hours")


@pytest.mark.django_db
def test_a_job_that_ran_or_was_edited_keeps_its_schedule():
    weekly, _created = IntervalSchedule.objects.get_or_create(every=7, period="days")
    edited = PeriodicTask.objects.get(task="groups.tasks.send_compliance_reminders")
    ran = PeriodicTask.objects.get(task="program.tasks.send_news_emails")
    PeriodicTask.objects.filter(pk=edited.pk).update(interval=weekly, start_time=None)
    yesterday = timezone.now() - timedelta(days=1)
    PeriodicTask.objects.filter(pk=ran.pk).update(last_run_at=yesterday, start_time=None)

    stagger_first_runs(apps)

    edited.refresh_from_db()
    ran.refresh_from_db()
    assert (edited.interval.every, edited.interval.period) == (7, "days")
    assert edited.start_time is not None  # never ran: still staggered
    assert ran.start_time is None


def test_a_task_a_dead_worker_took_comes_back_before_an_hour_but_never_while_it_runs():
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT
    assert timeout < 3600
    assert timeout > settings.CELERY_TASK_TIME_LIMIT
    assert timeout > MAX_BROKER_COUNTDOWN
