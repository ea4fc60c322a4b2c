"""The group's meetings for its leaders: list, add, edit, cancel (and undo it) and delete (the
feed import: import_views)."""

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView, View

from core.forms import add_service_errors
from leaders.access import LeaderGroupMixin

from .forms import MeetingCancelForm, MeetingForm
from .models import Meeting
from .selectors import (
    group_time_zone,
    latest_finished_feed_import,
    meeting_of_group_or_404,
    meetings_of_group,
)
from .services import (
    meeting_cancel,
    meeting_create,
    meeting_delete,
    meeting_uncancel,
    meeting_update,
)

MEETINGS_PER_PAGE = 25


@dataclass(frozen=True)
class MeetingRow:
    """One line of the list: the meeting and its state now (scheduled, held or cancelled)."""

    meeting: Meeting
    state: Meeting.State

    @property
    def counts(self) -> bool:
        """Counts towards requirement 4, as `MeetingQuerySet.counted` has it."""
        return self.meeting.is_azure_related and self.state != Meeting.State.CANCELLED


class MeetingListView(LeaderGroupMixin, ListView[Meeting]):
    template_name = "meetings/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = MEETINGS_PER_PAGE

    def get_queryset(self) -> Any:
        return meetings_of_group(group=self.group)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["rows"] = [
            MeetingRow(meeting=meeting, state=meeting.state(now=now))
            for meeting in context["meetings"]
        ]
        context["last_import"] = latest_finished_feed_import(group=self.group)
        return context


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


class _OneMeetingMixin(LeaderGroupMixin):
    """A page about one of the group's meetings: another group's meeting, a deleted one or a
    number that is no meeting is answered with 404."""

    kwargs: dict[str, Any]

    @cached_property
    def meeting(self) -> Meeting:
        return meeting_of_group_or_404(group=self.group, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        return context


class MeetingEditView(_OneMeetingMixin, _MeetingFormView):
    success_message = _("“%(title)s” was saved.")

    def get_initial(self) -> dict[str, Any]:
        # Every GET and POST builds the form first, so another group's meeting is a 404 here.
        return MeetingForm.initial_for(self.meeting)

    def save(self, data: dict[str, Any]) -> Meeting:
        try:
            return meeting_update(meeting=self.meeting, by=self.request.user, data=data)
        except Meeting.DoesNotExist as error:  # deleted by the other leader meanwhile
            raise Http404 from error


class MeetingCancelView(_OneMeetingMixin, FormView[MeetingCancelForm]):
    """Confirm the cancellation, with an optional reason; the POST cancels."""

    form_class = MeetingCancelForm
    template_name = "meetings/meeting_cancel.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.meeting.is_cancelled:
            return self._already_cancelled()
        return super().get(request, *args, **kwargs)

    def _already_cancelled(self) -> HttpResponse:
        messages.info(
            self.request,
            _("“%(title)s” was already cancelled: nothing changed.")
            % {"title": self.meeting.title},
        )
        return redirect("meetings:list", slug=self.group.slug)

    def form_valid(self, form: MeetingCancelForm) -> HttpResponse:
        try:
            changed = meeting_cancel(
                meeting=self.meeting, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except Meeting.DoesNotExist as error:  # deleted by the other leader meanwhile
            raise Http404 from error
        if not changed:
            return self._already_cancelled()
        messages.success(
            self.request,
            _(
                "“%(title)s” is cancelled. It stays in your list and no longer counts towards "
                "the requirements."
            )
            % {"title": self.meeting.title},
        )
        return redirect("meetings:list", slug=self.group.slug)


class MeetingUncancelView(_OneMeetingMixin, View):
    """POST only: undo a cancellation (a button in the list)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.meeting
        try:
            changed = meeting_uncancel(meeting=meeting, by=request.user)
        except Meeting.DoesNotExist as error:
            raise Http404 from error
        if changed:
            messages.success(
                request,
                _("“%(title)s” is no longer cancelled and counts again like any other meeting.")
                % {"title": meeting.title},
            )
        else:
            messages.info(
                request,
                _("“%(title)s” was not cancelled: nothing changed.") % {"title": meeting.title},
            )
        return redirect("meetings:list", slug=self.group.slug)


class MeetingDeleteView(_OneMeetingMixin, TemplateView):
    """Confirm, then delete (softly: the program team still sees the meeting)."""

    template_name = "meetings/meeting_delete.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.meeting
        meeting_delete(meeting=meeting, by=request.user)
        messages.success(
            request,
            _("“%(title)s” was deleted. It no longer counts anywhere.") % {"title": meeting.title},
        )
        return redirect("meetings:list", slug=self.group.slug)
