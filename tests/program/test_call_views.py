"""The quarterly calls page: who may see it, upcoming and past calls, times in the group's zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group
from program.models import QuarterlyCall
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    QuarterlyCallFactory,
    StaffFactory,
    UserFactory,
)
from tests.pages import (
    PROGRAM_VISITORS,
    admitted_leader,
    assert_explains_admission,
    assert_sent_to_login,
    inline_code_in,
    sign_in_as,
    text_of,
)

pytestmark = pytest.mark.django_db

CALLS_URL = reverse("program:calls")


@pytest.mark.parametrize(("visitor", "status"), PROGRAM_VISITORS.items())
def test_calls_page_answers_each_kind_of_visitor(client, visitor, status):
    sign_in_as(client, visitor)

    response = client.get(CALLS_URL)

    assert response.status_code == status


def test_anonymous_visitor_is_sent_to_login(client):
    assert_sent_to_login(client.get(CALLS_URL), CALLS_URL)


@pytest.mark.parametrize("visitor", ["applicant", "leader_of_group_that_left", "staff"])
def test_visitor_without_admitted_group_gets_a_page_that_explains_when_calls_open(client, visitor):
    sign_in_as(client, visitor)

    assert_explains_admission(client.get(CALLS_URL))


@pytest.mark.parametrize(
    "status",
    [Group.Status.DRAFT, Group.Status.CHANGES_REQUESTED, Group.Status.DECLINED],
)
def test_leader_of_a_group_not_admitted_gets_403(client, status):
    client.force_login(LeadershipFactory(group=GroupFactory(status=status)).user)

    assert client.get(CALLS_URL).status_code == 403


def test_former_leader_of_an_admitted_group_gets_403(client):
    leadership = LeadershipFactory(group=GroupFactory(admitted=True), ended_at=timezone.now())
    client.force_login(leadership.user)

    assert client.get(CALLS_URL).status_code == 403


def test_staff_member_who_leads_an_admitted_group_sees_the_calls(client):
    staff = StaffFactory()
    LeadershipFactory(group=GroupFactory(admitted=True), user=staff)
    client.force_login(staff)

    assert client.get(CALLS_URL).status_code == 200


def test_upcoming_calls_are_listed_soonest_first_with_agenda_and_join_link(client):
    admitted_leader(client)
    now = timezone.now()
    later = QuarterlyCallFactory(title="Q3 call", starts_at=now + timedelta(days=90))
    sooner = QuarterlyCallFactory(
        title="Q2 call",
        starts_at=now + timedelta(days=5),
        agenda="1. Welcome\n2. <b>Questions</b>",
        join_url="https://meet.example.org/q2",
    )

    response = client.get(CALLS_URL)
    content = response.content.decode()

    assert [call.pk for call in response.context["upcoming_calls"]] == [sooner.pk, later.pk]
    assert content.index("Q2 call") < content.index("Q3 call")
    assert "1. Welcome<br>2. &lt;b&gt;Questions&lt;/b&gt;" in content
    assert 'href="https://meet.example.org/q2"' in content
    assert reverse("program:call_ics", args=[sooner.pk]) in content


def test_call_time_is_shown_in_the_groups_time_zone_with_its_name_and_in_utc(client):
    admitted_leader(client, timezone="Europe/Stockholm", name="Stockholm Azure")
    starts_at = datetime(2099, 3, 12, 16, 0, tzinfo=UTC)  # a Thursday
    QuarterlyCallFactory(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=75))

    content = client.get(CALLS_URL).content.decode()

    assert "Thursday 12 March 2099, 17:00–18:15 (Europe/Stockholm)" in text_of(content)
    assert "12 Mar, 16:00–17:15 UTC" in content
    assert "Stockholm Azure" in content


def test_call_time_follows_another_groups_time_zone(client):
    admitted_leader(client, timezone="America/New_York")
    starts_at = datetime(2099, 3, 12, 16, 0, tzinfo=UTC)
    QuarterlyCallFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))

    content = client.get(CALLS_URL).content.decode()

    assert "Thursday 12 March 2099, 12:00–13:00 (America/New_York)" in text_of(content)


def test_time_zone_is_that_of_the_first_admitted_group_the_viewer_leads(client):
    user = admitted_leader(client, timezone="Asia/Tokyo")
    GroupFactory(admitted=True, timezone="Europe/London")
    later_group = GroupFactory(admitted=True, timezone="Europe/London")
    later_group.admitted_at = timezone.now()
    later_group.save()
    LeadershipFactory(group=later_group, user=user)
    GroupFactory(timezone="America/Chicago")  # not admitted, not led

    response = client.get(CALLS_URL)

    assert response.context["viewer_timezone"].key == "Asia/Tokyo"


def test_unknown_group_time_zone_falls_back_to_utc(client):
    user = admitted_leader(client)
    Group.objects.filter(leaderships__user=user).update(timezone="Mars/Olympus_Mons")
    QuarterlyCallFactory()

    response = client.get(CALLS_URL)

    assert response.status_code == 200
    assert response.context["viewer_timezone"].key == "UTC"


def test_cancelled_upcoming_call_is_marked_cancelled_without_a_join_link(client):
    admitted_leader(client)
    QuarterlyCallFactory(
        title="Cancelled call",
        status=QuarterlyCall.Status.CANCELLED,
        join_url="https://meet.example.org/cancelled",
    )

    content = client.get(CALLS_URL).content.decode()

    assert "Cancelled call" in content
    assert "This call is cancelled" in content
    assert "https://meet.example.org/cancelled" not in content
    assert "Update your calendar (.ics)" in content


def test_call_in_progress_is_still_upcoming_and_marked_as_happening(client):
    admitted_leader(client)
    now = timezone.now()
    QuarterlyCallFactory(
        title="Running call",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        join_url="https://meet.example.org/running",
    )

    response = client.get(CALLS_URL)

    assert [call.title for call in response.context["upcoming_calls"]] == ["Running call"]
    assert "Happening now" in response.content.decode()
    assert "https://meet.example.org/running" in response.content.decode()


def test_past_calls_are_listed_newest_first_with_recording_and_slides(client):
    admitted_leader(client)
    now = timezone.now()
    older = QuarterlyCallFactory(
        title="Old call",
        starts_at=now - timedelta(days=200),
        recording_url="https://video.example.org/old",
    )
    newer = QuarterlyCallFactory(
        title="Recent call",
        starts_at=now - timedelta(days=20),
        recording_url="https://video.example.org/recent",
        slides_url="https://slides.example.org/recent.pdf",
    )

    response = client.get(CALLS_URL)
    content = response.content.decode()

    assert list(response.context["page"].object_list) == [newer, older]
    assert response.context["upcoming_calls"] == []
    assert 'href="https://video.example.org/recent"' in content
    assert 'href="https://slides.example.org/recent.pdf"' in content
    assert 'href="https://video.example.org/old"' in content


def test_past_call_without_recording_says_it_is_coming_soon(client):
    admitted_leader(client)
    QuarterlyCallFactory(starts_at=timezone.now() - timedelta(days=2), recording_url="")

    assert "Recording coming soon" in client.get(CALLS_URL).content.decode()


def test_cancelled_past_call_is_not_listed(client):
    admitted_leader(client)
    QuarterlyCallFactory(
        title="Never held",
        starts_at=timezone.now() - timedelta(days=2),
        status=QuarterlyCall.Status.CANCELLED,
    )

    assert "Never held" not in client.get(CALLS_URL).content.decode()


def test_past_calls_are_paginated_and_a_bad_page_number_shows_a_page(client):
    admitted_leader(client)
    now = timezone.now()
    for number in range(10):
        QuarterlyCallFactory(starts_at=now - timedelta(days=100 + number))

    second = client.get(CALLS_URL, {"page": "2"})
    bad = client.get(CALLS_URL, {"page": "nonsense"})

    assert len(second.context["page"].object_list) == 2
    assert bad.status_code == 200
    assert bad.context["page"].number == 1


def test_page_without_calls_says_none_is_scheduled(client):
    admitted_leader(client)

    content = client.get(CALLS_URL).content.decode()

    assert "No call is scheduled yet" in content
    assert "No call has taken place yet" in content


def build_calls(count: int) -> None:
    now = timezone.now()
    for number in range(count):
        QuarterlyCallFactory(starts_at=now + timedelta(days=1 + number))
        QuarterlyCallFactory(
            starts_at=now - timedelta(days=1 + number),
            status=QuarterlyCall.Status.CANCELLED if number % 5 == 4 else "scheduled",
        )


@pytest.mark.parametrize("count", [1, 30])
def test_calls_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    admitted_leader(client)
    build_calls(count)

    # session, user, access check, viewer's group, upcoming calls, past count, past page
    # One more: the program rules banner (the view answers the menu itself).
    with django_assert_num_queries(8):
        response = client.get(CALLS_URL)

    assert response.status_code == 200


def test_calls_page_is_translated_to_swedish(client):
    admitted_leader(client)
    client.cookies["django_language"] = "sv"
    starts_at = datetime(2099, 3, 12, 16, 0, tzinfo=UTC)
    QuarterlyCallFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))

    response = client.get(CALLS_URL)

    assert response.status_code == 200
    assert "mars" in response.content.decode()


def test_signed_in_person_who_leads_no_group_gets_403(client):
    client.force_login(UserFactory())

    assert client.get(CALLS_URL).status_code == 403


@pytest.mark.parametrize("url_name", ["program:calls", "program:content", "program:news"])
@pytest.mark.parametrize("visitor", ["admitted_leader", "applicant"])
def test_program_pages_hold_no_inline_code_or_external_assets(client, url_name, visitor):
    QuarterlyCallFactory(agenda="<script>alert(1)</script>")
    sign_in_as(client, visitor)

    html = client.get(reverse(url_name)).content.decode()
    finder = inline_code_in(html)

    assert finder.problems == []
    assert finder.external == []
    assert html.count("<h1") == 1
