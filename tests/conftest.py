import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from groups.outbox import outbox_nudge_resume
from groups.program_team import sync_program_team


@pytest.fixture
def program_team(db):
    """The "Program team" group; a transactional test may have emptied the database before."""
    ContentType.objects.clear_cache()  # a flush leaves the cache pointing at deleted rows
    return sync_program_team(apps)


@pytest.fixture(autouse=True)
def _outbox_nudges_on():
    """A test that took the broker down must not pause the next test's nudges."""
    yield
    outbox_nudge_resume()
