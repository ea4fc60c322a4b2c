"""The program overview: every figure against what the test counts itself, its fixed number of
queries, its charts' layout, and who may open the page."""

import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache as overview_cache
from django.urls import resolve, reverse
from django.utils import timezone, translation

from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership
from meetings.models import Meeting
from membership.requirements import BROKEN_LINK_CHECKS, Code, Outcome, requirement_title
from membership.selectors import checklist_for
from notifications.models import OutboxEmail
from program.models import QuarterlyCall
from reporting.charts import column_chart, nice_scale, overview_charts, row_chart
from reporting.overview import (
    AT_RISK_LIMIT,
    CONCERN_TITLES,
    REFRESH_AFTER,
    Concern,
    call_invitations,
    groups_at_risk,
    month_starts,
    overview_cache_key,
    program_overview,
    quarter_starts,
)
from reporting.views import program_overview_view
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    ProgramRulesFactory,
    QuarterlyCallFactory,
    RulesAcceptanceFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
URL = reverse("program_overview")
Status = Group.Status
COUNTRIES = ["SE", "NO", "DK", "FI", "DE", "NL"]
#: The statuses a status change can move between, for the random audit trail.
MOVES = [
    (Status.SUBMITTED, Status.ADMITTED),
    (Status.CHANGES_REQUESTED, Status.ADMITTED),
    (Status.INACTIVE, Status.ADMITTED),
    (Status.ADMITTED, Status.LEFT),
    (Status.ADMITTED, Status.INACTIVE),
    (Status.INACTIVE, Status.LEFT),  # not a departure: it had left the program already
    (Status.SUBMITTED, Status.LEFT),  # an applicant withdrawing: not a departure either
    (Status.DRAFT, Status.SUBMITTED),
    (Status.SUBMITTED, Status.CHANGES_REQUESTED),
]


def quarter_of(moment: datetime) -> date:
    local = moment.astimezone(timezone.get_default_timezone())
    return date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)


def month_of(moment: datetime) -> date:
    local = moment.astimezone(timezone.get_default_timezone())
    return date(local.year, local.month, 1)


# The world ---------------------------------------------------------------------------------


def varied_admitted_group(rng: random.Random, index: int) -> Group:
    """An admitted group with a random share of the things that make a group fail or lag."""
    days = rng.choice([20, 70, 150, 200, 300, 400, 800])
    group = GroupFactory(
        name=f"Admitted {index:03d} {rng.choice(['Azure', 'Cloud', 'Data'])}",
        status=Status.ADMITTED,
        admitted_at=NOW - timedelta(days=days, hours=rng.randint(0, 23)),
        country=rng.choice(COUNTRIES),
        code_of_conduct_url=rng.choice(["", "https://example.org/coc", "https://example.org/c"]),
        coc_link_failures=rng.choice([0, 0, 1, BROKEN_LINK_CHECKS]),
    )
    rules = ProgramRulesFactory(version=1)
    for role in Leadership.Role.values:
        if rng.random() < 0.15:
            continue  # a missing contact
        user = UserFactory(tech_community_id=None) if rng.random() < 0.15 else UserFactory()
        LeadershipFactory(group=group, user=user, role=role)
        if rng.random() < 0.85:
            RulesAcceptanceFactory(user=user, rules=rules)
    for _meeting in range(rng.choice([0, 1, 2, 4, 6, 8])):
        MeetingFactory(
            group=group,
            starts_at=NOW - timedelta(days=rng.randint(1, 380), hours=rng.randint(0, 23)),
            is_azure_related=rng.random() < 0.85,
        )
    return group


def populate(size: int, *, seed: int = 6) -> None:
    """Groups in every status, their audit trail, meetings, calls and e-mail; `size` scales it."""
    rng = random.Random(seed)
    for index in range(4 * size):
        varied_admitted_group(rng, index)
    for status in [s for s in Status.values if s != Status.ADMITTED]:
        for _ in range(rng.randint(1, 2) * size):
            GroupFactory(status=status, country=rng.choice(COUNTRIES))
    groups = list(Group.objects.all())
    for _ in range(12 * size):
        before, after = rng.choice(MOVES)
        AuditEntry.objects.create(
            group=rng.choice(groups),
            action=AuditEntry.Action.STATUS_CHANGE,
            summary="Status change",
            created_at=NOW - timedelta(days=rng.randint(0, 900), minutes=rng.randint(0, 1440)),
            changes={"status": {"before": before, "after": after}},
        )
    # Not status changes: never counted, whatever they say.
    AuditEntry.objects.create(
        group=groups[0],
        action=AuditEntry.Action.REVIEW_DECISION,
        summary="Decision",
        created_at=NOW - timedelta(days=3),
        changes={"status": {"before": Status.SUBMITTED, "after": Status.ADMITTED}},
    )
    for _ in range(10 * size):  # meetings beyond the months shown, and planned ones
        MeetingFactory(
            group=rng.choice(groups),
            starts_at=NOW + timedelta(days=rng.randint(-500, 60), hours=rng.randint(-12, 12)),
            is_azure_related=rng.random() < 0.8,
        )
    calls = [
        QuarterlyCallFactory(title=f"Call {n}", starts_at=NOW + timedelta(days=40 - 91 * n))
        for n in range(9)
    ]
    recipients = [UserFactory() for _ in range(3 * size)]
    statuses = OutboxEmail.Status.values
    for call in calls:
        for user in recipients:
            for kind in ("call-invitation", "call-reminder"):
                status = rng.choice(statuses)
                OutboxEmail.objects.create(
                    key=f"{kind}:{call.pk}:{user.pk}",
                    kind=kind,
                    to_email=user.email,
                    language="en",
                    subject="Call",
                    body_text="Call",
                    body_html="<p>Call</p>",
                    status=status,
                    sent_at=NOW if status == OutboxEmail.Status.SENT else None,
                )
    for index in range(4 * size):
        OutboxEmail.objects.create(
            key=f"review-decision:{index}",
            kind=rng.choice(["review-decision", "news"]),
            to_email="someone@example.org",
            language="en",
            subject="Hello",
            body_text="Hello",
            body_html="<p>Hello</p>",
            status=rng.choice(statuses),
            sent_at=NOW,
        )


# What the test counts itself ---------------------------------------------------------------


def expected_close(group: Group, checklist: Any) -> list[Concern]:
    results = {result.code: result for result in checklist.results}
    gap = timedelta(days=settings.TECHGROUPS_MAX_MEETING_GAP_DAYS)
    recent = [
        m for m in group.meetings.all() if m.is_azure_related and NOW - gap <= m.starts_at <= NOW
    ]
    signs = []
    if group.code_of_conduct_url and 1 <= group.coc_link_failures < BROKEN_LINK_CHECKS:
        signs.append(Concern.COC_LINK_FAILED_ONCE)
    count_check, interval_check = results[Code.AZURE_MEETINGS].checks
    if count_check.outcome is Outcome.WARNING:
        signs.append(Concern.BEHIND_PACE)
    assert group.admitted_at is not None
    is_new = group.admitted_at > NOW - relativedelta(months=12)
    if not recent and is_new and group.admitted_at < NOW - gap:
        # The trailing gap alone is longer than allowed: the interval check must warn too.
        assert interval_check.outcome is Outcome.WARNING
        signs.append(Concern.NO_RECENT_MEETING)
    return signs


def test_every_figure_agrees_with_the_data():
    populate(2)
    overview = program_overview(now=NOW)
    groups = list(Group.objects.all())

    # Groups by status, and by country.
    by_status = Counter(g.status for g in groups)
    assert {s.status: s.count for s in overview.statuses} == {
        status: by_status[status] for status in Status.values
    }
    assert [s.status for s in overview.statuses] == Status.values
    admitted_by_country = Counter(str(g.country) for g in groups if g.status == Status.ADMITTED)
    applying = {Status.SUBMITTED, Status.CHANGES_REQUESTED}
    applying_by_country = Counter(str(g.country) for g in groups if g.status in applying)
    assert {c.code: (c.admitted, c.applying) for c in overview.countries} == {
        code: (admitted_by_country[code], applying_by_country[code])
        for code in set(admitted_by_country) | set(applying_by_country)
    }
    assert [c.admitted for c in overview.countries] == sorted(
        (c.admitted for c in overview.countries), reverse=True
    )

    # Admissions and departures per quarter, the last eight.
    quarters = quarter_starts(now=NOW, tz=timezone.get_default_timezone())
    flows: dict[date, Counter[str]] = {quarter: Counter() for quarter in quarters}
    for entry in AuditEntry.objects.filter(action=AuditEntry.Action.STATUS_CHANGE):
        if quarter_of(entry.created_at) not in flows or entry.created_at > NOW:
            continue
        before, after = entry.changes["status"]["before"], entry.changes["status"]["after"]
        if after == Status.ADMITTED and before != Status.ADMITTED:
            flows[quarter_of(entry.created_at)]["admitted"] += 1
        elif before == Status.ADMITTED and after in (Status.LEFT, Status.INACTIVE):
            flows[quarter_of(entry.created_at)][after] += 1
    assert [(q.quarter, q.admitted, q.left, q.inactivated) for q in overview.quarters] == [
        (quarter, c["admitted"], c[Status.LEFT], c[Status.INACTIVE]) for quarter, c in flows.items()
    ]
    assert overview.departures_total == sum(
        c[Status.LEFT] + c[Status.INACTIVE] for c in flows.values()
    )
    assert overview.admissions_total > 0 and overview.departures_total > 0  # not vacuous

    # Azure-related meetings held per month, the last twelve.
    months = month_starts(now=NOW, tz=timezone.get_default_timezone())
    held = Counter(
        month_of(m.starts_at)
        for m in Meeting.objects.all()
        if m.is_azure_related and m.starts_at <= NOW and month_of(m.starts_at) in months
    )
    assert [(m.month, m.count) for m in overview.months] == [(m, held[m]) for m in months]
    assert overview.meetings_total > 0

    # Groups at risk, from each admitted group's own checklist.
    failing: dict[int, list[str]] = {}
    close: dict[int, list[Concern]] = {}
    for group in (g for g in groups if g.status == Status.ADMITTED):
        checklist = checklist_for(group, now=NOW)
        failed = [r.code for r in checklist.failing if r.code in Code]
        signs = expected_close(group, checklist)
        if failed:
            failing[group.pk] = failed
        if signs:
            close[group.pk] = signs
    risk = overview.risk
    assert risk.admitted == by_status[Status.ADMITTED]
    assert risk.failing_total == len(failing)
    assert risk.close_total == len(set(close) - set(failing))
    assert {r.code: r.count for r in risk.by_requirement} == {
        code.value: sum(code in codes for codes in failing.values()) for code in Code
    }
    assert {r.code: r.count for r in risk.by_warning} == {
        c.value: sum(c in signs for signs in close.values()) for c in Concern
    }
    at_risk = sorted(
        set(failing) | set(close),
        key=lambda pk: (pk not in failing, Group.objects.get(pk=pk).name, pk),
    )
    assert [g.pk for g in risk.groups] == at_risk[:AT_RISK_LIMIT]
    for listed in risk.groups:
        assert listed.failing == [requirement_title(code) for code in failing.get(listed.pk, [])]
        assert listed.warnings == [str(CONCERN_TITLES[c]) for c in close.get(listed.pk, [])]
        assert listed.admin_url == reverse("admin:groups_group_change", args=[listed.pk])
    assert risk.failing_total and risk.close_total  # the fixture exercises both

    # Call invitations per call: the latest calls whose invitation day has come.
    invitation_days = timedelta(days=settings.TECHGROUPS_CALL_INVITATION_DAYS)
    due = [
        call
        for call in QuarterlyCall.objects.order_by("-starts_at", "-pk")
        if call.starts_at <= NOW + invitation_days
    ]
    by_call: Counter[tuple[int, str]] = Counter()
    for email in OutboxEmail.objects.filter(kind="call-invitation"):
        by_call[int(email.key.split(":")[1]), email.status] += 1
    assert [(c.pk, c.sent, c.waiting, c.failed) for c in overview.calls] == [
        (
            call.pk,
            by_call[call.pk, "sent"],
            by_call[call.pk, "pending"] + by_call[call.pk, "sending"],
            by_call[call.pk, "failed"],
        )
        for call in due[: len(overview.calls)]
    ]
    assert len(overview.calls) == min(len(due), 6)

    # E-mails failed, per kind.
    failed_kinds = Counter(e.kind for e in OutboxEmail.objects.filter(status="failed"))
    assert {k.kind: k.count for k in overview.failed_emails.by_kind} == failed_kinds
    assert overview.failed_emails.total == sum(failed_kinds.values()) > 0
    assert overview.failed_emails.admin_url.endswith("?status__exact=failed")


def test_an_empty_program_has_zero_figures():
    overview = program_overview(now=NOW)

    assert overview.total_groups == 0
    assert [q.admitted + q.departed for q in overview.quarters] == [0] * 8
    assert [m.count for m in overview.months] == [0] * 12
    assert overview.risk.total == 0 and overview.risk.groups == []
    assert overview.countries == [] and overview.calls == []
    assert overview.failed_emails.total == 0


def test_periods_are_the_last_twelve_months_and_eight_quarters():
    tz = timezone.get_default_timezone()

    months = month_starts(now=NOW, tz=tz)
    quarters = quarter_starts(now=NOW, tz=tz)

    assert months[0] == date(2025, 6, 1) and months[-1] == date(2026, 5, 1)
    assert len(months) == 12
    assert quarters[0] == date(2024, 7, 1) and quarters[-1] == date(2026, 4, 1)
    assert len(quarters) == 8


def test_meetings_planned_later_this_month_are_not_counted_yet():
    group = GroupFactory()
    MeetingFactory(group=group, starts_at=NOW - timedelta(hours=1))
    MeetingFactory(group=group, starts_at=NOW + timedelta(days=2))  # still May
    MeetingFactory(group=group, starts_at=NOW - timedelta(days=1), is_azure_related=False)

    months = program_overview(now=NOW).months

    assert months[-1].month == date(2026, 5, 1)
    assert months[-1].count == 1


def test_invitations_of_call_1_are_not_counted_for_call_11():
    """The key names the call: "call-invitation:1:" must not match "call-invitation:11:"."""
    calls = [QuarterlyCallFactory(starts_at=NOW - timedelta(days=n)) for n in range(1, 12)]
    first, eleventh = calls[0], calls[10]
    for call, recipients in ((first, 2), (eleventh, 5)):
        for user_pk in range(recipients):
            OutboxEmail.objects.create(
                key=f"call-invitation:{call.pk}:{user_pk}",
                kind="call-invitation",
                to_email="x@example.org",
                language="en",
                subject="s",
                body_text="b",
                body_html="b",
                status=OutboxEmail.Status.SENT,
                sent_at=NOW,
            )
    counted = {c.pk: c.sent for c in call_invitations(now=NOW, count=20)}

    assert counted[first.pk] == 2
    assert counted[eleventh.pk] == 5


# Close to failing: the database's verdict against the checklist's ----------------------------


def new_group(*, days_ago: timedelta, azure_meetings: int) -> Group:
    group = GroupFactory(status=Status.ADMITTED, admitted_at=NOW - days_ago)
    for role in Leadership.Role.values:
        LeadershipFactory(group=group, role=role)
    for n in range(azure_meetings):
        MeetingFactory(group=group, starts_at=NOW - timedelta(hours=1 + n))
    return group


def pace_cases() -> list[tuple[int, timedelta]]:
    """Around each count's threshold: the fewest whole days at which it lags the pace of six
    in 365 days (found by counting, not by the portal's arithmetic)."""
    minimum = 6
    cases = [(0, timedelta(hours=1)), (0, timedelta(days=3))]
    for count in range(minimum):
        threshold = next(d for d in range(1, 366) if minimum * d // 365 > count)
        cases += [
            (count, timedelta(days=threshold) - timedelta(seconds=1)),
            (count, timedelta(days=threshold)),
            (count, timedelta(days=threshold + 40)),
        ]
    cases += [(minimum, timedelta(days=300)), (2, timedelta(days=370))]  # on pace; not new
    return cases


@pytest.mark.parametrize(("count", "days_ago"), pace_cases())
def test_behind_pace_agrees_with_the_checklist(settings, count, days_ago):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = 6
    group = new_group(days_ago=days_ago, azure_meetings=count)
    checklist = checklist_for(group, now=NOW)
    count_check = checklist.result(Code.AZURE_MEETINGS).checks[0]
    warns = count_check.outcome

    risk = groups_at_risk(now=NOW)
    counted = {r.code: r.count for r in risk.by_warning}[Concern.BEHIND_PACE]

    assert counted == (1 if warns is Outcome.WARNING else 0)


@pytest.mark.parametrize(
    ("meeting_days_ago", "flagged"),
    [(None, True), (200, True), (122, False), (121, False), (10, False)],
)
def test_no_recent_meeting_counts_the_days_since_the_last_one(meeting_days_ago, flagged):
    group = new_group(days_ago=timedelta(days=300), azure_meetings=0)
    if meeting_days_ago is not None:
        MeetingFactory(group=group, starts_at=NOW - timedelta(days=meeting_days_ago))
    spread = checklist_for(group, now=NOW).result(Code.AZURE_MEETINGS).checks[1]

    risk = groups_at_risk(now=NOW)

    assert {r.code: r.count for r in risk.by_warning}[Concern.NO_RECENT_MEETING] == flagged
    if flagged:
        assert spread.outcome is Outcome.WARNING


def test_a_group_admitted_recently_is_not_flagged_for_no_recent_meeting():
    new_group(days_ago=timedelta(days=100), azure_meetings=0)

    risk = groups_at_risk(now=NOW)

    assert {r.code: r.count for r in risk.by_warning}[Concern.NO_RECENT_MEETING] == 0


@pytest.mark.parametrize(
    ("failures", "close"), [(0, False), (1, True), (BROKEN_LINK_CHECKS, False)]
)
def test_a_code_of_conduct_link_that_failed_once_is_close_to_failing(failures, close):
    group = new_group(days_ago=timedelta(days=400), azure_meetings=8)
    Group.objects.filter(pk=group.pk).update(coc_link_failures=failures)

    risk = groups_at_risk(now=NOW)

    assert {r.code: r.count for r in risk.by_warning}[Concern.COC_LINK_FAILED_ONCE] == close
    failing_coc = {r.code: r.count for r in risk.by_requirement}[Code.CODE_OF_CONDUCT]
    assert failing_coc == (failures >= BROKEN_LINK_CHECKS)


def test_only_admitted_groups_are_at_risk():
    GroupFactory(status=Status.SUBMITTED, code_of_conduct_url="")
    GroupFactory(status=Status.INACTIVE, admitted_at=NOW - timedelta(days=900))

    risk = groups_at_risk(now=NOW)

    assert risk.admitted == 0 and risk.total == 0 and risk.groups == []


def test_the_at_risk_list_is_capped_failing_groups_first():
    for name in ["Delta", "Alpha", "Charlie"]:
        GroupFactory(
            name=name,
            status=Status.ADMITTED,
            admitted_at=NOW - timedelta(days=900),
            code_of_conduct_url="",
        )
    quiet = new_group(days_ago=timedelta(days=400), azure_meetings=0)
    Group.objects.filter(pk=quiet.pk).update(name="Aardvark")

    risk = groups_at_risk(now=NOW, limit=2)

    assert risk.total == 4 and risk.failing_total == 4 and risk.close_total == 0
    assert [g.name for g in risk.groups] == ["Aardvark", "Alpha"]
    assert risk.shown == 2
    assert "failing=any" in risk.failing_url


def test_a_failing_group_is_listed_before_a_close_one_that_sorts_first():
    close = new_group(days_ago=timedelta(days=100), azure_meetings=0)  # behind pace only
    failing = new_group(days_ago=timedelta(days=100), azure_meetings=0)
    Group.objects.filter(pk=close.pk).update(name="Aardvark")
    Group.objects.filter(pk=failing.pk).update(name="Zulu", code_of_conduct_url="")

    risk = groups_at_risk(now=NOW, limit=1)

    assert (risk.failing_total, risk.close_total) == (1, 1)
    assert [g.name for g in risk.groups] == ["Zulu"]


# A fixed number of queries -----------------------------------------------------------------

#: Groups by status; admissions and departures; meetings per month; the rules in force and
#: every admitted group's at-risk flags; groups by country; call invitations; failed e-mails.
OVERVIEW_QUERIES = 8


@pytest.mark.parametrize("size", [1, 4])
def test_the_overview_runs_a_fixed_number_of_queries(size, django_assert_num_queries):
    populate(size)

    with django_assert_num_queries(OVERVIEW_QUERIES):
        overview = program_overview(now=NOW)

    assert overview.risk.groups  # the at-risk rows were read


def test_with_no_group_at_risk_the_overview_runs_the_same_queries(django_assert_num_queries):
    with django_assert_num_queries(OVERVIEW_QUERIES):
        program_overview(now=NOW)


# The page ----------------------------------------------------------------------------------


#: The session, the user, their authenticator (two-factor), their permissions (their own and
#: their groups'), then the overview's own queries.
PAGE_QUERIES = 5 + OVERVIEW_QUERIES


@pytest.mark.parametrize("size", [1, 4])
def test_the_page_runs_a_fixed_number_of_queries(client, staff, size, django_assert_num_queries):
    populate(size)

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL)

    assert response.status_code == 200


# Kept figures (TECHGROUPS_OVERVIEW_CACHE_SECONDS; the test settings' cache keeps nothing) ----


@pytest.fixture
def kept_figures(settings):
    """A real cache, empty, keeping the figures for five minutes."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS = 300
    overview_cache.clear()
    yield
    overview_cache.clear()


def admitted_count(response: Any) -> str:
    # The summary's first figure, in any language.
    summary = r'<dl class="tg-ov-summary">\s*<div><dt>[^<]*</dt><dd>(\d+)</dd>'
    match = re.search(summary, response.content.decode())
    assert match, "the summary of admitted groups is missing"
    return match.group(1)


def test_a_second_visit_reads_the_kept_figures_without_the_overview_s_queries(
    client, staff, kept_figures, django_assert_num_queries
):
    populate(2)
    first = client.get(URL)

    with django_assert_num_queries(5):  # session, user, two-factor, permissions
        second = client.get(URL)

    assert admitted_count(second) == admitted_count(first)


def test_the_page_says_how_long_figures_are_kept(client, staff, kept_figures):
    content = client.get(URL).content.decode()

    assert "They are computed again when they are 5 minutes old." in content
    assert "Compute again now" in content


def later(seconds: float) -> Any:
    """The clock of the overview view moved on by `seconds`."""
    moved = timezone.now() + timedelta(seconds=seconds)
    return mock.patch("reporting.views.timezone.now", return_value=moved)


def test_kept_figures_stay_when_the_data_changes(client, staff, kept_figures):
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)
    client.get(URL)
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)

    assert admitted_count(client.get(URL)) == "1"


def test_computing_again_shows_the_data_as_it_is_now(client, staff, kept_figures):
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)
    client.get(URL)
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)

    with later(REFRESH_AFTER.total_seconds()):
        response = client.post(URL)
        assert admitted_count(client.get(URL)) == "2"

    assert response.status_code == 302
    assert response["Location"] == URL


def test_computing_again_within_seconds_of_the_last_time_changes_nothing(
    client, staff, kept_figures, django_assert_num_queries
):
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)
    client.get(URL)
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)

    with django_assert_num_queries(5):  # session, user, two-factor, permissions: no figures
        client.post(URL)

    assert admitted_count(client.get(URL)) == "1"


def test_computing_again_drops_the_other_languages_copies(client, staff, kept_figures):
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)
    client.get(URL, headers={"accept-language": "sv"})
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)

    with later(REFRESH_AFTER.total_seconds()):
        client.post(URL)  # in English

    assert admitted_count(client.get(URL, headers={"accept-language": "sv"})) == "2"


def test_figures_are_kept_for_the_setting_s_seconds(client, staff, kept_figures, settings):
    settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS = 120

    with mock.patch.object(overview_cache, "set", wraps=overview_cache.set) as kept:
        client.get(URL)

    assert kept.call_args.args[2] == 120


def test_an_entry_that_is_not_figures_is_ignored(client, staff, kept_figures):
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)
    with translation.override("en"):
        overview_cache.set(overview_cache_key(), "left by an older release", 300)

    assert admitted_count(client.get(URL)) == "1"


def test_with_the_setting_at_zero_every_visit_computes_the_figures(
    client, staff, kept_figures, settings
):
    settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS = 0
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)
    client.get(URL)
    GroupFactory(status=Status.ADMITTED, admitted_at=NOW)

    assert admitted_count(client.get(URL)) == "2"


def test_with_the_setting_at_zero_there_is_no_button_to_compute_again(
    client, staff, kept_figures, settings
):
    settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS = 0

    content = client.get(URL).content.decode()

    assert "Compute again now" not in content
    assert "computed again" not in content


def test_figures_are_kept_per_language(client, staff, kept_figures):
    assert "Changes requested" in client.get(URL).content.decode()  # a status label, kept

    swedish = client.get(URL, headers={"accept-language": "sv"}).content.decode()

    assert "Ändringar begärda" in swedish
    assert "Changes requested" not in swedish


def test_the_page_says_in_swedish_how_long_figures_are_kept(client, staff, kept_figures):
    swedish = client.get(URL, headers={"accept-language": "sv"}).content.decode()

    assert "De räknas om när de är 5 minuter gamla." in swedish
    assert "Räkna om nu" in swedish


def test_computing_again_needs_the_csrf_token(staff, kept_figures):
    from django.test import Client

    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(staff)

    assert guarded.post(URL).status_code == 403


def test_computing_again_is_for_the_program_team_only(client, kept_figures):
    client.force_login(StaffFactory())

    assert client.post(URL).status_code == 403


def test_anonymous_post_is_sent_to_sign_in(client, kept_figures):
    response = client.post(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_other_methods_are_refused(client, staff):
    assert client.put(URL).status_code == 405


def test_the_address_is_the_overview_not_an_admin_app_index():
    assert resolve("/admin/overview/").func is program_overview_view


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={URL}"


def test_a_leader_is_sent_to_the_admins_sign_in(client):
    leadership = LeadershipFactory(group=GroupFactory(status=Status.ADMITTED, admitted_at=NOW))
    client.force_login(leadership.user)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_program_teams_permission_get_403(client):
    client.force_login(StaffFactory())

    assert client.get(URL).status_code == 403


def test_staff_without_two_factor_set_it_up_first(client, program_team):
    user = StaffFactory(authenticator_app=False)
    user.groups.add(program_team)
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_page_shows_the_figures_with_tables_beside_the_charts(client, staff):
    group = GroupFactory(
        name="Quiet Azure Nights",
        status=Status.ADMITTED,
        admitted_at=timezone.now() - timedelta(days=900),
        country="NO",
    )
    GroupFactory(status=Status.SUBMITTED, country="NO")

    response = client.get(URL)
    content = response.content.decode()

    assert response.status_code == 200
    assert response.templates[0].name == "admin/reporting/overview.html"
    assert "<h1>Program overview</h1>" in content
    for heading in [
        "Groups by status",
        "Admissions and departures per quarter",
        "Azure-related meetings per month",
        "Admitted groups at risk",
        "Groups by country",
        "Quarterly call invitations",
        "Failed e-mails",
    ]:
        assert re.search(rf"<h2 id=\"[a-z-]+\">{heading}</h2>", content), heading
    # Four charts, each an image with a title, and a table for each.
    assert content.count('role="img"') == 4
    assert content.count("<table") >= 4 + 3
    assert reverse("admin:groups_group_change", args=[group.pk]) in content
    assert "Quiet Azure Nights" in content
    assert "/admin/notifications/outboxemail/?status__exact=failed" in content
    # Nothing the Content-Security-Policy would block: no inline style or script.
    assert not re.search(r"<[^>]+\sstyle=", content)
    assert "<script>" not in content
    assert 'href="/static/css/overview.css"' in content


def test_the_admin_index_links_to_the_overview_for_the_program_team(client, staff):
    content = client.get(reverse("admin:index")).content.decode()

    assert f'href="{URL}"' in content


def test_the_admin_index_has_no_link_for_staff_without_the_permission(client):
    client.force_login(StaffFactory())

    content = client.get(reverse("admin:index")).content.decode()

    assert f'href="{URL}"' not in content


# The charts' layout ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "scale"),
    [
        (0, (1, 1)),
        (3, (1, 3)),
        (5, (1, 5)),
        (6, (2, 6)),
        (9, (2, 10)),
        (37, (10, 40)),
        (1234, (500, 1500)),
    ],
)
def test_the_scale_steps_are_round_numbers(maximum, scale):
    assert nice_scale(maximum) == scale


def test_columns_stand_on_the_baseline_in_proportion():
    chart = column_chart([("Q1", "2026", [4, 2]), ("Q2", "", [0, 1])], series=["a", "b"])

    columns = [c for slot in chart.slots for c in slot.columns]
    assert [c.series for c in columns] == ["a", "b", "a", "b"]
    assert all(round(c.y + c.height, 1) == chart.baseline for c in columns)
    assert columns[0].height == pytest.approx(2 * columns[1].height, abs=0.2)
    assert columns[2].height == 0
    assert [t.value for t in chart.ticks] == [0, 1, 2, 3, 4]
    assert chart.slots[0].year == "2026" and chart.slots[1].year == ""


def test_rows_are_as_long_as_their_values():
    chart = row_chart(
        [("Admitted", 10, "x"), ("Left", 5, "y"), ("A very long country name indeed", 0, "z")]
    )

    assert chart.rows[0].width == pytest.approx(2 * chart.rows[1].width)
    assert chart.rows[2].width == 0
    assert chart.rows[2].label.endswith("…") and len(chart.rows[2].label) <= 24
    assert chart.rows[1].y > chart.rows[0].y


def test_the_country_chart_groups_the_smallest_countries():
    for index, code in enumerate(
        ["SE", "NO", "DK", "FI", "DE", "NL", "FR", "ES", "IT", "PL", "PT", "BE", "AT", "CH"]
    ):
        for _ in range(index + 1):
            GroupFactory(status=Status.ADMITTED, admitted_at=NOW, country=code)

    charts = overview_charts(program_overview(now=NOW))

    labels = [row.label for row in charts.countries.rows]
    assert len(labels) == 13
    assert labels[0] == "Switzerland" and labels[-1] == "2 other countries"
    assert charts.countries.rows[-1].value == 1 + 2
