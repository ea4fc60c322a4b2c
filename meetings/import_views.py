"""The group's feed import page for its leaders: import now, and what the latest import did."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from leaders.access import LeaderGroupMixin

from .forms import FeedAutoImportForm
from .ical import SERIES_CAP
from .imports import feed_auto_import_set, feed_import_queue
from .models import FeedImport
from .selectors import latest_feed_import

#: The lists of an import's result, in the order the page shows them.
RESULT_LISTS = ("added", "updated", "cancelled", "missing", "skipped")


@dataclass(frozen=True)
class ImportedMeeting:
    title: str
    starts_at: datetime | None
    all_day: bool
    about_azure: bool
    #: Updated: the calendar took its cancellation back.
    uncancelled: bool


@dataclass(frozen=True)
class SkippedEntry:
    title: str
    uid: str
    reason: str
    starts_at: datetime | None


def _meetings(entries: list[dict[str, Any]]) -> list[ImportedMeeting]:
    """A stored list of meetings, with their times as datetimes again."""
    return [
        ImportedMeeting(
            title=entry.get("title", ""),
            starts_at=parse_datetime(entry.get("starts_at") or ""),
            all_day=bool(entry.get("all_day")),
            about_azure=bool(entry.get("about_azure")),
            uncancelled=bool(entry.get("uncancelled")),
        )
        for entry in entries
    ]


def _skipped(entries: list[dict[str, Any]]) -> list[SkippedEntry]:
    return [
        SkippedEntry(
            title=entry.get("title", ""),
            uid=entry.get("uid", ""),
            reason=entry.get("reason", ""),
            starts_at=parse_datetime(entry.get("starts_at") or ""),
        )
        for entry in entries
    ]


class MeetingImportView(LeaderGroupMixin, TemplateView):
    """The feed import: the button queues an import for the worker; the page shows the latest
    one, refreshing itself while it is queued or running."""

    template_name = "meetings/meeting_import.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        feed_import = latest_feed_import(group=self.group)
        context["feed_import"] = feed_import
        context["series_cap"] = SERIES_CAP
        context["auto_import_form"] = FeedAutoImportForm(
            initial={"enabled": self.group.ical_feed_auto_import}
        )
        if feed_import is not None:
            stale = feed_import.is_stale(now=timezone.now())
            context["import_under_way"] = feed_import.status in FeedImport.UNFINISHED and not stale
            context["import_lost"] = stale
            details = feed_import.details or {}
            for kind in RESULT_LISTS:
                entries = details.get(kind, [])
                shown = _skipped(entries) if kind == "skipped" else _meetings(entries)
                context[f"import_{kind}"] = shown
                # Long lists are stored cut short; the counts are whole.
                context[f"import_{kind}_more"] = getattr(feed_import, f"{kind}_count") - len(shown)
            context["import_outside_window"] = details.get("outside_window", 0)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            feed_import_queue(group=self.group, by=request.user, language=get_language())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("meetings:import", slug=self.group.slug)


class FeedAutoImportView(LeaderGroupMixin, View):
    """The leaders switch the daily import of the feed on or off (the form is on the import
    page; POST only)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FeedAutoImportForm(request.POST)
        # An optional tick box: any input is valid, an unticked one (or junk) means off.
        enabled = bool(form.is_valid() and form.cleaned_data["enabled"])
        feed_auto_import_set(group=self.group, by=request.user, enabled=enabled)
        messages.success(
            request,
            _("Your calendar feed will be imported every day.")
            if enabled
            else _("Your calendar feed is no longer imported every day."),
        )
        return redirect("meetings:import", slug=self.group.slug)
