"""E-mail the portal owes people (the outbox) and the wording the program team edits."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    """One e-mail the portal owes someone, written in the transaction of the change behind it.

    Rendered when queued, so it is sent as it was meant even if the templates change later;
    claimed before sending and marked after (notifications/outbox.py), so it goes out once.
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
        "groups.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_emails",
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


class EmailTemplate(models.Model):
    """The wording of one of the portal's e-mails in one language, as the program team edits it.

    The shipped defaults (templates/email/<language>/<name>.txt) are copied in by a migration;
    see notifications/mail.py for how they are rendered.
    """

    name = models.CharField(_("e-mail"), max_length=60, editable=False)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, editable=False
    )
    subject = models.CharField(_("subject"), max_length=1000)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="one_template_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
