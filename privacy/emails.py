"""The e-mail of deleting an account (privacy/personal_data.py): the group's other contact is
told that a role is empty. Its context function and sample, registered for the admin."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.values import group_values, sample_group
from leaders.models import Leadership, User
from leaders.values import sample_user
from notifications.mail import EmailKind, register_email
from notifications.values import recipient_values, site_url


def contact_left_context(*, leadership: Leadership, person: str, user: User) -> dict[str, Any]:
    """To `user`, the group's other contact: `person` (their name, kept after the account is
    gone) has left the role of `leadership`."""
    group = leadership.group
    return {
        "user": recipient_values(user),
        "group": group_values(group),
        "person": person,
        "role": leadership.role,
        "ended_at": leadership.ended_at,
        "time_zone": str(group.timezone),
        "people_url": site_url("leaders:people", group.slug),
    }


def contact_left_sample() -> dict[str, Any]:
    leadership = Leadership(
        group=sample_group(), role=Leadership.Role.CO_LEADER, ended_at=timezone.now()
    )
    return {
        "leadership": leadership,
        "person": "Ada Lindqvist",
        "user": sample_user(email="bo@example.org", name="Bo Ek"),
    }


register_email(
    EmailKind(
        name="contact_left",
        title=gettext_lazy("A contact deleted their account"),
        description=gettext_lazy(
            "To the group's other active contact, in their language, when the leader or the "
            "co-leader deletes their account (privacy/personal_data.py): the role is empty "
            "until someone is named. The program team gets its own notice at the same time."
        ),
        context=contact_left_context,
        sample=contact_left_sample,
    )
)
