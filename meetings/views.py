"""The group's meetings for its leaders: list, add and edit (the feed import: import_views)."""

from abc import abstractmethod
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView

from leaders.access import LeaderGroupMixin

from .forms import MeetingForm
from .models import Meeting
from .selectors import (
    group_time_zone,
    meeting_of_group_or_404,
    meetings_of_group,
)
from .services import meeting_create, meeting_update

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
