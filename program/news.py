"""Program news by e-mail, and the weekly digest of the optional e-mails (docs/program.md,
"Quarterly calls, content and news").

A news item goes out once it is published: at once when the program team saves it in the
admin with a publication time that has come, else from the hourly job when its time comes
(not at all if that time is more than NEWS_EMAIL_WINDOW past).
Every active leader and co-leader of an admitted group who gets optional e-mail as it comes
receives it once (the outbox key names the item and the person); the item is then marked as
e-mailed, so the job does not look at it again.

Leaders who chose the weekly digest (notifications/preferences.py) get, in the first run of each
week, one e-mail listing the news e-mailed and the call follow-ups that became due in the
calendar week before; a week with nothing to list sends nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from notifications.outbox import outbox_enqueue, outbox_queued_keys
from notifications.preferences import unsubscribe_url, wants_digest, wants_now

from .calls import call_followups_between, call_recipients
from .emails import CALL_FOLLOWUP, DIGEST, NEWS
from .models import NewsItem

#: The outbox kinds (and template names) of the two e-mails.
NEWS_KIND = NEWS
DIGEST_KIND = DIGEST
#: Only recent items are e-mailed: one published with a time long past (backdated, or old
#: data on the job's first run) is no news, and must not mail every leader.
NEWS_EMAIL_WINDOW = timedelta(days=7)


def news_email_key(item_pk: int, user_pk: int) -> str:
    return f"news:item-{item_pk}:user-{user_pk}"


def digest_email_key(user_pk: int, week: str) -> str:
    return f"digest:user-{user_pk}:{week}"


# Selectors ---------------------------------------------------------------------------------


def news_due(*, now: datetime) -> QuerySet[NewsItem]:
    """Items published in the last NEWS_EMAIL_WINDOW (their time has come), not yet
    e-mailed, oldest first."""
    return NewsItem.objects.filter(
        published_at__lte=now,
        published_at__gte=now - NEWS_EMAIL_WINDOW,
        emailed_at__isnull=True,
    ).order_by("published_at", "pk")


def news_emailed_between(*, start: datetime, end: datetime) -> QuerySet[NewsItem]:
    """Items e-mailed in [start, end) and still published, for the weekly digest."""
    return NewsItem.objects.filter(
        emailed_at__gte=start, emailed_at__lt=end, published_at__isnull=False
    ).order_by("published_at", "pk")


@dataclass(frozen=True)
class DigestPeriod:
    """The week a digest covers: [start, end), Monday to Monday in the portal's time zone."""

    start: datetime
    end: datetime
    week: str  # its ISO year and week, e.g. "2025-W14"

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end).date() - timedelta(days=1)


def digest_period(*, now: datetime) -> DigestPeriod:
    """The calendar week before the one `now` is in."""
    today = timezone.localtime(now).date()
    this_monday = today - timedelta(days=today.weekday())
    last_monday = this_monday - timedelta(days=7)
    year, week, _weekday = last_monday.isocalendar()
    return DigestPeriod(
        start=timezone.make_aware(datetime.combine(last_monday, time.min)),
        end=timezone.make_aware(datetime.combine(this_monday, time.min)),
        week=f"{year}-W{week:02d}",
    )


# Services ----------------------------------------------------------------------------------


@transaction.atomic
def queue_due_news(*, now: datetime) -> dict[str, int]:
    """E-mail every published, not yet e-mailed news item to the leaders who want it now.

    Runs a fixed number of queries to choose (the items, the recipients of all admitted
    groups once, the keys already queued per item), then one insert per new e-mail. Items
    another run is e-mailing right now are skipped (SKIP LOCKED), not waited for.
    """
    items = list(news_due(now=now).select_for_update(skip_locked=True))
    counts = {"items": len(items), "emails": 0}
    if not items:
        return counts
    recipients = [r for r in call_recipients() if wants_now(r.user, NEWS_KIND)]
    for item in items:
        keys = {news_email_key(item.pk, r.user.pk): r for r in recipients}
        existing = outbox_queued_keys(keys)
        for key, recipient in keys.items():
            if key in existing:
                continue
            user = recipient.user
            email = outbox_enqueue(
                key=key,
                kind=NEWS_KIND,
                to=user.email,
                language=user.preferred_language,
                template=NEWS_KIND,
                inputs={"item": item, "user": user, "groups": recipient.groups},
                group=recipient.only_group,
                user=user,
                unsubscribe_url=unsubscribe_url(user),
            )
            counts["emails"] += email.queued_now  # not what a concurrent run queued first
    NewsItem.objects.filter(pk__in=[item.pk for item in items]).update(emailed_at=now)
    return counts


@transaction.atomic
def queue_weekly_digests(*, now: datetime) -> dict[str, int]:
    """Each leader who chose the digest gets one e-mail a week with last week's news and
    call follow-ups; nothing to list, no e-mail. The key names the week, so the daily job
    sends it on its first run of the week only.
    """
    period = digest_period(now=now)
    news = list(news_emailed_between(start=period.start, end=period.end))
    followups = list(call_followups_between(start=period.start, end=period.end))
    counts = {"news": len(news), "followups": len(followups), "digests": 0}
    if not (news or followups):
        return counts
    recipients = {
        digest_email_key(r.user.pk, period.week): r
        for r in call_recipients()
        if wants_digest(r.user, NEWS_KIND) or wants_digest(r.user, CALL_FOLLOWUP)
    }
    existing = outbox_queued_keys(recipients)
    for key, recipient in recipients.items():
        if key in existing:
            continue
        user = recipient.user
        inputs = {
            "user": user,
            "groups": recipient.groups,
            "news": news if wants_digest(user, NEWS_KIND) else [],
            "followups": followups if wants_digest(user, CALL_FOLLOWUP) else [],
            "first_day": period.first_day,
            "last_day": period.last_day,
        }
        if not (inputs["news"] or inputs["followups"]):
            continue
        email = outbox_enqueue(
            key=key,
            kind=DIGEST_KIND,
            to=user.email,
            language=user.preferred_language,
            template=DIGEST_KIND,
            inputs=inputs,
            group=recipient.only_group,
            user=user,
            unsubscribe_url=unsubscribe_url(user),
        )
        counts["digests"] += email.queued_now
    return counts
