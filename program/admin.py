from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import NoDeleteMixin

from .calls import call_changed
from .models import ContentItem, NewsItem, QuarterlyCall
from .news import queue_due_news


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
        call_changed(call=obj, by=request.user, now=timezone.now())

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
    list_display = ["title", "published_at", "emailed_at"]
    search_fields = ["title", "body"]
    readonly_fields = ["emailed_at"]

    def save_model(
        self, request: HttpRequest, obj: NewsItem, form: ModelForm[NewsItem], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        # Published now: e-mailed in this transaction; a later time: by the hourly job then.
        sent = queue_due_news(now=timezone.now())
        if sent["emails"]:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail with program news is on its way.",
                    "%(count)d e-mails with program news are on their way.",
                    sent["emails"],
                )
                % {"count": sent["emails"]},
            )
