"""Pages for the program team outside the admin's model pages, in the admin's look."""

import math

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .overview import cached_program_overview, figures_shape
from .overview_charts import overview_charts

#: Who may see the overview: the program team (groups/program_team.py) has it.
OVERVIEW_PERMISSION = "groups.view_group"


@require_http_methods(["GET", "HEAD", "POST"])
def _program_overview(request: HttpRequest) -> HttpResponse:
    """Figures and charts about the whole program, for the program team."""
    # Two-factor authentication: leaders.middleware.StaffMfaRequiredMiddleware (under /admin/).
    if not request.user.has_perm(OVERVIEW_PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        # "Compute again now" (a form with the CSRF token): fresh figures, then back to GET.
        cached_program_overview(now=timezone.now(), refresh=True)
        return redirect(request.path)
    overview = cached_program_overview(now=timezone.now())
    context = {
        **admin.site.each_context(request),
        "title": _("Program overview"),
        "overview": overview,
        # Drawn only when the figures' markup is not in the cache (templates/admin/overview.html).
        "charts": SimpleLazyObject(lambda: overview_charts(overview)),
        "max_gap_days": settings.TECHGROUPS_MAX_MEETING_GAP_DAYS,
        "min_meetings": settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR,
        "invitation_days": settings.TECHGROUPS_CALL_INVITATION_DAYS,
        "cache_seconds": max(0, settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS),
        "cache_minutes": max(0, math.ceil(settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS / 60)),
        "figures_shape": figures_shape(),
    }
    return TemplateResponse(request, "admin/overview.html", context)


#: Signed-in active staff only (others go to the admin's sign-in), never cached.
program_overview_view = admin.site.admin_view(_program_overview)
