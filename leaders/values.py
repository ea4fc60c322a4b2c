"""A person for the admin's e-mail previews: unsaved, no database access."""

from typing import Any

from .models import User


def sample_user(**fields: Any) -> User:
    """The leader a preview is addressed to."""
    return User(**{"email": "ada@example.org", "name": "Ada Lindqvist", **fields})
