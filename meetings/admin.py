from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from groups.admin import NoDeleteMixin
from groups.exports import CsvExportMixin, choice_label

from .models import Meeting


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
