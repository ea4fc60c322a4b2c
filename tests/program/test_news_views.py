"""Program news: who may read it, order, escaping, pages and queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import NewsItemFactory
from tests.pages import (
    PROGRAM_VISITORS,
    admitted_leader,
    assert_explains_admission,
    assert_sent_to_login,
    sign_in_as,
    titles,
)

pytestmark = pytest.mark.django_db

NEWS_URL = reverse("program:news")


@pytest.mark.parametrize(("visitor", "status"), PROGRAM_VISITORS.items())
def test_news_page_answers_each_kind_of_visitor(client, visitor, status):
    NewsItemFactory()
    sign_in_as(client, visitor)

    response = client.get(NEWS_URL)

    assert response.status_code == status


def test_anonymous_visitor_is_sent_to_login(client):
    assert_sent_to_login(client.get(NEWS_URL), NEWS_URL)


@pytest.mark.parametrize("visitor", ["applicant", "leader_of_group_that_left", "staff"])
def test_visitor_without_admitted_group_gets_a_page_that_explains_when_news_opens(client, visitor):
    NewsItemFactory(title="Vouchers for leaders")
    sign_in_as(client, visitor)

    response = client.get(NEWS_URL)

    assert_explains_admission(response)
    assert "Vouchers for leaders" not in response.content.decode()


def test_published_news_is_listed_newest_first(client):
    admitted_leader(client)
    now = timezone.now()
    NewsItemFactory(title="Older", published_at=now - timedelta(days=40))
    NewsItemFactory(title="Newer", published_at=now - timedelta(days=2))
    NewsItemFactory(title="Unpublished", published_at=None)
    NewsItemFactory(title="Scheduled", published_at=now + timedelta(days=3))

    response = client.get(NEWS_URL)

    assert titles(response) == ["Newer", "Older"]
    assert "Unpublished" not in response.content.decode()
    assert "Scheduled" not in response.content.decode()


def test_news_item_shows_its_date_and_text_with_line_breaks(client):
    admitted_leader(client)
    published_at = timezone.now().replace(year=2026, month=3, day=12, hour=12)
    NewsItemFactory(
        title="Global Azure",
        body="First line\nsecond line\n\nNew paragraph",
        published_at=published_at,
    )

    content = client.get(NEWS_URL).content.decode()

    assert "12 March 2026" in content
    assert '<time datetime="2026-03-12">' in content
    assert "<p>First line<br>second line</p>" in content
    assert "<p>New paragraph</p>" in content


def test_news_text_is_escaped(client):
    admitted_leader(client)
    NewsItemFactory(title="<b>Bold</b> title", body='<script>alert("x")</script>')

    content = client.get(NEWS_URL).content.decode()

    assert "&lt;b&gt;Bold&lt;/b&gt; title" in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert '<script>alert("x")' not in content


def test_no_news_says_so(client):
    admitted_leader(client)

    assert "No news yet." in client.get(NEWS_URL).content.decode()


def test_news_is_paginated(client):
    admitted_leader(client)
    now = timezone.now()
    for number in range(12):
        NewsItemFactory(title=f"News {number:02}", published_at=now - timedelta(days=number))

    first = client.get(NEWS_URL)
    second = client.get(NEWS_URL, {"page": "2"})
    bad = client.get(NEWS_URL, {"page": "nope"})

    assert len(titles(first)) == 10
    assert titles(second) == ["News 10", "News 11"]
    assert bad.status_code == 200
    assert titles(bad) == titles(first)
    assert "?page=2" in first.content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_news_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    admitted_leader(client)
    for _number in range(count):
        NewsItemFactory()

    # session, user, access check, count, page
    # One more: the program rules banner (the view answers the menu itself).
    with django_assert_num_queries(6):
        response = client.get(NEWS_URL)

    assert response.status_code == 200
