"""Reviews and decisions: how each group reached its status, written in bulk."""

from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from core.models import AuditEntry
from groups.models import Group
from leaders.models import User
from membership.models import Review
from membership.requirements import Code, Outcome, RequirementResult

from .catalogue import CHANGES_MESSAGES, DECISION_MESSAGES
from .context import DemoContext, batched_create
from .groups import GroupPlan

Status = Group.Status
Decision = Review.Decision

#: Each decision the demo records, from which status to which; the same moves as the services.
DECISION_MOVES: dict[str, tuple[str, str]] = {
    Decision.ADMIT: (Status.SUBMITTED, Status.ADMITTED),
    Decision.REQUEST_CHANGES: (Status.SUBMITTED, Status.CHANGES_REQUESTED),
    Decision.DECLINE: (Status.SUBMITTED, Status.DECLINED),
    Decision.KEEP: (Status.ADMITTED, Status.ADMITTED),
    Decision.INACTIVATE: (Status.ADMITTED, Status.INACTIVE),
}


class History:
    """Reviews and audit entries, shaped like the ones the services write."""

    def __init__(self, staff: User) -> None:
        self.staff = staff
        self.reviews: list[Review] = []
        self.audits: list[AuditEntry] = []
        # One checklist per outcome, shared by the rows: building it translates every title.
        self.checklists: dict[Code | None, list[dict[str, str]]] = {}

    def checklist(self, failing: Code | None) -> list[dict[str, str]]:
        if failing not in self.checklists:
            self.checklists[failing] = [
                RequirementResult(
                    code,
                    Outcome.FAIL if code == failing else Outcome.PASS,
                    "Not met at the time of the review." if code == failing else "Met.",
                ).as_dict()
                for code in Code
            ]
        return self.checklists[failing]

    def audit(
        self,
        plan: GroupPlan,
        actor: User,
        when: datetime,
        action: str,
        summary: str,
        **changes: Any,
    ) -> None:
        self.audits.append(
            AuditEntry(
                group=plan.group,
                actor=actor,
                actor_is_staff=actor.is_staff,
                created_at=when,
                action=action,
                summary=summary,
                changes={
                    name: {"before": old, "after": new} for name, (old, new) in changes.items()
                },
            )
        )

    def status_change(
        self,
        plan: GroupPlan,
        actor: User,
        when: datetime,
        before: str,
        after: str,
        why: str | Promise,
    ) -> None:
        summary = f"Status: {Status(before).label} → {Status(after).label} ({why})"
        self.audit(
            plan, actor, when, AuditEntry.Action.STATUS_CHANGE, summary, status=(before, after)
        )

    def decide(
        self, plan: GroupPlan, when: datetime, decision: str, failing: Code | None = None
    ) -> None:
        before, after = DECISION_MOVES[decision]
        checklist = self.checklist(failing)
        met = len(checklist) - (failing is not None)
        message = DECISION_MESSAGES.get(decision, "")
        if decision == Decision.REQUEST_CHANGES and failing is not None:
            message = CHANGES_MESSAGES[failing]
        self.reviews.append(
            Review(
                group=plan.group,
                reviewer=self.staff,
                decided_at=when,
                kind=Review.Kind.PERIODIC if before == Status.ADMITTED else Review.Kind.APPLICATION,
                decision=decision,
                message=message,
                status_before=before,
                status_after=after,
                checklist=checklist,
                requirements_met=met,
                requirements_total=len(checklist),
            )
        )
        label = Decision(decision).label
        if before != after:
            self.status_change(plan, self.staff, when, before, after, label)
        summary = f"Decision: {label} ({met} of {len(checklist)} met)"
        action = AuditEntry.Action.REVIEW_DECISION
        self.audit(plan, self.staff, when, action, summary, decision=("", decision))


def history_create(*, ctx: DemoContext, plans: list[GroupPlan], staff: User) -> None:
    """Reviews and audit entries that tell how each group reached its status."""
    history = History(staff)
    for plan in plans:
        group = plan.group
        if group.status == Status.DRAFT or group.submitted_at is None:
            continue
        applicant, submitted = plan.roles[0].user, group.submitted_at
        history.status_change(
            plan, applicant, submitted, Status.DRAFT, Status.SUBMITTED, "submitted"
        )
        when = group.status_changed_at
        if group.status == Status.CHANGES_REQUESTED:
            missing = Code.AZURE_MEETINGS if group.code_of_conduct_url else Code.CODE_OF_CONDUCT
            history.decide(plan, when, Decision.REQUEST_CHANGES, missing)
        elif group.status == Status.DECLINED:
            history.decide(plan, when, Decision.DECLINE, Code.AZURE_MEETINGS)
        if group.admitted_at is None:
            continue
        history.decide(plan, group.admitted_at, Decision.ADMIT)
        if group.status == Status.ADMITTED and group.next_review_due is not None:
            # Periodic reviews every interval, counted back from the next due date.
            due = group.next_review_due - ctx.review_interval
            review_days: list[date] = []
            while due > timezone.localdate(group.admitted_at) + timedelta(days=30):
                review_days.append(due)
                due -= ctx.review_interval
            for day in reversed(review_days):
                history.decide(plan, ctx.at(day, clock(10), "UTC"), Decision.KEEP)
        elif group.status == Status.INACTIVE:
            history.decide(plan, when, Decision.INACTIVATE, Code.AZURE_MEETINGS)
        elif group.status == Status.LEFT:
            why = "leave request processed"
            history.status_change(plan, staff, when, Status.ADMITTED, Status.LEFT, why)
    batched_create(Review, history.reviews)
    batched_create(AuditEntry, history.audits)
