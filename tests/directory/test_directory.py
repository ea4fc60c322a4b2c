"""The public group directory: who shows, search and filters, pages, no personal data,
queries, and the calendar feeds (parsed back with icalendar)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from icalendar import Calendar

from directory import selectors as directory
from groups.models import Group
from leaders.models import Leadership
from meetings.models import Meeting
from tests.builders import led_group
from tests.factories import GroupFactory, LeadershipFactory, MeetingFactory, UserFactory
from tests.pages import inline_code_in, text_of

pytestmark = pytest.mark.django_db

LIST_URL = reverse("directory:list")
PROGRAM_FEED_URL = reverse("directory:ics")

HIDDEN_STATUSES = [
    Group.Status.DRAFT,
    Group.Status.SUBMITTED,
    Group.Status.CHANGES_REQUESTED,
    Group.Status.DECLINED,
    Group.Status.INACTIVE,
    Group.Status.LEFT,
]


def group_url(group: Group) -> str:
    return reverse("directory:group", kwargs={"slug": group.slug})


def group_feed_url(group: Group) -> str:
    return reverse("directory:group_ics", kwargs={"slug": group.slug})


def soon(days: float = 7, hour: int = 17) -> datetime:
    """A time `days` from now, on the hour, in UTC."""
    when = timezone.now() + timedelta(days=days)
    return when.replace(hour=hour, minute=0, second=0, microsecond=0)


def upcoming(group: Group, *, days: float = 7, **fields) -> Meeting:
    starts_at = fields.pop("starts_at", soon(days))
    return MeetingFactory(
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        attendee_count=None,
        **fields,
    )


def names_listed(response) -> list[str]:
    return [entry.group.name for entry in response.context["entries"]]


def feed_events(response) -> list:
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")


def event_titles(response) -> list[str]:
    return [str(event["SUMMARY"]) for event in feed_events(response)]


# Who shows ---------------------------------------------------------------------------------


def test_list_shows_admitted_groups_by_name(client):
    GroupFactory(admitted=True, name="Zulu Azure")
    GroupFactory(admitted=True, name="Alpha Cloud")

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert names_listed(response) == ["Alpha Cloud", "Zulu Azure"]


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_group_that_is_not_admitted_is_not_listed(client, status):
    GroupFactory(admitted=True, name="Listed Group")
    GroupFactory(name="Hidden Group", status=status)

    response = client.get(LIST_URL)

    assert names_listed(response) == ["Listed Group"]
    assert "Hidden Group" not in response.content.decode()


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_page_of_a_group_that_is_not_admitted_is_not_found(client, status):
    group = GroupFactory(name="Hidden Group", status=status)

    response = client.get(group_url(group))

    assert response.status_code == 404
    assert "Hidden Group" not in response.content.decode()


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_feed_of_a_group_that_is_not_admitted_is_not_found(client, status):
    group = GroupFactory(status=status)
    upcoming(group)

    assert client.get(group_feed_url(group)).status_code == 404


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_program_feed_leaves_out_meetings_of_groups_that_are_not_admitted(client, status):
    upcoming(GroupFactory(admitted=True), title="Listed meeting")
    upcoming(GroupFactory(status=status), title="Hidden meeting")

    titles = event_titles(client.get(PROGRAM_FEED_URL))

    assert len(titles) == 1
    assert titles[0].startswith("Listed meeting")


def test_unknown_group_is_not_found(client):
    assert client.get(reverse("directory:group", kwargs={"slug": "nobody"})).status_code == 404
    assert client.get(reverse("directory:group_ics", kwargs={"slug": "nobody"})).status_code == 404


def test_group_that_left_disappears_from_the_directory(client):
    group = GroupFactory(admitted=True, name="Leaving Group")
    upcoming(group, title="Farewell meetup")
    assert client.get(group_url(group)).status_code == 200

    Group.objects.filter(pk=group.pk).update(status=Group.Status.LEFT)

    assert names_listed(client.get(LIST_URL)) == []
    assert client.get(group_url(group)).status_code == 404
    assert client.get(group_feed_url(group)).status_code == 404
    assert event_titles(client.get(PROGRAM_FEED_URL)) == []


# Search and filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("kubernetes", ["Kubernetes Friends"]),  # name, any case
        ("göteborg", ["Gothenburg Azure"]),  # city
        ("serverless", ["Malmö Cloud"]),  # description
        ("  KUBERNETES  ", ["Kubernetes Friends"]),  # surrounding spaces are ignored
    ],
)
def test_search_looks_in_name_city_and_description(client, search, expected):
    GroupFactory(admitted=True, name="Kubernetes Friends", city="Stockholm")
    GroupFactory(admitted=True, name="Gothenburg Azure", city="Göteborg")
    GroupFactory(
        admitted=True, name="Malmö Cloud", city="Malmö", description="Serverless evenings."
    )

    response = client.get(LIST_URL, {"q": search})

    assert names_listed(response) == expected


def test_search_without_match_says_so_and_offers_everything(client):
    GroupFactory(admitted=True, name="Alpha Cloud")

    response = client.get(LIST_URL, {"q": "cobol"})

    assert names_listed(response) == []
    content = response.content.decode()
    assert "No group matches this search." in content
    assert f'href="{LIST_URL}"' in content


def test_country_filter_shows_groups_of_that_country(client):
    GroupFactory(admitted=True, name="Swedish Group", country="SE", city="Uppsala")
    GroupFactory(admitted=True, name="Finnish Group", country="FI", city="Helsinki")

    response = client.get(LIST_URL, {"country": "FI"})

    assert names_listed(response) == ["Finnish Group"]


def test_city_filter_shows_groups_of_that_city(client):
    GroupFactory(admitted=True, name="Uppsala Group", city="Uppsala")
    GroupFactory(admitted=True, name="Lund Group", city="Lund")

    response = client.get(LIST_URL, {"city": "Lund"})

    assert names_listed(response) == ["Lund Group"]


def test_search_and_filters_combine(client):
    GroupFactory(admitted=True, name="Azure Uppsala", country="SE", city="Uppsala")
    GroupFactory(
        admitted=True, name="Data Uppsala", country="SE", city="Uppsala", description="Data."
    )
    GroupFactory(admitted=True, name="Azure Helsinki", country="FI", city="Helsinki")

    response = client.get(LIST_URL, {"q": "azure", "country": "SE", "city": "Uppsala"})

    assert names_listed(response) == ["Azure Uppsala"]


def test_filter_choices_are_the_countries_and_cities_of_admitted_groups(client):
    GroupFactory(admitted=True, country="SE", city="Uppsala")
    GroupFactory(admitted=True, country="FI", city="Helsinki")
    GroupFactory(admitted=True, country="FI", city="helsinki")  # spelt differently, listed once
    GroupFactory(status=Group.Status.DECLINED, country="NO", city="Bergen")

    form = client.get(LIST_URL).context["form"]

    assert [code for code, _name in form.fields["country"].choices] == ["", "FI", "SE"]
    assert [city for city, _name in form.fields["city"].choices] == ["", "Helsinki", "Uppsala"]


def test_city_choices_follow_the_chosen_country(client):
    GroupFactory(admitted=True, country="SE", city="Uppsala")
    GroupFactory(admitted=True, country="FI", city="Helsinki")

    form = client.get(LIST_URL, {"country": "SE"}).context["form"]

    assert [city for city, _name in form.fields["city"].choices] == ["", "Uppsala"]


def test_countries_are_named_in_the_visitor_s_language(client):
    GroupFactory(admitted=True, country="DE", city="Berlin", name="Berlin Azure")

    content = client.get(LIST_URL, headers={"accept-language": "sv"}).content.decode()

    assert "Berlin, Tyskland" in content


def test_unknown_country_is_reported_and_ignored(client):
    GroupFactory(admitted=True, name="Swedish Group", country="SE")

    response = client.get(LIST_URL, {"country": "XX"})

    assert response.status_code == 200
    assert names_listed(response) == ["Swedish Group"]
    assert "No listed group is in that country: showing all." in response.content.decode()


def test_city_outside_the_chosen_country_is_reported_and_ignored(client):
    GroupFactory(admitted=True, name="Swedish Group", country="SE", city="Uppsala")
    GroupFactory(admitted=True, name="Finnish Group", country="FI", city="Helsinki")

    response = client.get(LIST_URL, {"country": "SE", "city": "Helsinki"})

    assert names_listed(response) == ["Swedish Group"]
    assert "No listed group is in that city: showing all." in response.content.decode()


def test_too_long_search_is_reported_and_ignored(client):
    GroupFactory(admitted=True, name="Alpha Cloud")

    response = client.get(LIST_URL, {"q": "x" * 101})

    assert names_listed(response) == ["Alpha Cloud"]
    assert "Use at most 100 characters: showing every group." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"q": "%"},
        {"q": "_"},
        {"q": "' OR 1=1 --"},
        {"q": "<script>alert(1)</script>"},
        {"country": ["SE", "FI"]},
        {"city": "x" * 5000},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "1e9"},
        {"page": str(2**70)},
        {"page": "9999"},
        {"unknown": "value"},
    ],
)
def test_bad_query_never_fails(client, query):
    GroupFactory(admitted=True, name="Alpha Cloud", country="SE", city="Uppsala")

    response = client.get(LIST_URL, query)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("query", [{"q": "\x00"}, {"country": "\x00"}, {"city": "a\x01b"}])
def test_a_control_character_in_the_query_gets_400_before_the_list(client, query):
    """OddInputMiddleware answers before the view (tests/test_odd_input.py)."""
    response = client.get(LIST_URL, query)

    assert response.status_code == 400


@pytest.fixture
def listed_groups():
    GroupFactory(admitted=True, name="Alpha Cloud", country="SE", city="Uppsala")
    GroupFactory(admitted=True, name="Bravo Azure", country="FI", city="Helsinki")


#: Control characters a query string never carries (OddInputMiddleware answers 400 for them).
REFUSED_CONTROLS = "".join(map(chr, [*range(9), 11, 12, *range(14, 32), 127]))
QUERY_VALUES = st.one_of(
    st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters=REFUSED_CONTROLS),
        max_size=300,
    ),
    st.sampled_from(["SE", "FI", "Uppsala", "2", "-1", "9" * 30]),
)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["q", "country", "city", "page"]),
        st.one_of(QUERY_VALUES, st.lists(QUERY_VALUES, max_size=3)),
    )
)
def test_any_query_gets_the_list_page(listed_groups, query):
    response = Client().get(LIST_URL, query)

    assert response.status_code == 200


def test_search_treats_like_wildcards_as_plain_characters(client):
    GroupFactory(admitted=True, name="Alpha Cloud")
    GroupFactory(admitted=True, name="100% Azure")

    assert names_listed(client.get(LIST_URL, {"q": "%"})) == ["100% Azure"]


def test_only_get_and_head_are_answered(client):
    group = GroupFactory(admitted=True)
    for url in (LIST_URL, group_url(group), group_feed_url(group), PROGRAM_FEED_URL):
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405


# Pages -------------------------------------------------------------------------------------


def make_groups(count: int) -> list[Group]:
    return [GroupFactory(admitted=True, name=f"Group {number:03d}") for number in range(count)]


def test_list_shows_24_groups_a_page(client):
    make_groups(30)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": "2"})

    assert len(names_listed(first)) == 24
    assert names_listed(first)[0] == "Group 000"
    assert names_listed(second) == [f"Group {number:03d}" for number in range(24, 30)]
    assert first.context["page"].paginator.count == 30


def test_page_beyond_the_last_shows_the_last_page(client):
    make_groups(30)

    response = client.get(LIST_URL, {"page": "99"})

    assert response.context["page"].number == 2
    assert len(names_listed(response)) == 6


def test_page_links_keep_the_search_and_filters(client):
    for number in range(30):
        GroupFactory(admitted=True, name=f"Azure {number:03d}", country="SE", city="Uppsala")

    content = client.get(LIST_URL, {"q": "azure", "country": "SE"}).content.decode()

    assert 'href="?q=azure&amp;country=SE&amp;page=2"' in content


def test_list_shows_place_languages_links_and_count(client):
    GroupFactory(
        admitted=True,
        name="Alpha Cloud",
        city="Uppsala",
        country="SE",
        languages=["sv", "en"],
        home_page_url="https://alpha.example.org/",
        event_page_url="https://meetup.example.org/alpha/",
        code_of_conduct_url="https://alpha.example.org/conduct",
    )

    content = client.get(LIST_URL).content.decode()

    assert "Uppsala, Sweden" in content
    assert "Swedish" in content and "English" in content
    assert 'href="https://alpha.example.org/"' in content
    assert 'href="https://meetup.example.org/alpha/"' in content
    assert 'href="https://alpha.example.org/conduct"' in content
    assert "1 group" in text_of(content)


def test_list_shows_each_group_s_next_meeting_in_its_time_zone(client):
    group = GroupFactory(admitted=True, name="New York Azure", timezone="America/New_York")
    starts_at = datetime(2099, 1, 15, 23, 30, tzinfo=UTC)  # 18:30 in New York
    upcoming(group, title="Later meetup", starts_at=starts_at + timedelta(days=7))
    upcoming(group, title="Next meetup", starts_at=starts_at)
    MeetingFactory(group=group, title="Past meetup")  # 30 days ago

    content = client.get(LIST_URL).content.decode()

    assert "Next meetup" in content
    assert "Thu 15 Jan 2099, 18:30" in content
    assert "America/New_York" in content
    assert "Later meetup" not in content
    assert "Past meetup" not in content


def test_meeting_in_progress_is_still_the_next_meeting(client):
    group = GroupFactory(admitted=True)
    now = timezone.now()
    MeetingFactory(
        group=group,
        title="Happening now",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )

    response = client.get(LIST_URL)

    assert response.context["entries"][0].group.next_meeting_title == "Happening now"


def test_group_without_planned_meeting_says_so(client):
    group = GroupFactory(admitted=True)
    MeetingFactory(group=group, title="Past meetup")

    content = client.get(LIST_URL).content.decode()

    assert "No meeting planned yet." in content
    assert "Past meetup" not in content


def test_group_page_shows_the_group_s_public_details(client):
    group = GroupFactory(
        admitted=True,
        name="Alpha Cloud",
        city="Uppsala",
        country="SE",
        languages=["sv", "en"],
        description="Monthly talks about <b>Azure</b>.",
        home_page_url="https://alpha.example.org/",
        event_page_url="https://meetup.example.org/alpha/",
        code_of_conduct_url="https://alpha.example.org/conduct",
    )

    response = client.get(group_url(group))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1" in content and content.count("<h1") == 1
    assert "Alpha Cloud" in content
    assert "Uppsala, Sweden" in content
    assert "Swedish, English" in content
    assert "Monthly talks about &lt;b&gt;Azure&lt;/b&gt;." in content
    assert 'href="https://alpha.example.org/"' in content
    assert 'href="https://meetup.example.org/alpha/"' in content
    assert 'href="https://alpha.example.org/conduct"' in content
    assert f'href="{group_feed_url(group)}"' in content


def test_group_page_lists_the_next_five_meetings_in_the_group_s_time_zone(client):
    group = GroupFactory(admitted=True, timezone="Asia/Tokyo")
    first = datetime(2099, 5, 4, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo
    for number in range(7):
        upcoming(group, title=f"Meetup {number}", starts_at=first + timedelta(days=30 * number))
    MeetingFactory(group=group, title="Past meetup")

    response = client.get(group_url(group))

    assert [meeting.title for meeting in response.context["meetings"]] == [
        f"Meetup {number}" for number in range(5)
    ]
    content = response.content.decode()
    assert "Mon 4 May 2099, 18:00" in content
    assert "Asia/Tokyo" in content
    assert "Past meetup" not in content


def test_group_page_shows_the_place_but_not_the_online_link(client):
    group = GroupFactory(admitted=True)
    upcoming(
        group,
        title="Hybrid night",
        format=Meeting.Format.HYBRID,
        venue="The Library, Main Street 1",
        online_url="https://teams.example.org/join?pwd=secret",
        topics="Bicep, Functions",
    )

    content = client.get(group_url(group)).content.decode()

    assert "The Library, Main Street 1" in content
    assert "Hybrid" in content
    assert "Bicep, Functions" in content
    assert "secret" not in content


def test_group_without_meetings_says_none_is_planned(client):
    group = GroupFactory(admitted=True)

    content = client.get(group_url(group)).content.decode()

    assert "No meeting is planned yet." in content


@pytest.mark.parametrize("page", ["list", "group"])
def test_directory_pages_have_no_inline_code_and_one_heading(client, page):
    group = GroupFactory(admitted=True)
    upcoming(group)
    url = LIST_URL if page == "list" else group_url(group)

    content = client.get(url).content.decode()

    found = inline_code_in(content)
    assert found.problems == []
    assert found.external == []
    assert content.count("<h1") == 1
    assert 'id="main"' in content


def test_list_form_fields_have_labels(client):
    GroupFactory(admitted=True)

    content = client.get(LIST_URL).content.decode()

    for field in ("q", "country", "city"):
        assert f'for="id_{field}"' in content


def test_navigation_home_page_and_footer_link_to_the_directory(client):
    content = client.get(reverse("home")).content.decode()

    assert content.count(f'href="{LIST_URL}"') == 3
    assert f'href="{LIST_URL}">Groups</a>' in content
    assert f'href="{LIST_URL}">Find a group</a>' in content


def test_leader_of_an_admitted_group_finds_the_directory_in_the_footer(client):
    """Their menu already holds calls, content and news: the directory link would wrap it."""
    client.force_login(LeadershipFactory(group=GroupFactory(admitted=True)).user)

    content = client.get(reverse("groups:list")).content.decode()

    assert f'href="{LIST_URL}">Groups</a>' not in content
    assert f'href="{LIST_URL}">Find a group</a>' in content


def test_applicant_finds_the_directory_in_the_menu(client):
    client.force_login(LeadershipFactory(group=GroupFactory()).user)

    content = client.get(reverse("groups:list")).content.decode()

    assert f'href="{LIST_URL}">Groups</a>' in content


def test_navigation_marks_the_directory_as_the_current_page(client):
    content = client.get(LIST_URL).content.decode()

    assert f'href="{LIST_URL}" aria-current="page"' in content


# No personal data --------------------------------------------------------------------------


@pytest.fixture
def group_with_private_leaders():
    """An admitted group with a leader and co-leader whose details must never show."""
    group = led_group(
        admitted=True,
        name="Alpha Cloud",
        leader=UserFactory(name="Lena Leaderson", email="lena.private@example.org"),
        co_leader=UserFactory(name="Cody Coleaderson", email="cody.private@example.org"),
    )
    upcoming(group, title="Azure night")
    return group


def personal_data(group: Group) -> list[str]:
    users = [leadership.user for leadership in Leadership.objects.filter(group=group)]
    return [
        value for user in users for value in (user.name, user.email, str(user.tech_community_id))
    ]


@pytest.mark.parametrize("page", ["list", "group", "group-feed", "program-feed"])
def test_no_leader_data_appears_publicly(client, group_with_private_leaders, page):
    url = {
        "list": LIST_URL,
        "group": group_url(group_with_private_leaders),
        "group-feed": group_feed_url(group_with_private_leaders),
        "program-feed": PROGRAM_FEED_URL,
    }[page]

    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Alpha Cloud" in content
    leaked = [value for value in personal_data(group_with_private_leaders) if value in content]
    assert leaked == []
    assert "@example.org" not in content


def test_signed_in_leader_sees_the_same_public_page(client, group_with_private_leaders):
    client.force_login(Leadership.objects.filter(group=group_with_private_leaders).first().user)

    response = client.get(group_url(group_with_private_leaders))

    assert response.status_code == 200
    assert "cody.private@example.org" not in response.content.decode()


# Queries -----------------------------------------------------------------------------------


def build_directory(count: int) -> Group:
    """`count` admitted groups in a few places, each with past and upcoming meetings and
    leaders, and a hidden group; returns the first group."""
    places = [("SE", "Uppsala"), ("FI", "Helsinki"), ("NO", "Oslo")]
    groups = []
    for number in range(count):
        country, city = places[number % len(places)]
        group = GroupFactory(
            admitted=True, name=f"Azure Group {number:03d}", country=country, city=city
        )
        LeadershipFactory(group=group)
        MeetingFactory(group=group)
        upcoming(group, days=3 + number % 5)
        upcoming(group, days=40)
        groups.append(group)
    GroupFactory(status=Group.Status.LEFT)
    return groups[0]


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    "query", [{}, {"q": "azure", "country": "SE", "city": "Uppsala"}, {"page": "2"}]
)
def test_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count, query):
    build_directory(count)

    # places (countries and cities), count, page of groups (next meeting included)
    with django_assert_num_queries(3):
        response = client.get(LIST_URL, query)

    assert response.status_code == 200
    assert response.context["entries"]


@pytest.mark.parametrize("count", [3, 30])
def test_list_for_a_signed_in_leader_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    first = build_directory(count)
    client.force_login(Leadership.objects.filter(group=first).first().user)

    # session, user, the menu's admitted-group check, then the three of the list
    with django_assert_num_queries(6):
        client.get(LIST_URL)


@pytest.mark.parametrize("count", [1, 12])
def test_group_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    group = GroupFactory(admitted=True)
    for number in range(count):
        upcoming(group, days=1 + number)
        MeetingFactory(group=group)

    # group, its next meetings
    with django_assert_num_queries(2):
        response = client.get(group_url(group))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_feeds_run_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    first = build_directory(count)

    with django_assert_num_queries(2):  # group, meetings
        client.get(group_feed_url(first))
    with django_assert_num_queries(1):  # meetings with their groups
        response = client.get(PROGRAM_FEED_URL)

    assert len(feed_events(response)) == 2 * count


# Calendar feeds ----------------------------------------------------------------------------


def test_group_feed_is_a_calendar_of_the_group_s_upcoming_meetings(client):
    group = GroupFactory(
        admitted=True,
        name="Alpha Cloud",
        slug="alpha-cloud",
        timezone="America/New_York",
        event_page_url="https://meetup.example.org/alpha/",
    )
    starts_at = soon(days=10).replace(minute=30)
    later = upcoming(group, title="Second", starts_at=starts_at + timedelta(days=14))
    first = upcoming(group, title="First", starts_at=starts_at, venue="The Library", topics="Bicep")
    MeetingFactory(group=group, title="Past")
    upcoming(GroupFactory(admitted=True), title="Another group's")

    response = client.get(group_feed_url(group))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="alpha-cloud-meetings.ics"'
    assert response["Cache-Control"] == "max-age=900"
    assert "Cookie" in response["Vary"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Alpha Cloud meetings"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert b"\r\nX-PUBLISHED-TTL:PT6H\r\n" in response.content
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in response.content
    events = calendar.walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [
        directory.meeting_uid(first),
        directory.meeting_uid(later),
    ]
    event = events[0]
    assert str(event["SUMMARY"]) == "First (Alpha Cloud)"
    assert event.decoded("DTSTART") == starts_at
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == starts_at + timedelta(hours=2)
    assert str(event["LOCATION"]) == "The Library"
    assert str(event["URL"]) == "https://meetup.example.org/alpha/"
    description = str(event["DESCRIPTION"])
    assert "Bicep" in description
    assert f"http://testserver{group_url(group)}" in description


def test_meeting_keeps_its_uid_when_it_changes(client):
    group = GroupFactory(admitted=True)
    meeting = upcoming(group, title="Before")
    before = [str(event["UID"]) for event in feed_events(client.get(group_feed_url(group)))]

    Meeting.objects.filter(pk=meeting.pk).update(
        title="After",
        starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1),
    )
    after = feed_events(client.get(group_feed_url(group)))

    assert [str(event["UID"]) for event in after] == before
    assert str(after[0]["SUMMARY"]).startswith("After")


def test_program_feed_holds_every_admitted_group_s_meetings_soonest_first(client):
    alpha = GroupFactory(admitted=True, name="Alpha Cloud")
    bravo = GroupFactory(admitted=True, name="Bravo Azure")
    upcoming(alpha, title="Alpha later", days=10)
    upcoming(bravo, title="Bravo soon", days=2)
    MeetingFactory(group=alpha, title="Alpha past")

    response = client.get(PROGRAM_FEED_URL)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Tech Groups meetings"
    assert event_titles(response) == ["Bravo soon (Bravo Azure)", "Alpha later (Alpha Cloud)"]
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(set(uids)) == 2


def test_program_feed_covers_the_next_90_days_only(client):
    group = GroupFactory(admitted=True)
    upcoming(group, title="Within", days=89)
    upcoming(group, title="Beyond", days=91)

    assert [title.split(" (")[0] for title in event_titles(client.get(PROGRAM_FEED_URL))] == [
        "Within"
    ]


def test_program_feed_is_capped(client, monkeypatch):
    monkeypatch.setattr(directory, "PROGRAM_FEED_LIMIT", 3)
    group = GroupFactory(admitted=True)
    for number in range(5):
        upcoming(group, title=f"Meetup {number}", days=1 + number)

    titles = event_titles(client.get(PROGRAM_FEED_URL))

    assert [title.split(" (")[0] for title in titles] == ["Meetup 0", "Meetup 1", "Meetup 2"]


def test_group_feed_covers_the_coming_year(client):
    group = GroupFactory(admitted=True)
    upcoming(group, title="In eleven months", days=330)
    upcoming(group, title="In two years", days=730)

    titles = event_titles(client.get(group_feed_url(group)))

    assert [title.split(" (")[0] for title in titles] == ["In eleven months"]


def test_feed_of_an_online_meeting_says_online_without_the_link(client):
    group = GroupFactory(admitted=True)
    upcoming(
        group,
        format=Meeting.Format.ONLINE,
        venue="",
        online_url="https://teams.example.org/join?pwd=secret",
    )

    response = client.get(group_feed_url(group))

    event = feed_events(response)[0]
    assert str(event["LOCATION"]) == "Online"
    assert "secret" not in response.content.decode()


def test_empty_feed_is_still_a_valid_calendar(client):
    group = GroupFactory(admitted=True, name="Quiet Group")

    calendar = Calendar.from_ical(client.get(group_feed_url(group)).content)

    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Quiet Group meetings"


# Selectors ---------------------------------------------------------------------------------


def test_directory_groups_annotates_the_next_meeting_at_the_given_time():
    group = GroupFactory(admitted=True)
    now = datetime(2099, 6, 1, 12, 0, tzinfo=UTC)
    upcoming(group, title="June", starts_at=datetime(2099, 6, 10, 17, 0, tzinfo=UTC))
    upcoming(group, title="May", starts_at=datetime(2099, 5, 10, 17, 0, tzinfo=UTC))

    (found,) = directory.directory_groups(now=now)

    assert found.next_meeting_title == "June"
    assert found.next_meeting_starts_at == datetime(2099, 6, 10, 17, 0, tzinfo=UTC)


def test_group_zone_falls_back_to_utc_for_an_unknown_zone():
    group = GroupFactory.build(timezone="Mars/Olympus_Mons")

    assert directory.group_zone(group) == ZoneInfo("UTC")


def test_language_names_keeps_an_unknown_code():
    assert directory.language_names(["sv", "xx"]) == ["Swedish", "xx"]


@pytest.mark.parametrize("stored", [None, "sv", {"sv": True}])
def test_language_names_of_a_malformed_value_is_empty(stored):
    assert directory.language_names(stored) == []


@pytest.mark.parametrize(
    ("meeting_format", "venue", "expected"),
    [
        (Meeting.Format.IN_PERSON, "The Library", "The Library"),
        (Meeting.Format.ONLINE, "The Library", "Online"),
        (Meeting.Format.HYBRID, "The Library", "The Library (and online)"),
        (Meeting.Format.HYBRID, "", "Online"),
        (Meeting.Format.IN_PERSON, "", ""),
    ],
)
def test_meeting_location_names_the_place_or_online(meeting_format, venue, expected):
    meeting = Meeting(format=meeting_format, venue=venue)

    assert directory.meeting_location(meeting) == expected
