"""The portal's URLs plus a bare page, mounted only while benchmarks.pages runs.

The bare page renders base.html and makes no query of its own: the floor every page is
compared with (the same middleware, session, user and signed-in menu, nothing else).
"""

from django.urls import include, path
from django.views.generic import TemplateView

BARE_URL_NAME = "benchmark_bare"

urlpatterns = [
    path(
        "__benchmark__/bare/",
        TemplateView.as_view(template_name="base.html"),
        name=BARE_URL_NAME,
    ),
    path("", include("techgroups.urls")),
]
