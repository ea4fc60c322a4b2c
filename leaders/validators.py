"""The Tech Community user ID: a number, given either bare or as the profile URL."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PROFILE_HOST = "techcommunity.microsoft.com"
_PROFILE_PATH = re.compile(r"^/t5/user/viewprofilepage/user-id/(?P<id>[0-9]{1,19})/?$")
_BARE_ID = re.compile(r"^[0-9]{1,19}$")
_MAX_ID = 2**63 - 1

INVALID_MESSAGE = _(
    "Enter your Tech Community user ID: the number at the end of your profile address, "
    "e.g. 123456, or the whole address "
    "https://techcommunity.microsoft.com/t5/user/viewprofilepage/user-id/123456."
)


def parse_tech_community_id(value: str | int) -> int:
    """Return the numeric ID from a number or a profile URL; raise ValidationError otherwise."""
    text = str(value).strip()
    if _BARE_ID.match(text):
        digits = text
    else:
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:  # e.g. a broken IPv6 host or a port that is not a number
            raise ValidationError(INVALID_MESSAGE, code="invalid") from None
        match = _PROFILE_PATH.match(parts.path)
        host_ok = parts.scheme in {"http", "https"} and parts.hostname == PROFILE_HOST
        if not (host_ok and match and port is None):
            raise ValidationError(INVALID_MESSAGE, code="invalid")
        digits = match["id"]
    number = int(digits)
    if not 0 < number <= _MAX_ID:
        raise ValidationError(INVALID_MESSAGE, code="invalid")
    return number
