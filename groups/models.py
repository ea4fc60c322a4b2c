"""The group record: a local user group's details and its status in the program."""

import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.fields import WebURLField

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


@functools.cache
def known_timezones() -> frozenset[str]:
    """The IANA time zone names (read once per process: reading them takes ~14 ms)."""
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
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

    def with_benefits(self) -> "GroupQuerySet":
        """Groups whose leaders get the program's benefits (Group.BENEFITS_APPLY)."""
        return self.filter(Group.benefits_q())

    def under_review(self) -> "GroupQuerySet":
        """Applications the program team has before it or has sent back (Group.UNDER_REVIEW)."""
        return self.filter(status__in=Group.UNDER_REVIEW)


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
    #: The leaders' choice: the worker imports the feed every day (meetings.tasks).
    ical_feed_auto_import = models.BooleanField(_("import the feed every day"), default=False)
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

    # The daily check of the code-of-conduct link (membership/coc.py), for the current URL only:
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
    #: Whether the group's home page links to the code of conduct, as the daily check saw it;
    #: None when it could not tell (not checked, the page did not answer or is not HTML).
    coc_linked_from_home = models.BooleanField(
        _("home page links to the code of conduct"), null=True, blank=True, editable=False
    )

    #: The status sets the program's rules speak of, defined here once (docs/program.md,
    #: "Group statuses"). An application the leaders may still edit and (re)submit:
    EDITABLE_APPLICATION = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})
    #: An application submitted to the program team, or sent back to the leaders:
    UNDER_REVIEW = frozenset({Status.SUBMITTED, Status.CHANGES_REQUESTED})
    #: The program's benefits apply (quarterly calls, content, news, the Leaders Hub):
    BENEFITS_APPLY = frozenset({Status.ADMITTED})
    #: Out of the program, but its leaders may ask for a new review (a way back):
    MAY_ASK_TO_RETURN = frozenset({Status.INACTIVE, Status.DECLINED, Status.LEFT})

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

    @property
    def application_editable(self) -> bool:
        return self.status in self.EDITABLE_APPLICATION

    @property
    def benefits_apply(self) -> bool:
        return self.status in self.BENEFITS_APPLY

    @property
    def may_ask_to_return(self) -> bool:
        return self.status in self.MAY_ASK_TO_RETURN

    @classmethod
    def benefits_q(cls, prefix: str = "") -> Q:
        """The benefits condition as a filter, on a relation to groups when `prefix` names one
        (e.g. "group__" on leaderships)."""
        return Q(**{f"{prefix}status__in": sorted(cls.BENEFITS_APPLY)})
