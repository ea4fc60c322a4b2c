"""The program requirements as a pure function of a group's facts (no database)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from membership.requirements import (
    Checklist,
    Code,
    Contact,
    GroupFacts,
    Outcome,
    RequirementResult,
    evaluate_requirements,
    meeting_window,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
WINDOW_START = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
CONDUCT_URL = "https://azure-sthlm.example.org/conduct"

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
    checklist = evaluate_requirements(make_facts(**overrides), now=NOW)
    (result,) = [result for result in checklist.results if result.code is code]
    return result


def test_default_facts_meet_every_requirement():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert [result.outcome for result in checklist.results] == [Outcome.PASS] * 7


# --- The meeting window ----------------------------------------------------------------------


def test_meeting_window_ends_now():
    assert meeting_window(NOW)[1] == NOW


def test_meeting_window_starts_twelve_calendar_months_back():
    now = datetime(2026, 2, 28, 9, 30, tzinfo=UTC)

    assert meeting_window(now) == (datetime(2025, 2, 28, 9, 30, tzinfo=UTC), now)


def test_meeting_window_from_a_leap_day_starts_on_the_last_day_of_february():
    now = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)

    assert meeting_window(now)[0] == datetime(2023, 2, 28, 9, 30, tzinfo=UTC)


# --- 1. Two contacts -------------------------------------------------------------------------


def test_contacts_pass_when_the_group_has_a_leader_and_a_different_co_leader():
    result = result_for(Code.CONTACTS)

    assert result.outcome is Outcome.PASS
    assert result.message == "Ada Lovelace leads the group and Grace Hopper is co-leader."


def test_contacts_fail_when_the_group_has_neither_leader_nor_co_leader():
    result = result_for(Code.CONTACTS, leader=None, co_leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.message == "The group has neither a leader nor a co-leader. Name both."


def test_contacts_fail_when_the_group_has_no_leader():
    result = result_for(Code.CONTACTS, leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.message == "The group has no leader (primary contact). Name one."


def test_contacts_fail_when_the_group_has_no_co_leader():
    result = result_for(Code.CONTACTS, co_leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "The group has no co-leader (secondary contact). Invite one, so the group keeps a "
        "contact when a leader changes."
    )


def test_contacts_fail_when_leader_and_co_leader_are_the_same_person():
    result = result_for(Code.CONTACTS, co_leader=replace(LEADER, name="Ada L."))

    assert result.outcome is Outcome.FAIL
    assert result.message == "The leader and the co-leader must be two different people."


# --- 2. Code of conduct ----------------------------------------------------------------------


def test_code_of_conduct_passes_when_its_address_is_given():
    result = result_for(Code.CODE_OF_CONDUCT)

    assert result.outcome is Outcome.PASS
    assert result.message == (
        "The code of conduct is published at https://azure-sthlm.example.org/conduct."
    )


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
        "The code of conduct is published at https://azure-sthlm.example.org/conduct, but it "
        "did not answer on the last check (June 14, 2026). If it fails the next check too, "
        "this requirement fails."
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
    assert result.message == (
        "The code of conduct at https://azure-sthlm.example.org/conduct did not answer on the "
        "last 2 checks, from June 13, 2026 to June 14, 2026. The last answer was HTTP status "
        "404. Correct the address in the group's details (Edit details), or make the page "
        "reachable again."
    )


def test_code_of_conduct_failure_without_an_answer_gives_no_status():
    result = result_for(
        Code.CODE_OF_CONDUCT,
        coc_link_failures=3,
        coc_link_failing_since=days_ago(3),
        coc_link_checked_at=days_ago(1),
        coc_link_status_code=None,
    )

    assert result.outcome is Outcome.FAIL
    assert "last 3 checks, from June 12, 2026 to June 14, 2026." in result.message
    assert "HTTP status" not in result.message


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


def test_code_of_conduct_fails_when_its_address_is_empty():
    result = result_for(Code.CODE_OF_CONDUCT, code_of_conduct_url="")

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Add the address of your code of conduct, easy to reach from the group's home page. "
        "If you have none, start from the portal's example."
    )


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


# --- 4a. Six Azure-related meetings a year ---------------------------------------------------


def test_established_group_with_six_azure_meetings_passes():
    result = result_for(Code.AZURE_MEETINGS, azure_meeting_starts=monthly_meetings(6))

    assert result.outcome is Outcome.PASS
    assert result.message == (
        "6 Azure-related meetings in the last 12 months (the program asks for at least 6)."
    )


def test_established_group_with_five_azure_meetings_fails():
    result = result_for(Code.AZURE_MEETINGS, azure_meeting_starts=monthly_meetings(5))

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Only 5 Azure-related meetings in the last 12 months; the program asks for at least 6."
    )


def test_established_group_with_one_azure_meeting_fails_with_the_singular():
    result = result_for(Code.AZURE_MEETINGS, azure_meeting_starts=monthly_meetings(1))

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Only 1 Azure-related meeting in the last 12 months; the program asks for at least 6."
    )


def test_minimum_number_of_azure_meetings_is_a_setting(settings):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = 4

    result = result_for(Code.AZURE_MEETINGS, azure_meeting_starts=monthly_meetings(4))

    assert result.outcome is Outcome.PASS
    assert result.message == (
        "4 Azure-related meetings in the last 12 months (the program asks for at least 4)."
    )


def test_raised_minimum_fails_a_group_that_meets_the_default(settings):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = 8

    result = result_for(Code.AZURE_MEETINGS, azure_meeting_starts=monthly_meetings(6))

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Only 6 Azure-related meetings in the last 12 months; the program asks for at least 8."
    )


def test_group_admitted_exactly_twelve_months_ago_is_judged_as_established():
    result = result_for(
        Code.AZURE_MEETINGS, admitted_at=WINDOW_START, azure_meeting_starts=monthly_meetings(5)
    )

    assert result.outcome is Outcome.FAIL


def test_group_that_was_never_admitted_and_is_not_applying_fails_without_meetings():
    result = result_for(
        Code.AZURE_MEETINGS, status="inactive", admitted_at=None, azure_meeting_starts=[]
    )

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Only 0 Azure-related meetings in the last 12 months; the program asks for at least 6."
    )


def test_new_group_on_pace_passes_with_its_projection():
    result = result_for(
        Code.AZURE_MEETINGS,
        admitted_at=days_ago(146),
        azure_meeting_starts=[days_ago(10), days_ago(40), days_ago(70)],
    )

    assert result.outcome is Outcome.PASS
    assert result.message == (
        "3 Azure-related meetings in the 146 days since admission: on course for about 7 a "
        "year (the program asks for 6)."
    )


def test_new_group_below_pace_gets_a_warning():
    result = result_for(
        Code.AZURE_MEETINGS, admitted_at=days_ago(146), azure_meeting_starts=[days_ago(10)]
    )

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "1 Azure-related meeting in the 146 days since admission: at this pace about 2 a year, "
        "short of 6. By now about 2 would be on course."
    )


def test_new_group_without_any_meeting_is_warned_but_never_fails():
    result = result_for(Code.AZURE_MEETINGS, admitted_at=days_ago(300), azure_meeting_starts=[])

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "0 Azure-related meetings in the 300 days since admission: at this pace about 0 a "
        "year, short of 6. By now about 4 would be on course."
    )


@pytest.mark.parametrize(
    ("days_since_admission", "meetings"),
    [
        pytest.param(30, 0, id="no meeting 30 days in: projected 0 a year"),
        pytest.param(146, 2, id="2 meetings 146 days in: projected 5 a year"),
    ],
)
def test_new_group_whose_projection_is_short_of_the_minimum_is_not_on_course(
    days_since_admission, meetings
):
    # A pass reading "on course for about 0 a year (the program asks for 6)" contradicts itself.
    result = result_for(
        Code.AZURE_MEETINGS,
        admitted_at=days_ago(days_since_admission),
        azure_meeting_starts=[days_ago(5 + i) for i in range(meetings)],
    )

    assert result.outcome is Outcome.WARNING


@pytest.mark.parametrize("status", ["draft", "submitted", "changes_requested"])
def test_application_planning_enough_meetings_gets_a_warning(status):
    result = result_for(
        Code.AZURE_MEETINGS,
        status=status,
        admitted_at=None,
        planned_meetings_per_year=6,
        azure_meeting_starts=monthly_meetings(2),
    )

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "2 Azure-related meetings in the last 12 months; you plan 6 a year. The program asks "
        "for at least 6 a year, so log them as you hold them."
    )


@pytest.mark.parametrize("status", ["draft", "submitted", "changes_requested"])
def test_application_planning_too_few_meetings_fails(status):
    result = result_for(
        Code.AZURE_MEETINGS,
        status=status,
        admitted_at=None,
        planned_meetings_per_year=5,
        azure_meeting_starts=monthly_meetings(1),
    )

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "1 Azure-related meeting in the last 12 months, and 5 planned a year. The program asks "
        "for at least 6 Azure-related meetings a year."
    )


def test_application_without_a_plan_fails_as_planning_none():
    result = result_for(
        Code.AZURE_MEETINGS,
        status="submitted",
        admitted_at=None,
        planned_meetings_per_year=None,
        azure_meeting_starts=[],
    )

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "0 Azure-related meetings in the last 12 months, and 0 planned a year. The program asks "
        "for at least 6 Azure-related meetings a year."
    )


def test_application_that_already_held_enough_meetings_passes():
    result = result_for(
        Code.AZURE_MEETINGS,
        status="submitted",
        admitted_at=None,
        planned_meetings_per_year=None,
        azure_meeting_starts=monthly_meetings(6),
    )

    assert result.outcome is Outcome.PASS


# --- 4b. Meetings spread through the year ----------------------------------------------------

SPREAD_ADVICE = (
    "Spread meetings through the year (at most 122 days apart) so content stays current."
)


def test_well_spread_meetings_pass_naming_the_longest_gap():
    result = result_for(Code.MEETING_SPREAD)

    assert result.outcome is Outcome.PASS
    # Monthly meetings, the earliest 345 days ago: 30 days apart, 20 from the window start.
    assert result.message == "Meetings are spread through the year: the longest gap is 30 days."


def test_gap_of_exactly_the_maximum_is_not_a_warning():
    first = WINDOW_START + timedelta(days=122)
    starts = [first + timedelta(days=30 * i) for i in range(9)]

    result = result_for(Code.MEETING_SPREAD, azure_meeting_starts=starts)

    assert result.outcome is Outcome.PASS
    assert result.message == "Meetings are spread through the year: the longest gap is 122 days."


def test_gap_one_second_over_the_maximum_is_a_warning():
    first = WINDOW_START + timedelta(days=122, seconds=1)
    starts = [first + timedelta(days=30 * i) for i in range(9)]

    result = result_for(Code.MEETING_SPREAD, azure_meeting_starts=starts)

    assert result.outcome is Outcome.WARNING
    # A part of a day counts as a day, so the message never reads as within the limit.
    assert result.message == (
        "No Azure-related meeting for 123 days, from June 15, 2025 to Oct. 15, 2025. "
        + SPREAD_ADVICE
    )


def test_gap_is_measured_from_the_start_of_the_window():
    starts = [days_ago(100), days_ago(70), days_ago(40), days_ago(10)]

    result = result_for(Code.MEETING_SPREAD, azure_meeting_starts=starts)

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "No Azure-related meeting for 265 days, from June 15, 2025 to March 7, 2026. "
        + SPREAD_ADVICE
    )


def test_gap_is_measured_up_to_now():
    starts = [WINDOW_START + timedelta(days=10 + 30 * i) for i in range(6)]

    result = result_for(Code.MEETING_SPREAD, azure_meeting_starts=starts)

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "No Azure-related meeting for 205 days, from Nov. 22, 2025 to June 15, 2026. "
        + SPREAD_ADVICE
    )


def test_group_without_meetings_gets_a_warning_for_the_whole_year():
    result = result_for(Code.MEETING_SPREAD, azure_meeting_starts=[])

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "No Azure-related meeting for 365 days, from June 15, 2025 to June 15, 2026. "
        + SPREAD_ADVICE
    )


def test_new_group_gap_is_measured_from_its_admission():
    result = result_for(Code.MEETING_SPREAD, admitted_at=days_ago(100), azure_meeting_starts=[])

    assert result.outcome is Outcome.PASS
    assert result.message == "Meetings are spread through the year: the longest gap is 100 days."


def test_new_group_meetings_before_admission_do_not_shorten_the_gap():
    result = result_for(
        Code.MEETING_SPREAD,
        admitted_at=days_ago(200),
        azure_meeting_starts=[days_ago(250), days_ago(201)],
    )

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "No Azure-related meeting for 200 days, from Nov. 27, 2025 to June 15, 2026. "
        + SPREAD_ADVICE
    )


def test_maximum_gap_is_a_setting(settings):
    settings.TECHGROUPS_MAX_MEETING_GAP_DAYS = 60
    starts = [days_ago(10), days_ago(72), *monthly_meetings(12)[3:]]

    result = result_for(Code.MEETING_SPREAD, azure_meeting_starts=starts)

    assert result.outcome is Outcome.WARNING
    assert result.message == (
        "No Azure-related meeting for 62 days, from April 4, 2026 to June 5, 2026. Spread "
        "meetings through the year (at most 60 days apart) so content stays current."
    )


@pytest.mark.parametrize(
    ("timezone", "start", "end"),
    [
        pytest.param("Europe/Stockholm", "Oct. 23, 2025", "March 2, 2026", id="Stockholm"),
        pytest.param("UTC", "Oct. 22, 2025", "March 1, 2026", id="UTC"),
        pytest.param("America/Los_Angeles", "Oct. 22, 2025", "March 1, 2026", id="Los Angeles"),
    ],
)
def test_gap_dates_are_shown_in_the_group_time_zone(timezone, start, end):
    starts = [
        datetime(2025, 10, 22, 23, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
    ]

    result = result_for(Code.MEETING_SPREAD, timezone=timezone, azure_meeting_starts=starts)

    assert result.message == (
        f"No Azure-related meeting for 130 days, from {start} to {end}. " + SPREAD_ADVICE
    )


# --- Tech Community user IDs -----------------------------------------------------------------


def test_tech_community_ids_pass_when_both_contacts_gave_theirs():
    result = result_for(Code.TECH_COMMUNITY_IDS)

    assert result.outcome is Outcome.PASS
    assert result.message == "Both contacts have given their Tech Community user ID."


def test_tech_community_ids_fail_naming_the_leader_without_one():
    result = result_for(
        Code.TECH_COMMUNITY_IDS, leader=replace(LEADER, has_tech_community_id=False)
    )

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Leaders Hub access needs the Tech Community user ID of both contacts: the leader, "
        "Ada Lovelace, has not given one. Add it on the profile page."
    )


def test_tech_community_ids_fail_naming_both_contacts_without_one():
    result = result_for(
        Code.TECH_COMMUNITY_IDS,
        leader=replace(LEADER, has_tech_community_id=False),
        co_leader=replace(CO_LEADER, has_tech_community_id=False),
    )

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Leaders Hub access needs the Tech Community user ID of both contacts: the leader, "
        "Ada Lovelace, has not given one; the co-leader, Grace Hopper, has not given one. "
        "Add it on the profile page."
    )


def test_tech_community_ids_fail_when_a_role_is_empty():
    result = result_for(Code.TECH_COMMUNITY_IDS, co_leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Leaders Hub access needs the Tech Community user ID of both contacts: there is no "
        "co-leader yet. Add it on the profile page."
    )


def test_tech_community_ids_fail_for_both_empty_roles():
    result = result_for(Code.TECH_COMMUNITY_IDS, leader=None, co_leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.message == (
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
    assert result.message == ("Both contacts have accepted the current program rules (version 2).")


def test_program_rules_fail_when_a_contact_has_not_accepted_them():
    result = result_for(
        Code.PROGRAM_RULES, co_leader=replace(CO_LEADER, accepted_rules_version=None)
    )

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Both contacts must accept the current program rules (version 2): the co-leader, "
        "Grace Hopper, has not accepted them."
    )


def test_program_rules_fail_naming_the_out_of_date_version_a_contact_accepted():
    result = result_for(Code.PROGRAM_RULES, leader=replace(LEADER, accepted_rules_version=1))

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Both contacts must accept the current program rules (version 2): the leader, "
        "Ada Lovelace, accepted version 1, which is out of date."
    )


def test_program_rules_fail_when_a_role_is_empty():
    result = result_for(Code.PROGRAM_RULES, leader=None)

    assert result.outcome is Outcome.FAIL
    assert result.message == (
        "Both contacts must accept the current program rules (version 2): there is no leader yet."
    )


def test_program_rules_fail_listing_every_contact_that_falls_short():
    result = result_for(
        Code.PROGRAM_RULES,
        leader=replace(LEADER, accepted_rules_version=1),
        co_leader=replace(CO_LEADER, accepted_rules_version=None),
    )

    assert result.message == (
        "Both contacts must accept the current program rules (version 2): the leader, "
        "Ada Lovelace, accepted version 1, which is out of date; the co-leader, Grace Hopper, "
        "has not accepted them."
    )


# --- The checklist ---------------------------------------------------------------------------


def two_failures_and_a_warning() -> Checklist:
    """No code of conduct, a fee charged, and six meetings bunched into the last four months."""
    return evaluate_requirements(
        make_facts(
            code_of_conduct_url="",
            fee_meeting_count=1,
            azure_meeting_starts=[days_ago(10 + 20 * i) for i in range(6)],
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
        Code.MEETING_SPREAD,
        Code.TECH_COMMUNITY_IDS,
        Code.PROGRAM_RULES,
    ]


def test_checklist_summary_counts_the_requirements_met():
    assert two_failures_and_a_warning().summary == "5 of 7 met"


def test_checklist_counts_met_and_total():
    checklist = two_failures_and_a_warning()

    assert (checklist.met, checklist.total) == (5, 7)


def test_checklist_with_a_failure_is_not_all_met():
    assert two_failures_and_a_warning().all_met is False


def test_checklist_lists_its_failing_requirements():
    failing = two_failures_and_a_warning().failing

    assert [result.code for result in failing] == [Code.CODE_OF_CONDUCT, Code.FREE_ATTENDANCE]


def test_checklist_lists_its_warnings():
    warnings = two_failures_and_a_warning().warnings

    assert [result.code for result in warnings] == [Code.MEETING_SPREAD]


def test_warnings_count_as_met():
    checklist = evaluate_requirements(
        make_facts(admitted_at=days_ago(200), azure_meeting_starts=[]), now=NOW
    )

    assert [result.code for result in checklist.warnings] == [
        Code.AZURE_MEETINGS,
        Code.MEETING_SPREAD,
    ]
    assert (checklist.summary, checklist.all_met, checklist.failing) == ("7 of 7 met", True, [])


def test_checklist_of_a_compliant_group_is_all_met():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert (checklist.summary, checklist.all_met) == ("7 of 7 met", True)


def test_result_serialises_with_its_title():
    result = result_for(Code.CODE_OF_CONDUCT, code_of_conduct_url="")

    assert result.as_dict() == {
        "code": "code_of_conduct",
        "title": "Code of conduct",
        "outcome": "fail",
        "message": result.message,
    }


def test_checklist_serialises_every_result():
    checklist = evaluate_requirements(make_facts(), now=NOW)

    assert [item["code"] for item in checklist.as_list()] == [code.value for code in Code]


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
        make_facts(status="submitted", admitted_at=None, planned_meetings_per_year=6),
        make_facts(co_leader=LEADER, current_rules_version=None),
        make_facts(coc_link_failures=1, coc_link_checked_at=days_ago(1)),
        make_facts(
            coc_link_failures=2,
            coc_link_failing_since=days_ago(2),
            coc_link_checked_at=days_ago(1),
            coc_link_status_code=500,
        ),
    ]


@pytest.mark.parametrize("facts", every_outcome_facts())
def test_messages_render_in_swedish(facts):
    with translation.override("sv"):
        checklist = evaluate_requirements(facts, now=NOW)
        texts = [checklist.summary] + [
            text for result in checklist.results for text in (result.title, result.message)
        ]

    assert all(isinstance(text, str) and text for text in texts)
