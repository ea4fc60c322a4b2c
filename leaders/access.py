"""Who may see or change a group in the portal: its active leader and co-leader, nobody else.

Every portal view that shows one group goes through `group_for_leader_or_404`, so another
user gets a 404 (not a 403 that would confirm the group exists).
"""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from groups.models import Group, GroupQuerySet
from leaders.models import Leadership


def groups_led_by(user: Any) -> GroupQuerySet:
    """The groups in which the user is an active leader or co-leader."""
    if not getattr(user, "is_authenticated", False):
        return Group.objects.none()
    led = Leadership.objects.active().filter(user=user).values("group_id")
    return Group.objects.filter(pk__in=led)


def group_for_leader_or_404(user: Any, slug: str) -> Group:
    return get_object_or_404(groups_led_by(user), slug=slug)


def leads_admitted_group(user: Any) -> bool:
    """Calls, content and news are for leaders of groups the benefits apply to
    (docs/program.md, "Group statuses")."""
    return groups_led_by(user).with_benefits().exists()


def role_in(group: Group, user: Any) -> str | None:
    """The user's active role in the group (Leadership.Role value), or None."""
    return (
        Leadership.objects.active()
        .filter(group=group, user=user)
        .values_list("role", flat=True)
        .first()
    )


class LeaderGroupMixin(LoginRequiredMixin):
    """For class-based views under /groups/<slug>/: sets `self.group`, or answers 404."""

    group: Group

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.group = group_for_leader_or_404(request.user, kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["group"] = self.group
        return context
