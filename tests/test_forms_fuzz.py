"""Generated input thrown at every form of the portal, through its views (hypothesis).

Each example starts from a valid submission of the form and replaces, drops or adds fields with
nasty values: unicode, control characters, NUL bytes, very long text, numbers of every shape,
links of every scheme, dates in odd formats and time zones, several values for one field, and
fields a leader may not set (status, slug, group, version, pk). The properties:

- the answer is never a server error (an exception fails the example with its traceback);
- a form answered with its own page again (200) saved nothing;
- input that is certainly invalid (a javascript: link, a NUL byte, a negative count, an entry
  fee, dates out of order, an over-long name...) is refused;
- whatever was saved keeps the program's invariants, and fields a leader may not set stay put.

Every example runs in a savepoint that is rolled back, so each starts from the same world
(tests/world.py). Feeds are never fetched: the imported group has no feed or a
loopback / private address, which the settings forbid here.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contact.models import Message, Thread
from groups.models import Group
from leaders.models import Leadership, User
from meetings.models import Meeting
from membership.models import LeaveRequest
from membership.services import APPLICATION_DRAFT_FIELDS, LEADER_EDITABLE_FIELDS
from program.models import ContentItem
from tests.world import (
    ANONYMOUS,
    APPLICANT,
    CHANGES,
    CO_LEADER,
    GROUP_DETAILS,
    INVITEE,
    LEADER,
    LINKS,
    MEETING,
    STAFF,
    World,
    changed_tables,
    no_kwargs,
    serve_feed,
    snapshot,
)

pytestmark = pytest.mark.django_db

#: Examples per form; raise it for a deeper search, e.g. TECHGROUPS_FUZZ_EXAMPLES=500.
EXAMPLES = int(os.environ.get("TECHGROUPS_FUZZ_EXAMPLES", "30"))
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def world(world, settings) -> World:
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = False  # an import never leaves this machine
    return world


# Strategies ------------------------------------------------------------------------------

TRICKY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t",
    "\u202eevil",
    "\ufeff",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}{% debug %}",
    "' OR 1=1 --",
    "%s%s%n",
    "🙂" * 100,
    "Ω≈ç√∫˜µ≤≥÷",
    "x" * 121,
    "y" * 2001,
    "z" * 10_000,
]
text = st.one_of(
    st.sampled_from(TRICKY_TEXT),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8", max_codepoint=0x1F), max_size=10),  # control chars
    st.text(st.characters(codec="utf-8", min_codepoint=0x80), min_size=100, max_size=400),
    st.text(min_size=2000, max_size=2500),
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),  # nan, inf, 1e+308 ...
    st.sampled_from(
        ["0", "-0", "-1", "1.5", "1e5", "0x10", "١٢", "9" * 30, "1" * 5000, " 7 ", "+3", "1_000"]
    ),
)
SCHEMES = ["http", "https", "HTTPS", "ftp", "javascript", "data", "file", "mailto", "ws", "gopher"]
HOSTS = [
    "example.org",
    "127.0.0.1",
    "[::1]",
    "localhost",
    "169.254.169.254",
    "exämple.org",
    "user:pass@example.org",
    "example.org:99999",
    "",
]
urls = st.one_of(
    st.builds(
        "{}://{}/{}".format,
        st.sampled_from(SCHEMES),
        st.sampled_from(HOSTS),
        st.text(max_size=20),
    ),
    st.sampled_from(
        [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "//evil.example.org",
            "/\\evil.example.org",
            "example.org",
            "http://",
            "http://" + "a" * 600 + ".example.org/",
            "https://example.org/" + "p" * 600,
            "http://[::1",
            "https://techcommunity.microsoft.com/t5/user/viewprofilepage/user-id/0",
            "https://techcommunity.microsoft.com/t5/user/viewprofilepage/user-id/123456",
            "https://evil.example.org/t5/user/viewprofilepage/user-id/123456",
        ]
    ),
)
DATE_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M",
    "%m/%d/%y",
    "%Y-%m-%dT%H:%M:%S.%f",
]
dates = st.one_of(
    st.builds(
        lambda moment, fmt: moment.strftime(fmt),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
        st.sampled_from(DATE_FORMATS),
    ),
    st.sampled_from(
        [
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "2025-02-30T18:00",
            "2025-13-01T18:00",
            "2025-03-30T02:30",  # does not exist in Stockholm (clocks go forward)
            "2025-10-26T02:30",  # happens twice in Stockholm
            "2025-03-12T18:00+14:00",
            "2025-03-12T18:00Z",
            "1999-12-31T23:59",
            "2100-01-01T00:00",
            "today",
            "12/03/2025",
        ]
    ),
)
any_value = st.one_of(
    text,
    numbers,
    urls,
    dates,
    st.lists(st.one_of(text, numbers), min_size=2, max_size=3),  # several values, one field
)
booleans = st.sampled_from(["on", "off", "true", "false", "True", "0", "1", "", "yes", "no"])
emails = st.one_of(
    st.emails().map(str),
    st.sampled_from(
        [
            "leader@example.org",
            "LEADER@EXAMPLE.ORG",
            INVITEE,
            "a@b",
            "@example.org",
            "x" * 300 + "@example.org",
            "ü@exämple.org",
            "a@example.org\x00",
            "a@example.org\nBcc: b@example.org",
        ]
    ),
)
EXTRA_FIELDS = [
    "status",
    "slug",
    "group",
    "group_id",
    "version",
    "pk",
    "id",
    "admitted_at",
    "next_review_due",
    "submitted_at",
    "external_uid",
    "is_staff",
    "is_superuser",
    "email",
    "user",
    "role",
]
extra_values = st.one_of(
    st.sampled_from(["admitted", "declined", "left", "1", "2", "999999", "on", "True"]),
    any_value,
)


@st.composite
def form_input(
    draw: Callable[..., Any],
    valid: dict[str, Any],
    specific: dict[str, st.SearchStrategy[Any]],
) -> dict[str, Any]:
    """A valid submission with fields kept, replaced, left out, and others added."""
    # A few fields are changed, so that the form is often valid but for one or two of them
    # and the services' own checks are reached too.
    data = dict(valid)
    if valid:
        count = draw(st.sampled_from([1, 2, 3, len(valid)]))
        names = draw(st.lists(st.sampled_from(list(valid)), min_size=1, max_size=count))
        for name in names:
            how = draw(st.sampled_from(["specific", "any", "drop"]))
            if how == "drop":
                data.pop(name, None)
            else:
                data[name] = draw(specific.get(name, any_value) if how == "specific" else any_value)
    for name in draw(st.lists(st.sampled_from(list(specific)), max_size=2)) if specific else []:
        if name not in valid:  # e.g. accept_rules, left out of the valid submission
            data[name] = draw(specific[name])
    data.update(draw(st.dictionaries(st.sampled_from(EXTRA_FIELDS), extra_values, max_size=3)))
    return data


# What is certainly invalid ---------------------------------------------------------------


def last(value: Any) -> Any:
    """The value a form field reads when a field is posted several times."""
    return value[-1] if isinstance(value, list) and value else value


def as_text(value: Any) -> str | None:
    value = last(value)
    return value if isinstance(value, str) else None


#: Fields that read every value posted under their name (the others read the last one).
MULTIPLE_VALUE_FIELDS = {"languages"}


def has_nul(data: dict[str, Any], names: list[str]) -> str | None:
    for name in names:
        value = data.get(name)
        if name not in MULTIPLE_VALUE_FIELDS:
            value = last(value)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in values):
            return f"NUL byte in {name}"
    return None


BAD_SCHEMES = ("javascript:", "data:", "ftp:", "file:", "mailto:", "ws:", "gopher:")


def bad_link(data: dict[str, Any], names: list[str]) -> str | None:
    for name in names:
        value = as_text(data.get(name))
        if value and value.strip().lower().startswith(BAD_SCHEMES):
            return f"{name} is not a web link: {value!r}"
    return None


def too_long(data: dict[str, Any], limits: dict[str, int]) -> str | None:
    for name, limit in limits.items():
        value = as_text(data.get(name))
        if value is not None and len(value.strip()) > limit:
            return f"{name} is longer than {limit}"
    return None


def negative(data: dict[str, Any], names: list[str]) -> str | None:
    for name in names:
        value = as_text(data.get(name))
        if value is not None and re.fullmatch(r"\s*-0*[1-9][0-9]{0,20}\s*", value):
            return f"{name} is negative"
    return None


def first(*reasons: str | None) -> str | None:
    return next((reason for reason in reasons if reason), None)


GROUP_TEXT_FIELDS = ["name", "city", "description"]
GROUP_LIMITS = {"name": 120, "city": 100, "description": 2000}
URL_FIELDS = ["home_page_url", "code_of_conduct_url", "event_page_url", "ical_feed_url"]


def group_refusal(form_fields: list[str]) -> Callable[[dict[str, Any]], str | None]:
    """What certainly makes a form of the group's `form_fields` refuse; others are ignored."""

    def refusal(data: dict[str, Any]) -> str | None:
        data = {name: value for name, value in data.items() if name in form_fields}
        return first(
            has_nul(data, [*GROUP_TEXT_FIELDS, *URL_FIELDS, "languages", "timezone", "country"]),
            bad_link(data, URL_FIELDS),
            too_long(data, GROUP_LIMITS),
            negative(data, ["planned_meetings_per_year"]),
        )

    return refusal


MEETING_FORMAT = "%Y-%m-%dT%H:%M"


def parsed_time(value: Any) -> datetime | None:
    text_value = as_text(value)
    if text_value is None:
        return None
    try:
        return datetime.strptime(text_value, MEETING_FORMAT)  # noqa: DTZ007 (local time)
    except ValueError:
        return None


def meeting_refusal(data: dict[str, Any]) -> str | None:
    starts, ends = parsed_time(data.get("starts_at")), parsed_time(data.get("ends_at"))
    return first(
        has_nul(data, ["title", "venue", "topics", "online_url", "format", "starts_at"]),
        bad_link(data, ["online_url"]),
        too_long(data, {"title": 200, "venue": 300, "topics": 300}),
        negative(
            data,
            ["attendee_count", "expected_attendee_count", "cost_recovery_charge", "entry_fee"],
        ),
        "ends before it starts" if starts and ends and ends <= starts else None,
        "starts before 2000" if starts and starts.year < 2000 else None,
    )


def cancel_refusal(data: dict[str, Any]) -> str | None:
    return first(has_nul(data, ["reason"]), too_long(data, {"reason": 300}))


def rules_refusal(data: dict[str, Any]) -> str | None:
    # As a browser's checkbox reads (`is_unticked`): "0" and "off" tick it.
    return "the box is not ticked" if is_unticked(data.get("accept")) else None


def profile_refusal(data: dict[str, Any]) -> str | None:
    number = as_text(data.get("tech_community_id"))
    not_positive = number is not None and re.fullmatch(r"\s*(-[0-9]+|0+)\s*", number)
    return first(
        has_nul(data, ["name", "tech_community_id", "preferred_language"]),
        too_long(data, {"name": 150}),
        "a Tech Community ID that is not positive" if not_positive else None,
        bad_link(data, ["tech_community_id"]),
    )


def is_unticked(value: Any) -> bool:
    """A checkbox reads "false" (any case) and an empty value as unticked, anything else as
    ticked (CheckboxInput.value_from_datadict: even "0" and "off" tick it)."""
    value = last(value)
    return (
        value is None or value == [] or (isinstance(value, str) and value.lower() in {"", "false"})
    )


def leave_refusal(data: dict[str, Any]) -> str | None:
    reason = as_text(data.get("reason"))
    return first(
        has_nul(data, ["reason"]),
        "no reason" if not reason or not reason.strip() else None,
        too_long(data, {"reason": 2000}),
        "not confirmed" if is_unticked(data.get("confirm")) else None,
    )


def contact_refusal(data: dict[str, Any]) -> str | None:
    body, subject = as_text(data.get("body")), as_text(data.get("subject"))
    kind = last(data.get("kind"))
    group = last(data.get("group"))
    return first(
        has_nul(data, ["body", "subject", "kind", "group"]),
        "no message" if not body or not body.strip() else None,
        "no subject" if not subject or not subject.strip() else None,
        too_long(data, {"body": 5000, "subject": 200}),
        f"an unknown kind: {kind!r}" if kind not in Thread.Kind.values else None,
        f"a group the leader does not lead: {group!r}"
        if group not in {None, "", "alpha-azure-circle"}
        else None,
    )


def reply_refusal(data: dict[str, Any]) -> str | None:
    body = as_text(data.get("body"))
    return first(
        has_nul(data, ["body"]),
        "no message" if not body or not body.strip() else None,
        too_long(data, {"body": 5000}),
    )


def return_refusal(data: dict[str, Any]) -> str | None:
    what = as_text(data.get("what_changed"))
    return first(
        has_nul(data, ["what_changed"]),
        "nothing said" if not what or not what.strip() else None,
        too_long(data, {"what_changed": 2000}),
    )


def invitation_refusal(data: dict[str, Any]) -> str | None:
    answer = last(data.get("answer"))
    if answer not in {"accept", "decline"}:
        return f"no answer: {answer!r}"
    if answer == "accept" and is_unticked(data.get("accept_rules")):
        return "rules not accepted"
    return None


def email_refusal(name: str) -> Callable[[dict[str, Any]], str | None]:
    def refusal(data: dict[str, Any]) -> str | None:
        value = as_text(data.get(name))
        if value is None or "@" not in value:
            return f"{name} is not an e-mail address"
        return first(has_nul(data, [name]), too_long({name: value}, {name: 254}))

    return refusal


def signup_refusal(data: dict[str, Any]) -> str | None:
    if last(data.get("password1")) != last(data.get("password2")):
        return "the passwords differ"
    return email_refusal("email")(data)


def account_delete_refusal(data: dict[str, Any]) -> str | None:
    password = last(data.get("password"))
    return None if password == "correct horse battery" else "not the password"


def last_contact_refusal(data: dict[str, Any]) -> str | None:
    unticked = is_unticked(data.get("confirm_last_contact"))
    return first(account_delete_refusal(data), "not confirmed" if unticked else None)


def step_down_refusal(data: dict[str, Any]) -> str | None:
    choice = last(data.get("co_leader_takes_over"))
    return None if choice in {"yes", "no"} else f"no choice: {choice!r}"


def report_left_refusal(data: dict[str, Any]) -> str | None:
    email = as_text(data.get("successor_email"))
    return first(
        has_nul(data, ["details", "successor_name", "successor_email"]),
        too_long(data, {"details": 2000, "successor_name": 150}),
        f"not an e-mail address: {email!r}" if email and "@" not in email else None,
    )


# The program's invariants ----------------------------------------------------------------

WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)


def check_invariants(before: dict[str, Any], world: World, *, may_submit: Group | None) -> None:
    """What no form may break, whatever it was sent."""
    old_groups = {row["id"]: row for row in before["groups.Group"]}
    for group in Group.objects.all():
        for name in URL_FIELDS:
            link = getattr(group, name)
            assert link == "" or WEB_LINK.match(link), (name, link)
        for name in [*GROUP_TEXT_FIELDS, *URL_FIELDS, "timezone"]:
            assert "\x00" not in getattr(group, name)
        assert (group.planned_meetings_per_year or 0) >= 0
        old = old_groups.get(group.pk)
        if old is None:  # a new application
            assert group.status == Group.Status.DRAFT
            continue
        assert group.slug == old["slug"], "a leader cannot change the slug"
        if group != may_submit:
            assert group.status == old["status"], "a leader cannot change the status"
        assert group.admitted_at == old["admitted_at"]
        assert group.next_review_due == old["next_review_due"]
    old_meetings = {row["id"]: row for row in before["meetings.Meeting"]}
    for meeting in Meeting.objects.all():
        assert meeting.entry_fee >= 0  # recorded as charged; requirement 3 judges it
        assert meeting.cost_recovery_charge >= 0
        assert meeting.attendee_count is None or meeting.attendee_count >= 0
        assert meeting.expected_attendee_count is None or meeting.expected_attendee_count >= 0
        assert "\x00" not in meeting.cancellation_reason
        assert meeting.ends_at > meeting.starts_at
        assert (
            datetime(2000, 1, 1, tzinfo=UTC) <= meeting.starts_at < datetime(2100, 1, 1, tzinfo=UTC)
        )
        assert meeting.online_url == "" or WEB_LINK.match(meeting.online_url)
        if meeting.pk in old_meetings:
            assert meeting.group_id == old_meetings[meeting.pk]["group_id"]
            assert meeting.external_uid == old_meetings[meeting.pk]["external_uid"]
        else:
            assert meeting.group_id == world.group.pk
    assert list(User.objects.filter(is_staff=True)) == [world.staff]
    assert not User.objects.filter(is_superuser=True).exists()
    for user in User.objects.all():
        assert user.tech_community_id is None or user.tech_community_id > 0
        assert user.preferred_language in {code for code, _name in django_settings.LANGUAGES}
        assert "\x00" not in user.name
    for request in LeaveRequest.objects.all():
        assert 0 < len(request.reason) <= 2000
    for message in Message.objects.all():
        assert len(message.body.strip()) > 0 and len(message.body) <= 5000
        assert "\x00" not in message.body
    assert (
        not Thread.objects.filter(kind=Thread.Kind.CONDUCT_INCIDENT)
        .exclude(author__in=[world.leader])
        .exists()
    )
    for group in Group.objects.all():
        roles = list(Leadership.objects.active().filter(group=group).values_list("role", flat=True))
        assert len(roles) == len(set(roles))


# The forms -------------------------------------------------------------------------------

group_fields = {
    "name": text,
    "city": text,
    "country": st.one_of(st.sampled_from(["SE", "se", "XX", "", "SWE"]), text),
    "timezone": st.one_of(
        st.sampled_from(["UTC", "Etc/GMT+12", "America/Los_Angeles", "Mars/Olympus", "", "utc"]),
        text,
    ),
    "languages": st.one_of(
        st.lists(st.sampled_from(["sv", "en", "xx", "", "SV", "\x00"]), max_size=4), text
    ),
    "description": text,
    "planned_meetings_per_year": numbers,
    **dict.fromkeys(URL_FIELDS, urls),
}
meeting_fields = {
    "title": text,
    "starts_at": dates,
    "ends_at": dates,
    "format": st.one_of(st.sampled_from(["in_person", "online", "hybrid", "ONLINE"]), text),
    "venue": text,
    "online_url": urls,
    "is_azure_related": booleans,
    "topics": text,
    "all_day": booleans,
    "expected_attendee_count": numbers,
    "attendee_count": numbers,
    "entry_fee": numbers,
    "cost_recovery_charge": numbers,
    "cost_recovery_reason": st.one_of(st.sampled_from(["venue", "food_and_drink", "x"]), text),
}
TIME_ZONES = ["Europe/Stockholm", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]


def nothing_to_prepare(world: World) -> None:
    pass


NO_PREPARATION = st.just(nothing_to_prepare)


@dataclass(frozen=True)
class Form:
    id: str
    name: str
    kwargs: Callable[[World], dict[str, Any]]
    visitor: str
    valid: Callable[[World], dict[str, Any]]
    fields: dict[str, st.SearchStrategy[Any]]
    refusal: Callable[[dict[str, Any]], str | None] = lambda data: None
    method: str = "post"
    #: Changes the world (in the example's savepoint) before the request: e.g. a time zone.
    prepare: st.SearchStrategy[Callable[[World], None]] = NO_PREPARATION
    may_submit: str | None = None  # the World attribute of a group this form may submit

    def __repr__(self) -> str:
        return f"Form({self.id!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's reports
        printer.text(repr(self))


def slug_of(attribute: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"slug": getattr(world, attribute).slug}


def step_of(step: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"slug": world.draft_group.slug, "step": step}


def fixed(values: dict[str, Any]) -> Callable[[World], dict[str, Any]]:
    return lambda world: dict(values)


def group_time_zone(zone: str) -> Callable[[World], None]:
    def prepare(world: World) -> None:
        Group.objects.filter(pk=world.group.pk).update(timezone=zone)

    return prepare


def group_inactive(world: World) -> None:
    """The group's periodic review moved it to inactive: its leaders may ask to come back."""
    Group.objects.filter(pk=world.group.pk).update(
        status=Group.Status.INACTIVE, next_review_due=None
    )


def feed_address(address: str) -> Callable[[World], None]:
    def prepare(world: World) -> None:
        Group.objects.filter(pk=world.group.pk).update(ical_feed_url=address)

    return prepare


FEED_ADDRESSES = [
    "",
    "http://127.0.0.1:9/feed.ics",
    "http://[::1]:9/feed.ics",
    "http://10.0.0.1/feed.ics",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/feed.ics",
]

FORMS: list[Form] = [
    Form(
        "apply",
        "groups:apply",
        no_kwargs,
        APPLICANT,
        fixed(GROUP_DETAILS),
        group_fields,
        group_refusal(APPLICATION_DRAFT_FIELDS),
    ),
    Form(
        "apply-step-group",
        "groups:apply_step",
        step_of("group"),
        APPLICANT,
        fixed(GROUP_DETAILS),
        group_fields,
        group_refusal(APPLICATION_DRAFT_FIELDS),
    ),
    Form(
        "apply-step-links",
        "groups:apply_step",
        step_of("links"),
        APPLICANT,
        fixed(LINKS),
        group_fields,
        group_refusal(URL_FIELDS),
    ),
    Form(
        "apply-step-meetings",
        "groups:apply_step",
        step_of("meetings"),
        APPLICANT,
        fixed({"planned_meetings_per_year": "10"}),
        group_fields,
        group_refusal(["planned_meetings_per_year"]),
    ),
    Form(
        "apply-step-rules",
        "groups:apply_step",
        step_of("rules"),
        APPLICANT,
        lambda world: {
            "accept_rules": "on",
            "rules_version": str(world.rules.version),
            "co_leader_email": "second@example.org",
        },
        {"accept_rules": booleans, "rules_version": numbers, "co_leader_email": emails},
    ),
    Form(
        "apply-step-review",
        "groups:apply_step",
        step_of("review"),
        APPLICANT,
        fixed({}),
        {},
        may_submit="draft_group",
    ),
    Form(
        "edit",
        "groups:edit",
        slug_of("group"),
        LEADER,
        lambda world: {**GROUP_DETAILS, **LINKS, "planned_meetings_per_year": "10"},
        group_fields,
        group_refusal(LEADER_EDITABLE_FIELDS),
    ),
    Form(
        "leave",
        "groups:leave",
        slug_of("group"),
        CO_LEADER,
        fixed({"reason": "We merge with another group.", "confirm": "on"}),
        {"reason": text, "confirm": booleans},
        leave_refusal,
    ),
    Form(
        "return-request",
        "groups:return_request",
        slug_of("group"),
        LEADER,
        fixed({"what_changed": "We meet monthly again."}),
        {"what_changed": text},
        return_refusal,
        prepare=st.just(group_inactive),
    ),
    Form(
        "return-request-withdraw",
        "groups:return_request_withdraw",
        slug_of("group"),
        CO_LEADER,
        fixed({}),
        {},
        prepare=st.just(group_inactive),
    ),
    Form(
        "meeting-add",
        "meetings:add",
        slug_of("group"),
        LEADER,
        fixed(MEETING),
        meeting_fields,
        meeting_refusal,
        prepare=st.sampled_from(TIME_ZONES).map(group_time_zone),
    ),
    Form(
        "meeting-edit",
        "meetings:edit",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        CO_LEADER,
        fixed(MEETING),
        meeting_fields,
        meeting_refusal,
        prepare=st.sampled_from(TIME_ZONES).map(group_time_zone),
    ),
    Form(
        "meeting-cancel",
        "meetings:cancel",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        LEADER,
        fixed({"reason": "The speaker is ill"}),
        {"reason": text},
        cancel_refusal,
    ),
    Form(
        "meeting-uncancel",
        "meetings:uncancel",
        lambda world: {"slug": world.group.slug, "pk": world.cancelled_meeting.pk},
        CO_LEADER,
        fixed({}),
        {},
    ),
    Form(
        "meeting-delete",
        "meetings:delete",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        LEADER,
        fixed({}),
        {},
    ),
    Form(
        "meeting-import",
        "meetings:import",
        slug_of("group"),
        LEADER,
        fixed({}),
        {"ical_feed_url": urls},
        prepare=st.sampled_from(FEED_ADDRESSES).map(feed_address),
    ),
    Form(
        "meeting-import-daily",
        "meetings:import_daily",
        slug_of("group"),
        CO_LEADER,
        fixed({"enabled": "on"}),
        {"enabled": booleans},
    ),
    Form(
        "program-rules-accept",
        "leaders:rules",
        no_kwargs,
        LEADER,
        lambda world: {"version": str(world.rules.version), "accept": "on"},
        {"accept": booleans},
        rules_refusal,
    ),
    Form(
        "profile",
        "leaders:profile",
        no_kwargs,
        LEADER,
        fixed({"name": "Lena L.", "preferred_language": "sv", "tech_community_id": "424242"}),
        {
            "name": text,
            "preferred_language": st.one_of(st.sampled_from(["sv", "en", "de", "SV"]), text),
            "tech_community_id": st.one_of(numbers, urls, text),
        },
        profile_refusal,
    ),
    Form(
        "invite",
        "leaders:invite",
        slug_of("draft_group"),
        APPLICANT,
        fixed({"email": "third@example.org"}),
        {"email": emails},
        email_refusal("email"),
    ),
    Form(
        "invitation-withdraw",
        "leaders:invitation_withdraw",
        lambda world: {"slug": world.draft_group.slug, "pk": world.invitation.pk},
        APPLICANT,
        fixed({}),
        {},
    ),
    Form("hand-over", "leaders:hand_over", slug_of("group"), LEADER, fixed({}), {}),
    Form(
        "report-left",
        "leaders:report_left",
        slug_of("group"),
        CO_LEADER,
        fixed({"details": "Moved away.", "takes_over": "on"}),
        {
            "details": text,
            "takes_over": booleans,
            "successor_name": text,
            "successor_email": st.one_of(st.just(""), emails),
        },
        report_left_refusal,
    ),
    Form(
        "step-down",
        "leaders:step_down",
        slug_of("group"),
        LEADER,
        fixed({"co_leader_takes_over": "yes"}),
        {"co_leader_takes_over": st.one_of(booleans, text)},
        step_down_refusal,
    ),
    Form(
        "invitation-answer",
        "leaders:invitation",
        lambda world: {"token": world.invitation.token},
        "invitee",
        fixed({"answer": "accept", "accept_rules": "on"}),
        {
            "answer": st.one_of(st.sampled_from(["accept", "decline", "ACCEPT"]), text),
            "accept_rules": booleans,
        },
        invitation_refusal,
    ),
    Form(
        "content-filter",
        "program:content",
        no_kwargs,
        LEADER,
        fixed({"kind": ContentItem.Kind.LAB, "language": "en", "page": "1"}),
        {
            "kind": st.one_of(st.sampled_from(ContentItem.Kind.values), text),
            "language": st.one_of(st.sampled_from(["en", "sv", "xx"]), text),
            "page": numbers,
        },
        method="get",
    ),
    Form(
        "calls-page",
        "program:calls",
        no_kwargs,
        LEADER,
        fixed({"page": "1"}),
        {"page": numbers},
        method="get",
    ),
    Form(
        "news-page",
        "program:news",
        no_kwargs,
        CO_LEADER,
        fixed({"page": "1"}),
        {"page": numbers},
        method="get",
    ),
    Form(
        "meetings-page",
        "meetings:list",
        slug_of("group"),
        LEADER,
        fixed({"page": "1"}),
        {"page": numbers},
        method="get",
    ),
    Form(
        "signup",
        "account_signup",
        no_kwargs,
        ANONYMOUS,
        fixed(
            {
                "email": "new@example.org",
                "password1": "a long passphrase 42",
                "password2": "a long passphrase 42",
            }
        ),
        {"email": emails, "password1": text, "password2": text},
        signup_refusal,
    ),
    Form(
        "login",
        "account_login",
        no_kwargs,
        ANONYMOUS,
        fixed({"login": "leader@example.org", "password": "not the password", "remember": "on"}),
        {"login": emails, "password": text, "remember": booleans},
    ),
    Form(
        "password-reset",
        "account_reset_password",
        no_kwargs,
        ANONYMOUS,
        fixed({"email": "leader@example.org"}),
        {"email": emails},
    ),
    Form(
        "profile-as-staff",
        "leaders:profile",
        no_kwargs,
        STAFF,
        fixed({"name": "Stina S.", "preferred_language": "en", "tech_community_id": ""}),
        {"name": text, "preferred_language": text, "tech_community_id": st.one_of(numbers, urls)},
        profile_refusal,
    ),
    Form(
        "contact",
        "contact:index",
        no_kwargs,
        LEADER,
        fixed(
            {"group": "alpha-azure-circle", "kind": "question", "subject": "Hi", "body": "Hello"}
        ),
        {
            "group": st.one_of(
                st.sampled_from(["", "alpha-azure-circle", "bravo-cloud-guild"]), text
            ),
            "kind": st.one_of(st.sampled_from([*Thread.Kind.values, "QUESTION"]), text),
            "subject": text,
            "body": text,
        },
        contact_refusal,
    ),
    Form(
        "contact-reply",
        "contact:thread",
        lambda world: {"pk": world.question.pk},
        CO_LEADER,
        fixed({"body": "One more thing."}),
        {"body": text},
        reply_refusal,
    ),
    Form(
        "account-delete",
        "privacy:account_delete",
        no_kwargs,
        CO_LEADER,
        fixed({"password": "correct horse battery"}),
        {"password": text, "confirm_last_contact": booleans},
        account_delete_refusal,
    ),
    Form(
        "account-delete-last-contact",
        "privacy:account_delete",
        no_kwargs,
        "other_leader",  # the only contact of an admitted group
        fixed({"password": "correct horse battery", "confirm_last_contact": "on"}),
        {"password": text, "confirm_last_contact": booleans},
        last_contact_refusal,
    ),
]


def test_every_portal_form_is_fuzzed():
    """Every state-changing portal URL of the access matrix has a fuzzed form here."""
    assert {change.name for change in CHANGES} <= {form.name for form in FORMS}


@pytest.mark.parametrize("form", [pytest.param(form, id=form.id) for form in FORMS])
@FUZZ
@given(data=st.data())
def test_generated_input_never_breaks_a_form(world, form, data):
    submitted = data.draw(form_input(form.valid(world), form.fields), label="submitted")
    prepare = data.draw(form.prepare, label="prepare")
    refusal = form.refusal(submitted) if form.method == "post" else None
    may_submit = getattr(world, form.may_submit) if form.may_submit else None

    with transaction.atomic():
        prepare(world)
        client = Client()
        user = world.user(form.visitor) if form.visitor != "invitee" else world.invitee
        if user is not None:
            client.force_login(user)
        before = snapshot()

        url = reverse(form.name, kwargs=form.kwargs(world))
        if form.method == "post":
            # A browser's POST always carries the CSRF token (the test client does not check
            # it); without any field at all, some views would take the POST for a GET.
            response = client.post(url, {"csrfmiddlewaretoken": "token", **submitted})
        else:
            response = client.get(url, submitted)

        assert response.status_code < 500
        changed = changed_tables(before)
        event(f"answered {response.status_code}, {'saved' if changed else 'nothing saved'}")
        if form.method == "get" or response.status_code == 200:
            assert changed == [], f"answered {response.status_code} but changed {changed}"
        if refusal:
            assert changed == [], f"saved certainly invalid input ({refusal})"
            assert response.status_code == 200, f"not refused beside the field: {refusal}"
            content = response.content.decode()
            assert "is-invalid" in content or 'class="alert alert-danger' in content, refusal
        check_invariants(before, world, may_submit=may_submit)
        transaction.set_rollback(True)


# What the search found ---------------------------------------------------------------------
# A meeting in a group west of UTC that "ends" at 9999-12-31 23:59 local time ends in the year
# 10000 in UTC: PostgreSQL stores it, but Python cannot read it back, so the meeting list of
# the group fails with a server error from then on (ValueError: year 10000 is out of range).

FAR_END = "9999-12-31T23:59"
WEST_OF_UTC = "America/Los_Angeles"

FEED_WITH_A_FAR_END = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:far-end@example.org\r\nDTSTAMP:20250301T120000Z\r\nSUMMARY:Azure night\r\n"
    b"DTSTART;TZID=America/Los_Angeles:20250312T170000\r\n"
    b"DTEND;TZID=America/Los_Angeles:99991231T235900\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def west_of_utc(world) -> World:
    Group.objects.filter(pk=world.group.pk).update(timezone=WEST_OF_UTC)
    return world


def meetings_list_opens(world: World) -> None:
    client = Client()
    client.force_login(world.leader)
    assert (
        client.get(reverse("meetings:list", kwargs={"slug": world.group.slug})).status_code == 200
    )


def test_a_meeting_that_ends_after_the_year_9999_in_utc_is_refused(client, west_of_utc):
    world = west_of_utc
    client.force_login(world.leader)
    before = snapshot()

    response = client.post(
        reverse("meetings:add", kwargs={"slug": world.group.slug}), {**MEETING, "ends_at": FAR_END}
    )

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert changed_tables(before) == []
    meetings_list_opens(world)


def test_a_meeting_cannot_be_changed_to_end_after_the_year_9999_in_utc(client, west_of_utc):
    world = west_of_utc
    client.force_login(world.leader)
    before = snapshot()

    response = client.post(
        reverse("meetings:edit", kwargs={"slug": world.group.slug, "pk": world.meeting.pk}),
        {**MEETING, "ends_at": FAR_END},
    )

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert changed_tables(before) == []
    meetings_list_opens(world)


def test_an_imported_event_that_ends_after_the_year_9999_in_utc_is_skipped(
    client, west_of_utc, settings, django_capture_on_commit_callbacks
):
    world = west_of_utc
    feed = serve_feed(settings, FEED_WITH_A_FAR_END)
    Group.objects.filter(pk=world.group.pk).update(ical_feed_url=next(feed))
    client.force_login(world.leader)
    try:
        # The import runs in the worker once the request has committed (eager in tests).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("meetings:import", kwargs={"slug": world.group.slug}))
    finally:
        next(feed, None)  # stops the server

    assert response.status_code == 302
    assert not Meeting.objects.filter(external_uid="far-end@example.org").exists()
    meetings_list_opens(world)
