from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.admin import NoDeleteMixin, ReadOnlyMixin

from .calls import call_changed
from .models import ContentItem, NewsItem, ProgramRules, QuarterlyCall, RulesAcceptance


@admin.register(ProgramRules)
class ProgramRulesAdmin(NoDeleteMixin, admin.ModelAdmin[ProgramRules]):
    list_display = ["version", "title", "published_at", "acceptances"]
    fields = ["version", "title", "body", "published_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Leaders accepted a published text: it is frozen; publish a new version instead.
        if obj is not None and obj.published_at is not None:
            return ["version", "title", "body", "published_at"]
        return []

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgramRules]:
        return super().get_queryset(request).annotate(acceptance_count=Count("acceptances"))

    @admin.display(description=_("acceptances"), ordering="acceptance_count")
    def acceptances(self, obj: ProgramRules) -> int:
        return obj.acceptance_count  # type: ignore[attr-defined,no-any-return]


@admin.register(RulesAcceptance)
class RulesAcceptanceAdmin(ReadOnlyMixin, admin.ModelAdmin[RulesAcceptance]):
    list_display = ["user", "rules", "accepted_at"]
    list_filter = ["rules"]
    search_fields = ["user__email"]
    list_select_related = ["user", "rules"]


@admin.register(QuarterlyCall)
class QuarterlyCallAdmin(NoDeleteMixin, admin.ModelAdmin[QuarterlyCall]):
    list_display = ["title", "starts_at", "status", "has_recording"]
    list_filter = ["status"]
    date_hierarchy = "starts_at"
    readonly_fields = ["sequence"]

    def save_model(
        self, request: HttpRequest, obj: QuarterlyCall, form: ModelForm[QuarterlyCall], change: bool
    ) -> None:
        # Raises SEQUENCE and queues the update, cancellation or follow-up e-mail.
        call_changed(
            call=obj, by=request.user, changed_fields=form.changed_data, now=timezone.now()
        )

    @admin.display(boolean=True, description=_("recording"))
    def has_recording(self, obj: QuarterlyCall) -> bool:
        return bool(obj.recording_url)


@admin.register(ContentItem)
class ContentItemAdmin(NoDeleteMixin, admin.ModelAdmin[ContentItem]):
    list_display = ["title", "kind", "language", "is_published", "early_access_until"]
    list_filter = ["kind", "language", "is_published"]
    search_fields = ["title", "summary"]


@admin.register(NewsItem)
class NewsItemAdmin(NoDeleteMixin, admin.ModelAdmin[NewsItem]):
    list_display = ["title", "published_at"]
    search_fields = ["title", "body"]
