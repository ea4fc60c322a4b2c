"""The quarterly call's e-mails (program/calls.py): their context function and samples,
registered for the admin.

The samples are unsaved objects, the inputs `program.calls` gives for one recipient: the
preview writes and reads nothing in the database.
"""

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.models import Group
from groups.values import group_values, sample_group
from leaders.models import User
from leaders.values import sample_user
from notifications.mail import EmailKind, register_email
from notifications.models import OutboxEmail
from notifications.values import recipient_values, site_url

from .models import NewsItem, QuarterlyCall

SAMPLE_CALL_PK = 1

#: The names of the optional e-mails (their declarations below say `optional=True`), as the
#: jobs that queue them ask the leader's choice about them (notifications/preferences.py).
NEWS = "news"
DIGEST = "digest"
CALL_REMINDER = "call_reminder"
CALL_FOLLOWUP = "call_followup"


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
        name=CALL_REMINDER,
        title=gettext_lazy("Quarterly call: reminder"),
        description=gettext_lazy(
            "To every active leader and co-leader of an admitted group who gets optional "
            "e-mails as they come, once per call, when a quarterly call starts within a day. "
            "Optional: leaders can switch it off (it is not put in the weekly digest)."
        ),
        context=call_email_context,
        sample=call_sample(days_ahead=1),
        optional=True,
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
        name=CALL_FOLLOWUP,
        title=gettext_lazy("Quarterly call: recording and slides"),
        description=gettext_lazy(
            "To every active leader and co-leader of an admitted group who gets optional "
            "e-mails as they come, once per call, when a call that ended in the last 30 days "
            "has both its recording and its slides. Optional: leaders can switch it off or get "
            "it in the weekly digest."
        ),
        context=call_email_context,
        sample=call_sample(days_ahead=-2),
        optional=True,
        priority=OutboxEmail.Priority.BULK,
    )
)


# Program news and the weekly digest (program/news.py) ----------------------------------


def news_context(*, item: NewsItem, user: User, groups: Sequence[Group]) -> dict[str, Any]:
    return {**leader_values(user=user, groups=groups), "item": news_values(item)}


def digest_context(
    *,
    user: User,
    groups: Sequence[Group],
    news: Sequence[NewsItem],
    followups: Sequence[QuarterlyCall],
    first_day: date,
    last_day: date,
) -> dict[str, Any]:
    return {
        **leader_values(user=user, groups=groups),
        "news": [news_values(item) for item in news],
        "followups": [call_values(call) for call in followups],
        "first_day": first_day,
        "last_day": last_day,
    }


def _recipient() -> dict[str, Any]:
    return {"user": sample_user(), "groups": [sample_group()]}


def _news_item(*, days_ago: int, title: str, body: str) -> NewsItem:
    return NewsItem(title=title, body=body, published_at=timezone.now() - timedelta(days=days_ago))


def news_sample() -> dict[str, Any]:
    item = _news_item(
        days_ago=0,
        title="New event-in-a-box: serverless on Azure",
        body=(
            "A complete kit for one evening: slides, a lab and speaker notes.\n\n"
            "Find it in the content library: https://portal.example.org/program/content/"
        ),
    )
    return {**_recipient(), "item": item}


def digest_sample() -> dict[str, Any]:
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    ended = timezone.now() - timedelta(days=5)
    call = QuarterlyCall(
        title=f"Leaders call Q{(ended.month - 1) // 3 + 1} {ended.year}",
        starts_at=ended - timedelta(minutes=75),
        ends_at=ended,
        recording_url="https://video.example.org/leaders-call",
        slides_url="https://slides.example.org/leaders-call",
    )
    return {
        **_recipient(),
        "news": [
            _news_item(
                days_ago=6,
                title="New event-in-a-box: serverless on Azure",
                body="A complete kit for one evening: slides, a lab and speaker notes.",
            ),
            _news_item(
                days_ago=3,
                title="Training vouchers for group leaders",
                body="Ask for a certification voucher before the end of the quarter.",
            ),
        ],
        "followups": [call],
        "first_day": this_monday - timedelta(days=7),
        "last_day": this_monday - timedelta(days=1),
    }


register_email(
    EmailKind(
        name=NEWS,
        title=gettext_lazy("Program news"),
        description=gettext_lazy(
            "To every active leader and co-leader of an admitted group who gets optional "
            "e-mails as they come, once per news item, when the item's publication time has "
            "come. Optional: leaders can switch it off or get it in the weekly digest."
        ),
        context=news_context,
        sample=news_sample,
        optional=True,
        priority=OutboxEmail.Priority.BULK,
    )
)

register_email(
    EmailKind(
        name=DIGEST,
        title=gettext_lazy("Weekly digest"),
        description=gettext_lazy(
            "Once a week, to every active leader and co-leader of an admitted group who chose "
            "the weekly digest: the news and the recordings of quarterly calls of the week "
            "before. Not sent when there is nothing to list."
        ),
        context=digest_context,
        sample=digest_sample,
        optional=True,
        priority=OutboxEmail.Priority.BULK,
    )
)
