from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import NoDeleteMixin, ReadOnlyMixin
from core.exports import CsvExportMixin, choice_label

from .models import FeedImport, Meeting


class StateFilter(admin.SimpleListFilter):
    """Scheduled, held or cancelled as `Meeting.state` judges it now."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return Meeting.State.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        now = timezone.now()
        conditions = {
            Meeting.State.CANCELLED: Q(cancelled_at__isnull=False),
            Meeting.State.HELD: Q(cancelled_at__isnull=True, ends_at__lte=now),
            Meeting.State.SCHEDULED: Q(cancelled_at__isnull=True, ends_at__gt=now),
        }
        condition = conditions.get(self.value())  # type: ignore[call-overload]
        return queryset if condition is None else queryset.filter(condition)


class DeletedFilter(admin.SimpleListFilter):
    """Deleted by a leader (kept here, gone from the portal) or still in the group's list."""

    title = _("deleted by a leader")
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("yes", _("Deleted")), ("no", _("Not deleted"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(Meeting)
class MeetingAdmin(CsvExportMixin[Meeting], NoDeleteMixin, admin.ModelAdmin[Meeting]):
    """Every meeting, the ones leaders deleted included (`Meeting.all_objects`): the program
    team sees what was logged and what became of it. Nothing is hard-deleted here
    (NoDeleteMixin; the program team has no delete permission either), and cancelling and
    deleting are the leaders' audited actions, so their fields are read-only."""

    list_display = [
        "title",
        "group",
        "starts_at",
        "format",
        "azure",
        "attendee_count",
        "state",
        "cancelled_at",
        "deleted_at",
    ]
    list_filter = [
        StateFilter,
        DeletedFilter,
        "cancelled_by",
        "format",
        "is_azure_related",
        "all_day",
    ]
    search_fields = ["title", "group__name", "topics"]
    list_select_related = ["group"]
    autocomplete_fields = ["group"]
    date_hierarchy = "starts_at"
    readonly_fields = ["cancelled_at", "cancelled_by", "cancellation_reason", "deleted_at"]
    export_fields = [
        (_("ID"), "pk"),
        (_("Group"), "group__name"),
        (_("Title"), "title"),
        (_("Starts (UTC)"), "starts_at"),
        (_("Ends (UTC)"), "ends_at"),
        (_("Format"), "format", choice_label(Meeting.Format)),
        (_("About Azure"), "is_azure_related"),
        (_("Topics"), "topics"),
        (_("Attendees"), "attendee_count"),
        (_("Place"), "venue"),
        (_("Online link"), "online_url"),
        (_("Cost-recovery charge"), "cost_recovery_charge"),
        (_("What the charge covers"), "cost_recovery_reason", choice_label(Meeting.CostReason)),
        (_("Calendar UID"), "external_uid"),
        (_("All day"), "all_day"),
        (_("Expected attendees"), "expected_attendee_count"),
        (_("Entry fee"), "entry_fee"),
        (_("Cancelled (UTC)"), "cancelled_at"),
        (_("Cancelled by"), "cancelled_by", choice_label(Meeting.CancelledBy)),
        (_("Why it was cancelled"), "cancellation_reason"),
        (_("Deleted (UTC)"), "deleted_at"),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        queryset = Meeting.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @admin.display(description=_("Azure"), boolean=True, ordering="is_azure_related")
    def azure(self, meeting: Meeting) -> bool:
        return meeting.is_azure_related

    @admin.display(description=_("state"))
    def state(self, meeting: Meeting) -> Any:
        return meeting.state(now=timezone.now()).label


@admin.register(FeedImport)
class FeedImportAdmin(ReadOnlyMixin, admin.ModelAdmin[FeedImport]):
    """The groups' feed imports, as history: written by the worker only, never deleted."""

    list_display = [
        "group",
        "created_at",
        "state",
        "added_count",
        "updated_count",
        "cancelled_count",
        "unchanged_count",
        "skipped_count",
        "missing_count",
        "requested_by",
    ]
    list_filter = ["status"]
    search_fields = ["group__name", "url"]
    list_select_related = ["group", "requested_by"]
    date_hierarchy = "created_at"
    fields = (
        "group",
        "requested_by",
        "url",
        "language",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "added_count",
        "updated_count",
        "cancelled_count",
        "unchanged_count",
        "skipped_count",
        "missing_count",
        "error",
        "details",
    )
    readonly_fields = fields

    @admin.display(description=_("status"), ordering="status")
    def state(self, feed_import: FeedImport) -> Any:
        if feed_import.is_stale(now=timezone.now()):
            return _("Failed: did not finish")  # what the leader's page says too
        return feed_import.get_status_display()
