"""A quarterly call as an .ics file: access, headers, and every field, parsed back."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from program.ics import call_ics, call_ics_filename, call_uid
from program.models import QuarterlyCall
from tests.builders import CALL_STARTS_AT, quarterly_call
from tests.pages import (
    PROGRAM_VISITORS,
    admitted_leader,
    assert_explains_admission,
    assert_sent_to_login,
    sign_in_as,
)

pytestmark = pytest.mark.django_db


def ics_url(call: QuarterlyCall) -> str:
    return reverse("program:call_ics", args=[call.pk])


def parsed_event(content: bytes):
    calendar = Calendar.from_ical(content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


@pytest.mark.parametrize(("visitor", "status"), PROGRAM_VISITORS.items())
def test_calendar_file_answers_each_kind_of_visitor(client, visitor, status):
    call = quarterly_call()
    sign_in_as(client, visitor)

    response = client.get(ics_url(call))

    assert response.status_code == status


def test_anonymous_visitor_is_sent_to_login_for_the_calendar_file(client):
    call = quarterly_call()
    assert_sent_to_login(client.get(ics_url(call)), ics_url(call))


@pytest.mark.parametrize("visitor", ["applicant", "leader_of_group_that_left", "staff"])
def test_visitor_without_admitted_group_gets_the_explaining_page(client, visitor):
    call = quarterly_call()
    sign_in_as(client, visitor)

    assert_explains_admission(client.get(ics_url(call)))


def test_unknown_call_gives_404(client):
    admitted_leader(client)

    response = client.get(reverse("program:call_ics", args=[987654]))

    assert response.status_code == 404


def test_calendar_file_is_an_attachment_of_type_text_calendar(client):
    admitted_leader(client)
    call = quarterly_call()

    response = client.get(ics_url(call))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="leaders-call-q1-2099.ics"'


def test_calendar_has_product_id_version_and_publish_method(client):
    admitted_leader(client)
    call = quarterly_call()

    calendar, _event = parsed_event(client.get(ics_url(call)).content)

    assert str(calendar["PRODID"]) == "-//Tech Groups//Tech Groups Portal//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_event_carries_every_field_of_the_call(client):
    admitted_leader(client)
    call = quarterly_call()
    QuarterlyCall.objects.filter(pk=call.pk).update(sequence=3)
    call.refresh_from_db()
    before = timezone.now().replace(microsecond=0)

    _calendar, event = parsed_event(client.get(ics_url(call)).content)

    assert str(event["UID"]) == call_uid(call)
    assert event["SEQUENCE"] == 3
    assert event.decoded("DTSTART") == CALL_STARTS_AT
    assert event.decoded("DTEND") == CALL_STARTS_AT + timedelta(minutes=75)
    assert event.decoded("DTSTART").tzinfo is not None
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert before <= event.decoded("DTSTAMP") <= timezone.now()
    assert str(event["SUMMARY"]) == "Leaders call Q1 2099"
    assert str(event["DESCRIPTION"]) == (
        "1. Welcome\n2. Your questions\n\nJoin the call: https://meet.example.org/q1"
    )
    assert str(event["URL"]) == "https://meet.example.org/q1"
    assert str(event["LOCATION"]) == "https://meet.example.org/q1"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_times_are_written_in_utc(client):
    admitted_leader(client)
    call = quarterly_call()

    content = client.get(ics_url(call)).content.decode()

    assert "DTSTART:20990312T160000Z" in content
    assert "DTEND:20990312T171500Z" in content


def test_cancelled_call_gives_status_cancelled(client):
    admitted_leader(client)
    call = quarterly_call(status=QuarterlyCall.Status.CANCELLED)

    _calendar, event = parsed_event(client.get(ics_url(call)).content)

    assert str(event["STATUS"]) == "CANCELLED"


def test_past_call_can_still_be_downloaded(client):
    admitted_leader(client)
    call = quarterly_call(starts_at=timezone.now() - timedelta(days=30))
    call.ends_at = call.starts_at + timedelta(hours=1)

    assert client.get(ics_url(call)).status_code == 200


def test_uid_is_stable_when_the_call_changes(client):
    call = quarterly_call()
    uid = call_uid(call)

    call.title = "Moved call"
    call.starts_at += timedelta(days=1)
    call.ends_at += timedelta(days=1)
    call.status = QuarterlyCall.Status.CANCELLED
    call.save()

    assert call_uid(call) == uid


def test_uid_names_the_call_and_the_site():
    call = quarterly_call()

    with override_settings(SITE_URL="https://groups.example.org"):
        assert call_uid(call) == f"quarterly-call-{call.pk}@groups.example.org"


def test_each_call_has_its_own_uid():
    assert call_uid(quarterly_call()) != call_uid(quarterly_call())


def test_call_without_join_link_has_no_url_or_location():
    call = quarterly_call(join_url="")

    _calendar, event = parsed_event(call_ics(call, now=timezone.now()))

    assert "URL" not in event
    assert "LOCATION" not in event
    assert str(event["DESCRIPTION"]) == "1. Welcome\n2. Your questions"


def test_agenda_with_non_ascii_text_survives_the_round_trip():
    call = quarterly_call(title="Ledarsamtal Q1: välkommen", agenda="Frågor & svar, åäö; ∑")

    _calendar, event = parsed_event(call_ics(call, now=timezone.now()))

    assert str(event["SUMMARY"]) == "Ledarsamtal Q1: välkommen"
    assert str(event["DESCRIPTION"]).startswith("Frågor & svar, åäö; ∑")


def test_file_name_falls_back_when_the_title_has_no_letters():
    call = quarterly_call(title="???")

    assert call_ics_filename(call) == f"quarterly-call-{call.pk}.ics"


def test_calendar_file_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    admitted_leader(client)
    call = quarterly_call()

    # session, user, access check, the call
    with django_assert_num_queries(4):
        client.get(ics_url(call))
