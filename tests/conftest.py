import pytest
from django.apps import apps

from groups.program_team import sync_program_team


@pytest.fixture
def program_team(db):
    """The "Program team" group; a transactional test may have emptied the database before."""
    return sync_program_team(apps)
