"""What must always hold for groups, leave requests and web links, checked where it is enforced."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from groups.models import Group, validate_languages, validate_timezone
from membership.models import LeaveRequest
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def leave_request(group, *, status=LeaveRequest.Status.OPEN) -> LeaveRequest:
    return LeaveRequest.objects.create(
        group=group, requested_by=UserFactory(), reason="We are merging groups.", status=status
    )


def clean_errors(group: Group) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        group.full_clean()
    return caught.value.message_dict


# Admission date.


def test_admitted_group_without_admission_date_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupFactory(status=Group.Status.ADMITTED, admitted_at=None)


def test_admitted_group_with_admission_date_is_stored():
    group = GroupFactory(admitted=True)

    assert Group.objects.admitted().get() == group


def test_group_under_review_needs_no_admission_date():
    group = GroupFactory(status=Group.Status.SUBMITTED, admitted_at=None)

    assert group.pk is not None


# Leave requests.


def test_second_open_leave_request_of_a_group_is_refused():
    group = GroupFactory(admitted=True)
    leave_request(group)

    with pytest.raises(IntegrityError), transaction.atomic():
        leave_request(group)


def test_open_leave_request_may_follow_a_withdrawn_one():
    group = GroupFactory(admitted=True)
    leave_request(group, status=LeaveRequest.Status.WITHDRAWN)

    leave_request(group)

    assert group.leave_requests.count() == 2


def test_open_leave_requests_of_two_groups_do_not_clash():
    leave_request(GroupFactory(admitted=True))

    leave_request(GroupFactory(admitted=True))

    assert LeaveRequest.objects.filter(status=LeaveRequest.Status.OPEN).count() == 2


# Web links (WebURLField).


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("ftp://files.example.org/conduct.txt", id="ftp"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("javascript://example.org/%0Aalert(1)", id="javascript-with-slashes"),
        pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("file:///etc/passwd", id="file"),
    ],
)
def test_web_link_that_is_not_http_is_rejected_by_full_clean(url):
    group = GroupFactory.build(code_of_conduct_url=url)

    assert "code_of_conduct_url" in clean_errors(group)


@pytest.mark.parametrize("url", ["http://example.org/conduct", "https://example.org/conduct"])
def test_http_and_https_links_pass_full_clean(url):
    group = GroupFactory.build(code_of_conduct_url=url, home_page_url=url)

    group.full_clean()


def test_web_link_field_rejects_ftp_on_every_link_of_a_group():
    group = GroupFactory.build(
        home_page_url="ftp://example.org/",
        event_page_url="ftp://example.org/events",
        ical_feed_url="ftp://example.org/feed.ics",
    )

    assert {"home_page_url", "event_page_url", "ical_feed_url"} <= set(clean_errors(group))


def test_web_link_form_field_assumes_https():
    form_field = Group._meta.get_field("home_page_url").formfield()

    assert form_field.clean("example.org") == "https://example.org"


# Time zone and languages.


def test_known_time_zone_passes_full_clean():
    GroupFactory.build(timezone="America/New_York").full_clean()


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "CEST", "europe/stockholm", ""])
def test_unknown_time_zone_is_rejected_by_full_clean(value):
    group = GroupFactory.build(timezone=value)

    assert "timezone" in clean_errors(group)


def test_unknown_time_zone_message_names_the_value():
    with pytest.raises(ValidationError) as caught:
        validate_timezone("Mars/Olympus_Mons")

    assert "Mars/Olympus_Mons" in caught.value.messages[0]


def test_known_languages_pass_full_clean():
    GroupFactory.build(languages=["sv", "en", "fi"]).full_clean()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param([], id="empty"),
        pytest.param("sv", id="not-a-list"),
        pytest.param(["sv", "xx"], id="unknown-code"),
        pytest.param({"sv": True}, id="object"),
    ],
)
def test_invalid_languages_are_rejected_by_full_clean(value):
    group = GroupFactory.build(languages=value)

    assert "languages" in clean_errors(group)


def test_empty_language_list_asks_for_one_language():
    with pytest.raises(ValidationError) as caught:
        validate_languages([])

    assert caught.value.messages == ["Choose at least one language."]


def test_unknown_languages_are_named_in_the_message():
    with pytest.raises(ValidationError) as caught:
        validate_languages(["sv", "xx", "klingon"])

    assert caught.value.messages == ["Unknown language: klingon, xx."]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param([["sv"]], id="nested-list"),
        pytest.param([{"code": "sv"}], id="nested-object"),
    ],
)
def test_language_entry_that_is_not_a_code_is_rejected_with_a_validation_error(value):
    with pytest.raises(ValidationError):
        validate_languages(value)
