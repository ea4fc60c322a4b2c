"""What the base layout needs on every page, computed only if the page uses it."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from leaders.access import leads_admitted_group


def portal(request: HttpRequest) -> dict[str, Any]:
    # Pages quote the program's minimum from the setting, never a written-out "six".
    program = {"min_azure_meetings": int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {**program, "leads_admitted_group": False}
    # One query, and only on pages that show the program menu (not in the admin).
    lazy = SimpleLazyObject(lambda: leads_admitted_group(user))
    return {**program, "leads_admitted_group": lazy}
