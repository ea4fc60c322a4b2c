"""Model fields shared by the apps."""

from django.core.validators import URLValidator
from django.db import models

#: Links the portal shows or fetches must be plain web links: no ftp:, javascript: or data:.
web_url_validator = URLValidator(schemes=["http", "https"])


class WebURLField(models.URLField):
    """A URL field that accepts only http and https links."""

    default_validators = [web_url_validator]

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max_length", 500)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
