"""The meeting pages: who may use them, what they show, what they refuse, what they cost."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group
from leaders.models import Leadership
from meetings import imports, services
from meetings.forms import MeetingForm
from meetings.models import FeedImport, Meeting
from meetings.selectors import group_time_zone as group_zone
from tests.factories import (
    FeedImportFactory,
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    StaffFactory,
)
from tests.pages import inline_code_in

from .conftest import calendar, vevent

pytestmark = pytest.mark.django_db

STARTS = datetime(2025, 3, 12, 17, 0, tzinfo=UTC)  # 18:00 in Stockholm


def url(name, group, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"slug": group.slug, **kwargs})


def form_data(**overrides):
    data = {
        "title": "Azure Functions in practice",
        "starts_at": "2025-03-12T18:00",
        "ends_at": "2025-03-12T20:00",
        "format": Meeting.Format.IN_PERSON,
        "venue": "Contoso office, Stockholm",
        "online_url": "",
        "is_azure_related": "on",
        "topics": "Azure Functions",
        "attendee_count": "30",
        "entry_fee": "0",
        "cost_recovery_charge": "0",
        "cost_recovery_reason": "",
    }
    data.update(overrides)
    return data


def field_errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


# Who may see the pages --------------------------------------------------------------------

PAGES = ["list", "add", "edit", "import"]


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=2))


def page_url(name, group, meeting):
    return url(name, group, pk=meeting.pk) if name == "edit" else url(name, group)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_login(client, group, meeting, name):
    response = client.get(page_url(name, group, meeting))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_leader_of_another_group_gets_404(client, group, meeting, name):
    client.force_login(LeadershipFactory().user)

    assert client.get(page_url(name, group, meeting)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_leader_sees_the_page(client, group, leader, meeting, name):
    client.force_login(leader)

    response = client.get(page_url(name, group, meeting))

    assert response.status_code == 200
    assert b"<h1" in response.content


@pytest.mark.parametrize("name", PAGES)
def test_co_leader_sees_the_page(client, group, co_leader, meeting, name):
    client.force_login(co_leader)

    assert client.get(page_url(name, group, meeting)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_staff_who_does_not_lead_the_group_gets_404(client, group, meeting, name):
    client.force_login(StaffFactory())

    assert client.get(page_url(name, group, meeting)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_former_leader_gets_404(client, group, meeting, name):
    former = LeadershipFactory(
        group=group, role=Leadership.Role.LEADER, ended_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(former.user)

    assert client.get(page_url(name, group, meeting)).status_code == 404


@pytest.mark.parametrize("name", ["add", "edit", "import"])
def test_anonymous_post_changes_nothing(client, group, meeting, name):
    response = client.post(page_url(name, group, meeting), form_data(title="Hijacked"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert Meeting.objects.get().title == meeting.title


@pytest.mark.parametrize("name", ["add", "edit", "import"])
def test_post_by_someone_else_gets_404_and_changes_nothing(client, group, meeting, name):
    client.force_login(StaffFactory())

    response = client.post(page_url(name, group, meeting), form_data(title="Hijacked"))

    assert response.status_code == 404
    assert Meeting.objects.get().title == meeting.title


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_inline_code(client, group, leader, meeting, name):
    client.force_login(leader)

    found = inline_code_in(client.get(page_url(name, group, meeting)).content.decode())

    assert found.problems == []
    assert found.external == []


# The list ---------------------------------------------------------------------------------


def test_list_shows_times_in_the_groups_time_zone(client, group, leader, meeting):
    client.force_login(leader)

    content = client.get(url("list", group)).content.decode()

    assert "Wed 12 Mar 2025, 18:00" in content
    assert "20:00" in content
    assert "Europe/Stockholm" in content


def test_list_shows_times_of_a_group_elsewhere_in_its_own_zone(client):
    group = GroupFactory(timezone="America/New_York")
    leader = LeadershipFactory(group=group).user
    MeetingFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=2))
    client.force_login(leader)

    content = client.get(url("list", group)).content.decode()

    assert "Wed 12 Mar 2025, 13:00" in content


def test_list_shows_format_azure_attendees_and_charge(client, group, leader):
    MeetingFactory(
        group=group,
        title="Pizza and Bicep",
        format=Meeting.Format.HYBRID,
        is_azure_related=False,
        attendee_count=47,
        cost_recovery_charge=Decimal("80.00"),
        cost_recovery_reason=Meeting.CostReason.FOOD_AND_DRINK,
    )
    client.force_login(leader)

    content = client.get(url("list", group)).content.decode()

    assert "Pizza and Bicep" in content
    assert "Hybrid" in content
    assert "47" in content
    assert "80.00" in content
    assert "Food and drink" in content
    assert '<span class="badge text-bg-secondary">No</span>' in content


def test_list_shows_only_the_groups_meetings_newest_first(client, group, leader):
    MeetingFactory(group=group, title="Older", starts_at=STARTS - timedelta(days=30))
    MeetingFactory(group=group, title="Newer", starts_at=STARTS)
    MeetingFactory(title="Another group's meeting")
    client.force_login(leader)

    response = client.get(url("list", group))

    assert [m.title for m in response.context["meetings"]] == ["Newer", "Older"]
    assert "Another group's meeting" not in response.content.decode()


def test_list_is_paginated_by_25(client, group, leader):
    for day in range(30):
        MeetingFactory(group=group, starts_at=STARTS - timedelta(days=day))
    client.force_login(leader)

    first = client.get(url("list", group))
    second = client.get(url("list", group), {"page": 2})

    assert len(first.context["meetings"]) == 25
    assert len(second.context["meetings"]) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_list_page_that_does_not_exist_is_404(client, group, leader):
    client.force_login(leader)

    assert client.get(url("list", group), {"page": "99"}).status_code == 404
    assert client.get(url("list", group), {"page": "x"}).status_code == 404


def test_empty_list_says_how_to_start(client, group, leader):
    client.force_login(leader)

    content = client.get(url("list", group)).content.decode()

    assert "No meetings yet" in content
    assert url("import", group) in content


@pytest.mark.parametrize("count", [1, 100])
def test_list_costs_the_same_queries_for_one_meeting_or_many(
    client, group, leader, count, django_assert_num_queries
):
    for day in range(count):
        MeetingFactory(group=group, starts_at=STARTS - timedelta(days=day))
    client.force_login(leader)

    # session, user, the group (access check), the count, the page of meetings, the last
    # finished import of the feed
    with django_assert_num_queries(7):
        response = client.get(url("list", group))

    assert response.status_code == 200


# Adding -----------------------------------------------------------------------------------


def test_add_form_explains_the_time_zone_and_free_attendance(client, group, leader):
    client.force_login(leader)

    content = client.get(url("add", group)).content.decode()

    assert "Europe/Stockholm" in content
    assert "Members are never charged an entry fee" in content
    assert "cost-recovery charge" in content
    assert 'type="datetime-local"' in content


def test_leader_adds_a_meeting_in_the_groups_time_zone(client, group, leader):
    client.force_login(leader)

    response = client.post(url("add", group), form_data())

    assert response.status_code == 302
    assert response["Location"] == url("list", group)
    meeting = Meeting.objects.get(group=group)
    assert meeting.starts_at == STARTS
    assert meeting.ends_at == STARTS + timedelta(hours=2)
    assert meeting.is_azure_related is True
    assert meeting.attendee_count == 30


def test_added_meeting_is_confirmed(client, group, leader):
    client.force_login(leader)

    response = client.post(url("add", group), form_data(), follow=True)

    assert "“Azure Functions in practice” was added." in response.content.decode()


def test_co_leader_adds_a_meeting(client, group, co_leader):
    client.force_login(co_leader)

    client.post(url("add", group), form_data())

    assert Meeting.objects.filter(group=group).count() == 1


def test_empty_costs_and_attendees_mean_none(client, group, leader):
    client.force_login(leader)

    client.post(
        url("add", group),
        form_data(entry_fee="", cost_recovery_charge="", attendee_count="", is_azure_related=""),
    )

    meeting = Meeting.objects.get(group=group)
    assert (meeting.entry_fee, meeting.cost_recovery_charge) == (0, 0)
    assert meeting.attendee_count is None
    assert meeting.is_azure_related is False


def test_entry_fee_is_saved_and_followed_by_a_warning(client, group, leader):
    client.force_login(leader)

    response = client.post(url("add", group), form_data(entry_fee="50"), follow=True)

    assert Meeting.objects.get().entry_fee == Decimal(50)
    levels_and_texts = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert [level for level, _text in levels_and_texts] == ["success", "warning"]
    assert "requirement 3 (free attendance) now fails" in levels_and_texts[1][1]


def test_free_meeting_gets_no_warning(client, group, leader):
    client.force_login(leader)

    response = client.post(url("add", group), form_data(), follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_entry_fee_field_explains_the_rule_beside_it(client, group, leader):
    client.force_login(leader)

    content = client.get(url("add", group)).content.decode()

    assert 'id="id_entry_fee_helptext"' in content
    assert "a meeting with an entry fee makes requirement 3 fail for 12 months" in content


def test_negative_entry_fee_is_refused_beside_the_field_and_nothing_is_saved(client, group, leader):
    client.force_login(leader)

    response = client.post(url("add", group), form_data(entry_fee="-5"))

    assert response.status_code == 200
    assert field_errors(response, "entry_fee") == ["An entry fee cannot be negative."]
    assert 'id="error_1_id_entry_fee"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_all_mistakes_are_reported_at_once(client, group, leader):
    client.force_login(leader)

    response = client.post(
        url("add", group),
        form_data(
            entry_fee="-50",
            attendee_count="-3",
            ends_at="2025-03-12T17:00",
            online_url="javascript:alert(1)",
        ),
    )

    errors = response.context["form"].errors
    assert set(errors) == {"entry_fee", "attendee_count", "ends_at", "online_url"}
    assert errors["attendee_count"] == ["The number of attendees cannot be negative."]
    assert errors["online_url"] == ["Enter a web link that starts with http:// or https://."]
    assert not Meeting.objects.exists()


def test_actual_attendance_of_a_meeting_to_come_is_refused_beside_the_field(client, group, leader):
    starts = timezone.localtime(timezone.now() + timedelta(days=10), group_zone(group))
    client.force_login(leader)

    response = client.post(
        url("add", group),
        form_data(
            starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            attendee_count="25",
        ),
    )

    assert response.status_code == 200
    [message] = field_errors(response, "attendee_count")
    assert message.startswith("This meeting has not started yet: leave the number of attendees")
    assert 'id="error_1_id_attendee_count"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_meeting_to_come_is_saved_with_expected_attendance(client, group, leader):
    starts = timezone.localtime(timezone.now() + timedelta(days=10), group_zone(group))
    client.force_login(leader)

    response = client.post(
        url("add", group),
        form_data(
            starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            attendee_count="",
            expected_attendee_count="45",
        ),
    )

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.expected_attendee_count, meeting.attendee_count) == (45, None)


def test_form_explains_both_attendance_counts(client, group, leader):
    client.force_login(leader)

    content = client.get(url("add", group)).content.decode()

    assert "Expected attendees" in content
    assert "Actual attendees" in content
    assert "Leave empty until the meeting has taken place." in content


def test_all_day_meeting_is_saved_as_such(client, group, leader):
    client.force_login(leader)

    client.post(
        url("add", group),
        form_data(starts_at="2025-03-14T00:00", ends_at="2025-03-15T00:00", all_day="on"),
    )

    assert Meeting.objects.get().all_day is True


def test_form_offers_exactly_the_fields_a_leader_may_edit():
    assert list(MeetingForm.base_fields) == services.MEETING_EDITABLE_FIELDS


def test_charge_without_a_reason_is_refused_beside_the_reason(client, group, leader):
    client.force_login(leader)

    response = client.post(url("add", group), form_data(cost_recovery_charge="80"))

    assert (
        "Say what the cost-recovery charge covers"
        in field_errors(response, "cost_recovery_reason")[0]
    )
    assert not Meeting.objects.exists()


def test_charge_with_a_reason_is_saved(client, group, leader):
    client.force_login(leader)

    client.post(
        url("add", group),
        form_data(cost_recovery_charge="80", cost_recovery_reason=Meeting.CostReason.VENUE),
    )

    assert Meeting.objects.get().cost_recovery_charge == Decimal(80)


def test_end_before_start_is_refused_beside_the_end(client, group, leader):
    client.force_login(leader)

    response = client.post(url("add", group), form_data(ends_at="2025-03-12T17:00"))

    assert field_errors(response, "ends_at") == ["The meeting must end after it starts."]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("attendee_count", "-1"),
        ("attendee_count", "many"),
        ("attendee_count", "99999999999"),
        ("expected_attendee_count", "-1"),
        ("expected_attendee_count", "lots"),
        ("entry_fee", "-0.01"),
        ("entry_fee", "12345678901"),
        ("entry_fee", "free"),
        ("cost_recovery_charge", "-5"),
        ("cost_recovery_charge", "12345678901"),
        ("online_url", "javascript:alert(1)"),
        ("online_url", "ftp://meet.example.org/room"),
        ("starts_at", "not a date"),
        ("starts_at", "1899-01-01T10:00"),
        ("title", ""),
        ("title", "x" * 201),
        ("format", "underwater"),
        ("cost_recovery_reason", "bribes"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, group, leader, field, value):
    client.force_login(leader)

    response = client.post(url("add", group), form_data(**{field: value}))

    assert response.status_code == 200
    assert field_errors(response, field)
    assert not Meeting.objects.exists()


def test_time_that_does_not_exist_in_the_groups_zone_is_refused(client, group, leader):
    client.force_login(leader)

    # Clocks in Stockholm jump from 02:00 to 03:00 on 30 March 2025.
    response = client.post(
        url("add", group),
        form_data(starts_at="2025-03-30T02:30", ends_at="2025-03-30T04:00"),
    )

    assert field_errors(response, "starts_at")
    assert not Meeting.objects.exists()


def test_fields_a_leader_may_not_set_are_ignored(client, group, leader):
    other = GroupFactory()
    client.force_login(leader)

    client.post(
        url("add", group),
        form_data(group=other.pk, group_id=other.pk, external_uid="forged", id=999),
    )

    meeting = Meeting.objects.get()
    assert meeting.group == group
    assert meeting.external_uid == ""
    assert meeting.pk != 999


# Editing ----------------------------------------------------------------------------------


def test_edit_form_shows_the_times_in_the_groups_time_zone(client, group, leader, meeting):
    client.force_login(leader)

    content = client.get(url("edit", group, pk=meeting.pk)).content.decode()

    assert 'value="2025-03-12T18:00"' in content
    assert 'value="2025-03-12T20:00"' in content
    assert meeting.title in content


def test_leader_edits_a_meeting(client, group, leader, meeting):
    client.force_login(leader)

    response = client.post(
        url("edit", group, pk=meeting.pk),
        form_data(title="Moved online", format=Meeting.Format.ONLINE, ends_at="2025-03-12T21:00"),
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Moved online"
    assert meeting.format == Meeting.Format.ONLINE
    assert meeting.ends_at == STARTS + timedelta(hours=3)


def test_edit_with_a_negative_entry_fee_is_refused_and_nothing_changes(
    client, group, leader, meeting
):
    client.force_login(leader)

    response = client.post(url("edit", group, pk=meeting.pk), form_data(entry_fee="-10"))

    assert field_errors(response, "entry_fee")
    meeting.refresh_from_db()
    assert meeting.entry_fee == 0
    assert meeting.title != "Azure Functions in practice"


def test_edit_that_adds_an_entry_fee_warns(client, group, leader, meeting):
    client.force_login(leader)

    response = client.post(
        url("edit", group, pk=meeting.pk), form_data(entry_fee="10"), follow=True
    )

    meeting.refresh_from_db()
    assert meeting.entry_fee == Decimal(10)
    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]


def test_meeting_of_another_group_is_404_under_this_groups_address(client, group, leader):
    foreign = MeetingFactory(title="Not yours")
    client.force_login(leader)

    get = client.get(url("edit", group, pk=foreign.pk))
    post = client.post(url("edit", group, pk=foreign.pk), form_data(title="Taken over"))

    assert (get.status_code, post.status_code) == (404, 404)
    foreign.refresh_from_db()
    assert foreign.title == "Not yours"


def test_edit_of_an_imported_meeting_says_the_feed_updates_it(client, group, leader):
    imported = MeetingFactory(group=group, external_uid="e1@meetup")
    client.force_login(leader)

    content = client.get(url("edit", group, pk=imported.pk)).content.decode()

    assert "imported from your group's calendar feed" in content


# Importing --------------------------------------------------------------------------------


def test_import_page_explains_the_feed_and_offers_import_now(client, group, leader):
    group.ical_feed_url = "https://www.meetup.example.com/azure-sthlm/events/ical/"
    group.save()
    client.force_login(leader)

    content = client.get(url("import", group)).content.decode()

    assert "https://www.meetup.example.com/azure-sthlm/events/ical/" in content
    assert "Import now" in content
    assert "mention Azure" in content


def test_import_page_without_a_feed_says_where_to_add_it(client, group, leader):
    client.force_login(leader)

    content = client.get(url("import", group)).content.decode()

    assert "no feed address yet" in content
    assert "disabled" in content


@pytest.fixture
def import_now(client, django_capture_on_commit_callbacks):
    """Press "Import now" (the worker's task runs at the commit) and load the page it sends
    the leader back to."""

    def press(group):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("import", group))
        assert response.status_code == 302
        assert response["Location"] == url("import", group)
        return client.get(response["Location"])

    return press


def test_import_without_a_feed_says_so(client, group, leader, import_now):
    client.force_login(leader)

    response = import_now(group)

    assert response.status_code == 200
    assert "no iCal feed address yet" in response.content.decode()


@pytest.mark.usefixtures("clock")  # in March 2025: the feed lies in the window
def test_import_from_a_real_feed_adds_then_recognises_the_events(
    client, group, leader, feed_server, loopback_allowed, import_now
):
    feed = calendar(
        vevent(uid="e1", summary="Azure Functions in practice"),
        vevent(
            uid="e2",
            summary="Pizza and Python",
            start="DTSTART:20250412T160000Z",
            end="DTEND:20250412T180000Z",
        ),
        vevent(uid=None, summary="No UID here"),
    )
    group.ical_feed_url = feed_server.serve("/azure-sthlm/events/ical/", feed)
    group.save()
    client.force_login(leader)

    first = import_now(group)
    second = import_now(group)

    feed_import = first.context["feed_import"]
    assert (feed_import.added_count, feed_import.skipped_count) == (2, 1)
    text = first.content.decode()
    assert "2 added" in text
    assert "1 skipped" in text
    assert "No UID here" in text
    assert "Wed 12 Mar 2025, 18:00" in text
    again = second.context["feed_import"]
    assert (again.unchanged_count, again.added_count) == (2, 0)
    assert "2 unchanged" in second.content.decode()
    assert Meeting.objects.filter(group=group).count() == 2
    assert Meeting.objects.get(external_uid="e1").is_azure_related is True
    assert Meeting.objects.get(external_uid="e2").is_azure_related is False


@pytest.mark.usefixtures("clock")  # in March 2025: the feed lies in the window
def test_import_updates_a_changed_event(
    client, group, leader, feed_server, loopback_allowed, import_now
):
    group.ical_feed_url = feed_server.serve("/feed.ics", calendar(vevent(uid="e1")))
    group.save()
    client.force_login(leader)
    import_now(group)
    feed_server.serve("/feed.ics", calendar(vevent(uid="e1", summary="Azure, renamed")))

    response = import_now(group)

    assert "1 updated" in response.content.decode()
    assert Meeting.objects.get().title == "Azure, renamed"


@pytest.mark.parametrize(
    ("feed_url", "message"),
    [
        ("http://10.0.0.1/feed.ics", "not on the public internet"),
        ("http://192.168.1.1/feed.ics", "not on the public internet"),
        ("http://169.254.169.254/latest/meta-data/", "not on the public internet"),
    ],
)
def test_import_from_an_address_that_is_not_public_is_refused(
    client, group, leader, feed_url, message, import_now
):
    group.ical_feed_url = feed_url
    group.save()
    client.force_login(leader)

    response = import_now(group)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was imported." in response.content.decode()


def test_import_from_loopback_is_refused_without_the_setting(
    client, group, leader, feed_server, settings, import_now
):
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = False
    group.ical_feed_url = feed_server.serve("/feed.ics", calendar(vevent()))
    group.save()
    client.force_login(leader)

    response = import_now(group)

    assert "not on the public internet" in response.content.decode()
    assert feed_server.requests == []
    assert not Meeting.objects.exists()


def test_import_of_a_page_that_is_not_a_calendar_says_so(
    client, group, leader, feed_server, loopback_allowed, import_now
):
    group.ical_feed_url = feed_server.serve("/events/", b"<!doctype html><p>Meetup</p>")
    group.save()
    client.force_login(leader)

    response = import_now(group)

    assert response.status_code == 200
    assert "This is not an iCal calendar" in response.content.decode()


def test_import_of_a_feed_that_is_too_large_says_so(
    client, group, leader, feed_server, loopback_allowed, monkeypatch, import_now
):
    monkeypatch.setattr(imports, "FEED_MAX_BYTES", 100)
    group.ical_feed_url = feed_server.serve("/feed.ics", calendar(vevent()))
    group.save()
    client.force_login(leader)

    response = import_now(group)

    assert "larger than the 100 bytes the portal reads" in response.content.decode()
    assert not Meeting.objects.exists()


def test_import_from_a_server_that_is_down_says_so(
    client, group, leader, loopback_allowed, import_now
):
    group.ical_feed_url = "http://127.0.0.1:9/feed.ics"  # the discard port: nobody listens
    group.save()
    client.force_login(leader)

    response = import_now(group)

    assert response.status_code == 200
    assert "could not be reached" in response.content.decode()


def test_import_of_a_missing_feed_says_so(
    client, group, leader, feed_server, loopback_allowed, import_now
):
    group.ical_feed_url = feed_server.url("/gone.ics")
    group.save()
    client.force_login(leader)

    response = import_now(group)

    assert "status 404" in response.content.decode()


def test_import_now_costs_a_fixed_number_of_queries(
    client, group, leader, feed_server, loopback_allowed, django_assert_num_queries
):
    group.ical_feed_url = feed_server.serve("/feed.ics", calendar(vevent()))
    group.save()
    client.force_login(leader)

    # session, user, the group; then in one transaction: lock the group and read its feed
    # address, look for an unfinished import, insert one. The fetch is the worker's.
    with django_assert_num_queries(8):
        client.post(url("import", group))


def test_import_page_before_an_import_costs_a_fixed_number_of_queries(
    client, group, leader, django_assert_num_queries
):
    client.force_login(leader)

    with django_assert_num_queries(5):  # session, user, the group, the latest import
        client.get(url("import", group))


def test_entry_fee_of_a_meeting_to_come_warns_of_what_will_happen(client, group, leader):
    starts = timezone.localtime(timezone.now() + timedelta(days=10), group_zone(group))
    client.force_login(leader)

    response = client.post(
        url("add", group),
        form_data(
            starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            attendee_count="",
            entry_fee="15",
        ),
        follow=True,
    )

    [_success, (level, text)] = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert level == "warning"
    assert "requirement 3 (free attendance) will fail once the meeting starts" in text


# The last import, on the list ---------------------------------------------------------------


def test_list_shows_the_last_finished_import_and_what_went_missing(client, group, leader):
    finished = timezone.now() - timedelta(hours=3)
    FeedImportFactory(
        group=group,
        status=FeedImport.Status.DONE,
        started_at=finished,
        finished_at=finished,
        added_count=3,
        updated_count=1,
        cancelled_count=2,
        missing_count=1,
    )
    Group.objects.filter(pk=group.pk).update(ical_feed_auto_import=True)
    client.force_login(leader)

    content = " ".join(client.get(url("list", group)).content.decode().split())

    assert "Last import from your calendar:" in content
    assert "(by the portal)" in content
    assert "3 added, 1 updated, 2 cancelled." in content
    assert "1 meeting is no longer in your calendar: check it." in content
    assert "The feed is imported every day." in content
    assert url("import", group) in content


def test_list_shows_why_the_last_import_failed(client, group, leader):
    finished = timezone.now() - timedelta(hours=3)
    FeedImportFactory(
        group=group,
        requested_by=leader,
        status=FeedImport.Status.FAILED,
        finished_at=finished,
        error="The address calendar.example.org was not found.",
    )
    client.force_login(leader)

    content = " ".join(client.get(url("list", group)).content.decode().split())

    assert "It failed: The address calendar.example.org was not found." in content
    assert "(by the portal)" not in content


def test_list_without_imports_says_nothing_about_them(client, group, leader):
    client.force_login(leader)

    assert "Last import" not in client.get(url("list", group)).content.decode()
