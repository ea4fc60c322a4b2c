"""Choices the notifications app defines for fields of other apps' models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OptionalEmail(models.TextChoices):
    """How a person gets the optional e-mails (notifications/preferences.py says which)."""

    EACH = "each", _("Each one as it comes")
    DIGEST = "digest", _("A weekly digest: one e-mail a week")
    OFF = "off", _("Off: none of them")
