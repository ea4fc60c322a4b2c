"""Changes to who leads a group: every start and end is kept as history and audited."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.models import AuditEntry
from groups.emails import program_team_enqueue, program_team_language
from groups.models import Group
from notifications.models import OutboxEmail
from notifications.outbox import outbox_cancel, outbox_enqueue

from .models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    ProgramRules,
    RequestStatus,
    User,
)
from .rules import rules_accept

TECH_COMMUNITY_ID_TAKEN = gettext_lazy(
    "Another account already uses this Tech Community user ID. Check the number; if it is "
    "yours, write to the program team."
)


@transaction.atomic
def leadership_start(
    *, group: Group, user: User, role: str, by: Any, now: datetime | None = None
) -> Leadership:
    """Give a person a role in a group (docs/program.md, Requirement 1)."""
    now = now or timezone.now()
    Group.objects.select_for_update().get(pk=group.pk)
    leadership = Leadership(group=group, user=user, role=role, started_at=now)
    leadership.full_clean()
    leadership.save()
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.LEADERSHIP_CHANGE,
        summary=_("%(person)s became %(role)s")
        % {"person": user.display_name, "role": leadership.get_role_display()},
        changes={role: {"before": "", "after": user.email}},
        at=now,
    )
    return leadership


@transaction.atomic
def leadership_end(
    *, leadership: Leadership, by: Any, reason: str, now: datetime | None = None
) -> Leadership:
    """End a role; the row stays as history and the role is empty until someone is named."""
    now = now or timezone.now()
    locked = Leadership.objects.select_for_update().select_related("user").get(pk=leadership.pk)
    if locked.ended_at is not None:
        raise ValidationError(_("This role has already ended."))
    locked.ended_at = max(now, locked.started_at)
    locked.end_reason = reason
    locked.full_clean()
    locked.save()
    audit_record(
        group=locked.group,
        actor=by,
        action=AuditEntry.Action.LEADERSHIP_CHANGE,
        summary=_("%(person)s is no longer %(role)s (%(reason)s)")
        % {
            "person": locked.user.display_name,
            "role": locked.get_role_display(),
            "reason": locked.get_end_reason_display(),
        },
        changes={locked.role: {"before": locked.user.email, "after": ""}},
        at=now,
    )
    leadership.refresh_from_db()
    return locked


@transaction.atomic
def invitation_create(
    *,
    group: Group,
    email: str,
    by: Any,
    name: str = "",
    replaces_co_leader: bool = False,
    now: datetime | None = None,
) -> CoLeaderInvitation:
    """Invite someone by e-mail to become the group's co-leader (docs/program.md, Requirement 1
    and "Co-leader invitation").

    While the group has an active co-leader, the invitation must say that the invitee replaces
    them (`replaces_co_leader`): their role ends when the invitee accepts, not before, so the
    group keeps two contacts meanwhile. A group has at most one pending invitation: a new one
    revokes the previous. The e-mail with the link is queued for the worker once the
    transaction commits.
    """
    now = now or timezone.now()
    Group.objects.select_for_update().get(pk=group.pk)
    email = email.strip()
    name = name.strip()
    if Leadership.objects.active().filter(group=group, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person already leads the group.")})
    co_leader = (
        Leadership.objects.active()
        .filter(group=group, role=Leadership.Role.CO_LEADER)
        .select_related("user")
        .first()
    )
    if co_leader is not None and not replaces_co_leader:
        raise ValidationError(
            {
                "replaces_co_leader": _(
                    "The group has a co-leader (%(name)s). Tick the box to say that the person "
                    "you invite replaces them when they accept."
                )
                % {"name": co_leader.user.display_name}
            }
        )
    replaced = CoLeaderInvitation.objects.filter(
        group=group, status=CoLeaderInvitation.Status.PENDING
    )
    outbox_cancel(
        keys=[_invitation_email_key(pk) for pk in replaced.values_list("pk", flat=True)],
        reason="Replaced by a newer invitation.",
    )
    replaced.update(status=CoLeaderInvitation.Status.REVOKED, responded_at=now)
    invitation = CoLeaderInvitation(
        group=group,
        email=email,
        name=name,
        replaces=co_leader,
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.TECHGROUPS_INVITATION_EXPIRY_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    if co_leader is None:
        summary = _("%(email)s was invited to be co-leader") % {"email": email}
    else:
        summary = _("%(email)s was invited to be co-leader, replacing %(person)s") % {
            "email": email,
            "person": co_leader.user.display_name,
        }
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.LEADERSHIP_CHANGE,
        summary=summary,
        changes={"invitation": {"before": "", "after": email}},
        at=now,
    )
    invitation_email_enqueue(invitation=invitation)
    return invitation


class InvitationError(ValidationError):
    """The invitation cannot be used: expired, already answered, or meant for someone else.

    Its `code` says which: INVITATION_USED, INVITATION_EXPIRED or INVITATION_FOREIGN.
    """


INVITATION_USED = "used"
INVITATION_EXPIRED = "expired"
INVITATION_FOREIGN = "foreign"


def masked_address(email: str) -> str:
    """An address with all but the first character of its local part hidden: b…@example.org."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}…@{domain}" if local else "…"


def invitation_check(*, invitation: CoLeaderInvitation, user: Any, now: datetime) -> None:
    """Raise InvitationError saying why `user` cannot answer this invitation now.

    Only the invited person may answer: the invited address must be one the account has
    verified (in any case), not merely the address the account names, which nobody may have
    confirmed. For a visitor who has not signed in yet (`user` None or anonymous) the address
    is not checked: it is checked once they sign in.
    """
    if invitation.status != CoLeaderInvitation.Status.PENDING:
        raise InvitationError(
            _("This invitation has already been used or withdrawn."), code=INVITATION_USED
        )
    if invitation.is_expired(now=now):
        raise InvitationError(
            _("This invitation has expired. Ask the group's leader to send a new one."),
            code=INVITATION_EXPIRED,
        )
    if not getattr(user, "is_authenticated", False):
        return
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise InvitationError(
            _(
                "This invitation was sent to %(email)s. Sign in with that address, or add and "
                "verify it in your account's e-mail settings."
            )
            % {"email": masked_address(invitation.email)},
            code=INVITATION_FOREIGN,
        )


@transaction.atomic
def invitation_accept(
    *, invitation: CoLeaderInvitation, user: User, now: datetime | None = None
) -> Leadership:
    """The invited person becomes co-leader and accepts the current program rules.

    An invitation that replaces the co-leader ends their role now (docs/program.md,
    "Co-leader invitation"), tells them by e-mail and tells the program team.
    """
    now = now or timezone.now()
    locked = CoLeaderInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation=locked, user=user, now=now)
    Group.objects.select_for_update().get(pk=locked.group_id)
    replaced = (
        Leadership.objects.active()
        .filter(pk=locked.replaces_id, role=Leadership.Role.CO_LEADER)
        .select_related("user")
        .first()
        if locked.replaces_id is not None
        else None
    )
    if replaced is not None:
        if replaced.user_id == user.pk:
            raise ValidationError(_("You are already the group's co-leader."))
        leadership_end(
            leadership=replaced, by=user, reason=Leadership.EndReason.HANDED_OVER, now=now
        )
    leadership = leadership_start(
        group=locked.group, user=user, role=Leadership.Role.CO_LEADER, by=user, now=now
    )
    rules = ProgramRules.objects.current()
    if rules is not None:
        rules_accept(user=user, rules=rules)
    locked.status = CoLeaderInvitation.Status.ACCEPTED
    locked.responded_at = now
    locked.accepted_by = user
    locked.save()
    if replaced is not None:
        _replaced_emails_enqueue(invitation=locked, replaced=replaced, successor=user)
    return leadership


def _replaced_emails_enqueue(
    *, invitation: CoLeaderInvitation, replaced: Leadership, successor: User
) -> None:
    """The replaced co-leader learns that their role has ended; the program team is told."""
    person = replaced.user
    outbox_enqueue(
        key=f"coleader_replaced:invitation-{invitation.pk}",
        kind="coleader_replaced",
        to=person.email,
        language=person.preferred_language,
        template="coleader_replaced",
        inputs={"leadership": replaced, "successor": successor},
        group=invitation.group,
        user=person,
    )
    with program_team_language():
        program_team_enqueue(
            kind="coleader_replaced",
            key=f"invitation-{invitation.pk}",
            group=invitation.group,
            summary=_("A new co-leader replaced the previous one"),
            details=_("%(new)s accepted the invitation and replaced %(old)s as co-leader.")
            % {"new": successor.display_name, "old": person.display_name},
            admin_path=reverse("admin:groups_group_change", args=[invitation.group_id]),
        )


@transaction.atomic
def invitation_decline(
    *, invitation: CoLeaderInvitation, user: User, now: datetime | None = None
) -> CoLeaderInvitation:
    now = now or timezone.now()
    locked = CoLeaderInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation=locked, user=user, now=now)
    locked.status = CoLeaderInvitation.Status.DECLINED
    locked.responded_at = now
    locked.save()
    audit_record(
        group=locked.group,
        actor=user,
        action=AuditEntry.Action.LEADERSHIP_CHANGE,
        summary=_("%(email)s declined the co-leader invitation") % {"email": locked.email},
        at=now,
    )
    return locked


def _invitation_email_key(invitation_pk: int) -> str:
    return f"coleader_invitation:invitation-{invitation_pk}"


def invitation_email_enqueue(*, invitation: CoLeaderInvitation) -> OutboxEmail:
    """Queue the invitation's e-mail with its link, in the invited person's language if they
    have an account, else the inviter's. Called inside the inviting transaction."""
    existing = User.objects.filter(email__iexact=invitation.email).first()
    language = (existing or invitation.invited_by).preferred_language
    return outbox_enqueue(
        key=_invitation_email_key(invitation.pk),
        kind="coleader_invitation",
        to=invitation.email,
        language=language,
        template="coleader_invitation",
        inputs={"invitation": invitation},
        group=invitation.group,
        user=existing,
    )


@transaction.atomic
def invitation_withdraw(
    *, invitation: CoLeaderInvitation, by: Any, now: datetime | None = None
) -> CoLeaderInvitation:
    """The group's leader takes back a pending co-leader invitation; its link stops working."""
    now = now or timezone.now()
    locked = CoLeaderInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not Leadership.objects.active().filter(group_id=locked.group_id, user=by).exists():
        raise ValidationError(
            _("Only the group's leader or co-leader can withdraw its invitation.")
        )
    if locked.status != CoLeaderInvitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered or withdrawn."))
    locked.status = CoLeaderInvitation.Status.REVOKED
    locked.responded_at = now
    locked.save()
    outbox_cancel(keys=[_invitation_email_key(locked.pk)], reason="Invitation withdrawn.")
    audit_record(
        group=locked.group,
        actor=by,
        action=AuditEntry.Action.LEADERSHIP_CHANGE,
        summary=_("The co-leader invitation of %(email)s was withdrawn") % {"email": locked.email},
        changes={"invitation": {"before": locked.email, "after": ""}},
        at=now,
    )
    return locked


# Self-service changes of a group's contacts (docs/program.md, "Leadership changes"): each one is
# done at once and recorded as a processed LeadershipChangeRequest, so the program team sees it.


def active_roles(group: Group) -> dict[str, Leadership]:
    leaderships = Leadership.objects.active().filter(group=group).select_related("user")
    return {leadership.role: leadership for leadership in leaderships}


def _change_recorded(
    *, group: Group, by: Any, kind: str, details: str, now: datetime
) -> LeadershipChangeRequest:
    request = LeadershipChangeRequest(
        group=group,
        requested_by=by,
        kind=kind,
        details=details,
        created_at=now,
        status=RequestStatus.PROCESSED,
        processed_at=now,
    )
    request.full_clean()
    request.save()
    with program_team_language():
        program_team_enqueue(
            kind="leadership_change",
            key=str(request.pk),
            group=group,
            summary=_("Leadership change: %(change)s") % {"change": request.get_kind_display()},
            details=details,
            admin_path=reverse("admin:leaders_leadershipchangerequest_change", args=[request.pk]),
        )
    return request


def _swap(
    *, group: Group, leader: Leadership, co_leader: Leadership, by: Any, now: datetime
) -> None:
    """The co-leader becomes leader and the leader becomes co-leader."""
    for leadership in (leader, co_leader):
        leadership_end(
            leadership=leadership, by=by, reason=Leadership.EndReason.HANDED_OVER, now=now
        )
    leadership_start(group=group, user=co_leader.user, role=Leadership.Role.LEADER, by=by, now=now)
    leadership_start(group=group, user=leader.user, role=Leadership.Role.CO_LEADER, by=by, now=now)


@transaction.atomic
def leadership_hand_over(
    *, group: Group, by: Any, now: datetime | None = None
) -> LeadershipChangeRequest:
    """The leader hands leadership to the co-leader and becomes co-leader (requirement 1).

    Both roles end as "handed over" and start again swapped, so the group keeps two contacts.
    """
    now = now or timezone.now()
    Group.objects.select_for_update().get(pk=group.pk)
    roles = active_roles(group)
    leader = roles.get(Leadership.Role.LEADER)
    co_leader = roles.get(Leadership.Role.CO_LEADER)
    if leader is None or leader.user_id != by.pk:
        raise ValidationError(_("Only the group's leader can hand leadership over."))
    if co_leader is None:
        raise ValidationError(
            _("The group has no co-leader to hand over to. Invite a co-leader first.")
        )
    _swap(group=group, leader=leader, co_leader=co_leader, by=by, now=now)
    return _change_recorded(
        group=group,
        by=by,
        kind=LeadershipChangeRequest.Kind.HAND_OVER,
        details=_("%(old)s handed leadership over to %(new)s, and is now co-leader.")
        % {"old": leader.user.display_name, "new": co_leader.user.display_name},
        now=now,
    )


@transaction.atomic
def leadership_step_down(
    *, group: Group, by: Any, co_leader_takes_over: bool = False, now: datetime | None = None
) -> LeadershipChangeRequest:
    """The user gives up their role in the group; it stays empty until someone is named.

    A leader may let the co-leader take over (`co_leader_takes_over`): the co-leader becomes
    leader and the co-leader's role is empty instead. The group's only contact cannot step
    down: the group would have nobody the program team could reach (requirement 1).
    """
    now = now or timezone.now()
    Group.objects.select_for_update().get(pk=group.pk)
    roles = active_roles(group)
    mine = next((held for held in roles.values() if held.user_id == by.pk), None)
    if mine is None:
        raise ValidationError(_("You do not lead this group."))
    others = [held for held in roles.values() if held.pk != mine.pk]
    if not others:
        raise ValidationError(
            _(
                "You are the group's only contact, so you cannot step down. Invite a co-leader "
                "and hand leadership over first, or ask to leave the program."
            )
        )
    co_leader = roles.get(Leadership.Role.CO_LEADER)
    takes_over = co_leader_takes_over and mine.role == Leadership.Role.LEADER
    if co_leader_takes_over and not takes_over:
        raise ValidationError(_("Only the leader can let the co-leader take over."))
    leadership_end(leadership=mine, by=by, reason=Leadership.EndReason.STEPPED_DOWN, now=now)
    details = _("%(person)s stepped down as %(role)s.") % {
        "person": mine.user.display_name,
        "role": mine.get_role_display(),
    }
    if takes_over and co_leader is not None:
        leadership_end(
            leadership=co_leader, by=by, reason=Leadership.EndReason.HANDED_OVER, now=now
        )
        leadership_start(
            group=group, user=co_leader.user, role=Leadership.Role.LEADER, by=by, now=now
        )
        details += " " + _("%(person)s became leader; the co-leader role is empty.") % {
            "person": co_leader.user.display_name
        }
    return _change_recorded(
        group=group, by=by, kind=LeadershipChangeRequest.Kind.STEP_DOWN, details=details, now=now
    )


@dataclass(frozen=True)
class LeftReport:
    """What a contact's report that the group's other contact has left changes."""

    #: The reporter's role; they stay a contact, so the group never loses its last one.
    reporter: Leadership
    #: The role reported as left: it ends at once.
    reported: Leadership
    #: The reporting co-leader becomes leader (only when the leader is reported).
    takes_over: bool

    @property
    def kind(self) -> str:
        if self.reported.role == Leadership.Role.LEADER:
            return LeadershipChangeRequest.Kind.LEADER_LEFT
        return LeadershipChangeRequest.Kind.CO_LEADER_LEFT


def left_report_plan(
    roles: dict[str, Leadership], *, reporter_id: int, takes_over: bool, with_successor: bool
) -> LeftReport:
    """Judge a report that the group's other contact has left (docs/program.md, "Leadership
    changes"), given the group's active roles; raise ValidationError if it is refused.

    Only an active contact reports, and only the other contact: the reporter keeps a role, so
    the group is never left without a contact (of two crossing reports the second is refused,
    its reporter's role having ended). Only a co-leader reporting the leader may take over. A
    successor is invited as co-leader, so only when the co-leader role is empty afterwards.
    """
    mine = next((held for held in roles.values() if held.user_id == reporter_id), None)
    if mine is None:
        raise ValidationError(_("You do not lead this group."))
    reported = next((held for held in roles.values() if held.pk != mine.pk), None)
    if reported is None:
        raise ValidationError(
            _("Nobody else holds a role in the group, so there is nobody to report as left.")
        )
    if takes_over and mine.role != Leadership.Role.CO_LEADER:
        raise ValidationError({"takes_over": _("Only the co-leader can take over as leader.")})
    co_leader_role_empty = reported.role == Leadership.Role.CO_LEADER or takes_over
    if with_successor and not co_leader_role_empty:
        raise ValidationError(
            {
                "successor_email": _(
                    "A successor becomes co-leader, and you are the co-leader. Take over as "
                    "leader to invite one, or leave the successor empty: the program team "
                    "then names a new leader."
                )
            }
        )
    return LeftReport(reporter=mine, reported=reported, takes_over=takes_over)


def _report_keys(request: LeadershipChangeRequest) -> tuple[str, str]:
    """The outbox keys of a report's e-mails to the reported person and to the reporter."""
    return (
        f"leadership_reported_left:request-{request.pk}",
        f"leadership_report_confirmation:request-{request.pk}",
    )


@transaction.atomic
def leadership_report_left(
    *,
    group: Group,
    by: Any,
    details: str = "",
    takes_over: bool = False,
    successor_email: str = "",
    successor_name: str = "",
    now: datetime | None = None,
) -> LeadershipChangeRequest:
    """A contact reports that the group's other contact has left (docs/program.md, "Leadership
    changes"), optionally inviting a successor in the same step.

    The reported role ends at once (so requirement 1 tells the truth) and an open request
    waits for the program team to confirm it. The team, the reported person (so that a wrong
    report is caught) and the reporter are e-mailed; the successor gets the invitation.
    All or nothing: a refused successor address changes nothing.
    """
    now = now or timezone.now()
    Group.objects.select_for_update().get(pk=group.pk)
    details = details.strip()
    successor_email = successor_email.strip()
    report = left_report_plan(
        active_roles(group),
        reporter_id=by.pk,
        takes_over=takes_over,
        with_successor=bool(successor_email),
    )
    reported, reporter = report.reported, report.reporter
    leadership_end(leadership=reported, by=by, reason=Leadership.EndReason.STEPPED_DOWN, now=now)
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=_("%(reporter)s reported that %(person)s, %(role)s, has left the group")
        % {
            "reporter": reporter.user.display_name,
            "person": reported.user.display_name,
            "role": reported.get_role_display(),
        },
        changes={"reported_left": {"before": reported.user.email, "after": ""}},
        at=now,
    )
    if report.takes_over:
        leadership_end(leadership=reporter, by=by, reason=Leadership.EndReason.HANDED_OVER, now=now)
        leadership_start(
            group=group, user=reporter.user, role=Leadership.Role.LEADER, by=by, now=now
        )
    invitation = None
    if successor_email:
        try:
            invitation = invitation_create(
                group=group, email=successor_email, name=successor_name, by=by, now=now
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            raise ValidationError(
                {f"successor_{field}": errors for field, errors in error.error_dict.items()}
            ) from None
    request = LeadershipChangeRequest(
        group=group,
        requested_by=by,
        kind=report.kind,
        details=details,
        created_at=now,
        reported_leadership=reported,
        invitation=invitation,
    )
    request.full_clean()
    request.save()
    _report_emails_enqueue(request=request, report=report)
    return request


def _report_emails_enqueue(*, request: LeadershipChangeRequest, report: LeftReport) -> None:
    group = request.group
    to_reported, to_reporter = _report_keys(request)
    for key, template, person in (
        (to_reported, "leadership_reported_left", report.reported.user),
        (to_reporter, "leadership_report_confirmation", report.reporter.user),
    ):
        outbox_enqueue(
            key=key,
            kind=template,
            to=person.email,
            language=person.preferred_language,
            template=template,
            inputs={"request": request, "user": person, "took_over": report.takes_over},
            group=group,
            user=person,
        )
    with program_team_language():
        lines = [
            _(
                "%(reporter)s reported that %(person)s, %(role)s, has left the group; the role "
                "ended at once."
            )
            % {
                "reporter": report.reporter.user.display_name,
                "person": report.reported.user.display_name,
                "role": report.reported.get_role_display(),
            }
        ]
        if report.takes_over:
            lines.append(
                _("%(person)s took over as leader.") % {"person": report.reporter.user.display_name}
            )
        if request.invitation is not None:
            lines.append(
                _("%(email)s was invited to be co-leader.") % {"email": request.invitation.email}
            )
        if len(active_roles(group)) < 2:
            lines.append(_("Until a replacement is named the group fails requirement 1."))
        if request.details:
            lines.append(request.details)
        program_team_enqueue(
            kind="leadership_report",
            key=str(request.pk),
            group=group,
            summary=_("Leadership change: %(change)s") % {"change": request.get_kind_display()},
            details="\n\n".join(lines),
            admin_path=reverse("admin:leaders_leadershipchangerequest_process", args=[request.pk]),
        )


@transaction.atomic
def profile_update(
    *, user: User, name: str, preferred_language: str, tech_community_id: int | None
) -> User:
    """Save a person's profile; the Tech Community ID keys their Leaders Hub access.

    An ID may belong to one account only: a taken one is refused with a message on the field.
    """
    # A fresh copy: a refused change leaves the caller's object (e.g. request.user) untouched.
    user = User.objects.select_for_update().get(pk=user.pk)
    user.name = name.strip()
    user.preferred_language = preferred_language
    user.tech_community_id = tech_community_id
    taken = (
        tech_community_id is not None
        and User.objects.exclude(pk=user.pk).filter(tech_community_id=tech_community_id).exists()
    )
    if taken:
        raise ValidationError({"tech_community_id": TECH_COMMUNITY_ID_TAKEN})
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save(update_fields=["name", "preferred_language", "tech_community_id"])
    except IntegrityError:  # another account took the ID since the check above
        raise ValidationError({"tech_community_id": TECH_COMMUNITY_ID_TAKEN}) from None
    return user


# The program team processes what leaders asked for (the review queue, membership/queue.py) -------


@transaction.atomic
def group_invitations_revoke(
    *, group: Group, by: Any, why: str, now: datetime | None = None
) -> int:
    """Revoke the group's pending co-leader invitations, e.g. when it leaves the program: an
    old link must not make anyone co-leader of a group that has gone. Returns how many."""
    now = now or timezone.now()
    pending = list(
        CoLeaderInvitation.objects.select_for_update().filter(
            group=group, status=CoLeaderInvitation.Status.PENDING
        )
    )
    if not pending:
        return 0
    outbox_cancel(keys=[_invitation_email_key(i.pk) for i in pending], reason=why)
    CoLeaderInvitation.objects.filter(pk__in=[i.pk for i in pending]).update(
        status=CoLeaderInvitation.Status.REVOKED, responded_at=now
    )
    for invitation in pending:
        audit_record(
            group=group,
            actor=by,
            action=AuditEntry.Action.LEADERSHIP_CHANGE,
            summary=_("The co-leader invitation of %(email)s was withdrawn (%(why)s)")
            % {"email": invitation.email, "why": why},
            changes={"invitation": {"before": invitation.email, "after": ""}},
            at=now,
        )
    return len(pending)


@dataclass(frozen=True)
class PlannedRoleChange:
    """What processing a leadership change request does to one role."""

    leadership: Leadership
    #: Leadership.EndReason the role ends with.
    end_reason: str
    #: The role the same person starts again at once (a hand-over swaps the two), or "".
    restart_as: str = ""

    @property
    def description(self) -> str:
        person = self.leadership.user.display_name
        role = self.leadership.get_role_display()
        if self.restart_as:
            new_role = Leadership.Role(self.restart_as).label
            return _("%(person)s: %(role)s → %(new_role)s") % {
                "person": person,
                "role": role,
                "new_role": new_role,
            }
        return _("%(person)s is no longer %(role)s") % {"person": person, "role": role}


def leadership_request_plan(
    request: LeadershipChangeRequest, roles: dict[str, Leadership]
) -> list[PlannedRoleChange]:
    """The change the program team can apply for a request, given the group's active roles
    (`_active_roles`); empty when there is nothing the portal can do by itself ("other").

    A hand-over swaps the leader and the co-leader, a step-down ends the requester's role and
    "the co-leader has left" ends the co-leader's role; the role stays empty until someone is
    named (requirement 1 shows it). A role a contact reported as left ended with the report:
    there is nothing left to apply.
    """
    Kind = LeadershipChangeRequest.Kind
    leader = roles.get(Leadership.Role.LEADER)
    co_leader = roles.get(Leadership.Role.CO_LEADER)
    if request.kind == Kind.HAND_OVER and leader is not None and co_leader is not None:
        return [
            PlannedRoleChange(leader, Leadership.EndReason.HANDED_OVER, Leadership.Role.CO_LEADER),
            PlannedRoleChange(co_leader, Leadership.EndReason.HANDED_OVER, Leadership.Role.LEADER),
        ]
    if request.kind == Kind.STEP_DOWN:
        mine = [held for held in roles.values() if held.user_id == request.requested_by_id]
        return [PlannedRoleChange(held, Leadership.EndReason.STEPPED_DOWN) for held in mine]
    if request.reported_leadership_id is not None:
        # A contact's report ended the role at once: apply only if it is somehow still held,
        # never to whoever holds the role now.
        reported = [held for held in roles.values() if held.pk == request.reported_leadership_id]
        return [PlannedRoleChange(held, Leadership.EndReason.REMOVED) for held in reported]
    if request.kind == Kind.CO_LEADER_LEFT and co_leader is not None:
        return [PlannedRoleChange(co_leader, Leadership.EndReason.REMOVED)]
    return []


#: How the program team settles a leadership change request.
APPLY = "apply"
RECORD = "record"
REJECT = "reject"


@transaction.atomic
def leadership_request_process(
    *,
    request: LeadershipChangeRequest,
    by: Any,
    outcome: str,
    note: str = "",
    expected_roles: list[int] | None = None,
    now: datetime | None = None,
) -> LeadershipChangeRequest:
    """The program team settles an open leadership change request (docs/program.md, "Leadership
    changes"), with a note kept on the request and in the audit trail.

    `outcome`: APPLY makes the change `leadership_request_plan` proposes (history kept, as a
    leader's own hand-over or step-down would), RECORD marks it processed without touching the
    roles (the team made the change by hand, or there is nothing to change), REJECT refuses it.
    A note is required unless the change is applied. `expected_roles` are the active
    leadership ids the team looked at: if the roles changed since, nothing is applied.
    """
    now = now or timezone.now()
    locked = (
        LeadershipChangeRequest.objects.select_for_update(of=("self",))
        .select_related("group", "requested_by")
        .get(pk=request.pk)
    )
    if locked.status != RequestStatus.OPEN:
        raise ValidationError(
            _("This request has already been settled (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    if outcome not in {APPLY, RECORD, REJECT}:
        raise ValidationError({"outcome": _("Choose what to do with the request.")})
    note = note.strip()
    limit = LeadershipChangeRequest._meta.get_field("staff_note").max_length or 2000
    if len(note) > limit:
        raise ValidationError(
            {"note": _("Keep the note to at most %(limit)d characters.") % {"limit": limit}}
        )
    if outcome != APPLY and not note:
        raise ValidationError({"note": _("Say what was done, or why the request is refused.")})
    group = Group.objects.select_for_update().get(pk=locked.group_id)
    roles = active_roles(group)
    if expected_roles is not None and sorted(expected_roles) != sorted(
        held.pk for held in roles.values()
    ):
        raise ValidationError(
            _("The group's leaders changed while you were looking. Look at the request again.")
        )
    applied: list[str] = []
    if outcome == APPLY:
        plan = leadership_request_plan(locked, roles)
        if not plan:
            raise ValidationError(
                {"outcome": _("There is no change the portal can apply for this request.")}
            )
        for change in plan:
            leadership_end(leadership=change.leadership, by=by, reason=change.end_reason, now=now)
        for change in plan:
            if change.restart_as:
                leadership_start(
                    group=group,
                    user=change.leadership.user,
                    role=change.restart_as,
                    by=by,
                    now=now,
                )
        applied = [change.description for change in plan]
    locked.status = RequestStatus.REJECTED if outcome == REJECT else RequestStatus.PROCESSED
    locked.processed_by = by
    locked.processed_at = now
    locked.staff_note = note or "; ".join(applied)
    locked.full_clean()
    locked.save()
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=_("Leadership change request %(status)s: %(change)s")
        % {"status": locked.get_status_display(), "change": locked.get_kind_display()},
        changes={
            "leadership_request": {"before": RequestStatus.OPEN, "after": locked.status},
            "staff_note": {"before": "", "after": locked.staff_note},
        },
        at=now,
    )
    request.refresh_from_db()
    return locked
