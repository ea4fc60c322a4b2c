"""The group's meetings for its leaders: list, add and edit (the feed import: import_views)."""

from abc import abstractmethod
from datetime import datetime
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
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
        if meeting.charges_entry_fee and not meeting.is_cancelled:
            # The fact is saved as it was; the leader learns at once what it does to the checklist.
            messages.warning(self.request, _entry_fee_warning(meeting, now=timezone.now()))
        return redirect("meetings:list", slug=self.group.slug)


def _entry_fee_warning(meeting: Meeting, *, now: datetime) -> str:
    """What an entry fee does to requirement 3 (docs/program.md, Requirement 3: free
    attendance): the checklist fails while the meeting lies in the last 12 months."""
    values = {"title": meeting.title}
    if meeting.starts_at > now:
        message = _(
            "“%(title)s” has an entry fee, so requirement 3 (free attendance) will fail once the "
            "meeting starts, and for 12 months after. If attendees only share real costs such "
            "as the venue or food and drink, enter that as a cost-recovery charge and set the "
            "entry fee to 0."
        )
    else:
        message = _(
            "“%(title)s” has an entry fee, so requirement 3 (free attendance) now fails, until "
            "12 months after the meeting. If attendees only shared real costs such as the "
            "venue or food and drink, enter that as a cost-recovery charge and set the entry "
            "fee to 0."
        )
    return str(message % values)


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
