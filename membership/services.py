"""Changes to groups: each is one named action that writes its audit rows in one transaction."""

import copy
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.audit import audit_record, field_changes
from core.models import AuditEntry
from groups.emails import program_team_enqueue, program_team_language
from groups.models import Group
from leaders.models import Leadership, LeadershipChangeRequest, ProgramRules, RequestStatus
from leaders.rules import rules_accept
from leaders.services import (
    group_invitations_revoke,
    invitation_create,
    leadership_end,
    leadership_start,
)
from notifications.models import OutboxEmail
from notifications.outbox import outbox_enqueue

from .coc import link_check_reset
from .followups import return_contacts
from .models import LeaveRequest, ReturnRequest, Review
from .selectors import checklist_for

Status = Group.Status
Decision = Review.Decision

#: Which decision may be taken on a group in which status, and where it leads (in the order
#: the decide page offers them: the usual outcome first). "Request changes" is for applications
#: only: a periodic review keeps the group (perhaps with a follow-up) or moves it to inactive
#: (docs/program.md, "Periodic review").
DECISION_TRANSITIONS: dict[str, dict[str, str]] = {
    Decision.ADMIT: {
        Status.SUBMITTED: Status.ADMITTED,
        Status.CHANGES_REQUESTED: Status.ADMITTED,
        Status.INACTIVE: Status.ADMITTED,
    },
    Decision.KEEP: {Status.ADMITTED: Status.ADMITTED},
    Decision.KEEP_WITH_FOLLOW_UP: {Status.ADMITTED: Status.ADMITTED},
    Decision.REQUEST_CHANGES: {Status.SUBMITTED: Status.CHANGES_REQUESTED},
    Decision.DECLINE: {
        Status.SUBMITTED: Status.DECLINED,
        Status.CHANGES_REQUESTED: Status.DECLINED,
    },
    Decision.INACTIVATE: {Status.ADMITTED: Status.INACTIVE},
}

#: The decisions on an open return request (docs/program.md, "Joining": a way back): admit
#: again, send it back as an application to change and resubmit, or decline (the group stays
#: as it was: inactive, declined or left).
RETURN_DECISIONS = [Decision.ADMIT, Decision.REQUEST_CHANGES, Decision.DECLINE]

#: Decisions whose message to the leaders is mandatory (they must know what to do or why).
MESSAGE_REQUIRED = {
    Decision.REQUEST_CHANGES,
    Decision.DECLINE,
    Decision.INACTIVATE,
    Decision.KEEP_WITH_FOLLOW_UP,
}

#: Fields the program team may edit directly; status and dates change only through decisions.
STAFF_EDITABLE_FIELDS = [
    "name",
    "slug",
    "city",
    "country",
    "timezone",
    "languages",
    "description",
    "home_page_url",
    "code_of_conduct_url",
    "event_page_url",
    "ical_feed_url",
    "planned_meetings_per_year",
]


class GroupChangedError(Exception):
    """The group changed after the decider looked at it; they must look again."""

    def __init__(self, group: Group) -> None:
        super().__init__(
            _(
                "%(group)s changed while you were deciding (its status is now “%(status)s”). "
                "Look at it again and decide on what it is now."
            )
            % {"group": group.name, "status": group.get_status_display()}
        )
        self.group = group


def decision_moves(status: str, *, return_request_open: bool = False) -> dict[str, str]:
    """Each decision the program team can take on a group in `status`, and the status it
    leads to; with an open return request, the return's decisions (RETURN_DECISIONS)."""
    if return_request_open and status in Group.MAY_ASK_TO_RETURN:
        after = {
            Decision.ADMIT: Status.ADMITTED,
            Decision.REQUEST_CHANGES: Status.CHANGES_REQUESTED,
        }
        return {decision: after.get(decision, status) for decision in RETURN_DECISIONS}
    return {
        decision: moves[status]
        for decision, moves in DECISION_TRANSITIONS.items()
        if status in moves
    }


def allowed_decisions(group: Group, *, return_request_open: bool = False) -> list[str]:
    """The decisions the program team can take on the group in its current status."""
    return list(decision_moves(group.status, return_request_open=return_request_open))


def follow_up_date_error(follow_up_by: date | None, *, now: datetime) -> str | None:
    """What is wrong with a follow-up's "fix by" date, or None: it must come after today and
    no later than the next periodic review (docs/program.md, "Periodic review")."""
    today = timezone.localdate(now)
    if follow_up_by is None:
        return _("Give the date by which the group must fix it.")
    if follow_up_by <= today:
        return _("Choose a date after today.")
    latest = next_review_date(now=now)
    if follow_up_by > latest:
        return _("Choose a date no later than the next periodic review (%(date)s).") % {
            "date": date_format(latest, "DATE_FORMAT")
        }
    return None


def review_interval() -> timedelta:
    return timedelta(days=settings.TECHGROUPS_REVIEW_INTERVAL_DAYS)


def next_review_date(*, now: datetime) -> date:
    return timezone.localdate(now) + review_interval()


def _bump(group: Group) -> None:
    group.version += 1


def _set_status(
    group: Group,
    new_status: str,
    *,
    by: Any,
    now: datetime,
    why: str | Promise,
    review: Review | None = None,
) -> None:
    old_status = group.status
    group.status = new_status
    group.status_changed_at = now
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.STATUS_CHANGE,
        summary=_("Status: %(old)s → %(new)s (%(why)s)")
        % {"old": Status(old_status).label, "new": Status(new_status).label, "why": why},
        changes={"status": {"before": old_status, "after": new_status}},
        review=review,
        at=now,
    )


def _locked(group_id: int) -> Group:
    return Group.objects.select_for_update().get(pk=group_id)


#: The e-mail of each periodic review outcome; every other decision (applications, return
#: requests) has the decision e-mail.
DECISION_TEMPLATES: dict[str, str] = {
    Decision.KEEP: "review_kept",
    Decision.KEEP_WITH_FOLLOW_UP: "review_follow_up",
    Decision.INACTIVATE: "review_inactivated",
}


def decision_template(review: Review) -> str:
    if review.kind == Review.Kind.PERIODIC:
        return DECISION_TEMPLATES.get(review.decision, "review_decision")
    return "review_decision"


def review_decision_enqueue(
    *, review: Review, recipients: list[Any] | None = None
) -> list[OutboxEmail]:
    """Queue a decision's e-mail to the group's active leader and co-leader (or `recipients`),
    each in their own language: the outcome's own e-mail (DECISION_TEMPLATES).

    Called inside the deciding transaction: the e-mails exist exactly when the decision does.
    """
    if recipients is None:
        leaderships = Leadership.objects.active().filter(group=review.group).select_related("user")
        recipients = [leadership.user for leadership in leaderships]
    template = decision_template(review)
    return [
        outbox_enqueue(
            key=f"review_decision:review-{review.pk}:user-{user.pk}",
            kind=template,
            to=user.email,
            language=user.preferred_language,
            template=template,
            inputs={"review": review, "user": user},
            group=review.group,
            user=user,
        )
        for user in recipients
    ]


def _open_return_request(group: Group) -> ReturnRequest | None:
    return (
        ReturnRequest.objects.select_for_update()
        .filter(group=group, status=ReturnRequest.Status.OPEN)
        .first()
    )


def _restore_contacts(group: Group, contacts: list[Any], *, by: Any, now: datetime) -> None:
    """A group that left comes back with the contacts it had when it left, in their roles."""
    roles = dict(
        Leadership.objects.filter(
            group=group, end_reason=Leadership.EndReason.GROUP_LEFT, user__in=contacts
        )
        .order_by("ended_at")
        .values_list("user_id", "role")
    )
    for user in contacts:
        leadership_start(group=group, user=user, role=roles[user.pk], by=by, now=now)


@transaction.atomic
def review_decide(
    *,
    group: Group,
    by: Any,
    decision: str,
    message: str = "",
    override_reason: str = "",
    follow_up_by: date | None = None,
    expected_version: int,
    now: datetime | None = None,
) -> Review:
    """Record the program team's decision on a group (docs/program.md, "Joining" and
    "Periodic review").

    The decision is checked against the group as it is now, in the database: if someone changed
    it since the decider looked (`expected_version`), nothing is written and GroupChangedError
    says so. Admitting a group that fails a requirement needs an explicit override reason.
    Keeping a group with a follow-up needs what to fix (`message`) and by when
    (`follow_up_by`). Any decision closes the group's open follow-up and settles its open
    return request. The leaders' e-mail is queued for the worker once the transaction commits.
    """
    now = now or timezone.now()
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose one of the decisions offered.")})
    locked = _locked(group.pk)
    if locked.version != expected_version:
        raise GroupChangedError(locked)
    return_request = _open_return_request(locked)
    moves = decision_moves(locked.status, return_request_open=return_request is not None)
    if decision not in moves:
        raise ValidationError(
            {
                "decision": _("A group that is “%(status)s” cannot get the decision “%(d)s”.")
                % {"status": locked.get_status_display(), "d": Decision(decision).label}
            }
        )
    message, override_reason = message.strip(), override_reason.strip()
    if decision in MESSAGE_REQUIRED and not message:
        if decision == Decision.KEEP_WITH_FOLLOW_UP:
            raise ValidationError({"message": _("Tell the leaders what to fix.")})
        raise ValidationError({"message": _("Tell the leaders what to change, or why.")})
    if decision == Decision.KEEP_WITH_FOLLOW_UP:
        error = follow_up_date_error(follow_up_by, now=now)
        if error:
            raise ValidationError({"follow_up_by": error})
    else:
        follow_up_by = None
    status_before = locked.status
    status_after = moves[decision]
    # Who hears of it: for a group that left, the contacts it had (they come back with it,
    # so the checklist judges the group with them; a refusal below rolls it all back).
    contacts = return_contacts(locked) if return_request is not None else None
    if status_before == Status.LEFT and status_after != Status.LEFT and contacts:
        _restore_contacts(locked, contacts, by=by, now=now)
    checklist = checklist_for(locked, now=now)
    admits = decision == Decision.ADMIT
    if admits and not checklist.all_met and not override_reason:
        failing = ", ".join(result.title for result in checklist.failing)
        raise ValidationError(
            {
                "override_reason": _(
                    "The group fails %(failing)s. To admit it anyway, give the reason."
                )
                % {"failing": failing}
            }
        )
    if not admits:
        override_reason = ""

    if return_request is not None:
        kind = Review.Kind.RETURN
    elif status_before == Status.ADMITTED:
        kind = Review.Kind.PERIODIC
    else:
        kind = Review.Kind.APPLICATION
    review = Review.objects.create(
        group=locked,
        reviewer=by,
        decided_at=now,
        kind=kind,
        decision=decision,
        message=message,
        override_reason=override_reason,
        follow_up_by=follow_up_by,
        status_before=status_before,
        status_after=status_after,
        checklist=checklist.as_list(),
        requirements_met=checklist.met,
        requirements_total=checklist.total,
    )
    changes: dict[str, dict[str, str]] = {
        "decision": {"before": "", "after": decision},
        "message": {"before": "", "after": message},
        "override_reason": {"before": "", "after": override_reason},
    }
    if follow_up_by is not None:
        changes["follow_up_by"] = {"before": "", "after": follow_up_by.isoformat()}
    closed = (
        Review.objects.filter(
            group=locked, follow_up_by__isnull=False, follow_up_closed_by__isnull=True
        )
        .exclude(pk=review.pk)
        .order_by("-decided_at")
        .first()
    )
    if closed is not None:
        closed.follow_up_closed_by = review
        closed.save(update_fields=["follow_up_closed_by"])
        assert closed.follow_up_by is not None
        changes["follow_up"] = {
            "before": _("open, fix by %(date)s") % {"date": closed.follow_up_by.isoformat()},
            "after": _("closed"),
        }
    if status_after != status_before:
        why = Decision(decision).label
        _set_status(locked, status_after, by=by, now=now, why=why, review=review)
    if admits:
        locked.admitted_at = locked.admitted_at or now  # a re-admission keeps the first date
    if status_after == Status.ADMITTED:
        locked.next_review_due = next_review_date(now=now)
    elif status_after != status_before:
        locked.next_review_due = None
    _bump(locked)
    locked.full_clean()
    locked.save()
    if return_request is not None:
        return_request.status = ReturnRequest.Status.DECIDED
        return_request.closed_by = by
        return_request.closed_at = now
        return_request.review = review
        return_request.save()
        changes["return_request"] = {"before": "open", "after": "decided"}
    audit_record(
        group=locked,
        actor=by,
        action=AuditEntry.Action.REVIEW_DECISION,
        summary=_("Decision: %(decision)s (%(summary)s)")
        % {"decision": Decision(decision).label, "summary": checklist.summary},
        changes=changes,
        review=review,
        at=now,
    )
    review_decision_enqueue(review=review, recipients=contacts)
    group.refresh_from_db()
    return review


@transaction.atomic
def review_move_up(*, group: Group, to: date, summary: str) -> Group:
    """Bring a group's next periodic review forward to `to`, never later than it already is
    (docs/program.md, "Compliance reminders": the program team is told of a long silence).
    Not a person's change: no actor. Audited with `summary`; returns the group as saved."""
    locked = _locked(group.pk)
    before = locked.next_review_due
    changes = {}
    if before is None or before > to:
        locked.next_review_due = to
        _bump(locked)
        locked.save(update_fields=["next_review_due", "version", "updated_at"])
        changes["next_review_due"] = {
            "before": before.isoformat() if before else "",
            "after": to.isoformat(),
        }
    audit_record(
        group=locked,
        actor=None,
        action=AuditEntry.Action.GROUP_EDIT,
        summary=summary,
        changes=changes,
    )
    return locked


@transaction.atomic
def group_submit(*, group: Group, by: Any, now: datetime | None = None) -> Group:
    """A leader submits (or resubmits after changes were requested) the group's application."""
    now = now or timezone.now()
    locked = _locked(group.pk)
    if not locked.application_editable:
        raise ValidationError(
            _("Only a draft or an application with changes requested can be submitted.")
        )
    resubmitted = locked.status == Status.CHANGES_REQUESTED
    why = _("resubmitted") if resubmitted else _("submitted")
    _set_status(locked, Status.SUBMITTED, by=by, now=now, why=why)
    locked.submitted_at = now
    _bump(locked)
    locked.save()
    with program_team_language():
        program_team_enqueue(
            kind="application",
            key=f"{locked.pk}:v{locked.version}",
            group=locked,
            summary=_("Application resubmitted") if resubmitted else _("New application"),
            details="",
            admin_path=reverse("admin:groups_group_decide", args=[locked.pk]),
        )
    group.refresh_from_db()
    return locked


@transaction.atomic
def group_update(*, group: Group, by: Any, data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Edit a group's details; every change is recorded with its before and after values.

    Only STAFF_EDITABLE_FIELDS can be set: status, dates and the version are not fields of an
    edit. Returns the recorded changes (empty when nothing changed).
    """
    unknown = set(data) - set(STAFF_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    return _edit(group=group, by=by, data=data)


def _edit(
    *, group: Group, by: Any, data: dict[str, Any], unchecked: list[str] | None = None
) -> dict[str, dict[str, str]]:
    """Set the fields, validate all but `unchecked`, save and audit what changed."""
    locked = _locked(group.pk)
    before = copy.copy(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=unchecked)
    changes = field_changes(before, locked, list(data))
    if not changes:
        return {}
    if "code_of_conduct_url" in changes:
        link_check_reset(locked)  # the old link's failures say nothing about the new one
    elif "home_page_url" in changes:
        locked.coc_linked_from_home = None  # the next check reads the new home page
    _bump(locked)
    locked.save()
    audit_record(
        group=locked,
        actor=by,
        action=AuditEntry.Action.GROUP_EDIT,
        summary=_("Edited: %(fields)s") % {"fields": ", ".join(sorted(changes))},
        changes=changes,
    )
    group.refresh_from_db()
    return changes


# The leaders' portal ------------------------------------------------------------------------

#: Fields a group's leader or co-leader may edit in the portal: the staff's list without the
#: slug (the group's address stays put); status, dates and the version are never edited.
LEADER_EDITABLE_FIELDS = [name for name in STAFF_EDITABLE_FIELDS if name != "slug"]

#: What step 1 of an application asks; the draft is created from these.
APPLICATION_DRAFT_FIELDS = ["name", "city", "country", "timezone", "languages", "description"]

#: Statuses in which the application's steps may still be edited.

SLUG_MAX_LENGTH = Group._meta.get_field("slug").max_length or 140
#: Paths under /groups/ that are pages, not groups.
RESERVED_SLUGS = frozenset({"apply", "code-of-conduct-example"})


def unique_group_slug(name: str) -> str:
    """A slug for a new group from its name; a numbered suffix when the name is taken."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 8].strip("-") or "group"
    taken = set(Group.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


@transaction.atomic
def group_create_draft(*, by: Any, data: dict[str, Any], now: datetime | None = None) -> Group:
    """Start an application (docs/program.md, "Joining"): a draft group led by the applicant.

    The draft has no home page yet; the application's "links" step asks for it. The applicant
    becomes the group's leader, its primary contact (requirement 1).
    """
    unknown = set(data) - set(APPLICATION_DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not a field of a new application: {sorted(unknown)}")
    now = now or timezone.now()
    group = Group(
        **data,
        slug=unique_group_slug(str(data.get("name", ""))),
        status=Status.DRAFT,
        status_changed_at=now,
        created_at=now,
    )
    group.full_clean(exclude=["home_page_url"])
    group.save()
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.GROUP_EDIT,
        summary=_("Application started: %(name)s") % {"name": group.name},
        changes={
            name: {"before": "", "after": Group._meta.get_field(name).value_to_string(group)}  # type: ignore[union-attr]
            for name in data
        },
        at=now,
    )
    leadership_start(group=group, user=by, role=Leadership.Role.LEADER, by=by, now=now)
    return group


@transaction.atomic
def group_update_by_leader(
    *, group: Group, by: Any, data: dict[str, Any]
) -> dict[str, dict[str, str]]:
    """A leader or co-leader edits the group's details: only LEADER_EDITABLE_FIELDS.

    Every change is recorded as `group_update` records it, so the program team sees what
    changed on an admitted group, who changed it and when. A draft gets its home page in the
    application's "links" step, so until then its other details can be saved without one.
    """
    unknown = set(data) - set(LEADER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable by a leader: {sorted(unknown)}")
    draft_without_home_page = (
        group.status == Status.DRAFT and not group.home_page_url and "home_page_url" not in data
    )
    return _edit(
        group=group,
        by=by,
        data=data,
        unchecked=["home_page_url"] if draft_without_home_page else None,
    )


@transaction.atomic
def application_rules_confirm(
    *,
    group: Group,
    by: Any,
    accept_rules_version: int | None,
    co_leader_email: str = "",
    now: datetime | None = None,
) -> None:
    """The application's rules step: accept the current program rules, invite a co-leader.

    `accept_rules_version` is the version the applicant read and accepted (requirement 5); if
    the rules changed meanwhile nothing is recorded and they are asked to read the new ones.
    The co-leader (requirement 1) is invited by e-mail and accepts the rules when joining.
    """
    now = now or timezone.now()
    if not group.application_editable:
        raise ValidationError(_("This application has been submitted and can no longer change."))
    rules = ProgramRules.objects.current()
    if accept_rules_version is not None:
        if rules is None or rules.version != accept_rules_version:
            raise ValidationError(
                {
                    "accept_rules": _(
                        "The program rules changed while you were reading them. Read the new "
                        "version and accept it."
                    )
                }
            )
        rules_accept(user=by, rules=rules)
    email = co_leader_email.strip()
    if email:
        try:
            invitation_create(group=group, email=email, by=by, now=now)
        except ValidationError as error:
            messages = error.message_dict.get("email", error.messages)
            raise ValidationError({"co_leader_email": messages}) from error


@transaction.atomic
def leave_request_create(
    *, group: Group, by: Any, reason: str, now: datetime | None = None
) -> LeaveRequest:
    """A group asks to leave the program (docs/program.md, "Leaving the program"); the program
    team processes it.

    A group has at most one open request; its history is kept whatever the team decides.
    """
    now = now or timezone.now()
    locked = _locked(group.pk)
    if locked.status == Status.LEFT:
        raise ValidationError(_("This group has already left the program."))
    existing = locked.leave_requests.filter(status=LeaveRequest.Status.OPEN).first()
    if existing is not None:
        raise ValidationError(
            _(
                "Your group already asked to leave the program on %(date)s. The program team "
                "will process that request; there is no need to send another."
            )
            % {"date": date_format(timezone.localtime(existing.created_at), "DATE_FORMAT")}
        )
    reason = reason.strip()
    limit = LeaveRequest._meta.get_field("reason").max_length or 2000
    if len(reason) > limit:  # a TextField's max_length binds forms only, so check it here
        raise ValidationError(
            {
                "reason": _("Keep the reason to at most %(limit)d characters (it has %(n)d).")
                % {"limit": limit, "n": len(reason)}
            }
        )
    request = LeaveRequest(group=locked, requested_by=by, reason=reason, created_at=now)
    request.full_clean()
    request.save()
    audit_record(
        group=locked,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=_("Asked to leave the program"),
        changes={"leave_request": {"before": "", "after": request.reason}},
        at=now,
    )
    with program_team_language():
        program_team_enqueue(
            kind="leave_request",
            key=str(request.pk),
            group=locked,
            summary=_("Request to leave the program"),
            details=request.reason,
            admin_path=reverse("admin:membership_leaverequest_change", args=[request.pk]),
        )
    return request


# The program team processes a leave request (the review queue, membership/queue.py) -------------


def _leave_processed_enqueue(
    *, request: LeaveRequest, leaderships: list[Leadership]
) -> list[OutboxEmail]:
    """Tell the group's leaders (as they were until now) that the group has left, each in
    their own language; once per request and person."""
    return [
        outbox_enqueue(
            key=f"leave_processed:request-{request.pk}:user-{leadership.user.pk}",
            kind="leave_processed",
            to=leadership.user.email,
            language=leadership.user.preferred_language,
            template="leave_processed",
            inputs={"leave_request": request, "user": leadership.user},
            group=request.group,
            user=leadership.user,
        )
        for leadership in leaderships
    ]


def _locked_open_leave_request(request: LeaveRequest) -> LeaveRequest:
    locked = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("group", "requested_by", "processed_by")
        .get(pk=request.pk)
    )
    if locked.status != LeaveRequest.Status.OPEN:
        when = date_format(timezone.localtime(locked.processed_at or locked.created_at))
        raise ValidationError(
            _("This leave request is already %(status)s (%(when)s); nothing was changed.")
            % {"status": locked.get_status_display().lower(), "when": when}
        )
    return locked


@transaction.atomic
def leave_request_process(
    *, request: LeaveRequest, by: Any, now: datetime | None = None
) -> LeaveRequest:
    """The program team processes a group's request to leave (docs/program.md, "Leaving the
    program").

    The group moves to "left" (audited), every active leadership ends as "the group left the
    program" (the rows stay as history), pending co-leader invitations are revoked, open
    leadership change requests are closed with a note, the request is marked processed, and
    the leaders are e-mailed: all or nothing. A request that is no longer open is refused.
    """
    now = now or timezone.now()
    locked = _locked_open_leave_request(request)
    group = _locked(locked.group_id)
    leaderships = list(
        Leadership.objects.active().filter(group=group).select_related("user").order_by("role")
    )
    if group.status != Status.LEFT:
        _set_status(group, Status.LEFT, by=by, now=now, why=_("leave request processed"))
        group.next_review_due = None
        _bump(group)
        group.full_clean()
        group.save()
    for leadership in leaderships:
        leadership_end(
            leadership=leadership, by=by, reason=Leadership.EndReason.GROUP_LEFT, now=now
        )
    why = _("the group left the program")
    group_invitations_revoke(group=group, by=by, why=why, now=now)
    LeadershipChangeRequest.objects.filter(group=group, status=RequestStatus.OPEN).update(
        status=RequestStatus.PROCESSED,
        processed_by=by,
        processed_at=now,
        staff_note=_("Closed: the group left the program."),
    )
    locked.status = LeaveRequest.Status.PROCESSED
    locked.processed_by = by
    locked.processed_at = now
    locked.save()
    locked.group = group
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=_("Leave request processed: the group left the program"),
        changes={"leave_request": {"before": "open", "after": "processed"}},
        at=now,
    )
    _leave_processed_enqueue(request=locked, leaderships=leaderships)
    request.refresh_from_db()
    return locked


@transaction.atomic
def leave_request_withdraw(
    *, request: LeaveRequest, by: Any, note: str, now: datetime | None = None
) -> LeaveRequest:
    """Record that the group withdrew its request to leave (it told the program team): the
    group stays as it is. The note says how the team learnt it and is kept in the audit trail.
    """
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say how the group withdrew its request.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note to at most 2000 characters.")})
    locked = _locked_open_leave_request(request)
    locked.status = LeaveRequest.Status.WITHDRAWN
    locked.processed_by = by
    locked.processed_at = now
    locked.save()
    audit_record(
        group=locked.group,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=_("Leave request withdrawn: %(note)s") % {"note": note},
        changes={
            "leave_request": {"before": "open", "after": "withdrawn"},
            "note": {"before": "", "after": note},
        },
        at=now,
    )
    request.refresh_from_db()
    return locked


# A way back: a return request (docs/program.md, "Joining") -----------------------------------


def _return_received_enqueue(*, request: ReturnRequest, contacts: list[Any]) -> list[OutboxEmail]:
    """Confirm to the group's contacts, each in their own language, that the program team has
    the request; once per request and person."""
    return [
        outbox_enqueue(
            key=f"return_request_received:request-{request.pk}:user-{user.pk}",
            kind="return_request_received",
            to=user.email,
            language=user.preferred_language,
            template="return_request_received",
            inputs={"return_request": request, "user": user},
            group=request.group,
            user=user,
        )
        for user in contacts
    ]


@transaction.atomic
def return_request_create(
    *, group: Group, by: Any, what_changed: str, now: datetime | None = None
) -> ReturnRequest:
    """The leaders of an inactive, declined or departed group ask for a new review
    (docs/program.md, "Joining": a way back). The group keeps its record and history; the
    request waits in the review queue, where the team admits it, requests changes or declines.

    Only the group's contacts (`return_contacts`) may ask; one open request per group.
    """
    now = now or timezone.now()
    locked = _locked(group.pk)
    if not locked.may_ask_to_return:
        raise ValidationError(
            _("A group that is “%(status)s” cannot ask for a new review.")
            % {"status": locked.get_status_display()}
        )
    contacts = return_contacts(locked)
    if by not in contacts:
        raise ValidationError(_("Only the group's leaders can ask for a new review."))
    if ReturnRequest.objects.filter(group=locked, status=ReturnRequest.Status.OPEN).exists():
        raise ValidationError(
            _("Your group has already asked for a new review. The program team will decide on it.")
        )
    what_changed = what_changed.strip()
    limit = ReturnRequest._meta.get_field("what_changed").max_length or 2000
    if not what_changed:
        raise ValidationError({"what_changed": _("Tell the program team what has changed.")})
    if len(what_changed) > limit:  # a TextField's max_length binds forms only
        raise ValidationError(
            {
                "what_changed": _("Keep it to at most %(limit)d characters (it has %(n)d).")
                % {"limit": limit, "n": len(what_changed)}
            }
        )
    request = ReturnRequest(
        group=locked,
        requested_by=by,
        what_changed=what_changed,
        group_status=locked.status,
        created_at=now,
    )
    request.full_clean()
    request.save()
    _bump(locked)  # the decide page offers other decisions now
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        group=locked,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=_("Asked for a new review"),
        changes={"return_request": {"before": "", "after": what_changed}},
        at=now,
    )
    with program_team_language():
        program_team_enqueue(
            kind="return_request",
            key=str(request.pk),
            group=locked,
            summary=_("Request for a new review (%(status)s)")
            % {"status": locked.get_status_display()},
            details=what_changed,
            admin_path=reverse("admin:groups_group_decide", args=[locked.pk]),
        )
    _return_received_enqueue(request=request, contacts=contacts)
    group.refresh_from_db()
    return request


@transaction.atomic
def return_request_withdraw(
    *, request: ReturnRequest, by: Any, now: datetime | None = None
) -> ReturnRequest:
    """The group's leaders withdraw their open request for a new review; the group stays as
    it is and the request is kept as withdrawn."""
    now = now or timezone.now()
    locked_group = _locked(request.group_id)
    locked = ReturnRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ReturnRequest.Status.OPEN:
        raise ValidationError(_("This request is no longer open; nothing was changed."))
    if by not in return_contacts(locked_group):
        raise ValidationError(_("Only the group's leaders can withdraw the request."))
    locked.status = ReturnRequest.Status.WITHDRAWN
    locked.closed_by = by
    locked.closed_at = now
    locked.save()
    _bump(locked_group)
    locked_group.save(update_fields=["version", "updated_at"])
    audit_record(
        group=locked_group,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=_("Request for a new review withdrawn"),
        changes={"return_request": {"before": "open", "after": "withdrawn"}},
        at=now,
    )
    request.refresh_from_db()
    return locked
