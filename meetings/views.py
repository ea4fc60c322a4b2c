"""The group's meetings for its leaders: list, add, edit and import from the iCal feed."""

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView

from leaders.access import LeaderGroupMixin

from .forms import MeetingForm
from .models import FeedImport, Meeting
from .selectors import (
    group_time_zone,
    latest_feed_import,
    meeting_of_group_or_404,
    meetings_of_group,
)
from .services import feed_import_queue, meeting_create, meeting_update

MEETINGS_PER_PAGE = 25


class MeetingListView(LeaderGroupMixin, ListView[Meeting]):
    template_name = "meetings/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = MEETINGS_PER_PAGE

    def get_queryset(self) -> Any:
        return meetings_of_group(group=self.group)


class _MeetingFormView(LeaderGroupMixin, FormView[MeetingForm]):
    form_class = MeetingForm
    template_name = "meetings/meeting_form.html"
    success_message: Any = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["time_zone"] = group_time_zone(self.group)
        return kwargs

    @abstractmethod
    def save(self, data: dict[str, Any]) -> Meeting:
        """Create or change the meeting through its service (each subclass says which)."""

    def form_valid(self, form: MeetingForm) -> HttpResponse:
        try:
            meeting = self.save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # the rules' messages go beside their fields
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"title": meeting.title})
        return redirect("meetings:list", slug=self.group.slug)


class MeetingAddView(_MeetingFormView):
    success_message = _("“%(title)s” was added.")

    def save(self, data: dict[str, Any]) -> Meeting:
        return meeting_create(group=self.group, by=self.request.user, data=data)


class MeetingEditView(_MeetingFormView):
    success_message = _("“%(title)s” was saved.")

    @cached_property
    def meeting(self) -> Meeting:
        return meeting_of_group_or_404(group=self.group, pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        # Every GET and POST builds the form first, so another group's meeting is a 404 here.
        return MeetingForm.initial_for(self.meeting)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        return context

    def save(self, data: dict[str, Any]) -> Meeting:
        return meeting_update(meeting=self.meeting, by=self.request.user, data=data)


@dataclass(frozen=True)
class ImportedMeeting:
    title: str
    starts_at: datetime | None
    about_azure: bool


def _meetings(entries: list[dict[str, Any]]) -> list[ImportedMeeting]:
    """A stored list of added or updated meetings, with their times as datetimes again."""
    return [
        ImportedMeeting(
            title=entry.get("title", ""),
            starts_at=parse_datetime(entry.get("starts_at", "")),
            about_azure=bool(entry.get("about_azure")),
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
        if feed_import is not None:
            stale = feed_import.is_stale(now=timezone.now())
            context["import_under_way"] = feed_import.status in FeedImport.UNFINISHED and not stale
            context["import_lost"] = stale
            details = feed_import.details or {}
            context["import_added"] = _meetings(details.get("added", []))
            context["import_updated"] = _meetings(details.get("updated", []))
            context["import_skipped"] = details.get("skipped", [])
            # Long lists are stored cut short; the counts are whole.
            for kind in ("added", "updated", "skipped"):
                shown = len(context[f"import_{kind}"])
                context[f"import_{kind}_more"] = getattr(feed_import, f"{kind}_count") - shown
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            feed_import_queue(group=self.group, by=request.user, language=get_language())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("meetings:import", slug=self.group.slug)
