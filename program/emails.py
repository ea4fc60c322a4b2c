"""The quarterly call's e-mails (program/calls.py): their context function and samples,
registered for the admin.

The samples are unsaved objects, the inputs `program.calls` gives for one recipient: the
preview writes and reads nothing in the database.
"""

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.email_samples import sample_group, sample_user
from groups.email_values import group_values, recipient_values, site_url
from groups.mail import EmailKind, register_email
from groups.models import Group, OutboxEmail
from leaders.models import User
from leaders.preferences import is_optional

from .models import NewsItem, QuarterlyCall

SAMPLE_CALL_PK = 1


def call_values(call: QuarterlyCall) -> dict[str, Any]:
    """A quarterly call as its e-mails show it."""
    return {
        "title": call.title,
        "starts_at": call.starts_at,
        "ends_at": call.ends_at,
        "agenda": call.agenda,
        "join_url": call.join_url,
        "recording_url": call.recording_url,
        "slides_url": call.slides_url,
    }


def news_values(item: NewsItem) -> dict[str, Any]:
    return {"title": item.title, "body": item.body, "published_at": item.published_at}


def leader_values(*, user: User, groups: Sequence[Group]) -> dict[str, Any]:
    """What every e-mail to a program leader says of them: who they are, the groups that make
    them one (none for a leader invited in the admin) and the program's pages."""
    return {
        "user": recipient_values(user),
        "groups": [group_values(group) for group in groups],
        "group_names": ", ".join(group.name for group in groups),
        "news_url": site_url("program:news"),
        "calls_url": site_url("program:calls"),
        "profile_url": site_url("leaders:profile"),
    }


def call_email_context(
    *, call: QuarterlyCall, user: User, groups: Sequence[Group]
) -> dict[str, Any]:
    """The context of every call e-mail: times shown as the recipient's group keeps them (the
    .ics carries UTC)."""
    return {
        **leader_values(user=user, groups=groups),
        "call": call_values(call),
        "time_zone": str(groups[0].timezone) if groups else "UTC",
        "ics_url": site_url("program:call_ics", call.pk),
    }


def call_sample(*, days_ahead: int) -> Callable[[], dict[str, Any]]:
    """Sample inputs for a call starting `days_ahead` days from now (negative: past)."""

    def sample() -> dict[str, Any]:
        starts_at = (timezone.now() + timedelta(days=days_ahead)).replace(
            hour=15, minute=0, second=0, microsecond=0
        )
        call = QuarterlyCall(
            pk=SAMPLE_CALL_PK,
            title=f"Leaders call Q{(starts_at.month - 1) // 3 + 1} {starts_at.year}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=75),
            agenda="1. Welcome and program news\n2. New content for your meetings\n3. Questions",
            join_url="https://meet.example.org/leaders-call",
            recording_url="https://video.example.org/leaders-call",
            slides_url="https://slides.example.org/leaders-call",
        )
        group = sample_group(
            name="Azure User Group Göteborg", slug="azure-user-group-goteborg", city="Göteborg"
        )
        return {"call": call, "user": sample_user(), "groups": [group]}

    return sample


register_email(
    EmailKind(
        name="call_invitation",
        title=gettext_lazy("Quarterly call: invitation"),
        description=gettext_lazy(
            "To every active leader and co-leader of an admitted group, once per call, a set "
            "number of days before a quarterly call (14 unless changed), with the calendar "
            "invitation (.ics) attached."
        ),
        context=call_email_context,
        sample=call_sample(days_ahead=14),
    )
)

register_email(
    EmailKind(
        name="call_reminder",
        title=gettext_lazy("Quarterly call: reminder"),
        description=gettext_lazy(
            "To every active leader and co-leader of an admitted group who gets optional "
            "e-mails as they come, once per call, when a quarterly call starts within a day. "
            "Optional: leaders can switch it off (it is not put in the weekly digest)."
        ),
        context=call_email_context,
        sample=call_sample(days_ahead=1),
        optional=is_optional("call_reminder"),
        priority=OutboxEmail.Priority.BULK,
    )
)

register_email(
    EmailKind(
        name="call_update",
        title=gettext_lazy("Quarterly call: update"),
        description=gettext_lazy(
            "To everyone already invited to a quarterly call, when the program team changes "
            "its title, time, agenda or join link (or restores a cancelled call), with the "
            "updated calendar invitation (.ics) that replaces the event."
        ),
        context=call_email_context,
        sample=call_sample(days_ahead=14),
    )
)

register_email(
    EmailKind(
        name="call_cancelled",
        title=gettext_lazy("Quarterly call: cancellation"),
        description=gettext_lazy(
            "To everyone already invited to a quarterly call, when the program team cancels "
            "it, with a calendar cancellation (.ics) that removes the event."
        ),
        context=call_email_context,
        sample=call_sample(days_ahead=14),
    )
)

register_email(
    EmailKind(
        name="call_followup",
        title=gettext_lazy("Quarterly call: recording and slides"),
        description=gettext_lazy(
            "To every active leader and co-leader of an admitted group who gets optional "
            "e-mails as they come, once per call, when a call that ended in the last 30 days "
            "has both its recording and its slides. Optional: leaders can switch it off or get "
            "it in the weekly digest."
        ),
        context=call_email_context,
        sample=call_sample(days_ahead=-2),
        optional=is_optional("call_followup"),
        priority=OutboxEmail.Priority.BULK,
    )
)
