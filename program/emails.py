"""The quarterly call's e-mails (program/calls.py), registered for the admin.

The samples are unsaved objects with the context `program.calls` builds for one recipient:
the preview writes and reads nothing in the database.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.email_samples import sample_group, sample_user
from groups.mail import EmailKind, register_email
from leaders.preferences import is_optional

from .models import QuarterlyCall

SAMPLE_CALL_PK = 1


def call_sample(*, days_ahead: int) -> Callable[[], dict[str, Any]]:
    """A sample context for a call starting `days_ahead` days from now (negative: past)."""

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
        site = settings.SITE_URL.rstrip("/")
        return {
            "call": call,
            "user": sample_user(),
            "groups": [group],
            "group_names": group.name,
            "time_zone": group.timezone,
            "calls_url": site + reverse("program:calls"),
            "ics_url": site + reverse("program:call_ics", args=[SAMPLE_CALL_PK]),
        }

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
        sample=call_sample(days_ahead=1),
        optional=is_optional("call_reminder"),
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
        sample=call_sample(days_ahead=-2),
        optional=is_optional("call_followup"),
    )
)
