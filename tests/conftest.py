import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from groups.program_team import sync_program_team


@pytest.fixture
def program_team(db):
    """The "Program team" group; a transactional test may have emptied the database before."""
    ContentType.objects.clear_cache()  # a flush leaves the cache pointing at deleted rows
    return sync_program_team(apps)
