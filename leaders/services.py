"""Changes to who leads a group: every start and end is kept as history and audited."""

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.audit import audit_record
from groups.mail import send_templated
from groups.models import AuditEntry, Group
from program.models import ProgramRules
from program.services import rules_accept

from .models import CoLeaderInvitation, Leadership, User


@transaction.atomic
def leadership_start(
    *, group: Group, user: User, role: str, by: Any, now: datetime | None = None
) -> Leadership:
    """Give a person a role in a group (PROGRAM.md, requirement 1: a leader and a co-leader)."""
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
    )
    leadership.refresh_from_db()
    return locked


def _invitation_link(invitation: CoLeaderInvitation) -> str:
    return f"{settings.SITE_URL}{reverse('leaders:invitation', args=[invitation.token])}"


@transaction.atomic
def invitation_create(
    *, group: Group, email: str, by: Any, now: datetime | None = None
) -> CoLeaderInvitation:
    """Invite someone by e-mail to become the group's co-leader (PROGRAM.md, requirement 1).

    A group has at most one pending invitation: a new one revokes the previous. The e-mail
    with the link is queued for the worker once the transaction commits.
    """
    now = now or timezone.now()
    Group.objects.select_for_update().get(pk=group.pk)
    email = email.strip()
    if Leadership.objects.active().filter(group=group, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person already leads the group.")})
    if Leadership.objects.active().filter(group=group, role=Leadership.Role.CO_LEADER).exists():
        raise ValidationError(
            {
                "email": _(
                    "The group has a co-leader. They must step down before you invite another."
                )
            }
        )
    CoLeaderInvitation.objects.filter(group=group, status=CoLeaderInvitation.Status.PENDING).update(
        status=CoLeaderInvitation.Status.REVOKED, responded_at=now
    )
    invitation = CoLeaderInvitation(
        group=group,
        email=email,
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.TECHGROUPS_INVITATION_EXPIRY_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        group=group,
        actor=by,
        action=AuditEntry.Action.LEADERSHIP_CHANGE,
        summary=_("%(email)s was invited to be co-leader") % {"email": email},
        changes={"invitation": {"before": "", "after": email}},
    )
    from .tasks import send_invitation  # the task module imports this one

    transaction.on_commit(partial(send_invitation.delay, invitation.pk))
    return invitation


class InvitationError(ValidationError):
    """The invitation cannot be used: expired, already answered, or meant for someone else."""


def invitation_check(*, invitation: CoLeaderInvitation, user: Any, now: datetime) -> None:
    """Raise InvitationError saying why `user` cannot answer this invitation now."""
    if invitation.status != CoLeaderInvitation.Status.PENDING:
        raise InvitationError(_("This invitation has already been used or withdrawn."))
    if invitation.is_expired(now=now):
        raise InvitationError(
            _("This invitation has expired. Ask the group's leader to send a new one.")
        )
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(
            _("This invitation was sent to another e-mail address. Sign in with that address.")
        )


@transaction.atomic
def invitation_accept(
    *, invitation: CoLeaderInvitation, user: User, now: datetime | None = None
) -> Leadership:
    """The invited person becomes co-leader and accepts the current program rules."""
    now = now or timezone.now()
    locked = CoLeaderInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation=locked, user=user, now=now)
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
    return leadership


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
    )
    return locked


def notify_invitation(*, invitation_id: int) -> int:
    invitation = CoLeaderInvitation.objects.select_related("group", "invited_by").get(
        pk=invitation_id
    )
    if invitation.status != CoLeaderInvitation.Status.PENDING:
        return 0
    existing = User.objects.filter(email__iexact=invitation.email).first()
    return send_templated(
        to=invitation.email,
        language=existing.preferred_language
        if existing
        else invitation.invited_by.preferred_language,
        template="coleader_invitation",
        context={
            "invitation": invitation,
            "group": invitation.group,
            "inviter": invitation.invited_by,
            "link": _invitation_link(invitation),
        },
    )
