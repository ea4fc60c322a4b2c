"""The compliance reminders' e-mails, registered for the admin (title, description, preview).

Their context function is the job's own `reminder_context`; the samples are its inputs made of
unsaved objects and made-up facts, so the preview shows exactly what a leader would get.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.models import Group
from groups.values import sample_group
from leaders.models import User
from leaders.values import sample_user
from notifications.mail import EmailKind, register_email
from notifications.models import OutboxEmail

from .reminders import (
    CHANGES_REQUESTED,
    CODE_OF_CONDUCT,
    CONTACTS,
    FOLLOW_UP,
    INACTIVITY,
    PACE,
    REVIEW_DUE,
    TECH_COMMUNITY_IDS,
    TEMPLATES,
    Due,
    FollowUp,
    ReminderFacts,
    month_period,
    reminder_context,
    reminders_due,
)
from .requirements import Contact, GroupFacts, evaluate_requirements

SAMPLE_USER_PK = 1


def _sample_group() -> Group:
    return sample_group(code_of_conduct_url="")


def _sample_user() -> User:
    return sample_user(pk=SAMPLE_USER_PK)


def _sample_facts(now: datetime, *, status: str = Group.Status.ADMITTED) -> ReminderFacts:
    """A group admitted 300 days ago, with two Azure meetings, no co-leader, no code of
    conduct, and a leader without a Tech Community user ID: every requirement reminder has
    something to say."""
    last_meeting = now - timedelta(days=95)
    requirements = GroupFacts(
        status=status,
        timezone="Europe/Stockholm",
        admitted_at=now - timedelta(days=300),
        code_of_conduct_url="",
        planned_meetings_per_year=6,
        leader=Contact(
            user_id=SAMPLE_USER_PK,
            name="Ada Lindqvist",
            has_tech_community_id=False,
            accepted_rules_version=None,
        ),
        co_leader=None,
        azure_meeting_starts=[now - timedelta(days=200), last_meeting],
        fee_meeting_count=0,
        current_rules_version=None,
    )
    return ReminderFacts(
        group_pk=0,
        status=status,
        requirements=requirements,
        checklist=evaluate_requirements(requirements, now=now),
        last_meeting_at=last_meeting,
        status_changed_at=now - timedelta(days=300),
        updated_at=now - timedelta(days=20),
        version=3,
        next_review_due=timezone.localdate(now) + timedelta(days=21),
        follow_up=FollowUp(
            review_pk=1,
            follow_up_by=timezone.localdate(now) + timedelta(days=3),
            message="Name a co-leader and publish your code of conduct.",
        ),
    )


def _sample_due(kind: str, facts: ReminderFacts, now: datetime) -> Due:
    """The reminder the rules themselves find due for the sample facts (they are built so
    that every rule fires with the default settings); a bare one if a setting moved it."""
    return next(
        (due for due in reminders_due(facts, now=now) if due.kind == kind),
        Due(kind, month_period(now)),
    )


def _sample(kind: str) -> Callable[[], dict[str, Any]]:
    def sample() -> dict[str, Any]:
        now = timezone.now()
        group = _sample_group()
        if kind == CHANGES_REQUESTED:
            group.status = Group.Status.CHANGES_REQUESTED
        facts = _sample_facts(now, status=group.status)
        group.next_review_due = facts.next_review_due
        due = _sample_due(kind, facts, now)
        return {"due": due, "group": group, "user": _sample_user(), "facts": facts, "now": now}

    return sample


_DESCRIPTIONS = {
    PACE: (
        gettext_lazy("Reminder: too few Azure-related meetings"),
        gettext_lazy(
            "To the leaders of an admitted group behind the pace toward the yearly minimum of "
            "Azure-related meetings; at most once a quarter."
        ),
    ),
    INACTIVITY: (
        gettext_lazy("Reminder: no meeting for a long time"),
        gettext_lazy(
            "To the leaders of an admitted group with no meeting for 60 and again for 90 days "
            "(settings); once per step until a new meeting is logged."
        ),
    ),
    CONTACTS: (
        gettext_lazy("Reminder: leader or co-leader missing"),
        gettext_lazy(
            "To the remaining leader of an admitted group without a leader or a co-leader; "
            "at most once a month."
        ),
    ),
    CODE_OF_CONDUCT: (
        gettext_lazy("Reminder: code of conduct missing or unreachable"),
        gettext_lazy(
            "To the leaders of an admitted group without a code-of-conduct address, or whose "
            "link failed two checks in a row; at most once a month."
        ),
    ),
    TECH_COMMUNITY_IDS: (
        gettext_lazy("Reminder: Tech Community user ID missing"),
        gettext_lazy(
            "To the leaders of an admitted group where a leader or co-leader has not given "
            "a Tech Community user ID; at most once a month."
        ),
    ),
    CHANGES_REQUESTED: (
        gettext_lazy("Reminder: application waiting for changes"),
        gettext_lazy(
            "To the leaders of an application with changes requested that has not changed "
            "for 14 days (a setting); once per request."
        ),
    ),
    REVIEW_DUE: (
        gettext_lazy("Reminder: periodic review coming due"),
        gettext_lazy(
            "To the leaders of an admitted group whose periodic review is due within 30 days "
            "(a setting), with the requirements not met; once per due date."
        ),
    ),
    FOLLOW_UP: (
        gettext_lazy("Reminder: follow-up coming due"),
        gettext_lazy(
            "To the leaders of an admitted group kept with a follow-up, 14 and 3 days before "
            "its date: what to fix and by when; each once per follow-up."
        ),
    ),
}

for _kind, (_title, _description) in _DESCRIPTIONS.items():
    register_email(
        EmailKind(
            name=TEMPLATES[_kind],
            title=_title,
            description=_description,
            context=reminder_context,
            sample=_sample(_kind),
            optional=False,
            priority=OutboxEmail.Priority.BULK,
        )
    )
