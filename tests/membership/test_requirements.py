"""The program requirements as a pure function of a group's facts (no database)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from membership.requirements import (
    Check,
    Checklist,
    Code,
    Contact,
    GroupFacts,
    Outcome,
    RequirementResult,
    check_benefit_ids,
    evaluate_requirements,
    is_established,
    meeting_window,
    requirement_title,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
WINDOW_START = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
CONDUCT_URL = "https://azure-sthlm.example.org/conduct"
PUBLISHED = "The code of conduct is published at https://azure-sthlm.example.org/conduct."
APPLICATION_STATUSES = ["draft", "submitted", "changes_requested"]

LEADER = Contact(
    user_id=1, name="Ada Lovelace", has_tech_community_id=True, accepted_rules_version=2
)
CO_LEADER = Contact(
    user_id=2, name="Grace Hopper", has_tech_community_id=True, accepted_rules_version=2
)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def monthly_meetings(count: int) -> list[datetime]:
    """`count` meetings a month apart, the latest 15 days ago: well spread, all in the window."""
    return [days_ago(15 + 30 * i) for i in range(count)]


def make_facts(**overrides: object) -> GroupFacts:
    """An established, admitted group that meets every requirement, changed by `overrides`."""
    defaults: dict[str, object] = {
        "status": "admitted",
        "timezone": "Europe/Stockholm",
        "admitted_at": days_ago(800),
        "code_of_conduct_url": CONDUCT_URL,
        "planned_meetings_per_year": None,
        "leader": LEADER,
        "co_leader": CO_LEADER,
        "azure_meeting_starts": monthly_meetings(12),
        "fee_meeting_count": 0,
        "current_rules_version": 2,
    }
    return GroupFacts(**{**defaults, **overrides})  # type: ignore[arg-type]


def result_for(code: Code, **overrides: object) -> RequirementResult:
    result = evaluate_requirements(make_facts(**overrides), now=NOW).result(code)
    assert result is not None
    return result


def count_check(**overrides: object) -> Check:
    """Requirement 4's first sub-check: the count (for a new group the pace, for an
    application the plan)."""
    return result_for(Code.AZURE_MEETINGS, **overrides).checks[0]


def interval_check(**overrides: object) -> Check:
    """Requirement 4's second sub-check: the intervals between meetings."""
    return result_for(Code.AZURE_MEETINGS, **overrides).checks[1]


def outcomes(result: RequirementResult) -> list[Outcome]:
    return [check.outcome for check in result.checks]


def test_default_facts_meet_every_requirement():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert [result.outcome for result in checklist.results] == [Outcome.PASS] * 5


# --- The meeting window ----------------------------------------------------------------------


def test_meeting_window_ends_now():
    assert meeting_window(NOW)[1] == NOW


def test_meeting_window_starts_twelve_calendar_months_back():
    now = datetime(2026, 2, 28, 9, 30, tzinfo=UTC)

    assert meeting_window(now) == (datetime(2025, 2, 28, 9, 30, tzinfo=UTC), now)


def test_meeting_window_from_a_leap_day_starts_on_the_last_day_of_february():
    now = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)

    assert meeting_window(now)[0] == datetime(2023, 2, 28, 9, 30, tzinfo=UTC)


# --- Sub-checks make up a requirement --------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes_in", "worst"),
    [
        pytest.param([Outcome.PASS], Outcome.PASS, id="pass"),
        pytest.param([Outcome.PASS, Outcome.PASS], Outcome.PASS, id="pass pass"),
        pytest.param([Outcome.PASS, Outcome.WARNING], Outcome.WARNING, id="pass warning"),
        pytest.param([Outcome.WARNING, Outcome.PASS], Outcome.WARNING, id="warning pass"),
        pytest.param([Outcome.WARNING, Outcome.FAIL], Outcome.FAIL, id="warning fail"),
        pytest.param([Outcome.FAIL, Outcome.WARNING], Outcome.FAIL, id="fail warning"),
        pytest.param(
            [Outcome.PASS, Outcome.FAIL, Outcome.WARNING], Outcome.FAIL, id="pass fail warning"
        ),
    ],
)
def test_requirement_result_takes_the_worst_outcome_of_its_checks(outcomes_in, worst):
    checks = [Check(outcome, f"Check {n}.") for n, outcome in enumerate(outcomes_in)]

    result = RequirementResult.of(Code.CONTACTS, *checks)

    assert result.outcome is worst


def test_requirement_result_joins_the_messages_of_its_checks_in_order():
    result = RequirementResult.of(
        Code.CONTACTS, Check(Outcome.FAIL, "First."), Check(Outcome.PASS, "Second.")
    )

    assert (result.code, result.message) == (Code.CONTACTS, "First. Second.")
    assert result.checks == (Check(Outcome.FAIL, "First."), Check(Outcome.PASS, "Second."))


@pytest.mark.parametrize(
    ("outcome", "met"), [(Outcome.PASS, True), (Outcome.WARNING, True), (Outcome.FAIL, False)]
)
def test_a_requirement_is_met_unless_it_fails(outcome, met):
    assert RequirementResult.of(Code.CONTACTS, Check(outcome, "Said.")).is_met is met


# --- Titles ----------------------------------------------------------------------------------


def test_requirements_have_the_programs_titles():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert [result.title for result in checklist.results] == [
        "A leader and a co-leader",
        "A code of conduct reachable from the group's home page",
        "Free attendance",
        "At least 6 Azure-related meetings a year, at regular intervals",
        "The program's rules of conduct accepted",
    ]


@pytest.mark.parametrize(
    ("minimum", "title"),
    [
        (4, "At least 4 Azure-related meetings a year, at regular intervals"),
        (8, "At least 8 Azure-related meetings a year, at regular intervals"),
        (1, "At least 1 Azure-related meeting a year, at regular intervals"),
    ],
)
def test_title_of_the_meetings_requirement_follows_the_minimum(settings, minimum, title):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = minimum

    assert requirement_title(Code.AZURE_MEETINGS) == title
    assert result_for(Code.AZURE_MEETINGS).title == title


# --- 1. Two contacts -------------------------------------------------------------------------


def test_contacts_pass_when_the_group_has_a_leader_and_a_different_co_leader():
    result = result_for(Code.CONTACTS)

    assert result.outcome is Outcome.PASS
    assert result.checks == (
        Check(Outcome.PASS, "Ada Lovelace is the leader."),
        Check(Outcome.PASS, "Grace Hopper is the co-leader."),
    )
    assert result.message == "Ada Lovelace is the leader. Grace Hopper is the co-leader."


def test_contacts_fail_when_the_group_has_neither_leader_nor_co_leader():
    result = result_for(Code.CONTACTS, leader=None, co_leader=None)

    assert result.outcome is Outcome.FAIL
    assert outcomes(result) == [Outcome.FAIL, Outcome.FAIL]
    assert result.message == (
        "The group has no leader (primary contact). Name one. The group has no co-leader "
        "(secondary contact). Invite one, so the group keeps a contact when a leader changes."
    )


def test_contacts_fail_when_the_group_has_no_leader():
    result = result_for(Code.CONTACTS, leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.checks == (
        Check(Outcome.FAIL, "The group has no leader (primary contact). Name one."),
        Check(Outcome.PASS, "Grace Hopper is the co-leader."),
    )


def test_contacts_fail_when_the_group_has_no_co_leader():
    result = result_for(Code.CONTACTS, co_leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.checks == (
        Check(Outcome.PASS, "Ada Lovelace is the leader."),
        Check(
            Outcome.FAIL,
            "The group has no co-leader (secondary contact). Invite one, so the group keeps a "
            "contact when a leader changes.",
        ),
    )


def test_contacts_fail_when_leader_and_co_leader_are_the_same_person():
    result = result_for(Code.CONTACTS, co_leader=replace(LEADER, name="Ada L."))

    assert result.outcome is Outcome.FAIL
    assert result.checks == (
        Check(Outcome.PASS, "Ada Lovelace is the leader."),
        Check(Outcome.PASS, "Ada L. is the co-leader."),
        Check(Outcome.FAIL, "The leader and the co-leader must be two different people."),
    )


# --- 2. Code of conduct ----------------------------------------------------------------------


def test_code_of_conduct_passes_when_its_address_is_given_before_the_first_link_check():
    result = result_for(Code.CODE_OF_CONDUCT)

    assert result.outcome is Outcome.PASS
    assert result.checks == (
        Check(Outcome.PASS, PUBLISHED),
        Check(Outcome.PASS, "The daily link check has not reached it yet."),
    )


def test_code_of_conduct_passes_naming_the_last_check_it_answered():
    result = result_for(Code.CODE_OF_CONDUCT, coc_link_checked_at=days_ago(1))

    assert result.outcome is Outcome.PASS
    assert result.message == PUBLISHED + " It answered on the last check (June 14, 2026)."


def test_code_of_conduct_passes_with_a_note_after_one_failed_check():
    result = result_for(
        Code.CODE_OF_CONDUCT,
        coc_link_failures=1,
        coc_link_failing_since=days_ago(1),
        coc_link_checked_at=days_ago(1),
        coc_link_status_code=404,
    )

    assert result.outcome is Outcome.PASS
    assert result.message == (
        PUBLISHED + " It did not answer on the last check (June 14, 2026). If it fails the next "
        "check too, this requirement fails."
    )


def test_code_of_conduct_fails_after_two_failed_checks_in_a_row():
    result = result_for(
        Code.CODE_OF_CONDUCT,
        coc_link_failures=2,
        coc_link_failing_since=days_ago(2),
        coc_link_checked_at=days_ago(1),
        coc_link_status_code=404,
    )

    assert result.outcome is Outcome.FAIL
    assert outcomes(result) == [Outcome.PASS, Outcome.FAIL]
    assert result.checks[1].message == (
        "It did not answer on the last 2 checks, from June 13, 2026 to June 14, 2026. The last "
        "answer was HTTP status 404. Correct the address in the group's details (Edit "
        "details), or make the page reachable again."
    )
    assert result.message == PUBLISHED + " " + result.checks[1].message


def test_code_of_conduct_failure_without_an_answer_gives_no_status():
    result = result_for(
        Code.CODE_OF_CONDUCT,
        coc_link_failures=3,
        coc_link_failing_since=days_ago(3),
        coc_link_checked_at=days_ago(1),
        coc_link_status_code=None,
    )

    assert result.outcome is Outcome.FAIL
    assert result.checks[1].message == (
        "It did not answer on the last 3 checks, from June 12, 2026 to June 14, 2026. Correct "
        "the address in the group's details (Edit details), or make the page reachable again."
    )


def test_code_of_conduct_check_dates_are_in_the_groups_time_zone():
    # 23:30 UTC on June 13 is already June 14 in Stockholm.
    late = datetime(2026, 6, 13, 23, 30, tzinfo=UTC)

    result = result_for(
        Code.CODE_OF_CONDUCT,
        coc_link_failures=2,
        coc_link_failing_since=late - timedelta(days=1),
        coc_link_checked_at=late,
    )

    assert "from June 13, 2026 to June 14, 2026" in result.message


def test_code_of_conduct_check_dates_in_utc_stay_on_the_utc_day():
    late = datetime(2026, 6, 13, 23, 30, tzinfo=UTC)

    result = result_for(
        Code.CODE_OF_CONDUCT,
        timezone="UTC",
        coc_link_failures=2,
        coc_link_failing_since=late - timedelta(days=1),
        coc_link_checked_at=late,
    )

    assert "from June 12, 2026 to June 13, 2026" in result.message


def test_code_of_conduct_fails_when_its_address_is_empty():
    result = result_for(Code.CODE_OF_CONDUCT, code_of_conduct_url="")

    assert result.outcome is Outcome.FAIL
    assert result.checks == (
        Check(
            Outcome.FAIL,
            "Add the address of your code of conduct, easy to reach from the group's home page. "
            "If you have none, start from the portal's example.",
        ),
    )


def test_code_of_conduct_not_linked_from_the_home_page_is_a_warning():
    result = result_for(
        Code.CODE_OF_CONDUCT, coc_link_checked_at=days_ago(1), coc_linked_from_home=False
    )

    assert result.outcome is Outcome.WARNING
    assert result.is_met
    assert outcomes(result) == [Outcome.PASS, Outcome.PASS, Outcome.WARNING]
    assert result.checks[2].message == (
        "The last check found no link to it on the group's home page. Link it from there, so "
        "members can find it."
    )


def test_code_of_conduct_linked_from_the_home_page_adds_a_passing_line():
    result = result_for(
        Code.CODE_OF_CONDUCT, coc_link_checked_at=days_ago(1), coc_linked_from_home=True
    )

    assert result.outcome is Outcome.PASS
    assert result.checks[2] == Check(Outcome.PASS, "The group's home page links to it.")
    assert result.message == (
        PUBLISHED + " It answered on the last check (June 14, 2026). The group's home page "
        "links to it."
    )


def test_code_of_conduct_says_nothing_about_the_home_page_when_the_check_could_not_tell():
    result = result_for(
        Code.CODE_OF_CONDUCT, coc_link_checked_at=days_ago(1), coc_linked_from_home=None
    )

    assert len(result.checks) == 2
    assert "home page" not in result.message


def test_a_broken_link_fails_even_when_the_home_page_links_to_it():
    result = result_for(
        Code.CODE_OF_CONDUCT,
        coc_link_failures=2,
        coc_link_failing_since=days_ago(2),
        coc_link_checked_at=days_ago(1),
        coc_linked_from_home=False,
    )

    assert result.outcome is Outcome.FAIL
    assert outcomes(result) == [Outcome.PASS, Outcome.FAIL, Outcome.WARNING]


def test_an_empty_code_of_conduct_address_has_no_home_page_line():
    result = result_for(Code.CODE_OF_CONDUCT, code_of_conduct_url="", coc_linked_from_home=False)

    assert outcomes(result) == [Outcome.FAIL]


# --- 3. Free attendance ----------------------------------------------------------------------


def test_free_attendance_passes_when_no_meeting_charged_an_entry_fee():
    result = result_for(Code.FREE_ATTENDANCE, fee_meeting_count=0)

    assert result.outcome is Outcome.PASS
    assert result.message == "No meeting in the last 12 months charged an entry fee."


def test_free_attendance_fails_when_one_meeting_charged_an_entry_fee():
    result = result_for(Code.FREE_ATTENDANCE, fee_meeting_count=1)

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "1 meeting in the last 12 months charged an entry fee. Members may never be charged "
        "to attend; only costs such as venue or food and drink may be recovered."
    )


def test_free_attendance_failure_for_several_meetings_uses_the_plural():
    result = result_for(Code.FREE_ATTENDANCE, fee_meeting_count=2)

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "2 meetings in the last 12 months charged an entry fee. Members may never be charged "
        "to attend; only costs such as venue or food and drink may be recovered."
    )


# --- 4. Azure-related meetings: the count ------------------------------------------------------


def test_meetings_requirement_has_the_count_then_the_interval():
    result = result_for(Code.AZURE_MEETINGS)

    assert result.outcome is Outcome.PASS
    assert result.message == (
        "12 Azure-related meetings in the last 12 months (the program asks for at least 6). "
        "Meetings are at regular intervals: the longest stretch without one was 30 days (at "
        "most 122)."
    )


def test_established_group_with_six_azure_meetings_passes():
    check = count_check(azure_meeting_starts=monthly_meetings(6))

    assert check == Check(
        Outcome.PASS,
        "6 Azure-related meetings in the last 12 months (the program asks for at least 6).",
    )


def test_established_group_with_five_azure_meetings_fails():
    check = count_check(azure_meeting_starts=monthly_meetings(5))

    assert check == Check(
        Outcome.FAIL,
        "Only 5 Azure-related meetings in the last 12 months; the program asks for at least 6.",
    )


def test_established_group_with_one_azure_meeting_fails_with_the_singular():
    check = count_check(azure_meeting_starts=monthly_meetings(1))

    assert check == Check(
        Outcome.FAIL,
        "Only 1 Azure-related meeting in the last 12 months; the program asks for at least 6.",
    )


def test_minimum_number_of_azure_meetings_is_a_setting(settings):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = 4

    check = count_check(azure_meeting_starts=monthly_meetings(4))

    assert check == Check(
        Outcome.PASS,
        "4 Azure-related meetings in the last 12 months (the program asks for at least 4).",
    )


def test_raised_minimum_fails_a_group_that_meets_the_default(settings):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = 8

    check = count_check(azure_meeting_starts=monthly_meetings(6))

    assert check == Check(
        Outcome.FAIL,
        "Only 6 Azure-related meetings in the last 12 months; the program asks for at least 8.",
    )


def test_group_admitted_exactly_twelve_months_ago_is_judged_as_established():
    check = count_check(admitted_at=WINDOW_START, azure_meeting_starts=monthly_meetings(5))

    assert check.outcome is Outcome.FAIL


def test_group_that_was_never_admitted_and_is_not_applying_fails_without_meetings():
    check = count_check(status="inactive", admitted_at=None, azure_meeting_starts=[])

    assert check == Check(
        Outcome.FAIL,
        "Only 0 Azure-related meetings in the last 12 months; the program asks for at least 6.",
    )


# New groups: the pace of the minimum a year since the admission


def test_new_group_on_pace_passes_naming_when_the_next_meeting_is_due():
    # 146 days in, the pace asks for floor(6 * 146 / 365) = 2; after 244 days, for 4.
    check = count_check(
        admitted_at=days_ago(146), azure_meeting_starts=[days_ago(10), days_ago(40), days_ago(70)]
    )

    assert check == Check(
        Outcome.PASS,
        "3 Azure-related meetings in the last 12 months: on pace for 6 a year since the "
        "admission on Jan. 20, 2026. Hold the next by Sept. 20, 2026 to keep it.",
    )


def test_new_group_exactly_on_pace_passes():
    check = count_check(admitted_at=days_ago(146), azure_meeting_starts=[days_ago(5), days_ago(6)])

    assert check == Check(
        Outcome.PASS,
        "2 Azure-related meetings in the last 12 months: on pace for 6 a year since the "
        "admission on Jan. 20, 2026. Hold the next by July 21, 2026 to keep it.",
    )


def test_new_group_with_one_meeting_on_pace_uses_the_singular():
    check = count_check(admitted_at=days_ago(100), azure_meeting_starts=[days_ago(10)])

    assert check == Check(
        Outcome.PASS,
        "1 Azure-related meeting in the last 12 months: on pace for 6 a year since the "
        "admission on March 7, 2026. Hold the next by July 6, 2026 to keep it.",
    )


def test_new_group_below_pace_gets_a_warning():
    check = count_check(admitted_at=days_ago(146), azure_meeting_starts=[days_ago(10)])

    assert check == Check(
        Outcome.WARNING,
        "1 Azure-related meeting in the last 12 months: behind the pace of 6 a year since the "
        "admission on Jan. 20, 2026, which asks for 2 by now.",
    )


def test_new_group_without_any_meeting_is_warned_but_never_fails():
    result = result_for(Code.AZURE_MEETINGS, admitted_at=days_ago(300), azure_meeting_starts=[])

    assert result.outcome is Outcome.WARNING
    assert result.checks[0] == Check(
        Outcome.WARNING,
        "0 Azure-related meetings in the last 12 months: behind the pace of 6 a year since the "
        "admission on Aug. 19, 2025, which asks for 4 by now.",
    )


def test_new_group_with_the_full_minimum_passes_on_the_count():
    check = count_check(admitted_at=days_ago(200), azure_meeting_starts=monthly_meetings(6))

    assert check == Check(
        Outcome.PASS,
        "6 Azure-related meetings in the last 12 months (the program asks for at least 6).",
    )


def test_new_group_pace_follows_the_minimum_setting(settings):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = 4

    # 146 days in, the pace of 4 a year asks for floor(4 * 146 / 365) = 1.
    check = count_check(admitted_at=days_ago(146), azure_meeting_starts=[days_ago(10)])

    assert check.outcome is Outcome.PASS
    assert "on pace for 4 a year" in check.message


@pytest.mark.parametrize(
    ("days_since_admission", "admitted", "due"),
    [
        pytest.param(0, "June 15, 2026", "Aug. 14, 2026", id="admitted today"),
        pytest.param(1, "June 14, 2026", "Aug. 13, 2026", id="admitted yesterday"),
        pytest.param(30, "May 16, 2026", "July 15, 2026", id="admitted 30 days ago"),
    ],
)
def test_new_group_in_its_first_weeks_without_a_meeting_is_told_when_the_first_is_due(
    days_since_admission, admitted, due
):
    result = result_for(
        Code.AZURE_MEETINGS, admitted_at=days_ago(days_since_admission), azure_meeting_starts=[]
    )

    assert result.outcome is Outcome.PASS
    assert result.checks[0] == Check(
        Outcome.PASS,
        f"Admitted on {admitted}: at the pace of 6 a year, hold the first Azure-related meeting "
        f"by {due}.",
    )
    assert "1 days" not in result.message
    assert "0 meetings" not in result.message
    assert "0 Azure-related meetings" not in result.message


def test_admitted_a_few_hours_ago_reads_as_admitted_today():
    result = result_for(
        Code.AZURE_MEETINGS, admitted_at=NOW - timedelta(hours=3), azure_meeting_starts=[]
    )

    assert result.checks[0].message == (
        "Admitted on June 15, 2026: at the pace of 6 a year, hold the first Azure-related "
        "meeting by Aug. 14, 2026."
    )
    assert result.checks[1].message == (
        "No Azure-related meeting yet since June 15, 2026; meetings must be at most 122 days apart."
    )


def test_new_group_a_day_in_with_a_meeting_reads_in_the_singular():
    result = result_for(
        Code.AZURE_MEETINGS, admitted_at=days_ago(1), azure_meeting_starts=[days_ago(0.5)]
    )

    assert result.outcome is Outcome.PASS
    assert result.message == (
        "1 Azure-related meeting in the last 12 months: on pace for 6 a year since the "
        "admission on June 14, 2026. Hold the next by Oct. 13, 2026 to keep it. Meetings are "
        "at regular intervals: the longest stretch without one was 1 day (at most 122)."
    )
    assert "1 days" not in result.message


@pytest.mark.parametrize(
    ("timezone", "admitted", "due"),
    [
        pytest.param("Europe/Stockholm", "June 15, 2026", "Aug. 14, 2026", id="Stockholm"),
        pytest.param("UTC", "June 14, 2026", "Aug. 13, 2026", id="UTC"),
        pytest.param("America/Los_Angeles", "June 14, 2026", "Aug. 13, 2026", id="Los Angeles"),
    ],
)
def test_pace_dates_are_shown_in_the_group_time_zone(timezone, admitted, due):
    # 23:30 UTC on June 14 is already June 15 in Stockholm.
    check = count_check(
        timezone=timezone,
        admitted_at=datetime(2026, 6, 14, 23, 30, tzinfo=UTC),
        azure_meeting_starts=[],
    )

    assert check.message == (
        f"Admitted on {admitted}: at the pace of 6 a year, hold the first Azure-related meeting "
        f"by {due}."
    )


# Applications: the plan


@pytest.mark.parametrize("status", APPLICATION_STATUSES)
def test_application_planning_enough_meetings_gets_a_warning(status):
    check = count_check(
        status=status,
        admitted_at=None,
        planned_meetings_per_year=6,
        azure_meeting_starts=monthly_meetings(2),
    )

    assert check == Check(
        Outcome.WARNING,
        "2 Azure-related meetings in the last 12 months; you plan 6 a year. The program asks "
        "for at least 6 a year, so log them as you hold them.",
    )


@pytest.mark.parametrize("status", APPLICATION_STATUSES)
def test_application_planning_too_few_meetings_fails(status):
    check = count_check(
        status=status,
        admitted_at=None,
        planned_meetings_per_year=5,
        azure_meeting_starts=monthly_meetings(1),
    )

    assert check == Check(
        Outcome.FAIL,
        "1 Azure-related meeting in the last 12 months, and 5 planned a year. The program asks "
        "for at least 6 Azure-related meetings a year.",
    )


def test_application_without_a_plan_fails_as_planning_none():
    check = count_check(
        status="submitted",
        admitted_at=None,
        planned_meetings_per_year=None,
        azure_meeting_starts=[],
    )

    assert check == Check(
        Outcome.FAIL,
        "0 Azure-related meetings in the last 12 months, and 0 planned a year. The program asks "
        "for at least 6 Azure-related meetings a year.",
    )


def test_application_that_already_held_enough_meetings_passes_on_the_count():
    result = result_for(
        Code.AZURE_MEETINGS,
        status="submitted",
        admitted_at=None,
        planned_meetings_per_year=None,
        azure_meeting_starts=monthly_meetings(6),
    )

    assert result.checks[0].outcome is Outcome.PASS
    # Six monthly meetings leave the first 200 days of the window empty: a warning only.
    assert (result.checks[1].outcome, result.outcome) == (Outcome.WARNING, Outcome.WARNING)


# --- 4. Azure-related meetings: the intervals --------------------------------------------------

INTERVAL_ADVICE = "The program asks for meetings at regular intervals: at most 122 days apart."


def test_regular_meetings_pass_naming_the_longest_stretch_and_the_next_due_date():
    check = interval_check()

    # Monthly meetings, the earliest 345 days ago: 30 days apart, 20 from the window start,
    # the latest 15 days ago (May 31), so the next is due 122 days after it.
    assert check == Check(
        Outcome.PASS,
        "Meetings are at regular intervals: the longest stretch without one was 30 days (at "
        "most 122).",
    )


def test_stretch_of_exactly_the_maximum_passes():
    first = WINDOW_START + timedelta(days=122)
    starts = [first + timedelta(days=30 * i) for i in range(9)]

    check = interval_check(azure_meeting_starts=starts)

    assert check == Check(
        Outcome.PASS,
        "Meetings are at regular intervals: the longest stretch without one was 122 days (at "
        "most 122).",
    )


def test_stretch_one_second_over_the_maximum_fails_an_established_group():
    first = WINDOW_START + timedelta(days=122, seconds=1)
    starts = [first + timedelta(days=30 * i) for i in range(9)]

    result = result_for(Code.AZURE_MEETINGS, azure_meeting_starts=starts)

    assert (result.checks[0].outcome, result.outcome) == (Outcome.PASS, Outcome.FAIL)
    # A part of a day counts as a day, so the message never reads as within the limit.
    assert result.checks[1] == Check(
        Outcome.FAIL,
        "No Azure-related meeting for 123 days, from June 15, 2025 to Oct. 15, 2025. "
        + INTERVAL_ADVICE,
    )


def test_stretch_of_exactly_the_maximum_since_admission_passes_a_new_group():
    admitted_at = days_ago(200)

    check = interval_check(
        admitted_at=admitted_at,
        azure_meeting_starts=[admitted_at + timedelta(days=122), days_ago(10)],
    )

    assert check.outcome is Outcome.PASS
    assert "the longest stretch without one was 122 days" in check.message


def test_stretch_one_second_over_the_maximum_warns_a_new_group():
    admitted_at = days_ago(200)

    check = interval_check(
        admitted_at=admitted_at,
        azure_meeting_starts=[admitted_at + timedelta(days=122, seconds=1), days_ago(10)],
    )

    assert check == Check(
        Outcome.WARNING,
        "No Azure-related meeting for 123 days, from Nov. 27, 2025 to March 29, 2026. "
        + INTERVAL_ADVICE,
    )


def test_stretch_is_measured_from_the_start_of_the_window():
    starts = [days_ago(100), days_ago(70), days_ago(40), days_ago(10)]

    check = interval_check(azure_meeting_starts=starts)

    assert check == Check(
        Outcome.FAIL,
        "No Azure-related meeting for 265 days, from June 15, 2025 to March 7, 2026. "
        + INTERVAL_ADVICE,
    )


def test_stretch_is_measured_up_to_now():
    starts = [WINDOW_START + timedelta(days=10 + 30 * i) for i in range(6)]

    check = interval_check(azure_meeting_starts=starts)

    assert check == Check(
        Outcome.FAIL,
        "No Azure-related meeting for 205 days, from Nov. 22, 2025 to June 15, 2026. "
        + INTERVAL_ADVICE,
    )


def test_meetings_after_now_do_not_shorten_the_stretch():
    starts = [*monthly_meetings(12)[4:], days_ago(-10)]

    check = interval_check(azure_meeting_starts=starts)

    assert check.outcome is Outcome.FAIL
    assert "No Azure-related meeting for 135 days" in check.message


def test_established_group_without_meetings_fails_for_the_whole_year():
    check = interval_check(azure_meeting_starts=[])

    assert check == Check(
        Outcome.FAIL,
        "No Azure-related meeting for 365 days, from June 15, 2025 to June 15, 2026. "
        + INTERVAL_ADVICE,
    )


def test_new_group_stretch_is_measured_from_its_admission():
    check = interval_check(admitted_at=days_ago(100), azure_meeting_starts=[])

    assert check == Check(
        Outcome.PASS,
        "No Azure-related meeting yet since March 7, 2026; meetings must be at most 122 days "
        "apart.",
    )


def test_new_group_meetings_before_admission_do_not_shorten_the_stretch():
    check = interval_check(
        admitted_at=days_ago(200), azure_meeting_starts=[days_ago(250), days_ago(201)]
    )

    assert check == Check(
        Outcome.WARNING,
        "No Azure-related meeting for 200 days, from Nov. 27, 2025 to June 15, 2026. "
        + INTERVAL_ADVICE,
    )


@pytest.mark.parametrize(
    ("fields", "outcome"),
    [
        pytest.param({"admitted_at": days_ago(800)}, Outcome.FAIL, id="admitted long ago"),
        pytest.param({"admitted_at": WINDOW_START}, Outcome.FAIL, id="admitted 12 months ago"),
        pytest.param(
            {"status": "inactive", "admitted_at": None}, Outcome.FAIL, id="never admitted"
        ),
        pytest.param(
            {"admitted_at": WINDOW_START + timedelta(seconds=1)},
            Outcome.WARNING,
            id="admitted just under 12 months ago",
        ),
        pytest.param({"admitted_at": days_ago(200)}, Outcome.WARNING, id="admitted this year"),
        *(
            pytest.param(
                {"status": status, "admitted_at": None, "planned_meetings_per_year": 6},
                Outcome.WARNING,
                id=f"{status} application",
            )
            for status in APPLICATION_STATUSES
        ),
    ],
)
def test_a_long_stretch_fails_established_groups_and_warns_the_others(fields, outcome):
    facts = make_facts(azure_meeting_starts=[days_ago(130)], **fields)

    check = evaluate_requirements(facts, now=NOW).result(Code.AZURE_MEETINGS).checks[1]

    assert check.outcome is outcome
    assert is_established(facts, now=NOW) is (outcome is Outcome.FAIL)


def test_maximum_gap_is_a_setting(settings):
    settings.TECHGROUPS_MAX_MEETING_GAP_DAYS = 60
    starts = [days_ago(10), days_ago(72), *monthly_meetings(12)[3:]]

    check = interval_check(azure_meeting_starts=starts)

    assert check == Check(
        Outcome.FAIL,
        "No Azure-related meeting for 62 days, from April 4, 2026 to June 5, 2026. The program "
        "asks for meetings at regular intervals: at most 60 days apart.",
    )


def test_raised_maximum_gap_passes_a_stretch_over_the_default(settings):
    settings.TECHGROUPS_MAX_MEETING_GAP_DAYS = 200
    starts = [days_ago(10), days_ago(160), days_ago(300)]

    check = interval_check(azure_meeting_starts=starts)

    assert check.outcome is Outcome.PASS
    assert "the longest stretch without one was 150 days (at most 200)" in check.message


@pytest.mark.parametrize(
    ("timezone", "start", "end"),
    [
        pytest.param("Europe/Stockholm", "Oct. 23, 2025", "March 2, 2026", id="Stockholm"),
        pytest.param("UTC", "Oct. 22, 2025", "March 1, 2026", id="UTC"),
        pytest.param("America/Los_Angeles", "Oct. 22, 2025", "March 1, 2026", id="Los Angeles"),
    ],
)
def test_stretch_dates_are_shown_in_the_group_time_zone(timezone, start, end):
    starts = [
        datetime(2025, 10, 22, 23, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
    ]

    check = interval_check(timezone=timezone, azure_meeting_starts=starts)

    assert check.message == (
        f"No Azure-related meeting for 130 days, from {start} to {end}. " + INTERVAL_ADVICE
    )


# --- Not a requirement: Tech Community user IDs (Leaders Hub access) --------------------------


def test_tech_community_ids_are_not_a_requirement():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert "tech_community_ids" not in {code.value for code in Code}
    assert [result.code for result in checklist.results] == list(Code)


def test_a_contact_without_a_tech_community_id_does_not_make_the_checklist_fail():
    facts = make_facts(
        leader=replace(LEADER, has_tech_community_id=False),
        co_leader=replace(CO_LEADER, has_tech_community_id=False),
    )

    checklist = evaluate_requirements(facts, now=NOW)

    assert (checklist.all_met, checklist.summary, checklist.warnings) == (True, "5 of 5 met", [])


def test_benefit_ids_are_ready_when_both_contacts_gave_theirs():
    benefits = check_benefit_ids(make_facts())

    assert (benefits.ready, benefits.missing) == (True, ())
    assert benefits.message == "Both contacts have given their Tech Community user ID."


def test_benefit_ids_name_the_leader_without_one():
    leader = replace(LEADER, has_tech_community_id=False)

    benefits = check_benefit_ids(make_facts(leader=leader))

    assert (benefits.ready, benefits.missing) == (False, (leader,))
    assert benefits.message == (
        "Leaders Hub access needs the Tech Community user ID of both contacts: the leader, "
        "Ada Lovelace, has not given one. Add it on the profile page."
    )


def test_benefit_ids_name_both_contacts_without_one():
    leader = replace(LEADER, has_tech_community_id=False)
    co_leader = replace(CO_LEADER, has_tech_community_id=False)

    benefits = check_benefit_ids(make_facts(leader=leader, co_leader=co_leader))

    assert (benefits.ready, benefits.missing) == (False, (leader, co_leader))
    assert benefits.message == (
        "Leaders Hub access needs the Tech Community user ID of both contacts: the leader, "
        "Ada Lovelace, has not given one; the co-leader, Grace Hopper, has not given one. "
        "Add it on the profile page."
    )


def test_benefit_ids_are_not_ready_when_a_role_is_empty():
    benefits = check_benefit_ids(make_facts(co_leader=None))

    # Nobody to ask for an ID: the missing role is the contacts requirement's business.
    assert (benefits.ready, benefits.missing) == (False, ())
    assert benefits.message == (
        "Leaders Hub access needs the Tech Community user ID of both contacts: there is no "
        "co-leader yet. Add it on the profile page."
    )


def test_benefit_ids_name_both_empty_roles():
    benefits = check_benefit_ids(make_facts(leader=None, co_leader=None))

    assert (benefits.ready, benefits.missing) == (False, ())
    assert benefits.message == (
        "Leaders Hub access needs the Tech Community user ID of both contacts: there is no "
        "leader yet; there is no co-leader yet. Add it on the profile page."
    )


# --- 5. Program rules ------------------------------------------------------------------------


def test_program_rules_pass_when_none_are_published():
    result = result_for(
        Code.PROGRAM_RULES,
        current_rules_version=None,
        leader=replace(LEADER, accepted_rules_version=None),
        co_leader=None,
    )

    assert result.outcome is Outcome.PASS
    assert result.message == "No program rules have been published yet."


def test_program_rules_pass_when_both_contacts_accepted_the_current_version():
    result = result_for(Code.PROGRAM_RULES)

    assert result.outcome is Outcome.PASS
    assert result.checks == (
        Check(Outcome.PASS, "The leader, Ada Lovelace, accepted version 2."),
        Check(Outcome.PASS, "The co-leader, Grace Hopper, accepted version 2."),
    )


def test_program_rules_fail_when_a_contact_has_not_accepted_them():
    result = result_for(
        Code.PROGRAM_RULES, co_leader=replace(CO_LEADER, accepted_rules_version=None)
    )

    assert result.outcome is Outcome.FAIL
    assert result.checks == (
        Check(Outcome.PASS, "The leader, Ada Lovelace, accepted version 2."),
        Check(Outcome.FAIL, "The co-leader, Grace Hopper, has not accepted version 2."),
    )


def test_program_rules_fail_naming_the_out_of_date_version_a_contact_accepted():
    result = result_for(Code.PROGRAM_RULES, leader=replace(LEADER, accepted_rules_version=1))

    assert result.outcome is Outcome.FAIL
    assert result.checks[0] == Check(
        Outcome.FAIL,
        "The leader, Ada Lovelace, accepted version 1, which is out of date; version 2 is current.",
    )


def test_program_rules_fail_when_a_role_is_empty():
    result = result_for(Code.PROGRAM_RULES, leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.checks[0] == Check(
        Outcome.FAIL, "There is no leader yet to accept the current version."
    )


def test_program_rules_fail_listing_every_contact_that_falls_short():
    result = result_for(
        Code.PROGRAM_RULES,
        leader=replace(LEADER, accepted_rules_version=1),
        co_leader=replace(CO_LEADER, accepted_rules_version=None),
    )

    assert outcomes(result) == [Outcome.FAIL, Outcome.FAIL]
    assert result.message == (
        "The leader, Ada Lovelace, accepted version 1, which is out of date; version 2 is "
        "current. The co-leader, Grace Hopper, has not accepted version 2."
    )


# --- The checklist ---------------------------------------------------------------------------


def two_failures_and_a_warning() -> Checklist:
    """No code of conduct, a fee charged, and a new group behind its pace of meetings."""
    return evaluate_requirements(
        make_facts(
            code_of_conduct_url="",
            fee_meeting_count=1,
            admitted_at=days_ago(200),
            azure_meeting_starts=[days_ago(10)],
        ),
        now=NOW,
    )


def test_checklist_lists_the_requirements_in_program_order():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert [result.code for result in checklist.results] == [
        Code.CONTACTS,
        Code.CODE_OF_CONDUCT,
        Code.FREE_ATTENDANCE,
        Code.AZURE_MEETINGS,
        Code.PROGRAM_RULES,
    ]


def test_checklist_summary_counts_the_requirements_met():
    assert two_failures_and_a_warning().summary == "3 of 5 met"


def test_checklist_counts_met_and_total():
    checklist = two_failures_and_a_warning()

    assert (checklist.met, checklist.total) == (3, 5)


def test_checklist_with_a_failure_is_not_all_met():
    assert two_failures_and_a_warning().all_met is False


def test_checklist_lists_its_failing_requirements():
    failing = two_failures_and_a_warning().failing

    assert [result.code for result in failing] == [Code.CODE_OF_CONDUCT, Code.FREE_ATTENDANCE]


def test_checklist_lists_its_warnings():
    warnings = two_failures_and_a_warning().warnings

    assert [result.code for result in warnings] == [Code.AZURE_MEETINGS]


def test_checklist_finds_a_result_by_its_code():
    checklist = two_failures_and_a_warning()

    assert checklist.result(Code.FREE_ATTENDANCE) is checklist.results[2]


def test_warnings_count_as_met():
    checklist = evaluate_requirements(
        make_facts(
            admitted_at=days_ago(200),
            azure_meeting_starts=[],
            coc_link_checked_at=days_ago(1),
            coc_linked_from_home=False,
        ),
        now=NOW,
    )

    assert [result.code for result in checklist.warnings] == [
        Code.CODE_OF_CONDUCT,
        Code.AZURE_MEETINGS,
    ]
    assert (checklist.summary, checklist.all_met, checklist.failing) == ("5 of 5 met", True, [])


def test_checklist_of_a_compliant_group_is_all_met():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert (checklist.summary, checklist.all_met) == ("5 of 5 met", True)


def test_result_serialises_with_its_title_and_checks():
    result = result_for(Code.CODE_OF_CONDUCT, code_of_conduct_url="")

    assert result.as_dict() == {
        "code": "code_of_conduct",
        "title": "A code of conduct reachable from the group's home page",
        "outcome": "fail",
        "message": result.message,
        "checks": [{"outcome": "fail", "message": result.message}],
    }


def test_result_serialises_every_check_with_its_own_outcome():
    result = result_for(
        Code.CODE_OF_CONDUCT, coc_link_checked_at=days_ago(1), coc_linked_from_home=False
    )

    assert result.as_dict()["outcome"] == "warning"
    assert result.as_dict()["checks"] == [
        {"outcome": "pass", "message": PUBLISHED},
        {"outcome": "pass", "message": "It answered on the last check (June 14, 2026)."},
        {
            "outcome": "warning",
            "message": "The last check found no link to it on the group's home page. Link it "
            "from there, so members can find it.",
        },
    ]


def test_checklist_serialises_every_result():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert [item["code"] for item in checklist.as_list()] == [code.value for code in Code]
    assert checklist.as_list()[3] == checklist.results[3].as_dict()


# --- Swedish ---------------------------------------------------------------------------------


def every_outcome_facts() -> list[GroupFacts]:
    """Facts between them reaching every message, including the plural and warning ones."""
    return [
        make_facts(),
        make_facts(
            leader=None,
            co_leader=replace(CO_LEADER, has_tech_community_id=False, accepted_rules_version=1),
            code_of_conduct_url="",
            fee_meeting_count=2,
            azure_meeting_starts=[],
        ),
        make_facts(fee_meeting_count=1, co_leader=None, admitted_at=days_ago(200)),
        make_facts(admitted_at=days_ago(146), azure_meeting_starts=[days_ago(10)]),
        make_facts(admitted_at=days_ago(1), azure_meeting_starts=[days_ago(0.5)]),
        make_facts(admitted_at=days_ago(30), azure_meeting_starts=[]),
        make_facts(status="submitted", admitted_at=None, planned_meetings_per_year=6),
        make_facts(status="submitted", admitted_at=None, planned_meetings_per_year=2),
        make_facts(co_leader=LEADER, current_rules_version=None),
        make_facts(coc_link_failures=1, coc_link_checked_at=days_ago(1)),
        make_facts(coc_link_checked_at=days_ago(1), coc_linked_from_home=True),
        make_facts(coc_link_checked_at=days_ago(1), coc_linked_from_home=False),
        make_facts(
            coc_link_failures=2,
            coc_link_failing_since=days_ago(2),
            coc_link_checked_at=days_ago(1),
            coc_link_status_code=500,
        ),
    ]


def rendered_texts(facts: GroupFacts, language: str) -> list[str]:
    with translation.override(language):
        checklist = evaluate_requirements(facts, now=NOW)
        benefits = check_benefit_ids(facts)
        return [checklist.summary, benefits.message] + [
            text
            for result in checklist.results
            for text in (result.title, result.message, *(c.message for c in result.checks))
        ]


@pytest.mark.parametrize("facts", every_outcome_facts())
def test_messages_render_in_swedish(facts):
    english, swedish = rendered_texts(facts, "en"), rendered_texts(facts, "sv")

    assert all(isinstance(text, str) and text for text in swedish)
    untranslated = [sv for en, sv in zip(english, swedish, strict=True) if en == sv]
    assert untranslated == []


def test_the_five_titles_in_swedish():
    with translation.override("sv"):
        titles = [requirement_title(code) for code in Code]

    assert titles == [
        "En gruppledare och en medledare",
        "En uppförandekod som är lätt att nå från gruppens startsida",
        "Avgiftsfritt deltagande",
        "Minst 6 Azure-relaterade möten per år, med jämna mellanrum",
        "Programmets uppföranderegler godkända",
    ]
