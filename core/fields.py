"""Model fields shared by the apps."""

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.db import models
from django.db.models.expressions import Combinable

#: Links the portal shows or fetches must be plain web links: no ftp:, javascript: or data:.
web_url_validator = URLValidator(schemes=["http", "https"])


class WebURLField(models.URLField[str | Combinable, str]):
    """A URL field that accepts only http and https links."""

    default_validators = [web_url_validator]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 500)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
