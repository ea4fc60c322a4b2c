"""Editing a group's details: only leader fields, bad input refused, every change recorded."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from groups.models import Group
from membership.forms import GroupEditForm
from tests.builders import leader_of, led_group
from tests.factories import StaffFactory
from tests.pages import GROUP_VISITORS, query_count, sign_in_as

pytestmark = pytest.mark.django_db

Status = Group.Status


def edit_url(group: Group) -> str:
    return reverse("groups:edit", kwargs={"slug": group.slug})


def form_data(group: Group, **changes) -> dict:
    """What the edit form posts when nothing is touched, with `changes` applied."""
    data = {
        "name": group.name,
        "city": group.city,
        "country": str(group.country),
        "timezone": group.timezone,
        "languages": group.languages,
        "description": group.description,
        "home_page_url": group.home_page_url,
        "code_of_conduct_url": group.code_of_conduct_url,
        "event_page_url": group.event_page_url,
        "ical_feed_url": group.ical_feed_url,
        "planned_meetings_per_year": group.planned_meetings_per_year or "",
    }
    return {**data, **changes}


@pytest.mark.parametrize(("visitor", "expected"), GROUP_VISITORS.items())
def test_edit_page_answers_each_visitor(client, visitor, expected):
    group = led_group(admitted=True)
    sign_in_as(client, visitor, group=group)

    assert client.get(edit_url(group)).status_code == expected


@pytest.mark.parametrize(("visitor", "expected"), GROUP_VISITORS.items())
def test_only_the_group_s_leaders_can_post_an_edit(client, visitor, expected):
    group = led_group(admitted=True, city="Lund")
    sign_in_as(client, visitor, group=group)

    client.post(edit_url(group), form_data(group, city="Hacked"))

    group.refresh_from_db()
    assert (group.city == "Hacked") == (expected == 200)


def test_the_edit_form_has_only_fields_a_leader_may_set():
    assert set(GroupEditForm().fields) == {
        "name",
        "city",
        "country",
        "timezone",
        "languages",
        "description",
        "home_page_url",
        "code_of_conduct_url",
        "event_page_url",
        "ical_feed_url",
        "planned_meetings_per_year",
    }


def test_an_edit_of_an_admitted_group_is_saved_and_recorded(client):
    group = led_group(admitted=True, city="Lund")
    co_leader = leader_of(group, role="co_leader")
    client.force_login(co_leader)

    response = client.post(edit_url(group), form_data(group, city="Malmö"), follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "groups:dashboard", kwargs={"slug": group.slug}
    )
    assert "Saved: City." in response.content.decode()
    group.refresh_from_db()
    assert group.city == "Malmö"
    entry = AuditEntry.objects.get(group=group)
    assert entry.action == AuditEntry.Action.GROUP_EDIT
    assert entry.actor == co_leader
    assert entry.changes == {"city": {"before": "Lund", "after": "Malmö"}}


def test_the_program_team_sees_a_leader_s_edit_in_the_admin(client, program_team):
    group = led_group(admitted=True, city="Lund")
    leader = leader_of(group)
    client.force_login(leader)
    client.post(edit_url(group), form_data(group, city="Malmö"))
    staff = StaffFactory()
    staff.groups.add(program_team)
    client.force_login(staff)

    group_page = client.get(reverse("admin:groups_group_change", args=[group.pk]))
    audit_list = client.get(
        reverse("admin:core_auditentry_changelist") + f"?group__id__exact={group.pk}"
    )

    assert group_page.status_code == 200
    assert "Edited: city" in group_page.content.decode()
    assert audit_list.status_code == 200
    assert "Edited: city" in audit_list.content.decode()
    assert leader.display_name in audit_list.content.decode()


def test_saving_without_changes_records_nothing(client):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))

    response = client.post(edit_url(group), form_data(group), follow=True)

    assert "Nothing changed." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_fields_a_leader_may_not_set_are_ignored_when_posted(client):
    group = led_group(status=Status.SUBMITTED)
    slug = group.slug
    client.force_login(leader_of(group))

    client.post(
        edit_url(group),
        form_data(
            group,
            status="admitted",
            slug="new-address",
            next_review_due="2030-01-01",
            version="99",
            admitted_at="2020-01-01 10:00",
        ),
    )

    group.refresh_from_db()
    assert group.status == Status.SUBMITTED
    assert group.slug == slug
    assert group.next_review_due is None
    assert group.admitted_at is None
    assert group.version == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("home_page_url", "ftp://example.org/", "Enter a web address that starts with https://"),
        ("code_of_conduct_url", "javascript:alert(1)", "Enter a web address that starts with"),
        ("event_page_url", "http://", "Enter a web address that starts with https://"),
        ("home_page_url", "", "This field is required."),
        ("name", "n" * 121, "Ensure this value has at most 120 characters (it has 121)."),
        ("description", "d" * 2001, "Ensure this value has at most 2000 characters"),
        ("planned_meetings_per_year", "-3", "Ensure this value is greater than or equal to 0."),
        ("languages", [], "Choose at least one language."),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(client, field, value, message):
    group = led_group(admitted=True, city="Lund")
    client.force_login(leader_of(group))

    response = client.post(edit_url(group), form_data(group, city="Malmö", **{field: value}))

    assert response.status_code == 200
    errors = [str(error) for error in response.context["form"].errors[field]]
    assert errors[0].startswith(message)
    assert "invalid-feedback" in response.content.decode()
    group.refresh_from_db()
    assert group.city == "Lund"
    assert not AuditEntry.objects.exists()


#: Links into a private network: the security review's three, and other spellings of them.
PRIVATE_LINKS = [
    "http://127.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/feed.ics",
    "http://10.1.2.3/conduct",
    "http://localhost:8000/feed.ics",
    "https://printer.local/conduct",
]


@pytest.mark.parametrize("url", PRIVATE_LINKS)
@pytest.mark.parametrize("field", ["code_of_conduct_url", "ical_feed_url"])
def test_a_link_into_a_private_network_is_refused_beside_the_field(client, field, url):
    group = led_group(admitted=True, city="Lund")
    client.force_login(leader_of(group))

    response = client.post(edit_url(group), form_data(group, city="Malmö", **{field: url}))

    assert response.status_code == 200
    errors = [str(error) for error in response.context["form"].errors[field]]
    assert len(errors) == 1
    assert "it is not on the public internet" in errors[0]
    assert "invalid-feedback" in response.content.decode()
    group.refresh_from_db()
    assert group.city == "Lund"
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("field", ["code_of_conduct_url", "ical_feed_url"])
def test_a_public_link_is_saved(client, field):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))

    url = "https://lund-azure.example.org/links"
    client.post(edit_url(group), form_data(group, **{field: url}))

    group.refresh_from_db()
    assert getattr(group, field) == url


def test_a_refused_edit_does_not_show_the_refused_name_in_the_page_header(client):
    group = led_group(admitted=True, name="Lund Azure")
    client.force_login(leader_of(group))

    response = client.post(edit_url(group), form_data(group, name="", city="Malmö"))

    assert response.context["group"].name == "Lund Azure"


def test_the_edit_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    group = led_group(admitted=True)
    client.force_login(leader_of(group))
    few = query_count(lambda: client.get(edit_url(group)))
    for _ in range(5):
        led_group()

    with django_assert_num_queries(few):
        client.get(edit_url(group))

    assert few == 4  # session, user, group, the layout's menu
