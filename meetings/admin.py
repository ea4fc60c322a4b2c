from typing import Any

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import NoDeleteMixin, ReadOnlyMixin
from core.exports import CsvExportMixin, choice_label

from .models import FeedImport, Meeting


@admin.register(Meeting)
class MeetingAdmin(CsvExportMixin[Meeting], NoDeleteMixin, admin.ModelAdmin[Meeting]):
    list_display = ["title", "group", "starts_at", "format", "is_azure_related", "attendee_count"]
    list_filter = ["format", "is_azure_related"]
    search_fields = ["title", "group__name", "topics"]
    list_select_related = ["group"]
    autocomplete_fields = ["group"]
    date_hierarchy = "starts_at"
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
    ]


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
