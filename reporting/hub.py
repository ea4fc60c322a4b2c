"""The Leaders Hub lists (docs/program.md, "Tech Community user IDs (Leaders Hub)"): who the
program team grants access to, and whom to remove."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.exports import CHUNK_SIZE, choice_label
from groups.models import Group
from leaders.models import Leadership

#: The revoke list looks back this far unless the program team picks another date.
REVOKE_DEFAULT_DAYS = 30

# The Leaders Hub ---------------------------------------------------------------------------

HUB_ACCESS_HEADER = [
    _("Tech Community user ID"),
    _("Name"),
    _("E-mail"),
    _("Group"),
    _("Role"),
    _("Since"),
]
HUB_REVOKE_HEADER = [
    _("Tech Community user ID"),
    _("Name"),
    _("E-mail"),
    _("Last group"),
    _("Lost access on"),
    _("Why"),
]


def hub_access_rows() -> Iterator[tuple[Any, ...]]:
    """Who should be in the Leaders Hub (docs/program.md, "Tech Community user IDs (Leaders
    Hub)"): every active leader and co-leader of an admitted group, one row per role held, by
    group and role, in one query.

    A person without a Tech Community ID is listed with the cell empty, so the team sees
    whom to ask.
    """
    roles = choice_label(Leadership.Role).prepare()
    leaderships = (
        Leadership.objects.active()
        .filter(Group.benefits_q("group__"))
        .order_by("group__name", "group_id", "-role", "user__email")
        .values_list(
            "user__tech_community_id",
            "user__name",
            "user__email",
            "group__name",
            "role",
            "started_at",
        )
    )
    for tc_id, name, email, group, role, started_at in leaderships.iterator(chunk_size=CHUNK_SIZE):
        yield tc_id, name, email, group, roles(role), timezone.localdate(started_at)


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def hub_revoke_rows(*, since: date) -> Iterator[tuple[Any, ...]]:
    """Who should leave the Leaders Hub: people who lost access on or after `since` and who
    are not an active leader or co-leader of any admitted group now. One row per person, with
    their latest loss; one query.

    A person loses access when their role ends in a group that had been admitted, or when a
    group they still lead stops being admitted (it left or was moved to inactive). Roles in
    groups never admitted never gave access; a group that had stopped being admitted before
    `since` lost its leaders' access then, so a role ending there later is not listed again.
    """
    start = _start_of_day(since)
    admitted = Group.benefits_q("group__")
    still_in = Leadership.objects.active().filter(admitted, user=OuterRef("user"))
    role_ended = Q(ended_at__gte=start, group__admitted_at__lte=F("ended_at"))
    group_stopped = Q(ended_at__isnull=True) & ~admitted
    group_went_first = Q(ended_at__isnull=True) | (
        ~admitted & Q(group__status_changed_at__lt=F("ended_at"))
    )
    losses = (
        Leadership.objects.filter(group__admitted_at__isnull=False)
        .filter(admitted | Q(group__status_changed_at__gte=start))
        .filter(role_ended | group_stopped)
        .filter(~Exists(still_in))
        .annotate(
            lost_at=Case(
                When(group_went_first, then=F("group__status_changed_at")),
                default=F("ended_at"),
            ),
            by_group=Case(
                When(group_went_first, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("user__email", "user_id", "-lost_at", "-pk")
        .values_list(
            "user_id",
            "user__tech_community_id",
            "user__name",
            "user__email",
            "group__name",
            "lost_at",
            "by_group",
            "group__status",
            "end_reason",
        )
    )
    statuses = choice_label(Group.Status).prepare()
    reasons = choice_label(Leadership.EndReason).prepare()
    last_user = None
    for user_id, tc_id, name, email, group, lost_at, by_group, status, reason in losses.iterator(
        chunk_size=CHUNK_SIZE
    ):
        if user_id == last_user:
            continue  # an older loss of the same person
        last_user = user_id
        if by_group:
            why = gettext("Group status: %(status)s") % {"status": statuses(status)}
        else:
            why = reasons(reason)
        yield tc_id, name, email, group, timezone.localdate(lost_at), why


class HubRevokeForm(forms.Form):
    since = forms.DateField(
        label=_("People who lost access on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["since"].initial = today - timedelta(days=REVOKE_DEFAULT_DAYS)

    def clean_since(self) -> date:
        since: date = self.cleaned_data["since"]
        if since > self.today:
            raise forms.ValidationError(_("Choose a date that is not in the future."))
        return since
