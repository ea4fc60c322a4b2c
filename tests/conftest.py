from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from core.program_team import sync_program_team
from notifications.outbox import outbox_nudge_resume, outbox_sweep
from tests.world import World, serve_feed, world_in_a_transaction


@pytest.fixture
def program_team(db):
    """The "Program team" group; a transactional test may have emptied the database before."""
    ContentType.objects.clear_cache()  # a flush leaves the cache pointing at deleted rows
    return sync_program_team(apps)


@pytest.fixture
def staff(client, program_team):
    """A member of the program team, signed in on `client` (StaffFactory gives an
    authenticator app, which the admin asks for)."""
    from tests.factories import StaffFactory

    user = StaffFactory(name="Petra Staff")
    user.groups.add(program_team)
    client.force_login(user)
    return user


@pytest.fixture
def loopback_allowed(settings):
    """Lets fetch_url reach the test's own server on 127.0.0.1."""
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = True


@pytest.fixture(autouse=True)
def _outbox_nudges_on():
    """A test that took the broker down must not pause the next test's nudges."""
    yield
    outbox_nudge_resume()


@pytest.fixture
def celery_worker(settings):
    """A real Celery worker (a thread of this process) on the test broker, Redis."""
    from celery.contrib.testing.worker import start_worker

    from techgroups.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def sent_mail(db):
    """Returns the e-mails sent so far, once the outbox has delivered what is queued: a test's
    transaction never commits, so the worker is never nudged; the sweep stands in for it."""

    def sent() -> list:
        outbox_sweep()
        return mail.outbox

    return sent


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The visitor world (tests/world.py), built once for a test module."""
    yield from world_in_a_transaction(django_db_blocker)


@pytest.fixture
def world(shared_world, db) -> World:
    """The visitor world; what a test changes in it is rolled back after the test."""
    return shared_world


@pytest.fixture
def feed_url(settings) -> Iterator[str]:
    """A real iCal feed on 127.0.0.1 for the world's group to import."""
    yield from serve_feed(settings)
