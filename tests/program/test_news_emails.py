"""Program news by e-mail and the weekly digest of the optional e-mails."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from leaders.models import Leadership, User
from notifications.models import OutboxEmail
from program import news
from program.models import NewsItem, QuarterlyCall
from program.news import (
    digest_period,
    queue_due_news,
    queue_weekly_digests,
)
from program.tasks import queue_digest_emails, queue_news_emails
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    NewsItemFactory,
    QuarterlyCallFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EACH = User.OptionalEmail.EACH
DIGEST = User.OptionalEmail.DIGEST
OFF = User.OptionalEmail.OFF

#: A Wednesday; its digest week (the week before) runs from Monday 3 to Monday 10 March.
NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
LAST_WEEK = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
NEXT_WEEK = NOW + timedelta(days=7)
SCHEDULE_MIGRATION = "program.migrations.0002_schedules"


def leader(*, language: str = "en", optional_email: str = EACH, group=None, role=None) -> User:
    user = UserFactory(preferred_language=language, optional_email=optional_email)
    LeadershipFactory(
        group=group or GroupFactory(admitted=True),
        user=user,
        role=role or Leadership.Role.LEADER,
    )
    return user


def news_to(user: User) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="news", user=user))


def digests_to(user: User) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="digest", user=user).order_by("pk"))


def run_news(capture, now: datetime = NOW) -> dict[str, int]:
    with capture(execute=True):
        return queue_due_news(now=now)


def run_digests(capture, now: datetime = NOW) -> dict[str, int]:
    with capture(execute=True):
        return queue_weekly_digests(now=now)


# News as it comes ----------------------------------------------------------------------------


def test_a_published_item_goes_once_to_every_leader_and_co_leader_in_their_language(
    django_capture_on_commit_callbacks,
):
    group = GroupFactory(admitted=True, name="Azure Uppsala")
    swede = leader(language="sv", group=group)
    co = leader(group=group, role=Leadership.Role.CO_LEADER)
    item = NewsItemFactory(title="Vouchers for leaders", published_at=NOW - timedelta(minutes=5))

    assert run_news(django_capture_on_commit_callbacks) == {"items": 1, "emails": 2}
    assert run_news(django_capture_on_commit_callbacks, NOW + timedelta(hours=1)) == {
        "items": 0,
        "emails": 0,
    }

    assert sorted(m.to[0] for m in mail.outbox) == sorted([swede.email, co.email])
    (swedish,) = news_to(swede)
    (english,) = news_to(co)
    assert swedish.key == f"news:item-{item.pk}:user-{swede.pk}"
    assert swedish.subject == "[Tech Groups] Programnyhet: Vouchers for leaders"
    assert "Hej" in swedish.body_text
    assert "ledare eller medledare för Azure Uppsala" in swedish.body_text
    assert english.subject == "[Tech Groups] Program news: Vouchers for leaders"
    assert "leader or co-leader of Azure Uppsala" in english.body_text
    assert item.body in english.body_text
    item.refresh_from_db()
    assert item.emailed_at == NOW


def test_a_scheduled_item_goes_out_when_its_time_comes_and_not_twice(
    django_capture_on_commit_callbacks,
):
    person = leader()
    item = NewsItemFactory(published_at=NOW + timedelta(hours=3))

    assert run_news(django_capture_on_commit_callbacks)["emails"] == 0
    assert run_news(django_capture_on_commit_callbacks, NOW + timedelta(hours=3))["emails"] == 1
    assert run_news(django_capture_on_commit_callbacks, NOW + timedelta(hours=4))["emails"] == 0

    assert len(news_to(person)) == 1
    assert len(mail.outbox) == 1
    item.refresh_from_db()
    assert item.emailed_at == NOW + timedelta(hours=3)


def test_an_unpublished_item_is_never_sent(django_capture_on_commit_callbacks):
    leader()
    NewsItemFactory(published_at=None)

    for days in range(0, 30, 7):
        run_news(django_capture_on_commit_callbacks, NOW + timedelta(days=days))

    assert mail.outbox == []


def test_an_item_published_more_than_a_week_ago_is_not_mailed(django_capture_on_commit_callbacks):
    leader()
    NewsItemFactory(published_at=NOW - timedelta(days=8))

    assert run_news(django_capture_on_commit_callbacks)["emails"] == 0
    assert mail.outbox == []


def test_leaders_with_the_digest_or_no_optional_email_get_no_news_e_mail(
    django_capture_on_commit_callbacks,
):
    each = leader()
    weekly = leader(optional_email=DIGEST)
    off = leader(optional_email=OFF)
    NewsItemFactory(published_at=NOW)

    run_news(django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[each.email]]
    assert news_to(weekly) == news_to(off) == []


def test_only_active_leaders_of_admitted_groups_get_news(django_capture_on_commit_callbacks):
    admitted = leader()
    applicant = leader(group=GroupFactory())
    former = leader()
    Leadership.objects.filter(user=former).update(ended_at=timezone.now())
    inactive = leader()
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    NewsItemFactory(published_at=NOW)

    run_news(django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[admitted.email]]
    assert news_to(applicant) == news_to(former) == news_to(inactive) == []


def test_a_leader_of_two_groups_gets_one_e_mail_naming_both(django_capture_on_commit_callbacks):
    person = leader(group=GroupFactory(admitted=True, name="Azure Lund"))
    LeadershipFactory(group=GroupFactory(admitted=True, name="Azure Malmö"), user=person)
    NewsItemFactory(published_at=NOW)

    run_news(django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "Azure Lund, Azure Malmö" in message.body


def test_a_news_e_mail_carries_the_unsubscribe_link(django_capture_on_commit_callbacks):
    person = leader()
    NewsItemFactory(published_at=NOW)

    run_news(django_capture_on_commit_callbacks)

    (row,) = news_to(person)
    assert row.unsubscribe_url.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert row.unsubscribe_url in row.body_text
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe"] == f"<{row.unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_saving_a_published_item_in_the_admin_sends_it_at_once(
    client, django_capture_on_commit_callbacks
):
    person = leader()
    client.force_login(StaffFactory(is_superuser=True))
    now = timezone.localtime()
    data = {
        "title": "Welcome to the new portal",
        "body": "Everything in one place.",
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": (now - timedelta(minutes=1)).strftime("%H:%M:%S"),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:program_newsitem_add"), data, follow=True)

    assert response.status_code == 200
    assert "1 e-mail with program news is on its way." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert "Welcome to the new portal" in message.subject
    assert NewsItem.objects.get().emailed_at is not None


def test_saving_a_draft_or_a_scheduled_item_in_the_admin_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    leader()
    client.force_login(StaffFactory(is_superuser=True))
    later = timezone.localtime() + timedelta(days=2)
    drafts = [
        {"title": "Draft", "body": "Not yet.", "published_at_0": "", "published_at_1": ""},
        {
            "title": "Scheduled",
            "body": "Soon.",
            "published_at_0": later.strftime("%Y-%m-%d"),
            "published_at_1": later.strftime("%H:%M:%S"),
        },
    ]

    with django_capture_on_commit_callbacks(execute=True):
        for data in drafts:
            response = client.post(reverse("admin:program_newsitem_add"), data)
            assert response.status_code == 302

    assert mail.outbox == []
    assert not NewsItem.objects.filter(emailed_at__isnull=False).exists()


def test_the_beat_task_sends_the_news(django_capture_on_commit_callbacks):
    leader()
    NewsItemFactory(published_at=timezone.now() - timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        result = queue_news_emails.delay().get()

    assert result == {"items": 1, "emails": 1}
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("groups", [1, 30])
def test_choosing_the_news_recipients_runs_a_bounded_number_of_queries(
    groups, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(groups):
        group = GroupFactory(admitted=True)
        leader(group=group)
        leader(group=group, role=Leadership.Role.CO_LEADER, optional_email=DIGEST)
    NewsItemFactory(published_at=NOW)
    NewsItemFactory(published_at=NOW)
    assert run_news(django_capture_on_commit_callbacks)["emails"] == 2 * groups
    NewsItem.objects.update(emailed_at=None)  # as if the job had died before marking them

    # savepoint + items (locked) + recipients + keys queued already, per item + mark e-mailed
    # + release
    with django_assert_num_queries(7):
        counts = queue_due_news(now=NOW)

    assert counts == {"items": 2, "emails": 0}


# The weekly digest ---------------------------------------------------------------------------


def test_the_digest_week_is_the_calendar_week_before():
    period = digest_period(now=NOW)

    assert period.start == datetime(2025, 3, 3, tzinfo=UTC)
    assert period.end == datetime(2025, 3, 10, tzinfo=UTC)
    assert period.week == "2025-W10"
    assert digest_period(now=datetime(2025, 3, 10, tzinfo=UTC)) == period
    assert digest_period(now=datetime(2025, 3, 16, 23, 59, tzinfo=UTC)) == period


def followup_call(*, ended: datetime, **fields) -> QuarterlyCall:
    call = QuarterlyCallFactory(
        title=fields.pop("title", "Leaders call Q1 2025"),
        starts_at=ended - timedelta(hours=1),
        ends_at=ended,
        recording_url="https://video.example.org/q1",
        slides_url="https://slides.example.org/q1",
        **fields,
    )
    QuarterlyCall.objects.filter(pk=call.pk).update(updated_at=ended)
    return call


def test_a_digest_lists_last_weeks_news_and_call_follow_ups(django_capture_on_commit_callbacks):
    weekly = leader(optional_email=DIGEST, group=GroupFactory(admitted=True, name="Azure Umeå"))
    NewsItemFactory(title="Vouchers for leaders", published_at=LAST_WEEK, emailed_at=LAST_WEEK)
    NewsItemFactory(title="Older news", published_at=NOW - timedelta(days=20))
    NewsItemFactory(title="This week's news", published_at=NOW, emailed_at=NOW)
    followup_call(ended=LAST_WEEK, title="Leaders call Q1 2025")
    followup_call(ended=NOW - timedelta(days=25), title="Leaders call Q4 2024")

    assert run_digests(django_capture_on_commit_callbacks) == {
        "news": 1,
        "followups": 1,
        "digests": 1,
    }

    (digest,) = digests_to(weekly)
    assert digest.key == f"digest:user-{weekly.pk}:2025-W10"
    assert digest.subject == "[Tech Groups] Your weekly digest, 3 March to 9 March 2025"
    assert "Vouchers for leaders" in digest.body_text
    assert "Leaders call Q1 2025" in digest.body_text
    assert "https://video.example.org/q1" in digest.body_text
    assert "Older news" not in digest.body_text
    assert "This week's news" not in digest.body_text
    assert "Leaders call Q4 2024" not in digest.body_text
    assert "leader or co-leader of Azure Umeå" in digest.body_text
    assert digest.unsubscribe_url in digest.body_text
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe"] == f"<{digest.unsubscribe_url}>"


def test_a_digest_is_in_the_recipients_language(django_capture_on_commit_callbacks):
    weekly = leader(optional_email=DIGEST, language="sv")
    NewsItemFactory(published_at=LAST_WEEK, emailed_at=LAST_WEEK)

    run_digests(django_capture_on_commit_callbacks)

    (digest,) = digests_to(weekly)
    assert digest.subject == "[Tech Groups] Din veckosammanfattning, 3 mars till 9 mars 2025"
    assert "PROGRAMNYHETER" in digest.body_text


def test_a_call_follow_up_added_after_the_week_of_the_call_is_in_the_next_digest(
    django_capture_on_commit_callbacks,
):
    weekly = leader(optional_email=DIGEST)
    call = followup_call(ended=LAST_WEEK - timedelta(days=7))
    QuarterlyCall.objects.filter(pk=call.pk).update(updated_at=LAST_WEEK)

    run_digests(django_capture_on_commit_callbacks)

    (digest,) = digests_to(weekly)
    assert call.title in digest.body_text


def test_the_digest_goes_once_a_week(django_capture_on_commit_callbacks):
    weekly = leader(optional_email=DIGEST)
    NewsItemFactory(title="Last week", published_at=LAST_WEEK, emailed_at=LAST_WEEK)
    NewsItemFactory(title="This week", published_at=NOW, emailed_at=NOW)

    run_digests(django_capture_on_commit_callbacks)
    assert run_digests(django_capture_on_commit_callbacks, NOW + timedelta(days=1))["digests"] == 0
    run_digests(django_capture_on_commit_callbacks, NEXT_WEEK)

    first, second = digests_to(weekly)
    assert "Last week" in first.body_text
    assert "This week" not in first.body_text
    assert "This week" in second.body_text
    assert "Last week" not in second.body_text
    assert len(mail.outbox) == 2


def test_a_digest_run_reports_only_what_it_queued_itself(
    django_capture_on_commit_callbacks, monkeypatch
):
    leader(optional_email=DIGEST)
    NewsItemFactory(title="Last week", published_at=LAST_WEEK, emailed_at=LAST_WEEK)
    assert run_digests(django_capture_on_commit_callbacks)["digests"] == 1
    monkeypatch.setattr(news, "outbox_queued_keys", lambda keys: set())  # lost the race

    assert run_digests(django_capture_on_commit_callbacks)["digests"] == 0
    assert len(mail.outbox) == 1


def test_a_week_with_nothing_to_list_sends_no_digest(django_capture_on_commit_callbacks):
    leader(optional_email=DIGEST)
    NewsItemFactory(published_at=NOW - timedelta(days=20), emailed_at=NOW - timedelta(days=20))
    NewsItemFactory(published_at=None)

    assert run_digests(django_capture_on_commit_callbacks)["digests"] == 0
    assert mail.outbox == []


def test_only_leaders_who_chose_the_digest_get_it(django_capture_on_commit_callbacks):
    weekly = leader(optional_email=DIGEST)
    each = leader()
    off = leader(optional_email=OFF)
    NewsItemFactory(published_at=LAST_WEEK, emailed_at=LAST_WEEK)

    run_digests(django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[weekly.email]]
    assert digests_to(each) == digests_to(off) == []


def test_news_reaches_a_digest_reader_in_the_next_digest(django_capture_on_commit_callbacks):
    weekly = leader(optional_email=DIGEST)
    NewsItemFactory(title="Fresh news", published_at=LAST_WEEK)

    run_news(django_capture_on_commit_callbacks, LAST_WEEK + timedelta(minutes=30))
    assert news_to(weekly) == []
    run_digests(django_capture_on_commit_callbacks)

    (digest,) = digests_to(weekly)
    assert "Fresh news" in digest.body_text


def test_a_news_item_unpublished_after_it_was_mailed_is_left_out_of_the_digest(
    django_capture_on_commit_callbacks,
):
    leader(optional_email=DIGEST)
    NewsItemFactory(published_at=None, emailed_at=LAST_WEEK)

    assert run_digests(django_capture_on_commit_callbacks)["digests"] == 0


def test_the_beat_task_sends_the_digests(django_capture_on_commit_callbacks):
    leader(optional_email=DIGEST)
    period = digest_period(now=timezone.now())
    NewsItemFactory(published_at=period.start, emailed_at=period.start + timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        result = queue_digest_emails.delay().get()

    assert result["digests"] == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("groups", [1, 30])
def test_choosing_the_digest_recipients_runs_a_bounded_number_of_queries(
    groups, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(groups):
        group = GroupFactory(admitted=True)
        leader(group=group, optional_email=DIGEST)
        leader(group=group, role=Leadership.Role.CO_LEADER)
    NewsItemFactory(published_at=LAST_WEEK, emailed_at=LAST_WEEK)
    followup_call(ended=LAST_WEEK)
    run_digests(django_capture_on_commit_callbacks)

    # savepoint + news + follow-ups + recipients + keys queued already + release
    with django_assert_num_queries(6):
        counts = queue_weekly_digests(now=NOW)

    assert counts == {"news": 1, "followups": 1, "digests": 0}


# The schedules ------------------------------------------------------------------------------


def test_the_migration_creates_both_schedules_once():
    news = PeriodicTask.objects.get(name="Send program news")
    assert news.task == "program.tasks.queue_news_emails"
    assert (news.interval.every, news.interval.period) == (1, "hours")
    digests = PeriodicTask.objects.get(name="Send weekly digests")
    assert digests.task == "program.tasks.queue_digest_emails"
    assert (digests.interval.every, digests.interval.period) == (1, "hours")  # sends weekly
    migration = importlib.import_module(SCHEDULE_MIGRATION)
    migration.create_schedules(apps, None)
    assert (
        PeriodicTask.objects.filter(name__in=["Send program news", "Send weekly digests"]).count()
        == 2
    )
