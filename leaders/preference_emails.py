"""Program news and the weekly digest (program/news.py): their context functions and
samples, registered for the admin.

Both are optional e-mails (leaders/preferences.py). The samples are unsaved objects, the
inputs `program.news` gives for one recipient: the preview writes and reads nothing.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.email_samples import sample_group, sample_user
from groups.mail import EmailKind, register_email
from groups.models import Group, OutboxEmail
from program.emails import call_values, leader_values, news_values
from program.models import NewsItem, QuarterlyCall

from .models import User
from .preferences import DIGEST, NEWS, is_optional


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
        optional=is_optional(NEWS),
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
        optional=is_optional(DIGEST),
        priority=OutboxEmail.Priority.BULK,
    )
)
