"""Pages for the program team outside the admin's model pages, in the admin's look."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .overview import program_overview
from .overview_charts import overview_charts

#: Who may see the overview: the program team (groups/program_team.py) has it.
OVERVIEW_PERMISSION = "groups.view_group"


def _program_overview(request: HttpRequest) -> HttpResponse:
    """Figures and charts about the whole program, for the program team."""
    # Two-factor authentication: leaders.middleware.StaffMfaRequiredMiddleware (under /admin/).
    if not request.user.has_perm(OVERVIEW_PERMISSION):
        raise PermissionDenied
    overview = program_overview(now=timezone.now())
    context = {
        **admin.site.each_context(request),
        "title": _("Program overview"),
        "overview": overview,
        "charts": overview_charts(overview),
        "max_gap_days": settings.TECHGROUPS_MAX_MEETING_GAP_DAYS,
        "min_meetings": settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR,
        "invitation_days": settings.TECHGROUPS_CALL_INVITATION_DAYS,
    }
    return TemplateResponse(request, "admin/overview.html", context)


#: Signed-in active staff only (others go to the admin's sign-in), never cached.
program_overview_view = admin.site.admin_view(_program_overview)
