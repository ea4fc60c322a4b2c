"""Groups, the program team's reviews of them, leave requests and the audit trail."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .fields import WebURLField

LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("da", _("Danish")),
    ("nb", _("Norwegian")),
    ("fi", _("Finnish")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("it", _("Italian")),
]
LANGUAGE_CODES = {code for code, _label in LANGUAGE_CHOICES}


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = sorted(
        str(code) for code in value if not isinstance(code, str) or code not in LANGUAGE_CODES
    )
    if unknown:
        raise ValidationError(
            _("Unknown language: %(codes)s."), params={"codes": ", ".join(unknown)}
        )


class GroupQuerySet(models.QuerySet["Group"]):
    def admitted(self) -> "GroupQuerySet":
        return self.filter(status=Group.Status.ADMITTED)

    def in_program(self) -> "GroupQuerySet":
        """Groups that hold the program's benefits: admitted ones."""
        return self.admitted()


class Group(models.Model):
    """A local user group, from its first draft application to leaving the program."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ADMITTED = "admitted", _("Admitted")
        DECLINED = "declined", _("Declined")
        INACTIVE = "inactive", _("Inactive")
        LEFT = "left", _("Left the program")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Stockholm", validators=[validate_timezone]
    )
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    description = models.TextField(_("description"), max_length=2000, blank=True)

    home_page_url = WebURLField(_("home page"))
    code_of_conduct_url = WebURLField(_("code of conduct"), blank=True)
    event_page_url = WebURLField(_("event page"), blank=True)
    ical_feed_url = WebURLField(_("iCal feed"), blank=True)
    planned_meetings_per_year = models.PositiveSmallIntegerField(
        _("planned meetings per year"), null=True, blank=True
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=dj_timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    admitted_at = models.DateTimeField(_("admitted"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    #: Bumped by every service that changes the group, so two editors cannot both win.
    version = models.PositiveIntegerField(default=1, editable=False)

    # The daily check of the code-of-conduct link (groups/coc.py), for the current URL only:
    # a changed URL starts again from nothing. The history is in CodeOfConductCheck.
    coc_link_checked_at = models.DateTimeField(
        _("code of conduct link last checked"), null=True, blank=True, editable=False
    )
    coc_link_failures = models.PositiveSmallIntegerField(
        _("code of conduct link failures in a row"), default=0, editable=False
    )
    coc_link_failing_since = models.DateTimeField(
        _("code of conduct link broken since"), null=True, blank=True, editable=False
    )
    coc_link_status_code = models.PositiveSmallIntegerField(
        _("code of conduct link status"), null=True, blank=True, editable=False
    )
    coc_link_error = models.TextField(_("code of conduct link error"), blank=True, editable=False)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "next_review_due"], name="group_status_review_idx"),
            # The directory's filter choices: read from the index alone (admitted groups).
            models.Index(fields=["status", "country", "city"], name="group_status_place_idx"),
            models.Index(fields=["status", "coc_link_checked_at"], name="group_coc_check_idx"),
            # The admin's list and the public directory (admitted groups) are sorted by name.
            models.Index(fields=["name"], name="group_name_idx"),
            models.Index(fields=["status", "name"], name="group_status_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="admitted") | Q(admitted_at__isnull=False),
                name="admitted_group_has_admission_date",
            ),
        ]
        permissions = [
            ("review_group", "Can decide on applications and reviews"),
            ("export_group", "Can export program data"),
        ]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """A decision of the program team on a group, with the checklist as it stood."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")
        PERIODIC = "periodic", _("Periodic review")

    class Decision(models.TextChoices):
        ADMIT = "admit", _("Admit")
        REQUEST_CHANGES = "request_changes", _("Request changes")
        DECLINE = "decline", _("Decline")
        KEEP = "keep", _("Keep admitted")
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

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["group", "-decided_at"], name="review_group_idx")]

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


class CodeOfConductCheck(models.Model):
    """One check of a group's code-of-conduct link (groups/coc.py). Kept, never deleted."""

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


class AuditEntry(models.Model):
    """One recorded change: who, when, what, before and after. Never edited or deleted."""

    class Action(models.TextChoices):
        STATUS_CHANGE = "status_change", _("Status change")
        REVIEW_DECISION = "review_decision", _("Review decision")
        LEADERSHIP_CHANGE = "leadership_change", _("Leadership change")
        GROUP_EDIT = "group_edit", _("Group edited")
        REQUEST = "request", _("Request")

    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="audit_entries", null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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


class OutboxEmail(models.Model):
    """One e-mail the portal owes someone, written in the transaction of the change behind it.

    Rendered when queued, so it is sent as it was meant even if the templates change later;
    claimed before sending and marked after (groups/outbox.py), so it goes out once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.IntegerChoices):
        """Which e-mails a backlog sends first: someone waits for these right now."""

        URGENT = 0, _("urgent (account, invitation)")
        NORMAL = 5, _("normal")
        BULK = 9, _("bulk (reminders, news)")

    #: kind + recipient + subject object (+ period): the same e-mail is never queued twice.
    key = models.CharField(_("key"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=50)
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=500)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"))
    reply_to = models.EmailField(_("reply to"), blank=True)
    #: An iCalendar attachment (text/calendar; its METHOD, e.g. REQUEST or CANCEL, is kept).
    ics = models.TextField(_("calendar attachment"), blank=True)
    #: For optional e-mails: the one-click unsubscribe link, also sent as List-Unsubscribe.
    unsubscribe_url = models.CharField(_("unsubscribe link"), max_length=500, blank=True)
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_emails"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    #: A sign-in secret is in the text (an account e-mail's link): the program team never sees
    #: the text, and it is removed once the e-mail is sent.
    carries_secret = models.BooleanField(_("carries a secret"), default=False, editable=False)
    #: Tries handed to the SMTP server (a claim that never got that far does not count).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    #: When this try was handed to the SMTP server; until the row is marked, it may be sent.
    handed_at = models.DateTimeField(_("handed to the mail server"), null=True, blank=True)
    #: After a temporary error: not to be tried again before this time.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=dj_timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox e-mail")
        verbose_name_plural = _("outbox e-mails")
        indexes = [
            # The sweep's question: what is still to be sent, most urgent and oldest first.
            models.Index(
                fields=["priority", "created_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_unsent_priority_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="sent_outbox_email_has_sent_at",
            ),
        ]

    #: Not a field: True on the row `outbox_enqueue` returns when that call wrote it (False
    #: when the key was queued before), so a job reports what it queued itself.
    queued_now: bool = False

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email}"
