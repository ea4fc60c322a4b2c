"""The program team's view of e-mail: the outbox (resend failed ones) and the wording."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from core.admin import ActionSelectionMixin, NoDeleteMixin, ReadOnlyMixin

from .mail import (
    EmailKind,
    Wording,
    email_kinds,
    email_variables,
    is_default,
    preview,
    reset_to_default,
    validate_wording,
)
from .models import EmailTemplate, OutboxEmail
from .outbox import outbox_resend

OUTBOX_FIELDS = (
    "status",
    "kind",
    "key",
    "to_email",
    "language",
    "reply_to",
    "group",
    "user",
    "subject",
    "body_text",
    "body_html",
    "attempts",
    "created_at",
    "claimed_at",
    "next_attempt_at",
    "sent_at",
    "last_error",
)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ActionSelectionMixin, ReadOnlyMixin, admin.ModelAdmin[OutboxEmail]):
    """Every e-mail the portal sent or tried to send; a failed one can be sent again."""

    list_display = [
        "created_at",
        "status_badge",
        "kind",
        "to_email",
        "group",
        "sent_at",
        "attempts",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_email", "subject", "key", "group__name"]
    list_select_related = ["group"]
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    fields = OUTBOX_FIELDS
    readonly_fields = (*OUTBOX_FIELDS, "text_withheld")

    def get_fields(self, request: HttpRequest, obj: OutboxEmail | None = None) -> Any:
        """An account e-mail's text carries its recipient's sign-in secret: never shown."""
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.carries_secret:
            index = fields.index("body_text")
            fields[index : index + 2] = ["text_withheld"]
        return fields

    @admin.display(description=_("text"))
    def text_withheld(self, obj: OutboxEmail) -> str:
        return str(
            _(
                "Not shown: this account e-mail carries a one-time sign-in link or code for "
                "its recipient only. It is removed once the e-mail is sent."
            )
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: OutboxEmail) -> str:
        css = {
            OutboxEmail.Status.SENT: "tg-pass",
            OutboxEmail.Status.FAILED: "tg-fail",
        }.get(OutboxEmail.Status(obj.status), "tg-warning")
        return format_html('<span class="tg-badge {}">{}</span>', css, obj.get_status_display())

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_outboxemail")

    @admin.action(description=_("Resend the selected failed e-mails"), permissions=["resend"])
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        resent = outbox_resend(emails=queryset, by=request.user)
        skipped = queryset.count() - resent
        self.message_user(
            request,
            _("%(resent)d e-mails queued again; %(skipped)d skipped: only failed ones are resent.")
            % {"resent": resent, "skipped": skipped},
            messages.SUCCESS if not skipped else messages.WARNING,
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
            name="notifications_emailtemplate_preview",
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
