"""A group's membership in the program: the program team's reviews, leave requests and the
checks of the code-of-conduct link."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group


class Review(models.Model):
    """A decision of the program team on a group, with the checklist as it stood."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")
        PERIODIC = "periodic", _("Periodic review")
        RETURN = "return", _("Return request")

    class Decision(models.TextChoices):
        ADMIT = "admit", _("Admit")
        REQUEST_CHANGES = "request_changes", _("Request changes")
        DECLINE = "decline", _("Decline")
        KEEP = "keep", _("Keep admitted")
        KEEP_WITH_FOLLOW_UP = "keep_follow_up", _("Keep admitted, with a follow-up")
        INACTIVATE = "inactivate", _("Move to inactive")

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=dj_timezone.now)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    message = models.TextField(_("message to the leaders"), max_length=5000, blank=True)
    override_reason = models.TextField(
        _("reason for admitting despite failed requirements"), max_length=2000, blank=True
    )
    status_before = models.CharField(max_length=20, choices=Group.Status.choices)
    status_after = models.CharField(max_length=20, choices=Group.Status.choices)
    checklist = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    requirements_met = models.PositiveSmallIntegerField(default=0)
    requirements_total = models.PositiveSmallIntegerField(default=0)
    #: A kept group's follow-up (docs/program.md, "Periodic review"): what to fix is `message`,
    #: by this date. Open until the team's next decision on the group, which is stored here.
    follow_up_by = models.DateField(_("fix by"), null=True, blank=True)
    follow_up_closed_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_follow_up",
        verbose_name=_("follow-up closed by"),
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "-decided_at"], name="review_group_idx"),
            models.Index(
                fields=["follow_up_by"],
                condition=Q(follow_up_by__isnull=False, follow_up_closed_by__isnull=True),
                name="review_open_follow_up_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.group} ({self.decided_at:%Y-%m-%d})"


class LeaveRequest(models.Model):
    """A group's request to leave the program; processed by the program team."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PROCESSED = "processed", _("Processed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="leave_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(default=dj_timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(status="open"), name="one_open_leave_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Leave request of {self.group}"


class ReturnRequest(models.Model):
    """An inactive, declined or departed group's request for a new review (docs/program.md,
    "Joining": a way back). Kept, never deleted, whatever the program team decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="return_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    what_changed = models.TextField(_("what changed"), max_length=2000)
    #: The group's status when it asked (inactive, declined or left).
    group_status = models.CharField(max_length=20, choices=Group.Status.choices)
    created_at = models.DateTimeField(default=dj_timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    #: The program team's decision on it (admit, request changes or decline).
    review = models.OneToOneField(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="return_request"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(status="open"), name="one_open_return_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Return request of {self.group}"


class CodeOfConductCheck(models.Model):
    """One check of a group's code-of-conduct link (membership/coc.py). Kept, never deleted."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="coc_checks")
    url = models.TextField(_("address"))
    checked_at = models.DateTimeField(_("checked"), default=dj_timezone.now)
    ok = models.BooleanField(_("answered"))
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    #: Where the redirects led, when the check got that far.
    final_url = models.TextField(_("final address"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("code of conduct check")
        verbose_name_plural = _("code of conduct checks")
        indexes = [models.Index(fields=["group", "-checked_at"], name="coc_check_group_idx")]

    def __str__(self) -> str:
        outcome = "ok" if self.ok else "broken"
        return f"{self.group}: {outcome} ({self.checked_at:%Y-%m-%d %H:%M})"
