"""CSV exports: the admin lists (groups, leaderships, meetings) and the Leaders Hub lists."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import exports
from core.exports import csv_cell, csv_lines, csv_safe
from groups.models import Group
from leaders.models import Leadership
from meetings.models import Meeting
from reporting.hub import hub_access_rows, hub_revoke_rows
from tests.builders import admitted_group
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GROUP_EXPORT = reverse("admin:groups_group_export")
LEADERSHIP_EXPORT = reverse("admin:leaders_leadership_export")
MEETING_EXPORT = reverse("admin:meetings_meeting_export")
HUB_ACCESS = reverse("hub_access")
HUB_REVOKE = reverse("hub_revoke")
EVERY_EXPORT = [GROUP_EXPORT, LEADERSHIP_EXPORT, MEETING_EXPORT, HUB_ACCESS, HUB_REVOKE]

HUB_ACCESS_HEADER = ["Tech Community user ID", "Name", "E-mail", "Group", "Role", "Since"]
HUB_REVOKE_HEADER = [
    "Tech Community user ID",
    "Name",
    "E-mail",
    "Last group",
    "Lost access on",
    "Why",
]


@pytest.fixture
def staff_without_export(client):
    """Staff who may view every list but not export."""
    user = StaffFactory()
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_group", "view_leadership", "view_meeting", "view_user"]
        )
    )
    client.force_login(user)
    return user


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Cells -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+46 70 123 45 67", "'+46 70 123 45 67"),
        ("-5 reasons to use Azure", "'-5 reasons to use Azure"),
        ("-5", "'-5"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Azure Functions = fun", "Azure Functions = fun"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        " =1+1",
        "   -5",
        "\n=1+1",
        "\u00a0=1+1",  # no-break space
        "\u3000=1+1",  # ideographic space
        "\u200b=1+1",  # zero-width space
        "\u200c+1",  # zero-width non-joiner
        "\u200d-1",  # zero-width joiner
        "\u2060@SUM(A1:A9)",  # word joiner
        "\ufeff=1+1",  # byte-order mark
        "\u202e=1+1",  # right-to-left override
        "\x01=1+1",
        "＝1+1",  # full-width equals sign
        "＋46 70 123 45 67",
        "－5",
        "＠SUM(A1:A9)",
        "﹦1+1",  # small equals sign
        ' \u200b＝HYPERLINK("https://evil.example","x")',
    ],
)
def test_text_that_hides_its_formula_behind_invisible_or_wide_characters_is_prefixed(value):
    assert csv_safe(value) == "'" + value
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", [" Azure", "\u200bAzure", "\u3000Malmö", "Ａzure", "１＋１", "(=1)", "é=1", "Ω"]
)
def test_text_that_starts_with_no_formula_is_left_as_it_is(value):
    assert csv_safe(value) == value
    assert csv_cell(value) == value


@pytest.mark.parametrize("number", [-5, -2.5, Decimal("-1.50"), 0, 42])
def test_numbers_stay_numbers_even_when_negative(number):
    assert csv_safe(number) == number
    assert csv_cell(number) == number


def test_cells_are_text_or_numbers():
    assert csv_cell(None) == ""
    assert csv_cell(True) == "yes"
    assert csv_cell(False) == "no"
    assert csv_cell(utc(2025, 1, 31, 18, 5)) == "2025-01-31 18:05"
    assert csv_cell(date(2025, 1, 31)) == "2025-01-31"
    assert csv_cell(["sv", "en"]) == "sv, en"
    assert csv_cell(["=cmd", "en"]) == "'=cmd, en"
    assert csv_cell("-1") == "'-1"


def test_a_negative_number_is_written_as_a_number_and_text_as_text():
    text = "".join(csv_lines(["Value"], [[-5], ["-5"], [Decimal("-1.50")]]))
    assert text == "\ufeffValue\r\n-5\r\n'-5\r\n-1.50\r\n"


def test_rows_are_written_in_chunks_not_one_line_at_a_time():
    rows = ([n] for n in range(exports.ROWS_PER_WRITE * 2 + 1))
    chunks = list(csv_lines(["N"], rows))
    assert len(chunks) == 4  # header, two full chunks, the rest
    assert chunks[-1] == f"{exports.ROWS_PER_WRITE * 2}\r\n"


# Groups ------------------------------------------------------------------------------------

GROUP_HEADER = [
    "ID",
    "Name",
    "Status",
    "City",
    "Country",
    "Languages",
    "Home page",
    "Code of conduct",
    "Event page",
    "Leader",
    "Leader e-mail",
    "Co-leader",
    "Co-leader e-mail",
    "Azure meetings, 12 months",
    "Submitted (UTC)",
    "Admitted (UTC)",
    "Next review due",
    # The program's five requirements, in its order and words: met or not met.
    "A leader and a co-leader",
    "A code of conduct reachable from the group's home page",
    "Free attendance",
    "At least 6 Azure-related meetings a year, at regular intervals",
    "The program's rules of conduct accepted",
]


def test_group_export_has_the_header_and_one_exact_row_per_group(client, staff):
    group = GroupFactory(
        name="Stockholm Azure Meetup",
        slug="stockholm",
        home_page_url="https://sam.example.org/",
        code_of_conduct_url="https://sam.example.org/coc",
        event_page_url="https://events.example.org/sam",
        languages=["sv", "en"],
        status=Group.Status.ADMITTED,
        submitted_at=utc(2024, 1, 2, 9, 30),
        admitted_at=utc(2024, 2, 3, 10, 0),
        next_review_due=date(2026, 2, 3),
    )
    LeadershipFactory(group=group, user=UserFactory(name="Anna Leader", email="anna@example.org"))
    LeadershipFactory(
        group=group,
        role=Leadership.Role.CO_LEADER,
        user=UserFactory(name="Bo Co", email="bo@example.org"),
    )
    LeadershipFactory(  # an ended role is history, not a contact
        group=group,
        user=UserFactory(email="old@example.org"),
        ended_at=timezone.now() - timedelta(days=200),
    )
    MeetingFactory.create_batch(2, group=group)
    MeetingFactory(group=group, is_azure_related=False)
    lonely = GroupFactory(
        name="Lonely group",
        home_page_url="https://lonely.example.org/",
        code_of_conduct_url="",
        languages=["en"],
        submitted_at=utc(2025, 3, 4, 5, 6),
    )

    rows = read_csv(client.get(GROUP_EXPORT))

    assert rows == [
        GROUP_HEADER,
        [
            str(lonely.pk),
            "Lonely group",
            "Submitted",
            "Stockholm",
            "Sweden",
            "en",
            "https://lonely.example.org/",
            "",
            "",
            "",
            "",
            "",
            "",
            "0",
            "2025-03-04 05:06",
            "",
            "",
            "Not met",
            "Not met",
            "Met",
            "Not met",
            "Met",
        ],
        [
            str(group.pk),
            "Stockholm Azure Meetup",
            "Admitted",
            "Stockholm",
            "Sweden",
            "sv, en",
            "https://sam.example.org/",
            "https://sam.example.org/coc",
            "https://events.example.org/sam",
            "Anna Leader",
            "anna@example.org",
            "Bo Co",
            "bo@example.org",
            "2",
            "2024-01-02 09:30",
            "2024-02-03 10:00",
            "2026-02-03",
            "Met",
            "Met",
            "Met",
            "Not met",
            "Met",
        ],
    ]


def test_group_export_keeps_the_lists_status_filter(client, staff):
    GroupFactory(name="Admitted group", admitted=True)
    GroupFactory(name="Submitted group")

    rows = read_csv(client.get(GROUP_EXPORT, {"status__exact": "admitted"}))

    assert [row[1] for row in rows[1:]] == ["Admitted group"]


def test_group_export_keeps_the_lists_search_across_leader_emails(client, staff):
    leadership = LeadershipFactory(user=UserFactory(email="anna@lund.example"))
    # a second role of the same person must not repeat the group
    LeadershipFactory(
        group=leadership.group,
        user=UserFactory(email="anna@lund.example.net"),
        role=Leadership.Role.CO_LEADER,
    )
    GroupFactory(name="Other group")

    rows = read_csv(client.get(GROUP_EXPORT, {"q": "anna@lund"}))

    assert [row[1] for row in rows[1:]] == [leadership.group.name]


def test_group_export_keeps_the_lists_failing_requirement_filter(client, staff):
    GroupFactory(name="No conduct group", code_of_conduct_url="")
    GroupFactory(name="Conduct group")

    rows = read_csv(client.get(GROUP_EXPORT, {"failing": "code_of_conduct"}))

    assert [row[1] for row in rows[1:]] == ["No conduct group"]


def test_group_export_follows_the_lists_ordering(client, staff):
    GroupFactory(name="Alpha")
    GroupFactory(name="Beta")

    rows = read_csv(client.get(GROUP_EXPORT, {"o": "-1"}))  # by name, descending

    assert [row[1] for row in rows[1:]] == ["Beta", "Alpha"]


def test_group_names_a_spreadsheet_would_run_are_escaped(client, staff):
    GroupFactory(name='=HYPERLINK("https://evil.example","Click")', city="@Malmö")

    row = read_csv(client.get(GROUP_EXPORT))[1]

    assert row[1] == '\'=HYPERLINK("https://evil.example","Click")'
    assert row[3] == "'@Malmö"


def test_group_names_that_hide_a_formula_are_escaped(client, staff):
    GroupFactory(name='\u200b＝HYPERLINK("https://evil.example","Click")', city=" @Malmö")

    row = read_csv(client.get(GROUP_EXPORT))[1]

    assert row[1] == '\'\u200b＝HYPERLINK("https://evil.example","Click")'
    assert row[3] == "' @Malmö"


def test_export_file_is_named_after_the_list_and_the_day(client, staff):
    response = client.get(GROUP_EXPORT)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="groups-{today}.csv"'
    for url, name in [(LEADERSHIP_EXPORT, "leaderships"), (MEETING_EXPORT, "meetings")]:
        disposition = client.get(url)["Content-Disposition"]
        assert disposition == f'attachment; filename="{name}-{today}.csv"'


def test_invalid_filter_gives_a_message_not_an_error(client, staff):
    response = client.get(GROUP_EXPORT, {"admitted_at__gte": "not a date"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:groups_group_changelist")


# Leaderships and meetings ------------------------------------------------------------------

LEADERSHIP_HEADER = [
    "ID",
    "Group",
    "Group status",
    "Name",
    "E-mail",
    "Tech Community user ID",
    "Role",
    "Started (UTC)",
    "Ended (UTC)",
    "End reason",
]


def test_leadership_export_has_the_header_and_exact_rows(client, staff):
    group = GroupFactory(name="Göteborg Cloud", admitted=True)
    active = LeadershipFactory(
        group=group,
        user=UserFactory(name="Åsa Ek", email="asa@example.org", tech_community_id=123456),
        started_at=utc(2024, 5, 6, 7, 8),
    )
    ended = LeadershipFactory(
        group=group,
        role=Leadership.Role.CO_LEADER,
        user=UserFactory(name="Per Ny", email="per@example.org", tech_community_id=None),
        started_at=utc(2023, 1, 1, 12, 0),
        ended_at=utc(2024, 4, 1, 12, 0),
        end_reason=Leadership.EndReason.STEPPED_DOWN,
    )

    rows = read_csv(client.get(LEADERSHIP_EXPORT))

    assert rows == [
        LEADERSHIP_HEADER,
        [
            str(ended.pk),
            "Göteborg Cloud",
            "Admitted",
            "Per Ny",
            "per@example.org",
            "",
            "Co-leader (secondary contact)",
            "2023-01-01 12:00",
            "2024-04-01 12:00",
            "Stepped down",
        ],
        [
            str(active.pk),
            "Göteborg Cloud",
            "Admitted",
            "Åsa Ek",
            "asa@example.org",
            "123456",
            "Leader (primary contact)",
            "2024-05-06 07:08",
            "",
            "",
        ],
    ]


def test_leadership_export_keeps_the_lists_filters(client, staff):
    LeadershipFactory(user=UserFactory(email="still@example.org"))
    LeadershipFactory(user=UserFactory(email="gone@example.org"), ended_at=timezone.now())

    rows = read_csv(client.get(LEADERSHIP_EXPORT, {"ended_at__isempty": "1"}))

    assert [row[4] for row in rows[1:]] == ["still@example.org"]


MEETING_HEADER = [
    "ID",
    "Group",
    "Title",
    "Starts (UTC)",
    "Ends (UTC)",
    "Format",
    "About Azure",
    "Topics",
    "Attendees",
    "Place",
    "Online link",
    "Cost-recovery charge",
    "What the charge covers",
    "Calendar UID",
    "All day",
    "Expected attendees",
    "Entry fee",
    "Cancelled (UTC)",
    "Cancelled by",
    "Why it was cancelled",
    "Deleted (UTC)",
]


def test_meeting_export_has_the_header_and_exact_rows(client, staff):
    group = GroupFactory(name="Malmö Azure")
    meeting = MeetingFactory(
        group=group,
        title="-5 reasons to like Bicep",
        starts_at=utc(2025, 3, 4, 17, 0),
        ends_at=utc(2025, 3, 4, 19, 30),
        format=Meeting.Format.HYBRID,
        topics="Bicep, ARM",
        attendee_count=42,
        venue="Kockum Fritid",
        online_url="https://meet.example.org/x",
        cost_recovery_charge=Decimal("50.00"),
        cost_recovery_reason=Meeting.CostReason.FOOD_AND_DRINK,
        external_uid="abc@example.org",
    )
    other = MeetingFactory(
        group=group,
        title="Pub quiz",
        starts_at=utc(2025, 1, 2, 17, 0),
        ends_at=utc(2025, 1, 2, 18, 0),
        is_azure_related=False,
        attendee_count=None,
    )

    rows = read_csv(client.get(MEETING_EXPORT))

    assert rows == [
        MEETING_HEADER,
        [
            str(meeting.pk),
            "Malmö Azure",
            "'-5 reasons to like Bicep",
            "2025-03-04 17:00",
            "2025-03-04 19:30",
            "Hybrid",
            "yes",
            "Bicep, ARM",
            "42",
            "Kockum Fritid",
            "https://meet.example.org/x",
            "50.00",
            "Food and drink",
            "abc@example.org",
            "no",
            "",
            "0.00",
            "",
            "",
            "",
            "",
        ],
        [
            str(other.pk),
            "Malmö Azure",
            "Pub quiz",
            "2025-01-02 17:00",
            "2025-01-02 18:00",
            "In person",
            "no",
            "",
            "",
            "",
            "",
            "0.00",
            "",
            "",
            "no",
            "",
            "0.00",
            "",
            "",
            "",
            "",
        ],
    ]


def test_meeting_export_includes_cancelled_and_deleted_meetings_as_such(client, staff):
    group = GroupFactory(name="Malmö Azure")
    MeetingFactory(
        group=group,
        title="Rained off",
        starts_at=utc(2025, 3, 4, 17, 0),
        cancelled_at=utc(2025, 3, 3, 8, 0),
        cancelled_by=Meeting.CancelledBy.LEADER,
        cancellation_reason="Storm warning",
        entry_fee=Decimal("10.00"),
        expected_attendee_count=25,
        all_day=True,
    )
    MeetingFactory(group=group, title="Logged twice", deleted_at=utc(2025, 3, 5, 9, 30))

    rows = {row[2]: row[14:] for row in read_csv(client.get(MEETING_EXPORT))[1:]}

    assert rows["Rained off"] == [
        "yes",
        "25",
        "10.00",
        "2025-03-03 08:00",
        "A leader",
        "Storm warning",
        "",
    ]
    assert rows["Logged twice"][-1] == "2025-03-05 09:30"


def test_meeting_export_keeps_the_lists_filter_search_and_date_drill_down(client, staff):
    group = GroupFactory()
    MeetingFactory(group=group, title="Functions deep dive", starts_at=utc(2025, 3, 1, 17))
    MeetingFactory(group=group, title="Functions intro", starts_at=utc(2024, 3, 1, 17))
    MeetingFactory(
        group=group, title="Functions social", starts_at=utc(2025, 4, 1, 17), is_azure_related=False
    )
    MeetingFactory(group=group, title="Containers", starts_at=utc(2025, 5, 1, 17))

    rows = read_csv(
        client.get(
            MEETING_EXPORT,
            {"q": "functions", "is_azure_related__exact": "1", "starts_at__year": "2025"},
        )
    )

    assert [row[2] for row in rows[1:]] == ["Functions deep dive"]


# Streaming ---------------------------------------------------------------------------------


def make_meetings(count: int) -> None:
    group = GroupFactory()
    start = timezone.now() - timedelta(days=400)
    Meeting.objects.bulk_create(
        MeetingFactory.build(
            group=group,
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n, minutes=90),
        )
        for n in range(count)
    )


def test_export_streams_rows_read_lazily_from_an_iterator(client, staff, monkeypatch):
    make_meetings(3)
    iterator_calls = []
    original = QuerySet.iterator

    def spy(queryset, *args, **kwargs):
        iterator_calls.append(kwargs)
        return original(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "iterator", spy)

    with CaptureQueriesContext(connection) as before_sending:
        response = client.get(MEETING_EXPORT)
    assert response.streaming
    assert isinstance(response.streaming_content, Iterator)
    assert not isinstance(response.streaming_content, list | tuple)
    assert iterator_calls == []  # nothing read before the response starts sending
    assert not any("meetings_meeting_export" in q["sql"] for q in before_sending)

    with CaptureQueriesContext(connection) as while_sending:
        rows = read_csv(response)

    assert len(rows) == 4
    assert iterator_calls == [{"chunk_size": 2000}]
    assert len(while_sending) == 1  # every row from one query
    assert '"meetings_meeting"' in while_sending[0]["sql"]


def export_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        read_csv(response)
    return len(queries)


@pytest.mark.parametrize("url", [GROUP_EXPORT, LEADERSHIP_EXPORT, MEETING_EXPORT, HUB_ACCESS])
def test_export_query_count_does_not_grow_with_the_rows(client, staff, url):
    def grow(count: int) -> None:
        for _ in range(count):
            group = GroupFactory(admitted=True)
            LeadershipFactory(group=group)
            LeadershipFactory(group=group, role=Leadership.Role.CO_LEADER)
        make_meetings(count * 10)

    grow(3)
    few = export_queries(client, url)
    grow(30)
    many = export_queries(client, url)

    assert few == many


def test_meeting_export_of_3_or_300_rows_costs_the_same_pinned_queries(
    client, staff, django_assert_num_queries
):
    make_meetings(3)
    # session, user, two-factor, permissions (2); the list's count and full count; the export
    with django_assert_num_queries(8):
        assert len(read_csv(client.get(MEETING_EXPORT))) == 4
    make_meetings(297)
    with django_assert_num_queries(8):
        assert len(read_csv(client.get(MEETING_EXPORT))) == 301


def test_group_export_query_count_is_pinned(client, staff, django_assert_num_queries):
    for _ in range(3):
        LeadershipFactory(group=GroupFactory(admitted=True))
    # session, user, two-factor, permissions (2), rules version, the country filter's choices;
    # the list's count and full count; the rules version for the requirement columns; the export
    with django_assert_num_queries(11):
        assert len(read_csv(client.get(GROUP_EXPORT))) == 4


# The change list button --------------------------------------------------------------------


def test_change_lists_offer_the_export_with_their_filters(client, staff):
    response = client.get(
        reverse("admin:groups_group_changelist"), {"status__exact": "admitted", "p": "1"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert f'href="{GROUP_EXPORT}?status__exact=admitted"' in content
    for name, url in [
        ("meetings_meeting", MEETING_EXPORT),
        ("leaders_leadership", LEADERSHIP_EXPORT),
    ]:
        assert f'href="{url}"' in client.get(reverse(f"admin:{name}_changelist")).content.decode()


def test_leadership_list_links_to_the_leaders_hub_lists(client, staff):
    content = client.get(reverse("admin:leaders_leadership_changelist")).content.decode()
    assert f'href="{HUB_ACCESS}"' in content
    assert f'href="{HUB_REVOKE}"' in content
    assert "Add leadership" in content  # the change list's own tools stay


def test_staff_without_the_export_permission_see_no_export_links(client, staff_without_export):
    for name in ["groups_group", "meetings_meeting", "leaders_leadership"]:
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "/export/" not in content
        assert "hub-access" not in content


# Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", EVERY_EXPORT)
def test_staff_without_the_export_permission_get_403(client, staff_without_export, url):
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", EVERY_EXPORT)
def test_export_permission_alone_does_not_open_a_list_one_may_not_view(client, url):
    user = StaffFactory()
    user.user_permissions.set(Permission.objects.filter(codename="export_group"))
    client.force_login(user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", EVERY_EXPORT)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("url", EVERY_EXPORT)
def test_a_leader_cannot_export(client, url):
    leadership = LeadershipFactory(group=GroupFactory(admitted=True))
    client.force_login(leadership.user)
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# The Leaders Hub: access -------------------------------------------------------------------


def hub_person(email: str, tc_id: int | None = None):
    return UserFactory(email=email, name=email.split("@")[0].title(), tech_community_id=tc_id)


def test_hub_access_lists_active_leaders_of_admitted_groups(client, staff):
    alpha = GroupFactory(name="Alpha Azure", admitted=True)
    beta = GroupFactory(name="Beta Cloud", admitted=True)
    LeadershipFactory(
        group=alpha,
        role=Leadership.Role.CO_LEADER,
        user=hub_person("cole@example.org", 2002),
        started_at=utc(2024, 2, 2, 23, 30),
    )
    LeadershipFactory(
        group=alpha, user=hub_person("lead@example.org", 2001), started_at=utc(2024, 1, 1)
    )
    LeadershipFactory(
        group=beta, user=hub_person("noid@example.org", None), started_at=utc(2024, 3, 3)
    )
    # not in the hub: an ended role, and groups that are not admitted
    LeadershipFactory(
        group=beta,
        role=Leadership.Role.CO_LEADER,
        user=hub_person("former@example.org", 2003),
        started_at=utc(2023, 12, 1),
        ended_at=utc(2024, 12, 1),
    )
    LeadershipFactory(group=GroupFactory(), user=hub_person("applicant@example.org", 2004))
    LeadershipFactory(
        group=GroupFactory(status=Group.Status.INACTIVE, admitted_at=utc(2020, 1, 1)),
        user=hub_person("inactive@example.org", 2005),
    )

    rows = read_csv(client.get(HUB_ACCESS))

    assert rows == [
        HUB_ACCESS_HEADER,
        [
            "2001",
            "Lead",
            "lead@example.org",
            "Alpha Azure",
            "Leader (primary contact)",
            "2024-01-01",
        ],
        [
            "2002",
            "Cole",
            "cole@example.org",
            "Alpha Azure",
            "Co-leader (secondary contact)",
            "2024-02-02",
        ],
        ["", "Noid", "noid@example.org", "Beta Cloud", "Leader (primary contact)", "2024-03-03"],
    ]


def test_hub_access_is_named_for_the_hub_and_the_day(client, staff):
    response = client.get(HUB_ACCESS)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="leaders-hub-access-{today}.csv"'
    )


def test_leader_of_two_groups_one_of_which_left_keeps_access_through_the_other():
    person = hub_person("both@example.org", 3001)
    stays = GroupFactory(name="Stays", admitted=True)
    left = GroupFactory(name="Left", status=Group.Status.LEFT, admitted_at=utc(2020, 1, 1))
    LeadershipFactory(group=stays, user=person)
    LeadershipFactory(
        group=left,
        user=person,
        ended_at=timezone.now() - timedelta(days=2),
        end_reason=Leadership.EndReason.GROUP_LEFT,
    )

    assert [row[3] for row in hub_access_rows()] == ["Stays"]
    assert list(hub_revoke_rows(since=timezone.localdate() - timedelta(days=30))) == []


def test_hub_access_query_count_is_one(django_assert_num_queries):
    for _ in range(5):
        LeadershipFactory(group=GroupFactory(admitted=True))
    with django_assert_num_queries(1):
        assert len(list(hub_access_rows())) == 5


# The Leaders Hub: revoke -------------------------------------------------------------------


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def revoked(since_days: int = 30) -> list[tuple]:
    return list(hub_revoke_rows(since=timezone.localdate() - timedelta(days=since_days)))


def test_someone_who_stepped_down_since_the_date_is_revoked():
    person = hub_person("stepped@example.org", 4001)
    LeadershipFactory(
        group=admitted_group(name="Alpha"),
        user=person,
        ended_at=days_ago(10),
        end_reason=Leadership.EndReason.STEPPED_DOWN,
    )

    assert revoked() == [
        (
            4001,
            "Stepped",
            "stepped@example.org",
            "Alpha",
            timezone.localdate(days_ago(10)),
            "Stepped down",
        )
    ]


def test_someone_who_stepped_down_before_the_date_is_not_listed_again():
    LeadershipFactory(group=admitted_group(name="Alpha"), ended_at=days_ago(40))

    assert revoked() == []
    assert len(revoked(since_days=45)) == 1


def test_leaders_of_a_group_that_left_are_revoked():
    left_at = days_ago(3)  # processing a leave request ends the roles as the group leaves
    group = GroupFactory(
        name="Gone", status=Group.Status.LEFT, admitted_at=days_ago(500), status_changed_at=left_at
    )
    for role in Leadership.Role.values:
        LeadershipFactory(
            group=group,
            role=role,
            user=hub_person(f"{role}@example.org", 5000 + len(role)),
            ended_at=left_at,
            end_reason=Leadership.EndReason.GROUP_LEFT,
        )

    rows = revoked()

    assert [(row[2], row[3], row[5]) for row in rows] == [
        ("co_leader@example.org", "Gone", "The group left the program"),
        ("leader@example.org", "Gone", "The group left the program"),
    ]


def test_leaders_of_a_group_moved_to_inactive_are_revoked_though_their_roles_go_on():
    group = GroupFactory(
        name="Sleepy",
        status=Group.Status.INACTIVE,
        admitted_at=days_ago(500),
        status_changed_at=days_ago(5),
    )
    LeadershipFactory(group=group, user=hub_person("sleepy@example.org", 6001))

    assert revoked() == [
        (
            6001,
            "Sleepy",
            "sleepy@example.org",
            "Sleepy",
            timezone.localdate(days_ago(5)),
            "Group status: Inactive",
        )
    ]
    assert revoked(since_days=4) == []


def test_a_role_ending_in_a_group_inactive_since_before_the_date_is_not_listed_again():
    group = GroupFactory(
        status=Group.Status.INACTIVE, admitted_at=days_ago(500), status_changed_at=days_ago(90)
    )
    LeadershipFactory(group=group, ended_at=days_ago(2))

    assert revoked() == []


def test_someone_who_still_leads_an_admitted_group_is_not_revoked():
    person = hub_person("busy@example.org", 7001)
    LeadershipFactory(group=admitted_group(name="Old"), user=person, ended_at=days_ago(5))
    LeadershipFactory(group=admitted_group(name="New"), user=person, role=Leadership.Role.CO_LEADER)

    assert revoked() == []


def test_someone_who_only_leads_a_group_that_is_not_admitted_is_revoked():
    person = hub_person("drafter@example.org", 7002)
    LeadershipFactory(group=admitted_group(name="Old"), user=person, ended_at=days_ago(5))
    LeadershipFactory(group=GroupFactory(name="Draft"), user=person)

    assert [row[3] for row in revoked()] == ["Old"]


def test_roles_in_groups_never_admitted_never_gave_access():
    LeadershipFactory(group=GroupFactory(), ended_at=days_ago(5))
    LeadershipFactory(
        group=GroupFactory(status=Group.Status.DECLINED, status_changed_at=days_ago(3))
    )

    assert revoked() == []


def test_a_role_that_ended_before_the_group_was_admitted_gave_no_access():
    group = admitted_group(name="Late", admitted_at=days_ago(5))
    LeadershipFactory(group=group, ended_at=days_ago(10))

    assert revoked() == []


def test_a_person_who_lost_two_roles_is_listed_once_with_the_latest():
    person = hub_person("twice@example.org", 8001)
    LeadershipFactory(group=admitted_group(name="First"), user=person, ended_at=days_ago(20))
    LeadershipFactory(group=admitted_group(name="Second"), user=person, ended_at=days_ago(4))

    rows = revoked()

    assert [(row[0], row[3]) for row in rows] == [(8001, "Second")]


def test_revoke_query_count_is_one(django_assert_num_queries):
    for n in range(5):
        LeadershipFactory(group=admitted_group(name=f"G{n}"), ended_at=days_ago(n + 1))
    with django_assert_num_queries(1):
        assert len(revoked()) == 5


def test_revoke_page_offers_a_date_thirty_days_back(client, staff):
    response = client.get(HUB_REVOKE)
    content = response.content.decode()
    default = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert response.status_code == 200
    assert f'value="{default}"' in content
    assert 'type="date"' in content


def test_revoke_page_downloads_the_csv_for_the_date(client, staff):
    LeadershipFactory(
        group=admitted_group(name="Alpha", admitted_at=utc(2024, 1, 1)),
        user=hub_person("gone@example.org", 9001),
        started_at=utc(2024, 3, 10, 12),
        ended_at=utc(2025, 3, 10, 12),
        end_reason=Leadership.EndReason.REMOVED,
    )

    response = client.get(HUB_REVOKE, {"since": "2025-03-10"})

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="leaders-hub-revoke-{today}.csv"'
    )
    assert read_csv(response) == [
        HUB_REVOKE_HEADER,
        ["9001", "Gone", "gone@example.org", "Alpha", "2025-03-10", "Removed by the program team"],
    ]
    assert read_csv(client.get(HUB_REVOKE, {"since": "2025-03-11"})) == [HUB_REVOKE_HEADER]


@pytest.mark.parametrize("since", ["", "yesterday", "2025-02-30"])
def test_revoke_page_explains_a_bad_date(client, staff, since):
    response = client.get(HUB_REVOKE, {"since": since})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_revoke_page_refuses_a_future_date(client, staff):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.get(HUB_REVOKE, {"since": tomorrow})
    assert response.status_code == 200
    assert "not in the future" in response.content.decode()
