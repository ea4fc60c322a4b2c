from django.contrib import admin

from groups.admin import NoDeleteMixin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(NoDeleteMixin, admin.ModelAdmin[Meeting]):
    list_display = ["title", "group", "starts_at", "format", "is_azure_related", "attendee_count"]
    list_filter = ["format", "is_azure_related"]
    search_fields = ["title", "group__name", "topics"]
    list_select_related = ["group"]
    autocomplete_fields = ["group"]
    date_hierarchy = "starts_at"
