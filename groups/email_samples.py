"""Unsaved objects the admin's e-mail previews are rendered with (groups/mail.py EmailKind).

No database access: the preview must not write or read anything.
"""

from typing import Any

from leaders.models import User

from .models import Group


def sample_group(**fields: Any) -> Group:
    """An admitted Swedish group; `fields` change what a preview needs to show."""
    defaults: dict[str, Any] = {
        "name": "Azure User Group Uppsala",
        "slug": "azure-user-group-uppsala",
        "city": "Uppsala",
        "country": "SE",
        "timezone": "Europe/Stockholm",
        "home_page_url": "https://azure-uppsala.example.org/",
        "status": Group.Status.ADMITTED,
    }
    return Group(**{**defaults, **fields})


def sample_user(**fields: Any) -> User:
    """The leader a preview is addressed to."""
    return User(**{"email": "ada@example.org", "name": "Ada Lindqvist", **fields})
