"""People: accounts with their program profile, the roles they hold, invitations and requests."""

import re
import secrets
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.choices import OptionalEmail


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """An account, which is also the person's program profile (one per person)."""

    OptionalEmail = OptionalEmail  # notifications/preferences.py applies the choice

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    tech_community_id = models.PositiveBigIntegerField(
        _("Tech Community user ID"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("The number at the end of your Tech Community profile address."),
    )
    optional_email = models.CharField(
        _("optional e-mails"),
        max_length=10,
        choices=OptionalEmail.choices,
        default=OptionalEmail.EACH,
        help_text=_(
            "Program news and non-urgent reminders. E-mails about the group's requirements "
            "and reviews always arrive."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Our manager creates users by e-mail; the stubs type AbstractUser.objects as Django's
    # username-based UserManager, which this model has dropped.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class LeadershipQuerySet(models.QuerySet["Leadership"]):
    def active(self) -> "LeadershipQuerySet":
        return self.filter(ended_at__isnull=True)


class Leadership(models.Model):
    """A person's role in a group for a stretch of time; ended rows are kept as history."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Leader (primary contact)")
        CO_LEADER = "co_leader", _("Co-leader (secondary contact)")

    class EndReason(models.TextChoices):
        STEPPED_DOWN = "stepped_down", _("Stepped down")
        HANDED_OVER = "handed_over", _("Handed over")
        REMOVED = "removed", _("Removed by the program team")
        GROUP_LEFT = "group_left", _("The group left the program")
        ACCOUNT_DELETED = "account_deleted", _("Account deleted")

    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, related_name="leaderships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leaderships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )

    objects = LeadershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "role", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "role"],
                condition=Q(ended_at__isnull=True),
                name="one_active_holder_per_role",
                violation_error_message=_("This group already has someone in that role."),
            ),
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_active_role_per_person_and_group",
                violation_error_message=_(
                    "The leader and the co-leader must be two different people."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="leadership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.group}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class CoLeaderInvitation(models.Model):
    """An e-mailed invitation to become a group's co-leader."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    #: The active co-leader the invitee replaces: their role ends when the invitee accepts.
    replaces = models.ForeignKey(
        Leadership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("co-leader invitation")
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_group",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.group}"

    def is_expired(self, *, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PROCESSED = "processed", _("Processed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LeadershipChangeRequest(models.Model):
    """A leader's request that the program team record a change of the group's contacts."""

    class Kind(models.TextChoices):
        HAND_OVER = "hand_over", _("Hand leadership over to the co-leader")
        STEP_DOWN = "step_down", _("Step down")
        CO_LEADER_LEFT = "co_leader_left", _("The co-leader has left")
        LEADER_LEFT = "leader_left", _("The leader has left")
        OTHER = "other", _("Other change")

    group = models.ForeignKey(
        "groups.Group", on_delete=models.PROTECT, related_name="leadership_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    #: The role a contact reported as left (docs/program.md, "Leadership changes").
    reported_leadership = models.ForeignKey(
        Leadership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported as left"),
    )
    #: The successor invited with the report, if any.
    invitation = models.ForeignKey(
        CoLeaderInvitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("successor invitation"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default="open")
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    staff_note = models.TextField(_("note from the program team"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.group}"


# The program's rules of conduct, and each person's acceptance of a version (requirement 5).


class ProgramRulesQuerySet(models.QuerySet["ProgramRules"]):
    def published(self, *, at: datetime | None = None) -> "ProgramRulesQuerySet":
        """Versions in force by `at` (the clock if not given): a version published for a later
        time is not current until then (docs/program.md, "Program rules versions")."""
        return self.filter(published_at__lte=at or timezone.now())

    def current(self, *, at: datetime | None = None) -> "ProgramRules | None":
        """The rules in force: the published version with the highest number."""
        return self.published(at=at).order_by("-version").first()


class ProgramRules(models.Model):
    """One version of the program's own rules of conduct, in English and Swedish. Published
    versions are frozen.

    The texts are plain text, paragraphs separated by blank lines (`paragraphs`); they are
    shown escaped, never as HTML.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title (English)"), max_length=200)
    body = models.TextField(_("text (English)"))
    title_sv = models.CharField(_("title (Swedish)"), max_length=200, blank=True)
    body_sv = models.TextField(_("text (Swedish)"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgramRulesQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("program rules version")
        verbose_name_plural = _("program rules")

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def title_in(self, language: str) -> str:
        """The title in `language`, falling back to English."""
        return self.title_sv if language.startswith("sv") and self.title_sv else self.title

    def body_in(self, language: str) -> str:
        """The text in `language`, falling back to English."""
        return self.body_sv if language.startswith("sv") and self.body_sv.strip() else self.body

    def paragraphs_in(self, language: str) -> list[str]:
        """The text's paragraphs (blank lines between them), for a template to escape."""
        return paragraphs(self.body_in(language))


def paragraphs(text: str) -> list[str]:
    """Plain text cut at blank lines; each paragraph's lines joined with single newlines."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [block.strip() for block in blocks if block.strip()]


class RulesAcceptance(models.Model):
    """A person's acceptance of one version of the program rules."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rules_acceptances"
    )
    rules = models.ForeignKey(ProgramRules, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "rules"], name="one_acceptance_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted v{self.rules.version}"
