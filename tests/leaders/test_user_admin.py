"""The program team can fix a leader's Tech Community user ID in the admin."""

import pytest
from django.urls import reverse

from leaders.forms import TechCommunityIdField
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE_URL = "https://techcommunity.microsoft.com/t5/user/viewprofilepage/user-id/424242"


@pytest.fixture
def superuser_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def post_profile(client, user, tech_community_id):
    url = reverse("admin:leaders_user_change", args=[user.pk])
    data = {
        "email": user.email,
        "name": user.name,
        "preferred_language": "sv",
        "tech_community_id": tech_community_id,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    return client.post(url, data)


def test_profile_url_is_stored_as_the_number(superuser_client):
    user = UserFactory(tech_community_id=None)
    response = post_profile(superuser_client, user, PROFILE_URL)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.tech_community_id == 424242


def test_bad_tech_community_id_gets_a_message_and_changes_nothing(superuser_client):
    user = UserFactory(tech_community_id=111)
    response = post_profile(superuser_client, user, "https://evil.example.org/user-id/5")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["tech_community_id"]
    assert "Tech Community user ID" in errors[0]
    user.refresh_from_db()
    assert user.tech_community_id == 111


@pytest.mark.parametrize(
    ("given", "cleaned"), [("", None), (" 77 ", 77), (PROFILE_URL + "/", 424242)]
)
def test_tech_community_id_field_cleans_to_a_number_or_none(given, cleaned):
    assert TechCommunityIdField(required=False).clean(given) == cleaned
