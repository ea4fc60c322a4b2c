"""What the program offers admitted groups: quarterly calls, curated content and news."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import WebURLField


class QuarterlyCall(models.Model):
    """The program team's online call with the leaders of admitted groups, each quarter."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    agenda = models.TextField(_("agenda"), blank=True)
    join_url = WebURLField(_("join link"), blank=True)
    recording_url = WebURLField(_("recording"), blank=True)
    slides_url = WebURLField(_("slides"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    #: Raised on every change that calendar clients must see (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="call_ends_after_it_starts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"


class ContentItemQuerySet(models.QuerySet["ContentItem"]):
    def published(self) -> "ContentItemQuerySet":
        return self.filter(is_published=True)


class ContentItem(models.Model):
    """Curated material for group meetings; some of it early-access."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slide deck")
        LAB = "lab", _("Lab")
        VIDEO = "video", _("Video")
        EBOOK = "ebook", _("E-book")
        CODE_SAMPLE = "code_sample", _("Code sample")
        ARCHITECTURE = "architecture", _("Architecture guide")
        CHALLENGE = "challenge", _("Knowledge challenge")
        EVENT_IN_A_BOX = "event_in_a_box", _("Event-in-a-box")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    url = WebURLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to="content/%Y/", blank=True)
    early_access_until = models.DateTimeField(
        _("early access until"),
        null=True,
        blank=True,
        help_text=_("Until then the item is marked as early access for program leaders."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContentItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="content_has_link_or_file"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NewsItemQuerySet(models.QuerySet["NewsItem"]):
    def published(self) -> "NewsItemQuerySet":
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())


class NewsItem(models.Model):
    """Program news for leaders and co-leaders."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_(
            "Leaders see the item from this time on and get it by e-mail then, unless the "
            "time is more than a week past. Leave it empty for a draft."
        ),
    )
    #: When the item was e-mailed to the leaders (program/news.py); empty until then.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name_plural = _("news items")

    def __str__(self) -> str:
        return self.title
