from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import TemplateView

from core.views import healthz
from notifications.views import UnsubscribeView
from reporting.views import hub_access_view, hub_revoke_view, program_overview_view

admin.site.site_header = "Tech Groups program team"
admin.site.site_title = "Tech Groups admin"
admin.site.index_title = "Program administration"
admin.site.enable_nav_sidebar = False  # the group list needs the width
# The admin signs in through allauth: its rate limits and two-factor authentication apply.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on pages (like the admin's) that name no icon."""
    return HttpResponseRedirect(static_url("img/favicon.svg"))


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """templates/400.html; with a CSRF token for the layout's language form, which it needs
    when OddInputMiddleware answers before CsrfViewMiddleware has run."""
    return defaults.bad_request(request, exception)


handler400 = bad_request

urlpatterns = [
    path("favicon.ico", favicon),
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    # Token-authenticated and CSRF-exempt (RFC 8058 one-click), so outside the portal's pages.
    path("unsubscribe/<str:token>/", UnsubscribeView.as_view(), name="unsubscribe"),
    path("", include("leaders.urls")),
    path("", include("privacy.urls")),
    path("groups/", include("membership.urls")),
    path("groups/<slug:slug>/meetings/", include("meetings.urls")),
    path("program/", include("program.urls")),
    path("contact/", include("contact.urls")),
    path("directory/", include("directory.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin: its catch-all would take admin/overview/ for an app's index.
    path("admin/overview/", program_overview_view, name="program_overview"),
    path("admin/hub-access/", hub_access_view, name="hub_access"),
    path("admin/hub-revoke/", hub_revoke_view, name="hub_revoke"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
