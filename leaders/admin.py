from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from groups.admin import NoDeleteMixin, ReadOnlyMixin

from .forms import StaffUserChangeForm
from .models import CoLeaderInvitation, Leadership, LeadershipChangeRequest, User
from .services import leadership_end, leadership_start


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin[User]):
    form = StaffUserChangeForm
    list_display = ["email", "name", "tech_community_id", "preferred_language", "is_staff"]
    list_filter = ["is_staff", "is_active", "preferred_language"]
    search_fields = ["email", "name", "tech_community_id"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "preferred_language", "tech_community_id"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Leadership)
class LeadershipAdmin(NoDeleteMixin, admin.ModelAdmin[Leadership]):
    list_display = ["group", "user", "role", "started_at", "ended_at", "end_reason"]
    list_filter = ["role", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["group__name", "user__email", "user__name"]
    list_select_related = ["group", "user"]
    autocomplete_fields = ["group", "user"]
    actions = ["end_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A role is started or ended, never rewritten: history must stay true.
        if obj is None:
            return []
        return ["group", "user", "role", "started_at", "ended_at", "end_reason"]

    def get_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str | list[str] | tuple[str, ...]]:
        if obj is None:
            return ["group", "user", "role"]
        return ["group", "user", "role", "started_at", "ended_at", "end_reason"]

    def save_model(self, request: HttpRequest, obj: Leadership, form: Any, change: bool) -> None:
        if not change:
            created = leadership_start(
                group=obj.group, user=obj.user, role=obj.role, by=request.user
            )
            obj.pk = created.pk

    @admin.action(description=_("End the selected roles (removed by the program team)"))
    def end_selected(self, request: HttpRequest, queryset: QuerySet[Leadership]) -> None:
        ended = 0
        for leadership in queryset.filter(ended_at__isnull=True):
            leadership_end(
                leadership=leadership, by=request.user, reason=Leadership.EndReason.REMOVED
            )
            ended += 1
        self.message_user(request, _("%(n)d roles ended.") % {"n": ended}, messages.SUCCESS)


@admin.register(CoLeaderInvitation)
class CoLeaderInvitationAdmin(ReadOnlyMixin, admin.ModelAdmin[CoLeaderInvitation]):
    list_display = ["group", "email", "status", "created_at", "expires_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["group__name", "email"]
    list_select_related = ["group"]
    exclude = ["token"]


@admin.register(LeadershipChangeRequest)
class LeadershipChangeRequestAdmin(ReadOnlyMixin, admin.ModelAdmin[LeadershipChangeRequest]):
    """Tracked requests; they are processed in the review queue, not edited here."""

    list_display = ["created_at", "group", "kind", "requested_by", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["group__name", "requested_by__email"]
    list_select_related = ["group", "requested_by"]
    readonly_fields = [
        "group",
        "requested_by",
        "kind",
        "details",
        "created_at",
        "processed_by",
        "processed_at",
    ]
    fields = [*readonly_fields, "status", "staff_note"]
