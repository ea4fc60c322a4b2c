"""Pages for the program team outside the admin's model pages, in the admin's look."""

import math

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exports import EXPORT_PERMISSION, csv_response
from leaders.models import Leadership

from .charts import overview_charts
from .hub import (
    HUB_ACCESS_HEADER,
    HUB_REVOKE_HEADER,
    HubRevokeForm,
    hub_access_rows,
    hub_revoke_rows,
)
from .overview import cached_program_overview, figures_shape

#: Who may see the overview: the program team (core/program_team.py) has it.
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
        # Drawn only when the figures' markup is not in the cache (admin/reporting/overview.html).
        "charts": SimpleLazyObject(lambda: overview_charts(overview)),
        "max_gap_days": settings.TECHGROUPS_MAX_MEETING_GAP_DAYS,
        "min_meetings": settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR,
        "invitation_days": settings.TECHGROUPS_CALL_INVITATION_DAYS,
        "cache_seconds": max(0, settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS),
        "cache_minutes": max(0, math.ceil(settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS / 60)),
        "figures_shape": figures_shape(),
    }
    return TemplateResponse(request, "admin/reporting/overview.html", context)


#: Signed-in active staff only (others go to the admin's sign-in), never cached.
program_overview_view = admin.site.admin_view(_program_overview)


# The Leaders Hub lists ----------------------------------------------------------------------


#: The Hub lists are an export of the leaderships: both permissions are needed.
HUB_PERMISSIONS = (EXPORT_PERMISSION, "leaders.view_leadership")


def _hub_access(request: HttpRequest) -> HttpResponseBase:
    """Every active leader and co-leader of an admitted group, to grant hub access (CSV)."""
    if not request.user.has_perms(HUB_PERMISSIONS):
        raise PermissionDenied
    return csv_response(
        filename="leaders-hub-access", header=HUB_ACCESS_HEADER, rows=hub_access_rows()
    )


def _hub_revoke(request: HttpRequest) -> HttpResponseBase:
    """The people to remove from the hub since a date the program team picks."""
    if not request.user.has_perms(HUB_PERMISSIONS):
        raise PermissionDenied
    today = timezone.localdate()
    form = HubRevokeForm(request.GET if "since" in request.GET else None, today=today)
    if form.is_valid():
        return csv_response(
            filename="leaders-hub-revoke",
            header=HUB_REVOKE_HEADER,
            rows=hub_revoke_rows(since=form.cleaned_data["since"]),
            today=today,
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Leaders Hub: people to remove"),
        "opts": Leadership._meta,
        "form": form,
    }
    return TemplateResponse(request, "admin/reporting/hub_revoke.html", context)


hub_access_view = admin.site.admin_view(_hub_access)
hub_revoke_view = admin.site.admin_view(_hub_revoke)
