import pytest

from tests.builders import CO_LEADER, LEADER, lead, verified_user
from tests.factories import GroupFactory


@pytest.fixture
def group(db):
    return GroupFactory(admitted=True, name="Alpha Azure Circle")


@pytest.fixture
def leader(group):
    user = verified_user(email="lena@example.org", name="Lena Leader")
    lead(group, user=user, role=LEADER)
    return user


@pytest.fixture
def co_leader(group):
    user = verified_user(email="cody@example.org", name="Cody Coleader", preferred_language="sv")
    lead(group, user=user, role=CO_LEADER)
    return user


@pytest.fixture
def other_leader(db):
    other = GroupFactory(admitted=True, name="Bravo Cloud Guild")
    user = verified_user(email="otto@example.org", name="Otto Other")
    lead(other, user=user, role=LEADER)
    return user
