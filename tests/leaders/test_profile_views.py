"""The profile page: name, preferred language and Tech Community user ID."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from leaders.models import User
from tests.factories import LeadershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("leaders:profile")
PROFILE_URL_ID = "https://techcommunity.microsoft.com/t5/user/viewprofilepage/user-id/654321"
INVALID_ID_MESSAGE = "Enter your Tech Community user ID"


def form_data(**overrides):
    return {
        "name": "Ada Lovelace",
        "preferred_language": "en",
        "tech_community_id": "",
        **overrides,
    }


@pytest.fixture
def user(client):
    user = UserFactory(name="Before", preferred_language="en", tech_community_id=None)
    client.force_login(user)
    return user


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


@pytest.mark.parametrize(
    "make_visitor",
    [
        lambda: LeadershipFactory().user,
        lambda: LeadershipFactory(role="co_leader").user,
        lambda: StaffFactory(),
        lambda: UserFactory(),
    ],
    ids=["leader", "co-leader", "staff", "no group yet"],
)
def test_every_signed_in_person_sees_their_own_profile(client, make_visitor):
    visitor = make_visitor()
    client.force_login(visitor)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["form"].initial["name"] == visitor.name
    assert visitor.email in response.content.decode()


def test_page_explains_where_to_find_the_tech_community_id(client, user):
    content = client.get(URL).content.decode()

    assert "<h1" in content
    assert re.search(r'<label\s+for="id_tech_community_id"', content)
    assert "techcommunity.microsoft.com" in content
    assert "My Profile" in content


def test_saving_the_profile_changes_it_and_returns_to_the_page(client, user):
    response = client.post(
        URL, form_data(preferred_language="en", tech_community_id="123456"), follow=True
    )

    assert response.redirect_chain == [(URL, 302)]
    assert "Your profile is saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.name, user.preferred_language, user.tech_community_id) == (
        "Ada Lovelace",
        "en",
        123456,
    )


def test_the_profile_address_is_taken_as_the_number(client, user):
    client.post(URL, form_data(tech_community_id=PROFILE_URL_ID))

    user.refresh_from_db()
    assert user.tech_community_id == 654321


def test_choosing_a_language_switches_the_portal_to_it(client, user):
    response = client.post(URL, form_data(preferred_language="sv"))

    assert response.cookies["django_language"].value == "sv"
    assert client.get(URL)["Content-Language"] == "sv"


@pytest.mark.parametrize(
    "value",
    [
        "-5",
        "0",
        "abc",
        "12.5",
        "https://example.com/t5/user/viewprofilepage/user-id/654321",
        "javascript:alert(1)",
        "9" * 30,
        "1" * 201,
    ],
)
def test_a_bad_tech_community_id_is_refused_beside_the_field(client, user, value):
    response = client.post(URL, form_data(tech_community_id=value))

    assert response.status_code == 200
    assert response.context["form"].errors["tech_community_id"]
    user.refresh_from_db()
    assert (user.name, user.tech_community_id) == ("Before", None)


def test_an_invalid_id_says_what_is_expected(client, user):
    response = client.post(URL, form_data(tech_community_id="abc"))

    assert INVALID_ID_MESSAGE in response.content.decode()


def test_a_tech_community_id_of_another_account_gets_a_clear_message(client, user):
    UserFactory(tech_community_id=654321)

    response = client.post(URL, form_data(tech_community_id="654321"))

    assert response.status_code == 200
    assert response.context["form"].errors["tech_community_id"] == [
        "Another account already uses this Tech Community user ID. Check the number; if it is "
        "yours, write to the program team."
    ]
    user.refresh_from_db()
    assert (user.name, user.tech_community_id) == ("Before", None)
    assert response.wsgi_request.user.name == "Before"  # the page shows the saved name


def test_an_overlong_name_is_refused(client, user):
    response = client.post(URL, form_data(name="x" * 151))

    assert response.context["form"].errors["name"]
    user.refresh_from_db()
    assert user.name == "Before"


def test_an_unknown_language_is_refused(client, user):
    response = client.post(URL, form_data(preferred_language="xx"))

    assert response.context["form"].errors["preferred_language"]
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_fields_that_are_not_on_the_form_are_ignored(client, user):
    client.post(URL, form_data(email="evil@example.org", is_staff="on", is_superuser="on"))

    user.refresh_from_db()
    assert user.email != "evil@example.org"
    assert not user.is_staff
    assert not user.is_superuser


def test_saving_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(URL, form_data())

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.name == "Before"


@pytest.mark.parametrize("others", [0, 25])
def test_page_runs_a_fixed_number_of_queries(client, user, django_assert_num_queries, others):
    for _ in range(others):
        LeadershipFactory(user=user)
        UserFactory()

    with django_assert_num_queries(3):  # the session, the user, the layout's menu
        response = client.get(URL)

    assert response.status_code == 200
    assert User.objects.count() == 1 + others


# No example database: property tests must not leave a .hypothesis folder in the project.
@hypothesis_settings(
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.text(max_size=200),
    language=st.sampled_from(["en", "sv", "", "xx", "EN"]) | st.text(max_size=10),
    tech_community_id=st.one_of(
        st.text(max_size=250),
        st.integers().map(str),
        st.integers(min_value=0).map(lambda n: f"{PROFILE_URL_ID.rsplit('/', 1)[0]}/{n}"),
    ),
)
def test_generated_input_never_breaks_the_profile_form(
    client, user, name, language, tech_community_id
):
    data = {"name": name, "preferred_language": language, "tech_community_id": tech_community_id}

    response = client.post(URL, data)

    assert response.status_code in {200, 302}
