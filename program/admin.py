from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from groups.admin import ActionSelectionMixin, NoDeleteMixin, ReadOnlyMixin
from groups.mail import (
    EmailKind,
    Wording,
    email_kinds,
    email_variables,
    is_default,
    preview,
    reset_to_default,
    validate_wording,
)

from .calls import call_changed
from .models import (
    ContentItem,
    EmailTemplate,
    NewsItem,
    ProgramRules,
    QuarterlyCall,
    RulesAcceptance,
)
from .news import send_due_news


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
        sent = send_due_news(now=timezone.now())
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


class EmailTemplateForm(forms.ModelForm[EmailTemplate]):
    class Meta:
        model = EmailTemplate
        fields = ["subject", "body"]
        widgets = {
            "subject": forms.TextInput(attrs={"class": "vLargeTextField", "size": 100}),
            "body": forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "true"}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        wording = Wording(subject=cleaned["subject"], body=cleaned["body"])
        try:
            validate_wording(wording, name=self.instance.name, language=self.instance.language)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned


#: The HTML part uses inline styles, as e-mail must; nothing else is allowed, no scripts.
HTML_PREVIEW_CSP: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["data:"],
    "frame-ancestors": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
}


#: The change page frames that preview; otherwise the portal's policy.
CHANGE_PAGE_CSP: dict[str, Any] = {**settings.SECURE_CSP, "frame-src": [CSP.SELF]}


@admin.register(EmailTemplate)
class EmailTemplateAdmin(ActionSelectionMixin, NoDeleteMixin, admin.ModelAdmin[EmailTemplate]):
    """The wording of every e-mail, per language; the preview renders it with sample data."""

    form = EmailTemplateForm
    list_display = ["title", "name", "language", "edited", "updated_at", "updated_by"]
    list_filter = ["language"]
    list_select_related = ["updated_by"]
    search_fields = ["name", "subject", "body"]
    readonly_fields = ["name", "language", "description", "variables", "preview"]
    fields = ["name", "language", "description", "variables", "subject", "body", "preview"]
    actions = ["reset_to_shipped_wording"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per e-mail and language, created by the migration

    def save_model(
        self, request: HttpRequest, obj: EmailTemplate, form: ModelForm[EmailTemplate], change: bool
    ) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def _kind(self, obj: EmailTemplate) -> EmailKind | None:
        return email_kinds().get(obj.name)

    @admin.display(description=_("e-mail"))
    def title(self, obj: EmailTemplate) -> str:
        kind = self._kind(obj)
        return str(kind.title) if kind else obj.name

    @admin.display(description=_("when it is sent"))
    def description(self, obj: EmailTemplate) -> str:
        kind = self._kind(obj)
        return str(kind.description) if kind else "—"

    @admin.display(description=_("variables"))
    def variables(self, obj: EmailTemplate) -> str:
        variables = email_variables(obj.name, language=obj.language)
        if variables is None:
            return "—"
        return render_to_string(
            "admin/program/emailtemplate/variables.html", {"variables": variables}
        )

    @admin.display(boolean=True, description=_("edited"))
    def edited(self, obj: EmailTemplate) -> bool:
        return not is_default(obj)

    @admin.display(description=_("preview"))
    def preview(self, obj: EmailTemplate) -> str:
        if obj.pk is None:
            return "—"
        try:
            rendered = preview(
                name=obj.name,
                language=obj.language,
                wording=Wording(subject=obj.subject, body=obj.body),
            )
        except Exception as error:  # a template saved before validation existed
            return format_html("<p class='errornote'>{}</p>", error)
        if rendered is None:
            return str(_("No sample data for this e-mail."))
        return render_to_string(
            "admin/program/emailtemplate/preview.html", {"email": rendered, "template": obj}
        )

    def get_urls(self) -> list[Any]:
        html_preview = path(
            "<int:object_id>/preview.html",
            self.admin_site.admin_view(self.html_preview_view),
            name="program_emailtemplate_preview",
        )
        return [html_preview, *super().get_urls()]

    @method_decorator(csp_override(CHANGE_PAGE_CSP))
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The preview's HTML part is framed from this page (preview.html below).
        return super().change_view(request, object_id, form_url, extra_context)

    @method_decorator(xframe_options_sameorigin)
    @method_decorator(csp_override(HTML_PREVIEW_CSP))
    def html_preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The saved wording's HTML part as a mail client shows it, framed by the change page."""
        template = get_object_or_404(EmailTemplate, pk=object_id)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        try:
            rendered = preview(
                name=template.name,
                language=template.language,
                wording=Wording(subject=template.subject, body=template.body),
            )
        except Exception as error:  # wording saved before the checks existed: say why
            return HttpResponse(format_html("<p>{}</p>", error))
        if rendered is None:
            raise Http404
        return HttpResponse(rendered.html)

    @admin.action(description=_("Reset to the shipped wording"), permissions=["change"])
    def reset_to_shipped_wording(
        self, request: HttpRequest, queryset: QuerySet[EmailTemplate]
    ) -> None:
        count = sum(reset_to_default(template, by=request.user) for template in queryset)
        self.message_user(
            request,
            ngettext("%(count)d e-mail template reset.", "%(count)d e-mail templates reset.", count)
            % {"count": count},
        )
