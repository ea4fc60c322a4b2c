"""Meetings a group holds; the program counts the Azure-related ones."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from groups.fields import WebURLField


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def azure_related(self) -> "MeetingQuerySet":
        return self.filter(is_azure_related=True)


class Meeting(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class CostReason(models.TextChoices):
        VENUE = "venue", _("Venue rental")
        FOOD_AND_DRINK = "food_and_drink", _("Food and drink")
        OTHER = "other", _("Other meeting costs")

    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON
    )
    venue = models.CharField(_("place"), max_length=300, blank=True)
    online_url = WebURLField(_("online link"), blank=True)
    is_azure_related = models.BooleanField(_("about Azure products and services"), default=True)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    attendee_count = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    entry_fee = models.DecimalField(
        _("entry fee"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Members are never charged to attend: the entry fee must be zero."),
    )
    cost_recovery_charge = models.DecimalField(
        _("cost-recovery charge"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Allowed where needed, e.g. for venue rental or food and drink."),
    )
    cost_recovery_reason = models.CharField(
        _("what the charge covers"), max_length=20, choices=CostReason.choices, blank=True
    )
    external_uid = models.CharField(_("calendar UID"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["group", "starts_at"], name="meeting_group_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(entry_fee=0),
                name="meeting_entry_fee_is_zero",
                violation_error_message=_("Members may not be charged an entry fee."),
            ),
            models.CheckConstraint(
                condition=Q(cost_recovery_charge__gte=0), name="meeting_charge_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cost_recovery_charge=0) | ~Q(cost_recovery_reason=""),
                name="meeting_charge_has_reason",
                violation_error_message=_("Say what the cost-recovery charge covers."),
            ),
            models.UniqueConstraint(
                fields=["group", "external_uid"],
                condition=~Q(external_uid=""),
                name="meeting_external_uid_unique_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"
