"""One pace rule (docs/program.md, Requirement 4), held by agreement tests.

A group admitted in the last 12 months is behind the pace of the minimum a year when it has
held fewer Azure-related meetings than `requirements.meetings_expected` asks for by now. Three
places act on it: the checklist's count sub-check (a WARNING), the pace reminder
(`reminders.pace_due`) and the overview's SQL filter (`overview.behind_pace_q`). They must flag
the same groups, and the rule must mean what it says: the share of the year gone, in whole
meetings.
"""

import itertools
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from groups.models import Group
from leaders.rules import current_rules_version
from membership.reminders import (
    ReminderFacts,
    expected_azure_meetings,
    pace_due,
    reminder_candidates,
    reminder_facts,
)
from membership.requirements import (
    Checklist,
    Code,
    Contact,
    GroupFacts,
    Outcome,
    days_until_behind,
    evaluate_requirements,
    is_behind_pace,
    meeting_window,
    meetings_expected,
    meetings_expected_by,
)
from membership.selectors import groups_with_requirement_facts
from reporting.overview import Concern, behind_pace_q, groups_at_risk
from tests.factories import GroupFactory, MeetingFactory

#: Its 12 months are 365 days.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
#: Its 12 months are 366 days: they hold February 29, 2028.
LEAP_NOW = datetime(2028, 6, 15, 12, 0, tzinfo=UTC)

LEADER = Contact(user_id=1, name="Ada", has_tech_community_id=True, accepted_rules_version=1)
CO_LEADER = Contact(user_id=2, name="Bo", has_tech_community_id=True, accepted_rules_version=1)


@pytest.fixture
def minimum(settings, request) -> int:
    """The yearly minimum of Azure-related meetings: 6 unless the test is parametrized."""
    value = getattr(request, "param", 6)
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = value
    return value


def window_days(now: datetime) -> int:
    start, end = meeting_window(now)
    return (end - start).days


def share_of_year_in_whole_meetings(*, days: int, window_days: int, minimum: int) -> int:
    """The definition, by counting: how many of the year's `minimum` meetings the days gone
    cover in full (meeting k is due once k / minimum of the year has gone)."""
    gone = min(Fraction(max(days, 0), window_days), Fraction(1))
    return sum(1 for k in range(1, minimum + 1) if Fraction(k, minimum) <= gone)


# The facts each side reads, built by hand ----------------------------------------------------


def group_facts(*, now: datetime, admitted_at: datetime, meetings: int) -> GroupFacts:
    """An admitted group that meets every other requirement, with `meetings` Azure-related
    meetings spread evenly between the start of its pace and `now`."""
    start = max(admitted_at, meeting_window(now)[0])
    starts = [start + (now - start) * (i + 1) / (meetings + 1) for i in range(meetings)]
    return GroupFacts(
        status=Group.Status.ADMITTED,
        timezone="Europe/Stockholm",
        admitted_at=admitted_at,
        code_of_conduct_url="https://example.org/conduct",
        planned_meetings_per_year=None,
        leader=LEADER,
        co_leader=CO_LEADER,
        azure_meeting_starts=starts,
        fee_meeting_count=0,
        current_rules_version=1,
    )


def facts_for_reminders(requirements: GroupFacts, *, now: datetime) -> ReminderFacts:
    admitted_at = requirements.admitted_at
    assert admitted_at is not None
    return ReminderFacts(
        group_pk=1,
        status=requirements.status,
        requirements=requirements,
        checklist=evaluate_requirements(requirements, now=now),
        last_meeting_at=max(requirements.azure_meeting_starts, default=None),
        status_changed_at=admitted_at,
        updated_at=admitted_at,
        version=1,
        next_review_due=None,
    )


def count_outcome(checklist: Checklist) -> Outcome:
    """The outcome of the checklist's count sub-check (requirement 4's first)."""
    result = checklist.result(Code.AZURE_MEETINGS)
    assert result is not None
    return result.checks[0].outcome


def verdicts(*, now: datetime, admitted_at: datetime, meetings: int) -> dict[str, bool]:
    """Whether each side finds a new group behind the pace."""
    facts = facts_for_reminders(
        group_facts(now=now, admitted_at=admitted_at, meetings=meetings), now=now
    )
    return {
        "checklist warns": count_outcome(facts.checklist) is Outcome.WARNING,
        "reminder due": pace_due(facts, now=now) is not None,
        "behind pace": is_behind_pace(meetings, admitted_at, now=now),
    }


# The rule itself -----------------------------------------------------------------------------


@pytest.mark.parametrize("minimum", [1, 4, 6, 12], indirect=True)
@pytest.mark.parametrize("days_in_window", [365, 366])
def test_meetings_expected_is_the_share_of_the_year_gone_in_whole_meetings(minimum, days_in_window):
    wrong = []
    for days in range(-3, 2 * days_in_window):
        by_rule = meetings_expected(days=days, window_days=days_in_window)
        by_counting = share_of_year_in_whole_meetings(
            days=days, window_days=days_in_window, minimum=minimum
        )
        if by_rule != by_counting:
            wrong.append((days, by_rule, by_counting))

    assert wrong == []


@pytest.mark.parametrize("minimum", [1, 4, 6, 12], indirect=True)
@pytest.mark.parametrize("days_in_window", [365, 366])
def test_days_until_behind_is_the_first_day_the_pace_asks_for_one_more(minimum, days_in_window):
    for count in range(minimum):
        first_day_behind = next(
            days
            for days in itertools.count()
            if meetings_expected(days=days, window_days=days_in_window) > count
        )

        assert days_until_behind(count, window_days=days_in_window) == first_day_behind, count


def test_the_pace_counts_from_the_window_start_for_a_group_admitted_long_ago(minimum):
    assert meetings_expected_by(NOW - timedelta(days=800), now=NOW) == minimum
    assert meetings_expected_by(None, now=NOW) == minimum


def test_the_reminder_expects_what_the_checklist_expects(minimum):
    for days in range(0, 800, 7):
        admitted_at = NOW - timedelta(days=days)
        requirements = group_facts(now=NOW, admitted_at=admitted_at, meetings=0)

        by_reminder = expected_azure_meetings(facts_for_reminders(requirements, now=NOW), now=NOW)

        assert by_reminder == meetings_expected_by(admitted_at, now=NOW), days


# The checklist, the reminder and the rule agree -----------------------------------------------


@pytest.mark.parametrize("minimum", [6, 4], indirect=True)
@pytest.mark.parametrize("now", [NOW, LEAP_NOW], ids=["365-day year", "366-day year"])
def test_checklist_reminder_and_rule_agree_for_every_new_group(minimum, now):
    days_in_window = window_days(now)
    disagreements = []
    behind = []
    # Every whole day of the first 12 months, admitted on the hour and 23 hours earlier.
    for days, hours, meetings in itertools.product(
        range(days_in_window), (0, 23), range(minimum + 1)
    ):
        verdict = verdicts(
            now=now, admitted_at=now - timedelta(days=days, hours=hours), meetings=meetings
        )
        verdict["by counting"] = meetings < share_of_year_in_whole_meetings(
            days=days, window_days=days_in_window, minimum=minimum
        )
        if len(set(verdict.values())) != 1:
            disagreements.append((days, hours, meetings, verdict))
        if verdict["behind pace"]:
            behind.append((days, meetings))

    assert disagreements == []
    # Neither verdict is vacuous: the grid has groups behind and groups on pace at every count.
    assert {meetings for _days, meetings in behind} == set(range(minimum - 1))
    assert 0 < len(behind) < days_in_window * 2 * (minimum + 1)


@pytest.mark.parametrize(
    ("days", "meetings", "behind"),
    [
        # Where the checklist once said "behind pace" and no pace reminder was due: on pace.
        pytest.param(61, 1, False, id="61 days, 1 meeting"),
        pytest.param(100, 1, False, id="100 days, 1 meeting"),
        pytest.param(130, 2, False, id="130 days, 2 meetings"),
        pytest.param(200, 3, False, id="200 days, 3 meetings"),
        pytest.param(300, 4, False, id="300 days, 4 meetings"),
        # The last day each count is on pace, and the first it is behind: 365 / 6 days a meeting.
        pytest.param(60, 0, False, id="60 days, 0 meetings"),
        pytest.param(61, 0, True, id="61 days, 0 meetings"),
        pytest.param(121, 1, False, id="121 days, 1 meeting"),
        pytest.param(122, 1, True, id="122 days, 1 meeting"),
        pytest.param(182, 2, False, id="182 days, 2 meetings"),
        pytest.param(183, 2, True, id="183 days, 2 meetings"),
        pytest.param(243, 3, False, id="243 days, 3 meetings"),
        pytest.param(244, 3, True, id="244 days, 3 meetings"),
        pytest.param(304, 4, False, id="304 days, 4 meetings"),
        pytest.param(305, 4, True, id="305 days, 4 meetings"),
        # Five meetings are behind only on day 365, when the group is no longer new.
        pytest.param(364, 5, False, id="364 days, 5 meetings"),
    ],
)
def test_the_points_where_the_rules_used_to_drift_have_one_verdict(minimum, days, meetings, behind):
    verdict = verdicts(now=NOW, admitted_at=NOW - timedelta(days=days), meetings=meetings)

    assert verdict == dict.fromkeys(verdict, behind)


@pytest.mark.parametrize(
    ("days", "meetings", "behind"),
    [
        # 365 / 4 = 91.25 days a meeting.
        pytest.param(91, 0, False, id="91 days, 0 meetings"),
        pytest.param(92, 0, True, id="92 days, 0 meetings"),
        pytest.param(182, 1, False, id="182 days, 1 meeting"),
        pytest.param(183, 1, True, id="183 days, 1 meeting"),
        pytest.param(273, 2, False, id="273 days, 2 meetings"),
        pytest.param(274, 2, True, id="274 days, 2 meetings"),
        pytest.param(364, 3, False, id="364 days, 3 meetings"),
    ],
)
@pytest.mark.parametrize("minimum", [4], indirect=True)
def test_the_thresholds_follow_the_minimum_setting(minimum, days, meetings, behind):
    verdict = verdicts(now=NOW, admitted_at=NOW - timedelta(days=days), meetings=meetings)

    assert verdict == dict.fromkeys(verdict, behind)


@pytest.mark.parametrize("days", [365, 366, 400, 800])
def test_an_established_group_short_of_the_minimum_fails_and_is_reminded(minimum, days):
    for meetings in range(minimum + 2):
        admitted_at = NOW - timedelta(days=days)
        facts = facts_for_reminders(
            group_facts(now=NOW, admitted_at=admitted_at, meetings=meetings), now=NOW
        )
        short = meetings < minimum

        # Judged on the full year: a failure, not a pace warning.
        assert count_outcome(facts.checklist) is (Outcome.FAIL if short else Outcome.PASS)
        assert (pace_due(facts, now=NOW) is not None) is short
        assert is_behind_pace(meetings, admitted_at, now=NOW) is short


# The database's verdict --------------------------------------------------------------------

DB_DAYS = [1, 30, 60, 61, 62, 100, 121, 122, 123, 130, 183, 200, 244, 300, 305, 364]


@pytest.mark.django_db
def test_the_overview_the_checklist_and_the_reminder_flag_the_same_groups(minimum):
    built: dict[int, tuple[int, int]] = {}
    for days, meetings in itertools.product(DB_DAYS, range(minimum + 1)):
        group = GroupFactory(status=Group.Status.ADMITTED, admitted_at=NOW - timedelta(days=days))
        for n in range(meetings):
            MeetingFactory(group=group, starts_at=NOW - timedelta(hours=1 + n))
        built[group.pk] = (days, meetings)

    def cases(pks: set[int]) -> list[tuple[int, int]]:
        """(days since admission, meetings) of each group, to read on a failure."""
        return sorted(built[pk] for pk in pks)

    version = current_rules_version()
    facts = groups_with_requirement_facts(Group.objects.admitted(), now=NOW, rules_version=version)
    by_sql = {row.pk for row in facts.filter(behind_pace_q(now=NOW))}
    warned, reminded = set(), set()
    for candidate in reminder_candidates(now=NOW):
        read = reminder_facts(candidate, now=NOW, rules_version=version)
        if count_outcome(read.checklist) is Outcome.WARNING:
            warned.add(candidate.pk)
        if pace_due(read, now=NOW) is not None:
            reminded.add(candidate.pk)
    year = window_days(NOW)
    by_counting = {
        pk
        for pk, (days, meetings) in built.items()
        if meetings < share_of_year_in_whole_meetings(days=days, window_days=year, minimum=minimum)
    }

    assert cases(by_sql) == cases(warned) == cases(reminded) == cases(by_counting)
    assert 0 < len(by_sql) < len(built)
    behind_pace = {r.code: r.count for r in groups_at_risk(now=NOW).by_warning}
    assert behind_pace[Concern.BEHIND_PACE] == len(by_sql)
