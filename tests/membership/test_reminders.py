"""Compliance reminders: each kind's rule and period, and the daily job that queues them."""

import importlib
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_celery_beat.models import PeriodicTask

from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership, User
from membership import reminders
from membership.reminder_emails import SAMPLE_USER_PK, _sample_facts
from membership.reminders import (
    CHANGES_REQUESTED,
    CODE_OF_CONDUCT,
    CONTACTS,
    ESCALATION,
    INACTIVITY,
    PACE,
    REVIEW_DUE,
    TECH_COMMUNITY_IDS,
    TEMPLATES,
    ReminderFacts,
    changes_requested_due,
    code_of_conduct_due,
    contacts_due,
    expected_azure_meetings,
    inactivity_due,
    inactivity_escalation_due,
    pace_due,
    queue_compliance_reminders,
    review_coming_due,
    tech_community_ids_due,
)
from membership.requirements import Contact, GroupFacts, check_contacts, evaluate_requirements
from membership.tasks import queue_compliance_reminders as reminder_task
from notifications.mail import _KINDS, default_wording, email_context, render_wording
from notifications.models import OutboxEmail
from tests.builders import group_with_history, lead
from tests.factories import LeadershipFactory, MeetingFactory, UserFactory

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)
SITE = "http://testserver.example"
SCHEDULE_MIGRATION = "membership.migrations.0002_schedules"


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


# Pure rules: facts built by hand, no database ---------------------------------------------------

LEADER = Contact(user_id=1, name="Ada", has_tech_community_id=True, accepted_rules_version=None)
CO_LEADER = Contact(user_id=2, name="Bo", has_tech_community_id=True, accepted_rules_version=None)


def facts(
    *,
    status: str = Group.Status.ADMITTED,
    admitted_days_ago: float | None = 800,
    azure_meetings: int = 6,
    last_meeting_days_ago: float | None = 10,
    status_changed_days_ago: float | None = None,
    updated_days_ago: float | None = None,
    next_review_due: date | None = None,
    version: int = 4,
    **requirement_fields: Any,
) -> ReminderFacts:
    """A healthy admitted group (no reminder due) unless told otherwise."""
    admitted_at = days_ago(admitted_days_ago) if admitted_days_ago is not None else None
    starts = [days_ago(10 + 50 * i) for i in range(azure_meetings)]
    values: dict[str, Any] = {
        "status": status,
        "timezone": "Europe/Stockholm",
        "admitted_at": admitted_at,
        "code_of_conduct_url": "https://example.org/conduct",
        "planned_meetings_per_year": 6,
        "leader": LEADER,
        "co_leader": CO_LEADER,
        "azure_meeting_starts": starts,
        "fee_meeting_count": 0,
        "current_rules_version": None,
        **requirement_fields,
    }
    requirements = GroupFacts(**values)
    changed = days_ago(status_changed_days_ago or admitted_days_ago or 800)
    return ReminderFacts(
        group_pk=7,
        status=status,
        requirements=requirements,
        checklist=evaluate_requirements(requirements, now=NOW),
        last_meeting_at=(
            days_ago(last_meeting_days_ago) if last_meeting_days_ago is not None else None
        ),
        status_changed_at=changed,
        updated_at=days_ago(updated_days_ago) if updated_days_ago is not None else changed,
        version=version,
        next_review_due=next_review_due,
    )


def test_a_healthy_admitted_group_has_no_reminder_due():
    assert reminders.reminders_due(facts(), now=NOW) == []


def test_an_established_group_is_expected_to_have_the_full_minimum():
    assert expected_azure_meetings(facts(), now=NOW) == 6


def test_a_group_admitted_four_months_ago_is_expected_to_have_two():
    assert expected_azure_meetings(facts(admitted_days_ago=122), now=NOW) == 2


def test_pace_is_due_for_an_established_group_with_five_meetings():
    due = pace_due(facts(azure_meetings=5), now=NOW)

    assert due is not None
    assert (due.kind, due.period) == (PACE, "2026-Q2")
    assert due.details == {"count": 5, "expected": 6}


def test_pace_is_not_due_with_six_meetings():
    assert pace_due(facts(azure_meetings=6), now=NOW) is None


def test_pace_waits_until_a_new_group_is_a_whole_meeting_behind():
    assert pace_due(facts(admitted_days_ago=60, azure_meetings=0), now=NOW) is None
    assert pace_due(facts(admitted_days_ago=61, azure_meetings=0), now=NOW) is not None


def test_pace_period_is_the_calendar_quarter():
    due = pace_due(facts(azure_meetings=1), now=datetime(2026, 10, 1, 0, 30, tzinfo=UTC))

    assert due is not None and due.period == "2026-Q4"


def test_pace_is_not_for_applications():
    assert pace_due(facts(status=Group.Status.SUBMITTED, azure_meetings=0), now=NOW) is None


def test_no_inactivity_reminder_before_sixty_days():
    assert inactivity_due(facts(last_meeting_days_ago=59.9), now=NOW) is None


def test_sixty_days_without_a_meeting_is_the_first_reminder():
    due = inactivity_due(facts(last_meeting_days_ago=60), now=NOW)

    assert due is not None
    assert due.key_part == "inactivity-60"
    assert due.period == "2026-04-16"  # the date of the last meeting
    assert due.details["is_first"] is True


def test_ninety_days_is_the_second_reminder_only():
    due = inactivity_due(facts(last_meeting_days_ago=100), now=NOW)

    assert due is not None
    assert due.key_part == "inactivity-90"
    assert due.details["days"] == 100
    assert due.details["is_first"] is False


def test_a_new_meeting_starts_a_new_inactive_stretch():
    before = inactivity_due(facts(last_meeting_days_ago=61), now=NOW)
    after = inactivity_due(facts(last_meeting_days_ago=61), now=NOW + timedelta(days=70))

    assert before is not None and after is not None
    assert before.period == after.period  # same stretch: the same keys, nothing sent twice
    later_meeting = inactivity_due(facts(last_meeting_days_ago=-5), now=NOW + timedelta(days=70))
    assert later_meeting is not None and later_meeting.period != before.period


def test_a_group_without_meetings_counts_from_its_admission():
    assert inactivity_due(facts(last_meeting_days_ago=None, admitted_days_ago=30), now=NOW) is None
    due = inactivity_due(facts(last_meeting_days_ago=None, admitted_days_ago=65), now=NOW)
    assert due is not None and due.period == "2026-04-11"


def test_a_readmitted_group_counts_from_its_readmission():
    readmitted = facts(last_meeting_days_ago=400, status_changed_days_ago=20)

    assert inactivity_due(readmitted, now=NOW) is None
    assert inactivity_escalation_due(readmitted, now=NOW) is None


def test_inactivity_thresholds_are_settings(settings):
    settings.TECHGROUPS_INACTIVITY_REMINDER_DAYS = [30, 45]

    due = inactivity_due(facts(last_meeting_days_ago=50), now=NOW)

    assert due is not None and due.key_part == "inactivity-45"


def test_escalation_is_due_after_a_hundred_and_eighty_days():
    assert inactivity_escalation_due(facts(last_meeting_days_ago=179), now=NOW) is None
    due = inactivity_escalation_due(facts(last_meeting_days_ago=180), now=NOW)
    assert due is not None and due.kind == ESCALATION


def test_escalation_threshold_is_a_setting(settings):
    settings.TECHGROUPS_INACTIVITY_ESCALATION_DAYS = 120

    assert inactivity_escalation_due(facts(last_meeting_days_ago=125), now=NOW) is not None


def test_a_missing_co_leader_is_due_once_a_month():
    due = contacts_due(facts(co_leader=None), now=NOW)

    assert due is not None and (due.kind, due.period) == (CONTACTS, "2026-06")
    assert contacts_due(facts(), now=NOW) is None


def test_a_missing_code_of_conduct_address_is_due():
    due = code_of_conduct_due(facts(code_of_conduct_url=""), now=NOW)

    assert due is not None and (due.kind, due.period) == (CODE_OF_CONDUCT, "2026-06")


def test_a_link_broken_on_two_checks_is_due_and_one_failure_is_not():
    broken = {"coc_link_failing_since": days_ago(2), "coc_link_checked_at": days_ago(1)}

    assert code_of_conduct_due(facts(coc_link_failures=1, **broken), now=NOW) is None
    assert code_of_conduct_due(facts(coc_link_failures=2, **broken), now=NOW) is not None


def test_a_contact_without_tech_community_id_is_due():
    no_id = Contact(user_id=2, name="Bo", has_tech_community_id=False, accepted_rules_version=None)

    due = tech_community_ids_due(facts(co_leader=no_id), now=NOW)

    assert due is not None and (due.kind, due.period) == (TECH_COMMUNITY_IDS, "2026-06")
    assert due.details["without_id"] == [2]


def test_no_id_reminder_when_only_the_missing_contact_lacks_one():
    assert tech_community_ids_due(facts(co_leader=None), now=NOW) is None


def test_changes_requested_untouched_for_fourteen_days_is_due_once_per_version():
    waiting = {"status": Group.Status.CHANGES_REQUESTED, "admitted_days_ago": None}

    assert changes_requested_due(facts(**waiting, status_changed_days_ago=13.9), now=NOW) is None
    due = changes_requested_due(facts(**waiting, status_changed_days_ago=14), now=NOW)
    assert due is not None and (due.kind, due.period) == (CHANGES_REQUESTED, "v4")


def test_an_edit_restarts_the_changes_requested_count():
    edited = facts(
        status=Group.Status.CHANGES_REQUESTED,
        admitted_days_ago=None,
        status_changed_days_ago=30,
        updated_days_ago=3,
    )

    assert changes_requested_due(edited, now=NOW) is None


def test_changes_requested_is_only_for_that_status():
    assert changes_requested_due(facts(updated_days_ago=30), now=NOW) is None


def test_review_due_within_thirty_days_until_the_day_before():
    assert review_coming_due(facts(next_review_due=TODAY + timedelta(days=31)), now=NOW) is None
    due = review_coming_due(facts(next_review_due=TODAY + timedelta(days=30)), now=NOW)
    assert due is not None and (due.kind, due.period) == (REVIEW_DUE, "2026-07-15")
    assert review_coming_due(facts(next_review_due=TODAY + timedelta(days=1)), now=NOW) is not None
    assert review_coming_due(facts(next_review_due=TODAY), now=NOW) is None  # the team is at it
    assert review_coming_due(facts(next_review_due=TODAY - timedelta(days=1)), now=NOW) is None


def test_review_due_days_are_a_setting(settings):
    settings.TECHGROUPS_REVIEW_DUE_REMINDER_DAYS = 7

    assert review_coming_due(facts(next_review_due=TODAY + timedelta(days=8)), now=NOW) is None


def test_only_admitted_groups_get_compliance_reminders():
    submitted = facts(
        status=Group.Status.SUBMITTED,
        admitted_days_ago=None,
        azure_meetings=0,
        last_meeting_days_ago=None,
        co_leader=None,
        code_of_conduct_url="",
        next_review_due=TODAY,
    )

    assert reminders.reminders_due(submitted, now=NOW) == []


# The job ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def group_with_contacts(*, language: str = "en", co_language: str = "en", **fields) -> tuple:
    """A group as it stands at NOW with a leader and a co-leader speaking the languages given."""
    group = group_with_history(now=NOW, **fields)
    leader = lead(group, user=UserFactory(preferred_language=language)).user
    co_leader = lead(
        group, user=UserFactory(preferred_language=co_language), role=Leadership.Role.CO_LEADER
    ).user
    return group, leader, co_leader


def reminder_emails(kind: str | None = None) -> list[OutboxEmail]:
    emails = OutboxEmail.objects.filter(key__startswith="reminder:").order_by("pk")
    return list(emails.filter(kind=f"reminder_{kind}") if kind else emails)


def key(kind: str, group: Group, user: User, period: str) -> str:
    return f"reminder:{kind}:group-{group.pk}:user-{user.pk}:{period}"


@pytest.mark.django_db
def test_the_job_reminds_leader_and_co_leader_once_each():
    group, leader, co_leader = group_with_contacts(code_of_conduct_url="")

    counts = queue_compliance_reminders(now=NOW)

    assert counts[CODE_OF_CONDUCT] == 2
    assert sum(counts.values()) == 2
    keys = {email.key for email in reminder_emails()}
    assert keys == {
        key("code_of_conduct", group, leader, "2026-06"),
        key("code_of_conduct", group, co_leader, "2026-06"),
    }
    email = reminder_emails()[0]
    assert (email.group, email.status) == (group, OutboxEmail.Status.PENDING)


@pytest.mark.django_db
def test_a_second_run_in_the_same_period_queues_nothing():
    group_with_contacts(code_of_conduct_url="", meetings=3)
    first = queue_compliance_reminders(now=NOW)

    second = queue_compliance_reminders(now=NOW + timedelta(days=1))

    assert sum(first.values()) == 4
    assert set(second.values()) == {0}
    assert len(reminder_emails()) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("later", [timedelta(0), timedelta(hours=1), timedelta(hours=17)])
def test_a_second_run_the_same_day_queues_nothing_even_after_an_escalation(later):
    """The escalation moves the review up to today; that is no new review-due reminder."""
    group, _leader, _co = group_with_contacts(
        meetings=0, next_review_due=TODAY + timedelta(days=20)
    )
    MeetingFactory(group=group, starts_at=days_ago(200))
    first = queue_compliance_reminders(now=NOW)
    queued = set(OutboxEmail.objects.values_list("key", flat=True))

    second = queue_compliance_reminders(now=NOW + later)

    assert first[ESCALATION] == 1
    assert first[REVIEW_DUE] == 2
    assert set(second.values()) == {0}
    assert set(OutboxEmail.objects.values_list("key", flat=True)) == queued


@pytest.mark.django_db
def test_a_run_reports_only_what_it_queued_itself(monkeypatch):
    """Two runs racing: both found the keys free, the other one wrote them first."""
    group_with_contacts(code_of_conduct_url="", meetings=3)
    assert sum(queue_compliance_reminders(now=NOW).values()) == 4
    monkeypatch.setattr(reminders, "outbox_queued_keys", lambda keys: set())

    assert set(queue_compliance_reminders(now=NOW).values()) == {0}
    assert len(reminder_emails()) == 4


@pytest.mark.django_db
def test_a_monthly_reminder_comes_again_next_month():
    group_with_contacts(code_of_conduct_url="")
    queue_compliance_reminders(now=NOW)

    counts = queue_compliance_reminders(now=datetime(2026, 7, 1, 6, tzinfo=UTC))

    assert counts[CODE_OF_CONDUCT] == 2


@pytest.mark.django_db
def test_each_e_mail_is_in_the_recipients_language():
    group, leader, co_leader = group_with_contacts(
        language="sv", co_language="en", code_of_conduct_url=""
    )

    queue_compliance_reminders(now=NOW)

    swedish = OutboxEmail.objects.get(user=leader)
    english = OutboxEmail.objects.get(user=co_leader)
    assert swedish.language == "sv"
    assert "uppförandekod" in swedish.subject
    assert "Du får det här e-postmeddelandet eftersom du är ledare eller medledare för" in (
        swedish.body_text
    )
    assert english.language == "en"
    assert english.subject == f"[Tech Groups] {group.name}: your code of conduct needs attention"
    assert f"leader or co-leader of {group.name}" in english.body_text


@pytest.mark.django_db
def test_the_code_of_conduct_reminder_links_to_the_edit_page_with_the_checklist_message():
    group, leader, _co = group_with_contacts(code_of_conduct_url="")

    queue_compliance_reminders(now=NOW)

    body = OutboxEmail.objects.get(user=leader).body_text
    assert f"{SITE}/groups/{group.slug}/edit/" in body
    assert f"{SITE}/groups/code-of-conduct-example/" in body
    assert "Add the address of your code of conduct" in body
    assert (
        f'href="{SITE}/groups/{group.slug}/edit/"' in OutboxEmail.objects.get(user=leader).body_html
    )


@pytest.mark.django_db
def test_a_broken_code_of_conduct_link_is_reminded_with_the_checklist_message():
    group, leader, _co = group_with_contacts(
        coc_link_failures=2,
        coc_link_failing_since=days_ago(2),
        coc_link_checked_at=days_ago(1),
        coc_link_status_code=404,
    )

    counts = queue_compliance_reminders(now=NOW)

    assert counts[CODE_OF_CONDUCT] == 2
    body = OutboxEmail.objects.get(user=leader).body_text
    assert "did not answer on the last 2 checks" in body
    assert f"{SITE}/groups/{group.slug}/edit/" in body


@pytest.mark.django_db
def test_the_contacts_reminder_goes_to_the_remaining_leader_with_the_people_link():
    group = group_with_history(now=NOW)
    leader = lead(group).user

    counts = queue_compliance_reminders(now=NOW)

    assert counts[CONTACTS] == 1
    email = OutboxEmail.objects.get(kind="reminder_contacts")
    assert email.user == leader
    assert email.key == key("contacts", group, leader, "2026-06")
    assert f"{SITE}/groups/{group.slug}/people/" in email.body_text
    assert "The group has no co-leader" in email.body_text


@pytest.mark.django_db
def test_the_id_reminder_links_each_person_to_their_own_profile():
    group = group_with_history(now=NOW)
    without_id = lead(group, user=UserFactory(tech_community_id=None)).user
    with_id = lead(group, role=Leadership.Role.CO_LEADER).user

    counts = queue_compliance_reminders(now=NOW)

    assert counts[TECH_COMMUNITY_IDS] == 2
    theirs = OutboxEmail.objects.get(user=without_id).body_text
    other = OutboxEmail.objects.get(user=with_id).body_text
    assert f"{SITE}/profile/" in theirs and f"{SITE}/profile/" in other
    assert "Please add yours" in theirs
    assert "ask your fellow leader" in other
    assert f"the leader, {without_id.display_name}, has not given one" in theirs


@pytest.mark.django_db
def test_the_pace_reminder_links_to_the_meetings_pages():
    group, leader, _co = group_with_contacts(meetings=4)

    counts = queue_compliance_reminders(now=NOW)

    assert counts[PACE] == 2
    email = OutboxEmail.objects.get(user=leader, kind="reminder_pace")
    assert email.key == key("pace", group, leader, "2026-Q2")
    assert f"{SITE}/groups/{group.slug}/meetings/add/" in email.body_text
    assert f"{SITE}/groups/{group.slug}/meetings/" in email.body_text
    assert "Only 4 Azure-related meetings in the last 12 months" in email.body_text


@pytest.mark.django_db
def test_inactivity_reminders_at_sixty_and_ninety_days_then_a_new_meeting_resets():
    group, leader, _co = group_with_contacts(meetings=0)
    MeetingFactory(group=group, starts_at=days_ago(61))
    for offset in range(6):  # six Azure meetings: only inactivity is due
        MeetingFactory(group=group, starts_at=days_ago(100 + 40 * offset))

    assert queue_compliance_reminders(now=NOW)[INACTIVITY] == 2
    assert queue_compliance_reminders(now=NOW + timedelta(days=10))[INACTIVITY] == 0
    assert queue_compliance_reminders(now=NOW + timedelta(days=30))[INACTIVITY] == 2
    assert queue_compliance_reminders(now=NOW + timedelta(days=31))[INACTIVITY] == 0
    first, second = OutboxEmail.objects.filter(user=leader, kind="reminder_inactivity").order_by(
        "pk"
    )
    assert first.key == key("inactivity-60", group, leader, "2026-04-15")
    assert second.key == key("inactivity-90", group, leader, "2026-04-15")
    assert first.subject == f"[Tech Groups] {group.name}: no meeting for 61 days"
    assert second.subject.startswith("[Tech Groups] Second reminder:")

    MeetingFactory(group=group, starts_at=NOW + timedelta(days=40))
    assert queue_compliance_reminders(now=NOW + timedelta(days=101))[INACTIVITY] == 2


@pytest.mark.django_db
def test_the_second_inactivity_reminder_says_so():
    group, leader, _co = group_with_contacts(meetings=0)
    MeetingFactory(group=group, starts_at=days_ago(95))

    queue_compliance_reminders(now=NOW)

    email = OutboxEmail.objects.get(user=leader, kind="reminder_inactivity")
    assert email.subject == f"[Tech Groups] Second reminder: no meeting of {group.name} for 95 days"
    assert "After 180 days without a meeting" in email.body_text
    assert f"{SITE}/groups/{group.slug}/meetings/add/" in email.body_text


@pytest.mark.django_db
def test_a_hundred_and_eighty_days_tells_the_program_team_and_moves_the_review_up(settings):
    settings.PROGRAM_TEAM_EMAIL = "team@example.org"
    group, _leader, _co = group_with_contacts(
        meetings=0, next_review_due=TODAY + timedelta(days=90)
    )
    MeetingFactory(group=group, starts_at=days_ago(200))
    version = group.version

    counts = queue_compliance_reminders(now=NOW)

    assert counts[ESCALATION] == 1
    notice = OutboxEmail.objects.get(to_email="team@example.org")
    assert notice.kind == "program_team_inactive_group"
    assert notice.key == f"program_team:inactive_group:group-{group.pk}:2025-11-27"
    assert "No meeting for 200 days" in notice.subject + notice.body_text
    assert f"/admin/groups/group/{group.pk}/change/" in notice.body_text
    group.refresh_from_db()
    assert group.next_review_due == TODAY
    assert group.version == version + 1
    entry = AuditEntry.objects.get(group=group)
    assert entry.actor is None
    assert entry.changes == {"next_review_due": {"before": "2026-09-13", "after": "2026-06-15"}}
    due_now = Group.objects.filter(status=Group.Status.ADMITTED, next_review_due__lte=TODAY)
    assert group in due_now  # the admin's "review due" filter


@pytest.mark.django_db
def test_escalation_happens_once_and_keeps_an_earlier_review_date():
    earlier = TODAY - timedelta(days=3)
    group, _leader, _co = group_with_contacts(meetings=0, next_review_due=earlier)

    assert queue_compliance_reminders(now=NOW)[ESCALATION] == 1
    assert queue_compliance_reminders(now=NOW + timedelta(days=1))[ESCALATION] == 0

    group.refresh_from_db()
    assert group.next_review_due == earlier
    assert AuditEntry.objects.filter(group=group).count() == 1
    assert OutboxEmail.objects.filter(kind="program_team_inactive_group").count() == 1


@pytest.mark.django_db
def test_a_run_that_lost_the_race_to_escalate_writes_nothing():
    group, _leader, _co = group_with_contacts(
        meetings=0, next_review_due=TODAY + timedelta(days=90)
    )
    due = reminders.Due(ESCALATION, "2024-01-01", details={"days": 200})
    OutboxEmail.objects.create(
        key=reminders.escalation_key(due, group_pk=group.pk),
        kind="program_team_inactive_group",
        to_email="team@example.org",
        language="en",
        subject="Already told",
        body_text="Already told",
        body_html="<p>Already told</p>",
    )

    assert reminders._escalate(due, group=group, now=NOW) is False

    group.refresh_from_db()
    assert group.next_review_due == TODAY + timedelta(days=90)
    assert not AuditEntry.objects.filter(group=group).exists()


@pytest.mark.django_db
def test_changes_requested_and_untouched_for_fourteen_days_reminds_with_the_status_link():
    group = group_with_history(
        now=NOW, status=Group.Status.CHANGES_REQUESTED, meetings=0, code_of_conduct_url=""
    )
    leader = lead(group, user=UserFactory(preferred_language="sv")).user
    Group.objects.filter(pk=group.pk).update(
        status_changed_at=days_ago(15), updated_at=days_ago(15)
    )

    counts = queue_compliance_reminders(now=NOW)

    assert counts[CHANGES_REQUESTED] == 1
    assert sum(counts.values()) == 1  # no compliance reminders for an application
    email = OutboxEmail.objects.get(user=leader)
    assert email.key == key("changes_requested", group, leader, f"v{group.version}")
    assert f"{SITE}/groups/{group.slug}/status/" in email.body_text
    assert "väntar på era ändringar" in email.subject
    assert queue_compliance_reminders(now=NOW + timedelta(days=7))[CHANGES_REQUESTED] == 0


@pytest.mark.django_db
def test_the_review_due_reminder_lists_what_is_not_met_and_links_to_the_dashboard():
    group, leader, _co = group_with_contacts(next_review_due=TODAY + timedelta(days=20))
    Leadership.objects.filter(group=group, role=Leadership.Role.CO_LEADER).update(ended_at=NOW)

    queue_compliance_reminders(now=NOW)

    email = OutboxEmail.objects.get(user=leader, kind="reminder_review_due")
    assert email.key == key("review_due", group, leader, "2026-07-05")
    assert "5 July 2026" in email.subject
    assert "- A leader and a co-leader: The group has no co-leader" in email.body_text
    assert f"{SITE}/groups/{group.slug}/\n" in email.body_text


@pytest.mark.django_db
def test_applications_and_former_groups_get_no_compliance_reminders():
    for status in [Group.Status.SUBMITTED, Group.Status.DRAFT, Group.Status.INACTIVE]:
        group = group_with_history(now=NOW, status=status, meetings=0, code_of_conduct_url="")
        lead(group, user=UserFactory(tech_community_id=None))

    assert set(queue_compliance_reminders(now=NOW).values()) == {0}


@pytest.mark.django_db
def test_inactive_accounts_and_former_leaders_get_nothing():
    group, leader, co_leader = group_with_contacts(code_of_conduct_url="")
    User.objects.filter(pk=co_leader.pk).update(is_active=False)
    LeadershipFactory(group=group, role=Leadership.Role.CO_LEADER, ended_at=days_ago(1))

    queue_compliance_reminders(now=NOW)

    assert [email.user for email in reminder_emails()] == [leader]


@pytest.mark.django_db
def test_small_chunks_cover_every_group():
    groups = [group_with_contacts(code_of_conduct_url="")[0] for _ in range(5)]

    counts = queue_compliance_reminders(now=NOW, chunk_size=2)

    assert counts[CODE_OF_CONDUCT] == 10
    assert {email.group_id for email in reminder_emails()} == {group.pk for group in groups}


@pytest.mark.django_db
def test_the_task_runs_the_job_and_is_idempotent(monkeypatch):
    group_with_contacts(code_of_conduct_url="")
    monkeypatch.setattr("membership.tasks.timezone.now", lambda: NOW)

    first = reminder_task.delay().get()
    second = reminder_task.delay().get()

    assert first[CODE_OF_CONDUCT] == 2
    assert set(second.values()) == {0}


def test_a_worker_finds_the_task():
    """A worker imports what Celery's autodiscovery finds; the beat entry must name a task
    it knows."""
    script = (
        "import django; django.setup()\n"
        "from techgroups.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('membership.tasks.queue_compliance_reminders' in app.tasks)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "techgroups.settings.test"}
    found = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )

    assert found.stdout.strip() == "True"


@pytest.mark.django_db
def test_the_job_ticks_hourly_from_beat():
    task = PeriodicTask.objects.get(task="membership.tasks.queue_compliance_reminders")

    assert (task.interval.every, task.interval.period, task.enabled) == (1, "hours", True)


@pytest.mark.django_db
def test_the_schedule_migration_can_run_again():
    migration = importlib.import_module(SCHEDULE_MIGRATION)

    migration.create_schedules(apps, None)

    assert PeriodicTask.objects.filter(name=migration.REMINDERS_NAME).count() == 1


# Queries ----------------------------------------------------------------------------------------


def selection_queries(now: datetime) -> tuple[int, int]:
    """(queries, e-mails queued) of one run."""
    with CaptureQueriesContext(connection) as queries:
        counts = queue_compliance_reminders(now=now)
    return len(queries), sum(counts.values())


def failing_groups(count: int) -> None:
    for _ in range(count):
        group_with_contacts(code_of_conduct_url="")


@pytest.mark.django_db
def test_selection_costs_the_same_queries_for_five_and_sixty_groups_when_nothing_is_due():
    failing_groups(5)
    queue_compliance_reminders(now=NOW)
    five, queued = selection_queries(NOW)
    assert queued == 0

    failing_groups(55)
    queue_compliance_reminders(now=NOW)
    sixty, queued = selection_queries(NOW)

    assert queued == 0
    assert five == sixty
    assert sixty <= 10


@pytest.mark.django_db
def test_queries_grow_with_the_e_mails_queued_not_with_the_groups():
    failing_groups(5)
    five, five_emails = selection_queries(NOW)
    failing_groups(55)
    # The 5 first groups are done: this run queues 110 e-mails for 55 new groups.
    sixty, sixty_emails = selection_queries(NOW)

    assert (five_emails, sixty_emails) == (10, 110)
    per_email, remainder = divmod(sixty - five, sixty_emails - five_emails)
    assert remainder == 0
    assert per_email <= 15  # the outbox's own work per row (check, render, insert)
    assert five - per_email * five_emails <= 10  # the selection itself


# The e-mails' registrations ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
@pytest.mark.parametrize("language", ["en", "sv"])
def test_every_reminder_is_registered_and_its_sample_renders(kind, language):
    """Without database access: the samples are unsaved objects and the files are read."""
    name = TEMPLATES[kind]
    registered = _KINDS[name]
    assert registered.optional is False
    wording = default_wording(name, language)
    assert wording is not None

    context = email_context(name, language=language, inputs=registered.sample())
    rendered = render_wording(wording, language=language, context=context)

    assert "Azure User Group Uppsala" in rendered.subject
    closing = {
        "en": "You receive this e-mail because you are a leader or co-leader of "
        "Azure User Group Uppsala.\n\nThe Tech Groups program team\n",
        "sv": "Du får det här e-postmeddelandet eftersom du är ledare eller medledare för "
        "Azure User Group Uppsala.\n\nTech Groups-programteamet\n",
    }[language]
    assert rendered.text.endswith(closing)
    assert "http://" in rendered.text or "https://" in rendered.text
    assert "{{" not in rendered.text and "{%" not in rendered.text


def test_the_checklist_message_is_written_in_the_language_of_the_rendering(monkeypatch):
    """The context is built in the language of the rendering, so the admin's Swedish preview
    and a Swedish leader's e-mail get the checklist's Swedish words."""
    languages: list[str | None] = []
    evaluate = reminders.evaluate_requirements

    def spy(facts: GroupFacts, *, now: datetime):
        languages.append(translation.get_language())
        return evaluate(facts, now=now)

    name = TEMPLATES[CONTACTS]
    sample = _KINDS[name].sample()
    assert sample["user"].pk == SAMPLE_USER_PK
    monkeypatch.setattr(reminders, "evaluate_requirements", spy)

    context = email_context(name, language="sv", inputs=sample)
    rendered = render_wording(default_wording(name, "sv"), language="sv", context=context)

    assert languages == ["sv"]
    with translation.override("sv"):
        swedish = check_contacts(_sample_facts(NOW).requirements).message
    assert swedish in rendered.text


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize(
    ("kind", "variant"),
    [
        (INACTIVITY, {"is_first": True, "last_meeting_at": None}),
        (INACTIVITY, {"is_first": False}),
        (TECH_COMMUNITY_IDS, {"own_id_missing": False}),
        (REVIEW_DUE, {"failing": []}),
    ],
)
def test_every_variant_of_a_reminder_reads_without_gaps(kind, variant, language):
    name = TEMPLATES[kind]
    context = {**email_context(name, language=language, inputs=_KINDS[name].sample()), **variant}

    rendered = render_wording(default_wording(name, language), language=language, context=context)

    assert "\n\n\n" not in rendered.text
    assert "Azure User Group Uppsala" in rendered.text
