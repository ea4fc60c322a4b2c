"""The pages of a meeting's life: the list's states, cancelling (and undoing it), deleting;
who may use them, what they refuse, what they cost."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from leaders.models import Leadership
from meetings.forms import MeetingCancelForm
from meetings.models import Meeting
from tests.factories import LeadershipFactory, MeetingFactory, StaffFactory, UserFactory
from tests.pages import inline_code_in

pytestmark = pytest.mark.django_db

STARTS = datetime(2025, 3, 12, 17, 0, tzinfo=UTC)  # 18:00 in Stockholm
CANCELLED_AT = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def url(name, group, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"slug": group.slug, **kwargs})


@pytest.fixture
def meeting(group):
    return MeetingFactory(
        group=group, title="Bicep night", starts_at=STARTS, ends_at=STARTS + timedelta(hours=2)
    )


def cancel(meeting, *, by=Meeting.CancelledBy.LEADER, reason="The speaker is ill"):
    Meeting.objects.filter(pk=meeting.pk).update(
        cancelled_at=CANCELLED_AT, cancelled_by=by, cancellation_reason=reason
    )
    meeting.refresh_from_db()
    return meeting


def state_of(meeting):
    """What a request may change about the meeting, and the audit trail's length."""
    row = Meeting.all_objects.values(
        "cancelled_at", "cancelled_by", "cancellation_reason", "deleted_at", "updated_at"
    ).get(pk=meeting.pk)
    return row, AuditEntry.objects.count()


def messages_of(response):
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


# Who may use the pages --------------------------------------------------------------------

#: (name, method, data): every request of this file that could change a meeting.
REQUESTS = [
    ("cancel", "get", None),
    ("cancel", "post", {"reason": "Hijacked"}),
    ("uncancel", "post", {}),
    ("delete", "get", None),
    ("delete", "post", {}),
]
REQUEST_IDS = [f"{name}-{method}" for name, method, _data in REQUESTS]


def send(client, method, path, data):
    return client.get(path) if method == "get" else client.post(path, data)


@pytest.fixture(params=["scheduled", "cancelled"])
def any_meeting(request, meeting):
    """The meeting, as it is before the request: also cancelled, so undoing it is tried too."""
    return cancel(meeting) if request.param == "cancelled" else meeting


@pytest.mark.parametrize(("name", "method", "data"), REQUESTS, ids=REQUEST_IDS)
def test_anonymous_visitor_is_sent_to_login_and_nothing_changes(
    client, group, any_meeting, name, method, data
):
    before = state_of(any_meeting)

    response = send(client, method, url(name, group, pk=any_meeting.pk), data)

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert state_of(any_meeting) == before


OUTSIDERS = {
    "leader of another group": lambda group: LeadershipFactory().user,
    "user who leads nothing": lambda group: UserFactory(),
    "staff": lambda group: StaffFactory(),
    "former leader": lambda group: (
        LeadershipFactory(
            group=group, role=Leadership.Role.LEADER, ended_at=timezone.now() - timedelta(days=1)
        ).user
    ),
}


@pytest.mark.parametrize("who", list(OUTSIDERS))
@pytest.mark.parametrize(("name", "method", "data"), REQUESTS, ids=REQUEST_IDS)
def test_someone_who_does_not_lead_the_group_gets_404_and_nothing_changes(
    client, group, any_meeting, who, name, method, data
):
    client.force_login(OUTSIDERS[who](group))
    before = state_of(any_meeting)

    response = send(client, method, url(name, group, pk=any_meeting.pk), data)

    assert response.status_code == 404
    assert state_of(any_meeting) == before


@pytest.mark.parametrize(("name", "method", "data"), REQUESTS, ids=REQUEST_IDS)
def test_meeting_of_another_group_is_404_and_nothing_changes(
    client, group, leader, name, method, data
):
    foreign = MeetingFactory(title="Not yours")
    client.force_login(leader)
    before = state_of(foreign)

    response = send(client, method, url(name, group, pk=foreign.pk), data)

    assert response.status_code == 404
    assert state_of(foreign) == before


@pytest.mark.parametrize("pk", [0, 999999, 2**31, 2**70])
@pytest.mark.parametrize(("name", "method", "data"), REQUESTS, ids=REQUEST_IDS)
def test_a_number_that_is_no_meeting_is_404(client, group, leader, name, method, data, pk):
    client.force_login(leader)

    assert send(client, method, url(name, group, pk=pk), data).status_code == 404


@pytest.mark.parametrize(("name", "method", "data"), REQUESTS, ids=REQUEST_IDS)
def test_deleted_meeting_is_404_and_stays_as_it_was(
    client, group, leader, meeting, name, method, data
):
    Meeting.objects.filter(pk=meeting.pk).update(deleted_at=CANCELLED_AT)
    client.force_login(leader)
    before = state_of(meeting)

    response = send(client, method, url(name, group, pk=meeting.pk), data)

    assert response.status_code == 404
    assert state_of(meeting) == before


@pytest.mark.parametrize("name", ["uncancel"])
def test_get_on_a_post_only_address_is_405(client, group, leader, meeting, name):
    client.force_login(leader)
    cancel(meeting)
    before = state_of(meeting)

    assert client.get(url(name, group, pk=meeting.pk)).status_code == 405
    assert state_of(meeting) == before


@pytest.mark.parametrize("name", ["cancel", "delete"])
def test_confirm_pages_are_for_the_leader_and_the_co_leader(
    client, group, leader, co_leader, meeting, name
):
    for user in (leader, co_leader):
        client.force_login(user)
        response = client.get(url(name, group, pk=meeting.pk))
        assert response.status_code == 200
        assert "Bicep night" in response.content.decode()


@pytest.mark.parametrize("name", ["cancel", "delete"])
def test_confirm_pages_have_no_inline_code(client, group, leader, meeting, name):
    client.force_login(leader)

    found = inline_code_in(client.get(url(name, group, pk=meeting.pk)).content.decode())

    assert found.problems == []
    assert found.external == []


# Cancelling -------------------------------------------------------------------------------


def test_cancel_page_explains_what_happens_and_asks_for_a_reason(client, group, leader, meeting):
    client.force_login(leader)

    content = client.get(url("cancel", group, pk=meeting.pk)).content.decode()

    assert "stays in your list" in content
    assert "no longer counts" in content
    assert 'name="reason"' in content
    assert 'maxlength="300"' in content
    assert "Wed 12 Mar 2025, 18:00" in content


def test_leader_cancels_a_meeting_with_a_reason(client, group, leader, meeting):
    client.force_login(leader)

    response = client.post(
        url("cancel", group, pk=meeting.pk), {"reason": "The speaker is ill"}, follow=True
    )

    assert response.redirect_chain == [(url("list", group), 302)]
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert meeting.cancelled_by == Meeting.CancelledBy.LEADER
    assert meeting.cancellation_reason == "The speaker is ill"
    assert AuditEntry.objects.get().action == AuditEntry.Action.MEETING_CANCELLED
    assert messages_of(response)[0][0] == "success"
    assert "“Bicep night” is cancelled." in messages_of(response)[0][1]


def test_co_leader_cancels_without_a_reason(client, group, co_leader, meeting):
    client.force_login(co_leader)

    response = client.post(url("cancel", group, pk=meeting.pk), {})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert meeting.cancellation_reason == ""


def test_reason_longer_than_300_characters_is_refused_beside_the_field(
    client, group, leader, meeting
):
    client.force_login(leader)
    before = state_of(meeting)

    response = client.post(url("cancel", group, pk=meeting.pk), {"reason": "x" * 301})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Ensure this value has at most 300 characters (it has 301)."
    ]
    assert 'id="error_1_id_reason"' in response.content.decode()
    assert state_of(meeting) == before


def test_nul_in_the_reason_is_a_form_error(client, group, leader, meeting):
    client.force_login(leader)
    before = state_of(meeting)

    # The test client sends multipart, which OddInputMiddleware leaves to the form.
    response = client.post(url("cancel", group, pk=meeting.pk), {"reason": "ill\x00ness"})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Null characters are not allowed."]
    assert state_of(meeting) == before


def test_nul_in_a_url_encoded_reason_is_refused_before_the_view(client, group, leader, meeting):
    client.force_login(leader)
    before = state_of(meeting)

    response = client.post(
        url("cancel", group, pk=meeting.pk),
        "reason=ill%00ness",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert state_of(meeting) == before


def test_cancel_form_refuses_nul_and_length_itself():
    assert not MeetingCancelForm(data={"reason": "a\x00b"}).is_valid()
    assert not MeetingCancelForm(data={"reason": "y" * 301}).is_valid()
    assert MeetingCancelForm(data={"reason": ""}).is_valid()


def test_cancelling_a_cancelled_meeting_says_so_and_changes_nothing(client, group, leader, meeting):
    cancel(meeting, by=Meeting.CancelledBy.CALENDAR)
    client.force_login(leader)
    before = state_of(meeting)

    response = client.post(
        url("cancel", group, pk=meeting.pk), {"reason": "Another reason"}, follow=True
    )

    assert state_of(meeting) == before
    assert messages_of(response) == [
        ("info", "“Bicep night” was already cancelled: nothing changed.")
    ]


def test_cancel_page_of_a_cancelled_meeting_goes_back_to_the_list(client, group, leader, meeting):
    cancel(meeting)
    client.force_login(leader)

    response = client.get(url("cancel", group, pk=meeting.pk))

    assert response.status_code == 302
    assert response["Location"] == url("list", group)


# Undoing a cancellation -------------------------------------------------------------------


def test_leader_undoes_a_cancellation(client, group, leader, meeting):
    cancel(meeting)
    client.force_login(leader)

    response = client.post(url("uncancel", group, pk=meeting.pk), follow=True)

    assert response.redirect_chain == [(url("list", group), 302)]
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    assert AuditEntry.objects.get().action == AuditEntry.Action.MEETING_UNCANCELLED
    assert messages_of(response)[0][0] == "success"


def test_undoing_on_a_meeting_that_is_not_cancelled_says_so(client, group, leader, meeting):
    client.force_login(leader)
    before = state_of(meeting)

    response = client.post(url("uncancel", group, pk=meeting.pk), follow=True)

    assert state_of(meeting) == before
    assert messages_of(response) == [("info", "“Bicep night” was not cancelled: nothing changed.")]


# Deleting ---------------------------------------------------------------------------------


def test_delete_page_explains_and_offers_to_cancel_instead(client, group, leader, meeting):
    client.force_login(leader)

    content = client.get(url("delete", group, pk=meeting.pk)).content.decode()

    assert "disappears from your list" in content
    assert "The program team can still see it" in content
    assert url("cancel", group, pk=meeting.pk) in content
    assert AuditEntry.objects.count() == 0
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_leader_deletes_a_meeting_and_it_leaves_the_list(client, group, leader, meeting):
    client.force_login(leader)

    response = client.post(url("delete", group, pk=meeting.pk), follow=True)

    assert response.redirect_chain == [(url("list", group), 302)]
    assert "“Bicep night” was deleted." in messages_of(response)[0][1]
    assert list(response.context["meetings"]) == []
    assert Meeting.all_objects.get(pk=meeting.pk).deleted_at is not None
    assert AuditEntry.objects.get().action == AuditEntry.Action.MEETING_DELETED


def test_a_deleted_meeting_cannot_be_edited(client, group, leader, meeting):
    client.force_login(leader)
    client.post(url("delete", group, pk=meeting.pk))

    assert client.get(url("edit", group, pk=meeting.pk)).status_code == 404


# The list ---------------------------------------------------------------------------------


def list_content(client, group):
    return client.get(url("list", group)).content.decode()


def test_list_shows_a_cancelled_meeting_struck_through_with_when_why_and_who(
    client, group, leader, meeting
):
    cancel(meeting)
    client.force_login(leader)

    content = list_content(client, group)

    assert '<del class="fw-semibold">Bicep night</del>' in content
    assert "Cancelled by a leader on 10 Mar 2025: The speaker is ill" in content
    assert '<span class="badge text-bg-warning">Cancelled</span>' in content
    assert "Counts towards requirement 4" not in content
    assert "Cancelled: not counted" in content
    assert url("uncancel", group, pk=meeting.pk) in content
    assert url("cancel", group, pk=meeting.pk) not in content


def test_list_says_when_the_calendar_cancelled_a_meeting(client, group, leader, meeting):
    cancel(meeting, by=Meeting.CancelledBy.CALENDAR, reason="")
    client.force_login(leader)

    content = list_content(client, group)

    assert "Cancelled in the group's calendar on 10 Mar 2025." in content


def test_list_marks_a_counted_meeting_and_offers_to_cancel_it(client, group, leader, meeting):
    client.force_login(leader)

    content = list_content(client, group)

    assert "Counts towards requirement 4" in content
    assert '<span class="badge text-bg-success">Held</span>' in content
    assert url("cancel", group, pk=meeting.pk) in content
    assert url("delete", group, pk=meeting.pk) in content
    assert url("uncancel", group, pk=meeting.pk) not in content


def test_list_shows_a_meeting_to_come_as_scheduled(client, group, leader):
    soon = timezone.now() + timedelta(days=3)
    MeetingFactory(group=group, starts_at=soon, attendee_count=None, expected_attendee_count=60)
    client.force_login(leader)

    content = list_content(client, group)

    assert '<span class="badge text-bg-info">Scheduled</span>' in content
    assert "expected 60" in content


def test_list_shows_expected_and_actual_attendance(client, group, leader, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(expected_attendee_count=40, attendee_count=35)
    client.force_login(leader)

    content = list_content(client, group)

    assert "35" in content
    assert "expected 40" in content


def test_list_shows_an_all_day_meeting_by_its_date(client, group, leader):
    midnight = datetime(2025, 3, 13, 23, 0, tzinfo=UTC)  # 14 March, 00:00 in Stockholm
    MeetingFactory(
        group=group, all_day=True, starts_at=midnight, ends_at=midnight + timedelta(days=1)
    )
    client.force_login(leader)

    content = list_content(client, group)

    assert "Fri 14 Mar 2025</time>, all day" in content
    assert "00:00" not in content


def test_list_shows_an_all_day_meeting_of_two_days_by_its_first_and_last_day(client, group, leader):
    midnight = datetime(2025, 3, 13, 23, 0, tzinfo=UTC)
    MeetingFactory(
        group=group, all_day=True, starts_at=midnight, ends_at=midnight + timedelta(days=2)
    )
    client.force_login(leader)

    content = list_content(client, group)

    assert ">Fri 14 Mar</time>–<time" in content
    assert "Sat 15 Mar 2025</time>, all day" in content


def test_list_flags_an_entry_fee(client, group, leader, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(entry_fee=Decimal("25.00"))
    client.force_login(leader)

    content = list_content(client, group)

    assert '<span class="badge text-bg-danger">Entry fee</span> 25.00' in content


@pytest.mark.parametrize("count", [1, 30])
def test_list_costs_the_same_queries_whatever_the_meetings(
    client, group, leader, count, django_assert_num_queries
):
    for day in range(count):
        starts = STARTS - timedelta(days=day)
        MeetingFactory(
            group=group,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            all_day=day % 5 == 1,
            entry_fee=Decimal(day % 7 == 3),
            expected_attendee_count=day,
            cancelled_at=CANCELLED_AT if day % 3 == 0 else None,
            cancelled_by=Meeting.CancelledBy.CALENDAR if day % 3 == 0 else "",
        )
    MeetingFactory(group=group, deleted_at=CANCELLED_AT)
    client.force_login(leader)

    # session, user, the group (access check), the count, the page of meetings, the last
    # finished import of the feed
    with django_assert_num_queries(7):
        response = client.get(url("list", group))

    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 25)


def test_deleted_meetings_are_not_in_the_list_or_its_count(client, group, leader, meeting):
    MeetingFactory(group=group, title="Logged twice", deleted_at=CANCELLED_AT)
    client.force_login(leader)

    response = client.get(url("list", group))

    assert [row.meeting for row in response.context["rows"]] == [meeting]
    assert "Logged twice" not in response.content.decode()
    assert "1 meeting, newest first" in response.content.decode()
