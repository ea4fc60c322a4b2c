"""What the base layout needs on every page, computed only if the page uses it."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from leaders.access import leads_admitted_group


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"leads_admitted_group": False}
    # One query, and only on pages that show the program menu (not in the admin).
    return {"leads_admitted_group": SimpleLazyObject(lambda: leads_admitted_group(user))}
