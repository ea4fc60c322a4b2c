"""Compliance reminders to group leaders (docs/program.md, "Compliance reminders"), at most
one per group, kind and period.

Each kind has one pure function that decides, from a group's `ReminderFacts` and `now`,
whether a reminder is due and for which period; the period goes into the outbox key, so a
second run in the same period queues nothing. `queue_compliance_reminders` is the daily job:
it reads every group in chunks, in a fixed number of queries per chunk (never one per group),
and queues one e-mail per due reminder and recipient through the outbox.

The requirement reminders (contacts, code of conduct, Tech Community IDs, meeting pace) say
what is wrong with the checklist's own message (membership/requirements.py), in the recipient's
language. They are requirement e-mails: leaders cannot switch them off.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups.emails import program_team_enqueue, program_team_key, program_team_language
from groups.models import Group
from groups.values import group_values
from leaders.models import Leadership, User
from leaders.rules import current_rules_version
from meetings.models import Meeting
from notifications.models import OutboxEmail
from notifications.outbox import outbox_enqueue, outbox_queued_keys
from notifications.values import recipient_values

from .followups import FollowUpState
from .models import Review
from .requirements import (
    Checklist,
    Code,
    GroupFacts,
    Outcome,
    RequirementResult,
    check_benefit_ids,
    evaluate_requirements,
    meetings_expected_by,
)
from .selectors import groups_with_checklist_facts, requirement_facts
from .services import review_move_up

#: Groups read per chunk: the queries of a run grow with groups / CHUNK_SIZE, never per group.
CHUNK_SIZE = 1000

PACE = "pace"
INACTIVITY = "inactivity"
CONTACTS = "contacts"
CODE_OF_CONDUCT = "code_of_conduct"
TECH_COMMUNITY_IDS = "tech_community_ids"
CHANGES_REQUESTED = "changes_requested"
REVIEW_DUE = "review_due"
#: The 180-day step: not an e-mail to the leaders but a notice to the program team.
ESCALATION = "inactivity_escalation"
#: Before a kept group's follow-up date (FOLLOW_UP_REMINDER_DAYS), to the leaders.
FOLLOW_UP = "follow_up"
#: A follow-up date passed without a new decision: a notice to the program team, once.
FOLLOW_UP_OVERDUE = "follow_up_overdue"

#: Every kind the job counts, in the order of its result.
KINDS = [
    PACE,
    INACTIVITY,
    CONTACTS,
    CODE_OF_CONDUCT,
    TECH_COMMUNITY_IDS,
    CHANGES_REQUESTED,
    REVIEW_DUE,
    ESCALATION,
    FOLLOW_UP,
    FOLLOW_UP_OVERDUE,
]

#: The kinds that tell the program team, not the leaders.
TEAM_KINDS = {ESCALATION, FOLLOW_UP_OVERDUE}

#: The e-mail (templates/email/<language>/<name>.txt) of each kind sent to leaders.
TEMPLATES = {kind: f"reminder_{kind}" for kind in KINDS if kind not in TEAM_KINDS}


@dataclass(frozen=True)
class FollowUp:
    """A kept group's open follow-up (docs/program.md, "Periodic review")."""

    review_pk: int
    follow_up_by: date
    message: str


@dataclass(frozen=True)
class ReminderFacts:
    """Everything the reminders look at, for one group (no database access needed)."""

    group_pk: int
    status: str
    #: The requirement facts and the checklist evaluated from them at `now`.
    requirements: GroupFacts
    checklist: Checklist
    #: Start of the group's latest meeting held by `now` (any meeting, Azure-related or not).
    last_meeting_at: datetime | None
    #: When the group last changed status (for an admitted group: when it was (re-)admitted).
    status_changed_at: datetime
    #: The group's last change of any kind (status change or update).
    updated_at: datetime
    version: int
    next_review_due: date | None
    follow_up: FollowUp | None = None

    def result(self, code: Code) -> RequirementResult | None:
        return next((r for r in self.checklist.results if r.code == code), None)

    def fails(self, code: Code) -> bool:
        result = self.result(code)
        return result is not None and result.outcome is Outcome.FAIL


@dataclass(frozen=True)
class Due:
    """A reminder that is due: its kind, its period (part of the outbox key) and its facts."""

    kind: str
    period: str
    #: The key's kind part; differs from `kind` where one kind has steps (inactivity-60).
    key_kind: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key_part(self) -> str:
        return self.key_kind or self.kind


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def month_period(now: datetime) -> str:
    """The calendar month of `now` (the portal's time zone), e.g. "2026-06"."""
    return f"{_today(now):%Y-%m}"


def quarter_period(now: datetime) -> str:
    """The calendar quarter of `now` (the portal's time zone), e.g. "2026-Q2"."""
    today = _today(now)
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _is_admitted(facts: ReminderFacts) -> bool:
    return facts.status == Group.Status.ADMITTED


# The rules, one per kind -------------------------------------------------------------------


def expected_azure_meetings(facts: ReminderFacts, *, now: datetime) -> int:
    """How many Azure-related meetings a group on pace toward the yearly minimum has held:
    the pace rule of requirement 4, `requirements.meetings_expected_by` (the checklist's)."""
    return meetings_expected_by(facts.requirements.admitted_at, now=now)


def pace_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """Requirement 4: an admitted group behind the pace toward six Azure meetings a year
    (see `expected_azure_meetings`). Once per calendar quarter."""
    if not _is_admitted(facts):
        return None
    expected = expected_azure_meetings(facts, now=now)
    count = len(facts.requirements.azure_meeting_starts)
    if count >= expected:
        return None
    return Due(PACE, quarter_period(now), details={"count": count, "expected": expected})


def inactivity_since(facts: ReminderFacts) -> datetime:
    """Since when the group has held no meeting: its last meeting, or its admission if that is
    later (a group just admitted or re-admitted is not reminded of the time before)."""
    candidates = [facts.status_changed_at]
    if facts.requirements.admitted_at is not None:
        candidates.append(facts.requirements.admitted_at)
    if facts.last_meeting_at is not None:
        candidates.append(facts.last_meeting_at)
    return max(candidates)


def _inactive_days(facts: ReminderFacts, *, now: datetime) -> int:
    return (now - inactivity_since(facts)).days


def _inactivity_period(facts: ReminderFacts) -> str:
    """The inactive stretch a reminder belongs to: a new meeting starts a new one."""
    return _today(inactivity_since(facts)).isoformat()


def inactivity_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """An admitted group that has held no meeting for TECHGROUPS_INACTIVITY_REMINDER_DAYS
    (60, then 90) days: one reminder per step and inactive stretch.

    Only the highest step reached is due, so a group found 100 days inactive gets the
    90-day reminder, not both at once.
    """
    if not _is_admitted(facts):
        return None
    days = _inactive_days(facts, now=now)
    steps = sorted(int(step) for step in settings.TECHGROUPS_INACTIVITY_REMINDER_DAYS)
    reached = [step for step in steps if days >= step]
    if not reached:
        return None
    step = reached[-1]
    return Due(
        INACTIVITY,
        _inactivity_period(facts),
        key_kind=f"{INACTIVITY}-{step}",
        details={
            "days": days,
            "threshold": step,
            "is_first": step == steps[0],
            "last_meeting_at": facts.last_meeting_at,
        },
    )


def inactivity_escalation_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """An admitted group with no meeting for TECHGROUPS_INACTIVITY_ESCALATION_DAYS (180) days:
    the program team is told once per inactive stretch and the group's review is due now."""
    if not _is_admitted(facts):
        return None
    days = _inactive_days(facts, now=now)
    if days < int(settings.TECHGROUPS_INACTIVITY_ESCALATION_DAYS):
        return None
    return Due(
        ESCALATION,
        _inactivity_period(facts),
        details={"days": days, "last_meeting_at": facts.last_meeting_at},
    )


def contacts_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """Requirement 1: an admitted group without a leader or co-leader. Once a month."""
    if not _is_admitted(facts) or not facts.fails(Code.CONTACTS):
        return None
    return Due(CONTACTS, month_period(now))


def code_of_conduct_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """Requirement 2: an admitted group whose code of conduct fails the checklist (no address,
    or a link the periodic check found broken). Once a month."""
    if not _is_admitted(facts) or not facts.fails(Code.CODE_OF_CONDUCT):
        return None
    return Due(CODE_OF_CONDUCT, month_period(now))


def tech_community_ids_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """Leaders Hub access: a contact of an admitted group has not given their Tech Community
    user ID. Once a month. A contact who is missing altogether is the contacts reminder's."""
    if not _is_admitted(facts):
        return None
    without_id = [contact.user_id for contact in check_benefit_ids(facts.requirements).missing]
    if not without_id:
        return None
    return Due(TECH_COMMUNITY_IDS, month_period(now), details={"without_id": without_id})


def changes_requested_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """An application with changes requested that nobody has touched (no status change, no
    edit) for TECHGROUPS_CHANGES_REQUESTED_REMINDER_DAYS (14) days. The period is the group's
    version, so one reminder per request; an edit starts the count again."""
    if facts.status != Group.Status.CHANGES_REQUESTED:
        return None
    last_change = max(facts.status_changed_at, facts.updated_at)
    days = (now - last_change).days
    if days < int(settings.TECHGROUPS_CHANGES_REQUESTED_REMINDER_DAYS):
        return None
    return Due(CHANGES_REQUESTED, f"v{facts.version}", details={"days": days})


def review_coming_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """The periodic review of an admitted group comes due within
    TECHGROUPS_REVIEW_DUE_REMINDER_DAYS (30) days (a later day, not today). Once per due date.

    A review due today is not announced: the program team is at it already, also when it
    moved the date up itself (an inactive group's escalation sets it to today).
    """
    due = facts.next_review_due
    if not _is_admitted(facts) or due is None:
        return None
    today = _today(now)
    ahead = timedelta(days=int(settings.TECHGROUPS_REVIEW_DUE_REMINDER_DAYS))
    if not due - ahead <= today < due:
        return None
    return Due(REVIEW_DUE, due.isoformat(), details={"due": due, "days": (due - today).days})


def follow_up_coming_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """An admitted group's open follow-up comes due: a reminder FOLLOW_UP_REMINDER_DAYS (14,
    then 3) days before its "fix by" date, each step once per follow-up (only the nearest step
    reached is due, so a follow-up given 5 days ahead gets the 3-day reminder only when
    3 days are left)."""
    follow_up = facts.follow_up
    if not _is_admitted(facts) or follow_up is None:
        return None
    state = FollowUpState(follow_up_by=follow_up.follow_up_by, today=_today(now))
    step = state.reminder_step
    if step is None:
        return None
    return Due(
        FOLLOW_UP,
        f"review-{follow_up.review_pk}",
        key_kind=f"{FOLLOW_UP}-{step}",
        details={
            "follow_up_by": follow_up.follow_up_by,
            "days": state.days_left,
            "follow_up_message": follow_up.message,
        },
    )


def follow_up_overdue_due(facts: ReminderFacts, *, now: datetime) -> Due | None:
    """An admitted group's follow-up date has passed without a new decision: the program team
    is told once per follow-up; the group stays in the review queue, flagged overdue."""
    follow_up = facts.follow_up
    if not _is_admitted(facts) or follow_up is None:
        return None
    state = FollowUpState(follow_up_by=follow_up.follow_up_by, today=_today(now))
    if not state.overdue:
        return None
    return Due(
        FOLLOW_UP_OVERDUE,
        f"review-{follow_up.review_pk}",
        details={"follow_up_by": follow_up.follow_up_by, "days": -state.days_left},
    )


#: The rules in the order their e-mails are queued.
RULES: list[Callable[..., Due | None]] = [
    contacts_due,
    code_of_conduct_due,
    tech_community_ids_due,
    pace_due,
    inactivity_due,
    changes_requested_due,
    review_coming_due,
    inactivity_escalation_due,
    follow_up_coming_due,
    follow_up_overdue_due,
]


def reminders_due(facts: ReminderFacts, *, now: datetime) -> list[Due]:
    """Every reminder due for one group at `now`, whether already sent or not."""
    return [due for rule in RULES if (due := rule(facts, now=now)) is not None]


# Keys --------------------------------------------------------------------------------------


def reminder_key(due: Due, *, group_pk: int, user_pk: int) -> str:
    """The outbox key: "reminder:<kind>:group-<pk>:user-<pk>:<period>"."""
    return f"reminder:{due.key_part}:group-{group_pk}:user-{user_pk}:{due.period}"


ESCALATION_NOTICE = "inactive_group"


def escalation_notice_key(due: Due, *, group_pk: int) -> str:
    """The notice's own key, once per group and inactive stretch."""
    return f"group-{group_pk}:{due.period}"


def escalation_key(due: Due, *, group_pk: int) -> str:
    """The program team's notice key in the outbox."""
    return program_team_key(ESCALATION_NOTICE, escalation_notice_key(due, group_pk=group_pk))


# Reading the groups ------------------------------------------------------------------------


def reminder_candidates(*, now: datetime) -> QuerySet[Group]:
    """Admitted groups and applications with changes requested, with their requirement facts
    and the start of their latest meeting held by `now` (the main query and two prefetches)."""
    last_meeting = (
        Meeting.objects.not_cancelled()
        .filter(group=OuterRef("pk"), starts_at__lte=now)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    follow_up = Review.objects.filter(
        group=OuterRef("pk"), follow_up_by__isnull=False, follow_up_closed_by__isnull=True
    ).order_by("-decided_at", "-pk")
    queryset = Group.objects.filter(
        status__in=[Group.Status.ADMITTED, Group.Status.CHANGES_REQUESTED]
    ).annotate(
        reminder_last_meeting_at=Subquery(last_meeting),
        reminder_follow_up_pk=Subquery(follow_up.values("pk")[:1]),
        reminder_follow_up_by=Subquery(follow_up.values("follow_up_by")[:1]),
        reminder_follow_up_message=Subquery(follow_up.values("message")[:1]),
    )
    return groups_with_checklist_facts(queryset, now=now)


def reminder_facts(group: Group, *, now: datetime, rules_version: int | None) -> ReminderFacts:
    """The facts of a group read by `reminder_candidates` (no query)."""
    requirements = requirement_facts(group, rules_version=rules_version)
    follow_up_pk = getattr(group, "reminder_follow_up_pk", None)
    follow_up = (
        FollowUp(
            review_pk=follow_up_pk,
            follow_up_by=group.reminder_follow_up_by,  # type: ignore[attr-defined]
            message=group.reminder_follow_up_message,  # type: ignore[attr-defined]
        )
        if follow_up_pk is not None
        else None
    )
    return ReminderFacts(
        group_pk=group.pk,
        status=group.status,
        requirements=requirements,
        checklist=evaluate_requirements(requirements, now=now),
        last_meeting_at=group.reminder_last_meeting_at,  # type: ignore[attr-defined]
        status_changed_at=group.status_changed_at,
        updated_at=group.updated_at,
        version=group.version,
        next_review_due=group.next_review_due,
        follow_up=follow_up,
    )


def _recipients(group: Group) -> list[User]:
    """The group's active leader and co-leader with a usable account (from the prefetch)."""
    leaderships: list[Leadership] = group.active_leaderships  # type: ignore[attr-defined]
    order: dict[str, int] = {Leadership.Role.LEADER: 0, Leadership.Role.CO_LEADER: 1}
    ordered = sorted(leaderships, key=lambda leadership: order.get(leadership.role, 2))
    return [leadership.user for leadership in ordered if leadership.user.is_active]


# The e-mail --------------------------------------------------------------------------------


def _url(name: str, **kwargs: Any) -> str:
    site: str = settings.SITE_URL
    return site.rstrip("/") + reverse(name, kwargs=kwargs or None)


def _message(facts: ReminderFacts, code: Code, *, now: datetime) -> str:
    """The checklist's message about `code`, in the active language (the recipient's, or the
    one the admin's preview asks for: the context is built in it)."""
    checklist = evaluate_requirements(facts.requirements, now=now)
    result = next((r for r in checklist.results if r.code == code), None)
    return str(result.message) if result is not None else ""


def _failing_messages(facts: ReminderFacts, *, now: datetime) -> list[str]:
    """The failing requirements, "title: what fails" (the sub-checks that are not met), in the
    active language."""
    checklist = evaluate_requirements(facts.requirements, now=now)
    return [
        f"{result.title}: {' '.join(c.message for c in result.checks if c.outcome is Outcome.FAIL)}"
        for result in checklist.failing
    ]


def reminder_context(
    due: Due, *, group: Group, user: User, facts: ReminderFacts, now: datetime
) -> dict[str, Any]:
    """What the reminder's template gets, as plain values: the group, the person, what is wrong
    (the checklist's words, in the active language) and the link to the page where it is
    fixed. The context function of every reminder e-mail (membership/reminder_emails.py)."""
    slug = group.slug
    context: dict[str, Any] = {
        "group": group_values(group),
        "user": recipient_values(user),
        "dashboard_url": _url("groups:dashboard", slug=slug),
    }
    context.update({key: value for key, value in due.details.items() if key != "without_id"})
    match due.kind:
        case "pace":
            context["message"] = _message(facts, Code.AZURE_MEETINGS, now=now)
            context["minimum"] = int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)
            context["meetings_url"] = _url("meetings:list", slug=slug)
            context["add_meeting_url"] = _url("meetings:add", slug=slug)
        case "inactivity":
            context["minimum"] = int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)
            context["escalation_days"] = int(settings.TECHGROUPS_INACTIVITY_ESCALATION_DAYS)
            context["meetings_url"] = _url("meetings:list", slug=slug)
            context["add_meeting_url"] = _url("meetings:add", slug=slug)
        case "contacts":
            context["message"] = _message(facts, Code.CONTACTS, now=now)
            context["people_url"] = _url("leaders:people", slug=slug)
        case "code_of_conduct":
            context["message"] = _message(facts, Code.CODE_OF_CONDUCT, now=now)
            context["edit_url"] = _url("groups:edit", slug=slug)
            context["example_url"] = _url("groups:code_of_conduct_example")
        case "tech_community_ids":
            context["message"] = check_benefit_ids(facts.requirements).message
            context["own_id_missing"] = user.pk in due.details.get("without_id", [])
            context["profile_url"] = _url("leaders:profile")
        case "changes_requested":
            context["status_url"] = _url("groups:status", slug=slug)
        case "review_due":
            context["failing"] = _failing_messages(facts, now=now)
        case "follow_up":
            context["failing"] = _failing_messages(facts, now=now)
            context["status_url"] = _url("groups:status", slug=slug)
    return context


def _enqueue_reminder(
    due: Due, *, key: str, group: Group, user: User, facts: ReminderFacts, now: datetime
) -> bool:
    """Queue one reminder; False if another run queued it first."""
    return outbox_enqueue(
        key=key,
        kind=f"reminder_{due.kind}",
        to=user.email,
        language=user.preferred_language,
        template=TEMPLATES[due.kind],
        inputs={"due": due, "group": group, "user": user, "facts": facts, "now": now},
        group=group,
        user=user,
    ).queued_now


def _escalate(due: Due, *, group: Group, now: datetime) -> bool:
    """Tell the program team, and move the group's review up to today so it shows under the
    admin's "review due" filter. Audited; the key makes it once per inactive stretch.

    Returns False if a concurrent run escalated the group first (it holds the row lock).
    """
    today = _today(now)
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if OutboxEmail.objects.filter(key=escalation_key(due, group_pk=group.pk)).exists():
        return False
    review_due = min(locked.next_review_due or today, today)
    days = int(due.details["days"])
    last: datetime | None = due.details.get("last_meeting_at")
    with program_team_language():
        locked = review_move_up(
            group=locked,
            to=today,
            summary=_("No meeting for %(days)d days: program team told, review due %(due)s")
            % {"days": days, "due": review_due.isoformat()},
        )
        if last is not None:
            held = _("Last meeting: %(date)s.") % {
                "date": date_format(timezone.localdate(last), "DATE_FORMAT")
            }
        else:
            held = _("The group has logged no meeting since it was admitted.")
        steps = ", ".join(str(step) for step in settings.TECHGROUPS_INACTIVITY_REMINDER_DAYS)
        queue = _(
            "Its leaders were reminded after %(steps)s days without a meeting. Its periodic "
            "review is now due (%(due)s), so it is in the review queue."
        ) % {"steps": steps, "due": date_format(review_due, "DATE_FORMAT")}
        program_team_enqueue(
            kind=ESCALATION_NOTICE,
            key=escalation_notice_key(due, group_pk=group.pk),
            group=locked,
            summary=_("No meeting for %(days)d days") % {"days": days},
            details=f"{held} {queue}",
            admin_path=reverse("admin:groups_group_change", args=[group.pk]),
        )
    return True


def follow_up_overdue_key(due: Due) -> str:
    """The program team's notice of an overdue follow-up: once per follow-up."""
    return f"follow_up_overdue:{due.period}"


def _follow_up_overdue_enqueue(due: Due, *, key: str, group: Group) -> bool:
    """Tell the program team, in its language, that a follow-up's date passed without a
    decision (e-mail "follow_up_overdue"); the group stays in the review queue."""
    review = Review.objects.select_related("group").get(pk=int(due.period.removeprefix("review-")))
    return outbox_enqueue(
        key=key,
        kind="follow_up_overdue",
        to=settings.PROGRAM_TEAM_EMAIL,
        language=settings.LANGUAGE_CODE,
        template="follow_up_overdue",
        inputs={"review": review},
        group=group,
    ).queued_now


@dataclass
class _Planned:
    key: str
    due: Due
    group: Group
    facts: ReminderFacts
    user: User | None = None


def _plan(groups: Iterable[Group], *, now: datetime, rules_version: int | None) -> list[_Planned]:
    planned = []
    for group in groups:
        facts = reminder_facts(group, now=now, rules_version=rules_version)
        for due in reminders_due(facts, now=now):
            if due.kind == ESCALATION:
                key = escalation_key(due, group_pk=group.pk)
                planned.append(_Planned(key, due, group, facts))
                continue
            if due.kind == FOLLOW_UP_OVERDUE:
                planned.append(_Planned(follow_up_overdue_key(due), due, group, facts))
                continue
            for user in _recipients(group):
                key = reminder_key(due, group_pk=group.pk, user_pk=user.pk)
                planned.append(_Planned(key, due, group, facts, user))
    return planned


def _remind_chunk(groups: list[Group], *, now: datetime, rules_version: int | None) -> Counter[str]:
    """Queue what is due for a chunk of groups: one query for the keys already queued, then
    one outbox row per new e-mail (and the escalations)."""
    counts: Counter[str] = Counter()
    planned = _plan(groups, now=now, rules_version=rules_version)
    if not planned:
        return counts
    existing = outbox_queued_keys(item.key for item in planned)
    for item in planned:
        if item.key in existing:
            continue
        if item.due.kind == FOLLOW_UP_OVERDUE:
            queued = _follow_up_overdue_enqueue(item.due, key=item.key, group=item.group)
        elif item.user is None:
            queued = _escalate(item.due, group=item.group, now=now)
        else:
            queued = _enqueue_reminder(
                item.due, key=item.key, group=item.group, user=item.user, facts=item.facts, now=now
            )
        # Only what this run queued: a concurrent run may have queued the same key since.
        counts[item.due.kind] += queued
    return counts


def queue_compliance_reminders(*, now: datetime, chunk_size: int = CHUNK_SIZE) -> dict[str, int]:
    """The daily job: queue every compliance reminder that is due and not yet queued.

    Reads the groups in chunks of `chunk_size` by primary key: per chunk, the groups with
    their facts (one query and two prefetches) and the keys already in the outbox (one
    query); each chunk commits on its own. Returns how many e-mails of each kind were queued
    (ESCALATION: how many groups were escalated).
    """
    counts: Counter[str] = Counter(dict.fromkeys(KINDS, 0))
    rules_version = current_rules_version(at=now)
    candidates = reminder_candidates(now=now).order_by("pk")
    last_pk = 0
    while True:
        with transaction.atomic():
            chunk = list(candidates.filter(pk__gt=last_pk)[:chunk_size])
            counts.update(_remind_chunk(chunk, now=now, rules_version=rules_version))
        if len(chunk) < chunk_size:
            break
        last_pk = chunk[-1].pk
    return dict(counts)
