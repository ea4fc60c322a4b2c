"""Admin pieces every app uses: nothing is hard-deleted, read-only models, checked action
selections; the audit trail and the beat schedule."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_celery_beat import admin as celery_beat_admin
from django_celery_beat.models import PeriodicTask

from .models import AuditEntry


class NoDeleteMixin:
    """Nothing the program team may need later is hard-deleted from the admin."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActionSelectionMixin:
    """An admin action runs on the rows whose boxes were ticked, each sent as its primary key.

    A selection that is not a key of the model (text for a number) is a crafted request: it is
    answered 400 here, before Django's `filter(pk__in=...)` fails on it with a 500.
    """

    opts: Any

    def response_action(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        action_location: ActionLocation = ActionLocation.CHANGE_LIST,
    ) -> HttpResponse | None:
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                self.opts.pk.to_python(value)
            except ValidationError as error:
                raise BadRequest("The selection is not a list of rows.") from error
        response: HttpResponse | None = super().response_action(  # type: ignore[misc]
            request, queryset, action_location
        )
        return response


class ReadOnlyMixin(NoDeleteMixin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def from_queue(request: HttpRequest) -> bool:
    return request.GET.get("from") == "queue"


def queue_back_url(request: HttpRequest, fallback: str) -> str:
    """Where an action opened from the review queue returns to: the queue, else `fallback`."""
    return reverse("admin:groups_review_queue") if from_queue(request) else fallback


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyMixin, admin.ModelAdmin[AuditEntry]):
    list_display = ["created_at", "group", "action", "actor", "summary"]
    list_filter = ["action", "actor_is_staff"]
    search_fields = ["group__name", "summary", "actor__email"]
    list_select_related = ["group", "actor"]
    date_hierarchy = "created_at"


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(ActionSelectionMixin, celery_beat_admin.PeriodicTaskAdmin):  # type: ignore[misc]
    """django-celery-beat's admin of the schedule, with its actions' selection checked too."""
