"""The program's pages for leaders of admitted groups: quarterly calls, content and news."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from leaders.access import leads_admitted_group

from . import selectors
from .forms import ContentFilterForm
from .ics import call_ics, call_ics_filename

PAST_CALLS_PER_PAGE = 8
CONTENT_PER_PAGE = 12
NEWS_PER_PAGE = 10


def page_of(items: Any, *, per_page: int, number: str | None) -> dict[str, Any]:
    """A page of `items` and its page numbers for _pagination.html; a bad number gives a page."""
    paginator = Paginator(items, per_page)
    page: Page[Any] = paginator.get_page(number)
    numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return {"page": page, "page_numbers": numbers}


class AdmittedLeaderRequiredMixin(LoginRequiredMixin):
    """Calls, content and news are for leaders of admitted groups (docs/program.md, "Quarterly
    calls, content and news").

    Anonymous visitors go to the login page; anyone else who leads no admitted group gets a
    403 page that says when these pages open.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not leads_admitted_group(request.user):
            return TemplateResponse(request, "program/not_admitted.html", status=403)
        return super().dispatch(request, *args, **kwargs)


class ProgramPageView(AdmittedLeaderRequiredMixin, TemplateView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Known by now; saves the base layout's context processor its own query.
        context["leads_admitted_group"] = True
        return context


class CallListView(ProgramPageView):
    template_name = "program/call_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        group = selectors.viewer_group(self.request.user)
        context.update(
            now=now,
            viewer_group=group,
            viewer_timezone=selectors.viewer_timezone(group),
            upcoming_calls=list(selectors.upcoming_calls(now=now)),
        )
        context.update(
            page_of(
                selectors.past_calls(now=now),
                per_page=PAST_CALLS_PER_PAGE,
                number=self.request.GET.get("page"),
            )
        )
        return context


class CallCalendarView(AdmittedLeaderRequiredMixin, View):
    """One call as an .ics file to add to (or, once cancelled, remove from) a calendar."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        call = selectors.call_for_calendar(pk=pk)
        if call is None:
            raise Http404(_("There is no such call."))
        response = HttpResponse(
            call_ics(call, now=timezone.now()), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=call_ics_filename(call)
        )
        return response


class ContentListView(ProgramPageView):
    template_name = "program/content_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = ContentFilterForm(self.request.GET or None, languages=selectors.content_languages())
        filters = form.filters()
        items = selectors.content_library(**filters, now=timezone.now())
        context.update(form=form, is_filtered=any(filters.values()))
        context.update(
            page_of(items, per_page=CONTENT_PER_PAGE, number=self.request.GET.get("page"))
        )
        return context


class NewsListView(ProgramPageView):
    template_name = "program/news_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            page_of(
                selectors.published_news(),
                per_page=NEWS_PER_PAGE,
                number=self.request.GET.get("page"),
            )
        )
        return context
