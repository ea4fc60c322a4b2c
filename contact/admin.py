"""The program team's side of the conversations: read them with their messages, answer
(by e-mail through the outbox, and in the portal), close and reopen. Nothing is deleted."""

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ActionSelectionMixin, ReadOnlyMixin

from .access import thread_readers
from .forms import AnswerForm
from .models import Message, Thread
from .selectors import thread_messages
from .services import thread_answer, thread_close, thread_reopen


class MessageInline(ReadOnlyMixin, admin.TabularInline[Message, Thread]):
    model = Message
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "from_program_team", "body"]
    readonly_fields = ["created_at", "author", "from_program_team", "body"]
    ordering = ["created_at", "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("author")


def may_answer(request: HttpRequest) -> bool:
    return request.user.has_perm("contact.change_thread")


THREAD_FIELDS = (
    "subject",
    "kind",
    "group",
    "author",
    "status",
    "created_at",
    "last_message_at",
    "closed_at",
    "answer_link",
)


@admin.register(Thread)
class ThreadAdmin(ActionSelectionMixin, ReadOnlyMixin, admin.ModelAdmin[Thread]):
    """Conversations are changed only through the answer page (a service each)."""

    list_display = [
        "last_message_at",
        "subject",
        "kind",
        "group",
        "author",
        "status",
        "answer_link",
    ]
    list_display_links = ["subject"]
    list_filter = ["status", "kind", ("group", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subject", "group__name", "author__email", "author__name"]
    list_select_related = ["group", "author"]
    date_hierarchy = "last_message_at"
    fields = THREAD_FIELDS
    readonly_fields = THREAD_FIELDS
    inlines = [MessageInline]

    @admin.display(description=gettext_lazy("answer"))
    def answer_link(self, obj: Thread) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:contact_thread_answer", args=[obj.pk]),
            _("Answer, close or reopen"),
        )

    def get_urls(self) -> list[Any]:
        answer = path(
            "<int:pk>/answer/",
            self.admin_site.admin_view(partial(thread_answer_view, model_admin=self)),
            name="contact_thread_answer",
        )
        return [answer, *super().get_urls()]


ACTIONS = {"answer", "answer_close", "close", "reopen"}


def thread_answer_view(
    request: HttpRequest, pk: int, *, model_admin: admin.ModelAdmin[Thread]
) -> HttpResponse:
    """The thread's messages and the team's answer; or close or reopen it."""
    if not request.user.has_perm("contact.view_thread"):
        raise PermissionDenied
    thread = get_object_or_404(Thread.objects.select_related("group", "author"), pk=pk)
    back = reverse("admin:contact_thread_answer", args=[thread.pk])
    action = request.POST.get("action", "")
    form = AnswerForm(request.POST if action in {"answer", "answer_close"} else None)
    if request.method == "POST":
        if not may_answer(request):
            raise PermissionDenied
        try:
            if action in {"answer", "answer_close"} and form.is_valid():
                body = form.cleaned_data["body"]
                if body.strip():
                    thread_answer(
                        thread=thread, by=request.user, body=body, close=action == "answer_close"
                    )
                    model_admin.message_user(
                        request,
                        _("The answer is sent and shows in the portal."),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(back)
                form.add_error("body", _("Write the answer."))
            elif action == "close":
                thread_close(thread=thread, by=request.user)
                model_admin.message_user(
                    request, _("The conversation is closed."), messages.SUCCESS
                )
                return HttpResponseRedirect(back)
            elif action == "reopen":
                thread_reopen(thread=thread, by=request.user)
                model_admin.message_user(
                    request, _("The conversation is open again."), messages.SUCCESS
                )
                return HttpResponseRedirect(back)
            elif action not in ACTIONS:
                model_admin.message_user(request, _("Choose one of the buttons."), messages.ERROR)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "body" in error.error_dict:
                form.add_error("body", error.error_dict["body"])
            else:
                model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(back)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Conversation: %(subject)s") % {"subject": thread.subject},
        "thread": thread,
        "thread_messages": thread_messages(thread),
        "readers": [reader.display_name for reader in thread_readers(thread)],
        "form": form,
        "may_answer": may_answer(request),
        "change_url": reverse("admin:contact_thread_change", args=[thread.pk]),
    }
    return TemplateResponse(request, "admin/contact/thread/answer.html", context)
