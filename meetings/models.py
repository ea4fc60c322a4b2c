"""Meetings a group holds (the program counts the Azure-related ones), and the imports of
their iCal feeds."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import WebURLField


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def not_cancelled(self) -> "MeetingQuerySet":
        return self.filter(cancelled_at__isnull=True)

    def counted(self) -> "MeetingQuerySet":
        """The meetings requirement 4 counts: Azure-related and not cancelled (docs/program.md,
        "What counts as a meeting")."""
        return self.not_cancelled().filter(is_azure_related=True)


class MeetingManager(models.Manager["Meeting"]):
    """The meetings that exist for everyone: a deleted meeting is kept (soft delete) for the
    program team, reachable only through `Meeting.all_objects`."""

    def get_queryset(self) -> MeetingQuerySet:
        return MeetingQuerySet(self.model, using=self._db).filter(deleted_at__isnull=True)


class Meeting(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class State(models.TextChoices):
        """Stored as facts (cancelled_at), judged against the clock: see `Meeting.state`."""

        SCHEDULED = "scheduled", pgettext_lazy("meeting", "Scheduled")
        HELD = "held", pgettext_lazy("meeting", "Held")
        CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")

    class CancelledBy(models.TextChoices):
        LEADER = "leader", _("A leader")
        CALENDAR = "calendar", _("The group's calendar")

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
    all_day = models.BooleanField(_("all day"), default=False)
    expected_attendee_count = models.PositiveIntegerField(
        _("expected attendees"), null=True, blank=True
    )
    attendee_count = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    #: What each attendee was charged to attend. The program asks for free attendance
    #: (requirement 3), which the checklist judges; the fact is recorded as it was.
    entry_fee = models.DecimalField(
        _("entry fee"), max_digits=8, decimal_places=2, default=Decimal(0)
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
    #: The feed's key for this meeting: the event's UID, and for one occurrence of a repeating
    #: event the UID and the occurrence's RECURRENCE-ID (`meetings.ical.occurrence_key`).
    external_uid = models.CharField(_("calendar key"), max_length=400, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=10, choices=CancelledBy.choices, blank=True
    )
    cancellation_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    #: Deleted by a leader: kept for the program team and the audit trail, hidden elsewhere.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingManager.from_queryset(MeetingQuerySet)()
    all_objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["group", "starts_at"], name="meeting_group_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=Q(entry_fee__gte=0), name="meeting_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancelled_by="")
                | Q(cancelled_at__isnull=False) & ~Q(cancelled_by=""),
                name="meeting_cancelled_by_someone",
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

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def state(self, *, now: datetime) -> "Meeting.State":
        """Cancelled when someone cancelled it; otherwise held once it has ended."""
        if self.cancelled_at is not None:
            return self.State.CANCELLED
        return self.State.HELD if self.ends_at <= now else self.State.SCHEDULED

    @property
    def last_moment(self) -> datetime:
        """A moment still inside the meeting at its end: an all-day meeting ends at the midnight
        after its last day (as in iCal), which is already the next day."""
        return self.ends_at - timedelta(microseconds=1)

    @property
    def charges_entry_fee(self) -> bool:
        return self.entry_fee > 0


#: An import waits this long for the worker; a row queued for longer was lost on the way (a
#: broker outage, no worker running), and the leader may start another.
FEED_IMPORT_QUEUE_LEASE = timedelta(minutes=10)
#: An import fetches for at most `imports.FEED_TIMEOUT_SECONDS`, then parses and saves in
#: seconds; a row running for longer was left by a worker that died.
FEED_IMPORT_RUN_LEASE = timedelta(minutes=2)


class FeedImport(models.Model):
    """One import of a group's iCal feed, asked for on the leader's page and run by the worker.

    The rows are the group's import history: what was fetched, by whom, when and with what
    result. They are never deleted.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("feed import", "Queued")
        RUNNING = "running", pgettext_lazy("feed import", "Running")
        DONE = "done", pgettext_lazy("feed import", "Done")
        FAILED = "failed", pgettext_lazy("feed import", "Failed")

    UNFINISHED = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.DONE, Status.FAILED)

    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, related_name="feed_imports")
    #: None for the daily import and the program team's `import_meetings` command.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    url = WebURLField(_("feed address"))
    #: The language of the page that asked: the messages and reasons are stored in it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    added_count = models.PositiveIntegerField(_("meetings added"), default=0)
    updated_count = models.PositiveIntegerField(_("meetings updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("meetings unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("events skipped"), default=0)
    cancelled_count = models.PositiveIntegerField(_("meetings cancelled"), default=0)
    #: Meetings imported before whose event is no longer in the feed: reported, never deleted.
    missing_count = models.PositiveIntegerField(_("no longer in the calendar"), default=0)
    #: Why nothing was imported, as the leader reads it; empty unless it failed.
    error = models.TextField(_("error"), blank=True)
    #: What was added, updated, cancelled, skipped and found missing, as plain values:
    #: {"added": [{"title", "starts_at" (ISO 8601), "all_day", "about_azure"}], "updated":
    #: [{"title", "starts_at", "all_day", "uncancelled"}], "cancelled": [...], "missing": [...],
    #: "skipped": [{"title", "uid" (or an occurrence's key), "reason", "starts_at" (or "")}],
    #: "outside_window": how many events were not read}; meetings by their start; long lists
    #: are cut (the counts are whole).
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("feed import")
        verbose_name_plural = _("feed imports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "-created_at"], name="feed_import_group_created_idx"),
        ]
        constraints = [
            # A double click, or a second leader, starts no second import while one is under way.
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status__in=["queued", "running"]),
                name="feed_import_one_unfinished_per_group",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "failed"]) | Q(started_at__isnull=False),
                name="feed_import_started_when_running_or_done",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running"]) | Q(finished_at__isnull=False),
                name="feed_import_finished_when_done_or_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_status_display()})"

    def is_stale(self, *, now: datetime) -> bool:
        """Queued or running for longer than its lease: lost, and counted as failed."""
        if self.status == self.Status.QUEUED:
            return self.created_at < now - FEED_IMPORT_QUEUE_LEASE
        if self.status == self.Status.RUNNING:
            started = self.started_at or self.created_at
            return started < now - FEED_IMPORT_RUN_LEASE
        return False
