"""The audit trail: one function writes every entry, inside the caller's transaction."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from .models import AuditEntry


def audit_record(
    *,
    group: Any,  # a groups.Group, or None
    actor: Any,
    action: str,
    summary: str,
    changes: dict[str, dict[str, Any]] | None = None,
    review: Any = None,  # a membership.Review
    at: datetime | None = None,
) -> AuditEntry:
    """Record one change, in the caller's transaction, at `at` (the service's own "now"; the
    clock if none is given)."""
    return AuditEntry.objects.create(
        created_at=at or timezone.now(),
        group=group,
        review=review,
        actor=actor,
        actor_is_staff=bool(getattr(actor, "is_staff", False)),
        action=action,
        summary=summary[:300],
        changes=changes or {},
    )


def field_changes(
    before: models.Model, after: models.Model, fields: list[str]
) -> dict[str, dict[str, str]]:
    """The fields whose stored value differs, as {"field": {"before": ..., "after": ...}}."""
    changes = {}
    for name in fields:
        field = after._meta.get_field(name)
        old, new = field.value_to_string(before), field.value_to_string(after)  # type: ignore[union-attr]
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes
