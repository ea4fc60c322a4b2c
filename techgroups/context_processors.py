"""What the base layout needs on every page, computed only if the page uses it."""

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from leaders.rules import PortalStanding, portal_standing


def portal(request: HttpRequest) -> dict[str, Any]:
    # Pages quote the program's minimum from the setting, never a written-out "six".
    program = {"min_azure_meetings": int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {**program, "leads_admitted_group": False, "rules_banner": None}

    # One query for the program menu and the rules banner together (docs/program.md,
    # Requirement 5), and only on pages that show them (not in the admin).
    @functools.cache
    def standing() -> PortalStanding:
        return portal_standing(user, now=timezone.now())

    return {
        **program,
        "leads_admitted_group": SimpleLazyObject(lambda: standing().leads_admitted_group),
        "rules_banner": SimpleLazyObject(lambda: standing().rules_banner or False),
    }
