"""Reviews and decisions: how each group reached its status, from its submission through the
program team's decisions.

`planned_decisions` says what happened to a group, from its plan. `history_create` makes it
happen through the services (membership.services.group_submit and review_decide), as the
portal would have, with the checklist the portal computes for each day. `HistoryBulk` writes
the same record for the thousands of groups of a large demo in a few INSERTs: through the
services 10,000 groups would take about half an hour (demo.THROUGH_SERVICES). It restates
what the services write; tests/demo/test_history.py holds the two together.

A group that left gets its leave request in `requests`, where the leave is drawn.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.models import AuditEntry
from groups.models import Group
from leaders.models import User
from membership.models import Review
from membership.requirements import Checklist, Code, Outcome, RequirementResult
from membership.selectors import checklist_for
from membership.services import DECISION_TRANSITIONS, group_submit, review_decide

from .catalogue import ADMIT_OVERRIDE, CHANGES_MESSAGES, DECISION_MESSAGES, FOLLOW_UP_DAYS
from .context import DemoContext, audit_backdate, batched_create
from .groups import GroupPlan, leader_change_apply, leader_changes

Status = Group.Status
Decision = Review.Decision


@dataclass(frozen=True)
class PlannedDecision:
    """One decision of the program team: when, which, and what the group then lacked."""

    when: datetime
    decision: str
    failing: Code | None = None
    #: For a decision "keep, with a follow-up": the date by which the group fixes it.
    follow_up_by: date | None = None

    @property
    def message(self) -> str:
        if self.decision == Decision.REQUEST_CHANGES and self.failing is not None:
            return CHANGES_MESSAGES[self.failing]
        return DECISION_MESSAGES.get(self.decision, "")


def planned_decisions(*, ctx: DemoContext, plan: GroupPlan) -> list[PlannedDecision]:
    """The decisions that brought a submitted group to its planned status, in order: the
    answer to its application, then a periodic review every interval, counted back from the
    next one due."""
    group = plan.group
    if group.status == Status.DRAFT or group.submitted_at is None:
        return []
    decisions = []
    when = group.status_changed_at
    if group.status == Status.CHANGES_REQUESTED:
        missing = Code.AZURE_MEETINGS if group.code_of_conduct_url else Code.CODE_OF_CONDUCT
        decisions.append(PlannedDecision(when, Decision.REQUEST_CHANGES, missing))
    elif group.status == Status.DECLINED:
        decisions.append(PlannedDecision(when, Decision.DECLINE, Code.AZURE_MEETINGS))
    if group.admitted_at is None:
        return decisions
    decisions.append(PlannedDecision(group.admitted_at, Decision.ADMIT))
    if group.status == Status.ADMITTED and group.next_review_due is not None:
        due = group.next_review_due - ctx.review_interval
        review_days: list[date] = []
        while due > timezone.localdate(group.admitted_at) + timedelta(days=30):
            review_days.append(due)
            due -= ctx.review_interval
        for day in reversed(review_days):
            decisions.append(PlannedDecision(ctx.at(day, clock(10), "UTC"), Decision.KEEP))
        if review_days and plan.profile == "sparse":
            # A group that meets too rarely is kept, with a follow-up, at its last review.
            last = decisions.pop()
            decisions.append(
                PlannedDecision(
                    last.when,
                    Decision.KEEP_WITH_FOLLOW_UP,
                    Code.AZURE_MEETINGS,
                    follow_up_by=review_days[0] + timedelta(days=FOLLOW_UP_DAYS),
                )
            )
    elif group.status == Status.INACTIVE:
        decisions.append(PlannedDecision(when, Decision.INACTIVATE, Code.AZURE_MEETINGS))
    return decisions


# Through the services --------------------------------------------------------------------


def history_create(*, ctx: DemoContext, plan: GroupPlan, staff: User) -> list[Review]:
    """Play a group's story after its draft (`groups.group_create`) through the services, in
    the order it happened: its leaders coming and going, its submission, the program team's
    decisions, each on its day. Returns the reviews.

    So each decision records the checklist the portal computed that day, with the leaders of
    that day, and e-mails them. Admitting a group that fails the checklist needs a reason:
    the demo gives one (ADMIT_OVERRIDE).
    """
    group, reviews = plan.row, []

    def submit() -> None:
        assert plan.group.submitted_at is not None
        group_submit(group=group, by=plan.applicant, now=plan.group.submitted_at)
        audit_backdate(ctx=ctx, group=group, when=plan.group.submitted_at)

    def decide(planned: PlannedDecision) -> None:
        override = ""
        admits = planned.decision == Decision.ADMIT
        if admits and not checklist_for(group, now=planned.when).all_met:
            override = ADMIT_OVERRIDE
        review = review_decide(
            group=group,
            by=staff,
            decision=planned.decision,
            message=planned.message,
            override_reason=override,
            expected_version=group.version,
            follow_up_by=planned.follow_up_by,
            now=planned.when,
        )
        audit_backdate(ctx=ctx, group=group, when=planned.when)
        reviews.append(review)

    # (when, order at the same time, what): leaders change first, then the application.
    steps: list[tuple[datetime, int, Callable[[], None]]] = [
        (
            change.when,
            int(change.starts),
            partial(leader_change_apply, ctx=ctx, plan=plan, change=change, staff=staff),
        )
        for change in leader_changes(plan)
    ]
    if plan.group.submitted_at is not None:
        steps.append((plan.group.submitted_at, 2, submit))
    for planned in planned_decisions(ctx=ctx, plan=plan):
        steps.append((planned.when, 3, partial(decide, planned)))
    for _when, _order, step in sorted(steps, key=lambda step: step[:2]):
        step()
    return reviews


# In bulk ---------------------------------------------------------------------------------


class HistoryBulk:
    """The rows `history_create` writes (reviews, status changes, decisions), for many groups,
    in a few INSERTs.

    The groups are written with their final status and dates, so only the record is written
    here. The moves come from membership.services.DECISION_TRANSITIONS, the wording from the
    same translated strings; the checklist is made up (every requirement met but the one the
    decision names), since computing it for each group and day is what makes the services
    slow. Leave requests are written by `requests`.
    """

    def __init__(self, *, staff: User) -> None:
        self.staff = staff
        #: Each review with the audit entries that record it.
        self.reviews: list[tuple[Review, list[AuditEntry]]] = []
        self.audits: list[AuditEntry] = []
        # Translated once and shared by the rows: 10,000 groups make 27,000 decisions.
        self.checklists: dict[Code | None, Checklist] = {}
        self.checklist_rows: dict[Code | None, list[dict[str, str]]] = {}
        self.summaries: dict[tuple[str, ...], str] = {}

    def checklist(self, failing: Code | None) -> Checklist:
        if failing not in self.checklists:
            self.checklists[failing] = Checklist(
                [
                    RequirementResult(
                        code,
                        Outcome.FAIL if code == failing else Outcome.PASS,
                        "Not met at the time of the review." if code == failing else "Met.",
                    )
                    for code in Code
                ]
            )
            self.checklist_rows[failing] = self.checklists[failing].as_list()
        return self.checklists[failing]

    def _audit(
        self,
        group: Group,
        actor: User,
        when: datetime,
        action: str,
        summary: str,
        changes: dict[str, dict[str, Any]],
    ) -> AuditEntry:
        # As core.audit.audit_record writes it.
        return AuditEntry(
            group=group,
            actor=actor,
            actor_is_staff=actor.is_staff,
            created_at=when,
            action=action,
            summary=summary[:300],
            changes=changes,
        )

    def _status_change(
        self, group: Group, actor: User, when: datetime, before: str, after: str, why: str | Promise
    ) -> AuditEntry:
        key = ("status", before, after, str(why))
        if key not in self.summaries:
            # As membership.services._set_status writes it.
            self.summaries[key] = _("Status: %(old)s → %(new)s (%(why)s)") % {
                "old": Status(before).label,
                "new": Status(after).label,
                "why": why,
            }
        summary = self.summaries[key]
        changes = {"status": {"before": before, "after": after}}
        return self._audit(group, actor, when, AuditEntry.Action.STATUS_CHANGE, summary, changes)

    def submitted(self, plan: GroupPlan) -> None:
        """As membership.services.group_submit records a first submission."""
        assert plan.group.submitted_at is not None
        self.audits.append(
            self._status_change(
                plan.row,
                plan.applicant,
                plan.group.submitted_at,
                Status.DRAFT,
                Status.SUBMITTED,
                _("submitted"),
            )
        )

    def decided(self, plan: GroupPlan, status: str, planned: PlannedDecision) -> str:
        """As membership.services.review_decide records a decision on a group in `status`;
        returns the status the decision leads to."""
        group, when, decision = plan.row, planned.when, planned.decision
        after = DECISION_TRANSITIONS[decision][status]
        checklist = self.checklist(planned.failing)
        review = Review(
            group=group,
            reviewer=self.staff,
            decided_at=when,
            kind=Review.Kind.PERIODIC if status == Status.ADMITTED else Review.Kind.APPLICATION,
            decision=decision,
            message=planned.message,
            status_before=status,
            status_after=after,
            checklist=self.checklist_rows[planned.failing],
            requirements_met=checklist.met,
            requirements_total=checklist.total,
            follow_up_by=planned.follow_up_by,
        )
        label = Decision(decision).label
        audits = []
        if after != status:
            audits.append(self._status_change(group, self.staff, when, status, after, label))
        key = ("decision", decision, str(planned.failing))
        if key not in self.summaries:
            self.summaries[key] = _("Decision: %(decision)s (%(summary)s)") % {
                "decision": label,
                "summary": checklist.summary,
            }
        summary = self.summaries[key]
        changes = {
            "decision": {"before": "", "after": decision},
            "message": {"before": "", "after": planned.message},
            "override_reason": {"before": "", "after": ""},
        }
        if planned.follow_up_by is not None:
            changes["follow_up_by"] = {"before": "", "after": planned.follow_up_by.isoformat()}
        action = AuditEntry.Action.REVIEW_DECISION
        audits.append(self._audit(group, self.staff, when, action, summary, changes))
        self.reviews.append((review, audits))
        return after

    def left(self, plan: GroupPlan) -> None:
        """The status change of membership.services.leave_request_process."""
        self.audits.append(
            self._status_change(
                plan.row,
                self.staff,
                plan.group.status_changed_at,
                Status.ADMITTED,
                Status.LEFT,
                _("leave request processed"),
            )
        )

    def add(self, *, ctx: DemoContext, plan: GroupPlan) -> None:
        """The history of one group written in bulk, up to its planned status."""
        if plan.group.status == Status.DRAFT or plan.group.submitted_at is None:
            return
        self.submitted(plan)
        status: str = Status.SUBMITTED
        for planned in planned_decisions(ctx=ctx, plan=plan):
            status = self.decided(plan, status, planned)
        if plan.group.status == Status.LEFT:
            self.left(plan)
            status = Status.LEFT
        assert status == plan.group.status, (plan.group.name, status, plan.group.status)

    def write(self) -> None:
        batched_create(Review, [review for review, _audits in self.reviews])
        for review, audits in self.reviews:
            for audit in audits:
                audit.review = review
                self.audits.append(audit)
        batched_create(AuditEntry, self.audits)


def history_bulk_create(*, ctx: DemoContext, plans: list[GroupPlan], staff: User) -> None:
    """The histories of groups written in bulk (`groups.groups_bulk_create`)."""
    history = HistoryBulk(staff=staff)
    for plan in plans:
        history.add(ctx=ctx, plan=plan)
    history.write()
