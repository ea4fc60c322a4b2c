"""Conversations with the program team (docs/program.md, "Contacting the program team").

A thread is opened by a leader, about one of their groups or about no group, with a kind;
its messages are kept for good, whoever wrote them (nothing here is ever deleted).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The longest subject and message the portal takes (characters).
SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000


class ThreadQuerySet(models.QuerySet["Thread"]):
    def with_message_counts(self) -> "ThreadQuerySet":
        return self.annotate(message_count=models.Count("messages"))


class Thread(models.Model):
    """One conversation between a leader and the program team."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        LEADERSHIP_CHANGE = "leadership_change", _("Leadership change")
        CONDUCT_INCIDENT = "conduct_incident", _("Code-of-conduct incident")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the program team")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    group = models.ForeignKey(
        "groups.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_threads",
        verbose_name=_("group"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contact_threads",
        verbose_name=_("written by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["author", "-last_message_at"], name="thread_author_idx"),
            models.Index(fields=["group", "-last_message_at"], name="thread_group_idx"),
            models.Index(fields=["status", "-last_message_at"], name="thread_status_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_confidential(self) -> bool:
        """A code-of-conduct incident: only its author and the program team see it."""
        return self.kind == self.Kind.CONDUCT_INCIDENT


class Message(models.Model):
    """One message of a thread: from a leader, or an answer of the program team."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    from_program_team = models.BooleanField(_("from the program team"), default=False)
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["thread", "created_at"], name="message_thread_idx")]

    def __str__(self) -> str:
        return f"{self.thread} ({self.created_at:%Y-%m-%d %H:%M})"
