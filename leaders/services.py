"""Changes to who leads a group: every start and end is kept as history and audited."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.audit import audit_record
from groups.models import AuditEntry, Group

from .models import Leadership, User


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
