"""Shared records: the audit trail."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One recorded change: who, when, what, before and after. Never edited or deleted."""

    class Action(models.TextChoices):
        STATUS_CHANGE = "status_change", _("Status change")
        REVIEW_DECISION = "review_decision", _("Review decision")
        LEADERSHIP_CHANGE = "leadership_change", _("Leadership change")
        GROUP_EDIT = "group_edit", _("Group edited")
        REQUEST = "request", _("Request")
        MEETING_ADDED = "meeting_added", _("Meeting added")
        MEETING_CHANGED = "meeting_changed", _("Meeting changed")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        MEETING_UNCANCELLED = "meeting_uncancelled", _("Meeting cancellation undone")
        MEETING_DELETED = "meeting_deleted", _("Meeting deleted")
        MEETINGS_IMPORTED = "meetings_imported", _("Meetings imported from the calendar")
        RULES_PUBLISHED = "rules_published", _("Program rules published")
        RULES_ACCEPTED = "rules_accepted", _("Program rules accepted")

    group = models.ForeignKey(
        "groups.Group",
        on_delete=models.PROTECT,
        related_name="audit_entries",
        null=True,
        blank=True,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The decision this entry records (its status change and the decision itself), if any.
    review = models.ForeignKey(
        "membership.Review",
        on_delete=models.PROTECT,
        related_name="audit_entries",
        null=True,
        blank=True,
    )
    actor_is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    summary = models.CharField(max_length=300)
    #: {"field": {"before": ..., "after": ...}}
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["group", "-created_at"], name="audit_group_idx")]

    def __str__(self) -> str:
        return self.summary
