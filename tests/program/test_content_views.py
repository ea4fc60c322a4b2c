"""The curated content library: who may see it, filters, early access, pages and queries."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from program.models import ContentItem
from tests.factories import ContentItemFactory
from tests.pages import (
    PROGRAM_VISITORS,
    admitted_leader,
    assert_explains_admission,
    assert_sent_to_login,
    sign_in_as,
    titles,
)

pytestmark = pytest.mark.django_db

CONTENT_URL = reverse("program:content")


@pytest.mark.parametrize(("visitor", "status"), PROGRAM_VISITORS.items())
def test_content_library_answers_each_kind_of_visitor(client, visitor, status):
    ContentItemFactory()
    sign_in_as(client, visitor)

    response = client.get(CONTENT_URL)

    assert response.status_code == status


def test_anonymous_visitor_is_sent_to_login(client):
    assert_sent_to_login(client.get(CONTENT_URL), CONTENT_URL)


@pytest.mark.parametrize("visitor", ["applicant", "leader_of_group_that_left", "staff"])
def test_visitor_without_admitted_group_gets_a_page_that_explains_when_content_opens(
    client, visitor
):
    ContentItemFactory(title="Secret early deck")
    sign_in_as(client, visitor)

    response = client.get(CONTENT_URL)

    assert_explains_admission(response)
    assert "Secret early deck" not in response.content.decode()


def test_library_shows_published_items_only_newest_first(client):
    admitted_leader(client)
    now = timezone.now()
    ContentItemFactory(title="Older", published_at=now - timedelta(days=30))
    ContentItemFactory(title="Newer", published_at=now - timedelta(days=1))
    ContentItemFactory(title="Draft", is_published=False, published_at=None)

    response = client.get(CONTENT_URL)

    assert titles(response) == ["Newer", "Older"]
    assert "Draft" not in response.content.decode()


def test_item_shows_title_kind_language_summary_and_link(client):
    admitted_leader(client)
    ContentItemFactory(
        title="Hands-on lab: Container Apps",
        kind=ContentItem.Kind.LAB,
        language="sv",
        summary="Deploy <em>your</em> first app.",
        url="https://content.example.org/lab",
    )

    content = client.get(CONTENT_URL).content.decode()

    assert "Hands-on lab: Container Apps" in content
    assert ">Lab<" in content
    assert ">Swedish<" in content
    assert "Deploy &lt;em&gt;your&lt;/em&gt; first app." in content
    assert 'href="https://content.example.org/lab"' in content


def test_item_in_a_language_the_portal_does_not_name_shows_its_code(client):
    admitted_leader(client)
    ContentItemFactory(language="eo")

    content = client.get(CONTENT_URL).content.decode()

    assert ">eo<" in content


def test_item_with_a_file_offers_its_download(client):
    admitted_leader(client)
    ContentItemFactory(url="", file=SimpleUploadedFile("deck.pdf", b"%PDF-1.4"))

    content = client.get(CONTENT_URL).content.decode()

    assert "/media/content/" in content
    assert "deck" in content
    assert "Download" in content


def test_early_access_badge_shows_while_early_access_lasts(client):
    admitted_leader(client)
    now = timezone.now()
    ContentItemFactory(title="Early", early_access_until=now + timedelta(days=10))
    ContentItemFactory(title="Was early", early_access_until=now - timedelta(days=1))
    ContentItemFactory(title="Never early", early_access_until=None)

    response = client.get(CONTENT_URL)
    flags = {item.title: bool(item.is_early_access) for item in response.context["page"]}

    assert flags == {"Early": True, "Was early": False, "Never early": False}
    assert response.content.decode().count(">Early access<") == 1


def test_filter_by_kind(client):
    admitted_leader(client)
    ContentItemFactory(title="A lab", kind=ContentItem.Kind.LAB)
    ContentItemFactory(title="A video", kind=ContentItem.Kind.VIDEO)

    response = client.get(CONTENT_URL, {"kind": "lab"})

    assert titles(response) == ["A lab"]


def test_filter_by_language(client):
    admitted_leader(client)
    ContentItemFactory(title="Swedish deck", language="sv")
    ContentItemFactory(title="English deck", language="en")

    response = client.get(CONTENT_URL, {"language": "sv"})

    assert titles(response) == ["Swedish deck"]


def test_filter_by_kind_and_language(client):
    admitted_leader(client)
    ContentItemFactory(title="Swedish lab", language="sv", kind=ContentItem.Kind.LAB)
    ContentItemFactory(title="Swedish deck", language="sv", kind=ContentItem.Kind.SLIDES)
    ContentItemFactory(title="English lab", language="en", kind=ContentItem.Kind.LAB)

    response = client.get(CONTENT_URL, {"kind": "lab", "language": "sv"})

    assert titles(response) == ["Swedish lab"]


def test_all_options_show_everything(client):
    admitted_leader(client)
    ContentItemFactory(language="sv", kind=ContentItem.Kind.LAB)
    ContentItemFactory(language="en", kind=ContentItem.Kind.VIDEO)

    response = client.get(CONTENT_URL, {"kind": "", "language": ""})

    assert len(titles(response)) == 2
    assert "All kinds" in response.content.decode()
    assert "All languages" in response.content.decode()


def test_language_filter_offers_the_languages_content_is_in(client):
    admitted_leader(client)
    ContentItemFactory(language="sv")
    ContentItemFactory(language="en")
    ContentItemFactory(language="de", is_published=False, published_at=None)

    form = client.get(CONTENT_URL).context["form"]

    assert list(form.fields["language"].choices) == [
        ("", "All languages"),
        ("en", "English"),
        ("sv", "Swedish"),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "poster"}, "Unknown kind: showing every kind."),
        ({"language": "xx"}, "Unknown language: showing every language."),
        ({"kind": "<script>"}, "Unknown kind: showing every kind."),
    ],
)
def test_unknown_filter_value_is_reported_and_ignored(client, query, message):
    admitted_leader(client)
    ContentItemFactory(title="One", language="sv")
    ContentItemFactory(title="Two", language="en")

    response = client.get(CONTENT_URL, query)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert sorted(titles(response)) == ["One", "Two"]
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_valid_filter_still_applies_beside_an_unknown_one(client):
    admitted_leader(client)
    ContentItemFactory(title="A lab", kind=ContentItem.Kind.LAB)
    ContentItemFactory(title="A video", kind=ContentItem.Kind.VIDEO)

    response = client.get(CONTENT_URL, {"kind": "lab", "language": "xx"})

    assert titles(response) == ["A lab"]


def test_repeated_or_odd_parameters_never_fail(client):
    admitted_leader(client)
    ContentItemFactory()

    response = client.get(f"{CONTENT_URL}?kind=lab&kind=video&language=%E2%80%AE&page=-1&x=y")

    assert response.status_code == 200


def test_filter_that_matches_nothing_says_so(client):
    admitted_leader(client)
    ContentItemFactory(kind=ContentItem.Kind.LAB)

    content = client.get(CONTENT_URL, {"kind": "video"}).content.decode()

    assert "Nothing in the library matches these filters." in content


def test_empty_library_says_so(client):
    admitted_leader(client)

    assert "The library is empty for now." in client.get(CONTENT_URL).content.decode()


def test_library_is_paginated_and_page_links_keep_the_filters(client):
    admitted_leader(client)
    for _number in range(15):
        ContentItemFactory(kind=ContentItem.Kind.LAB)
    ContentItemFactory(kind=ContentItem.Kind.VIDEO)

    first = client.get(CONTENT_URL, {"kind": "lab"})
    second = client.get(CONTENT_URL, {"kind": "lab", "page": "2"})

    assert len(titles(first)) == 12
    assert len(titles(second)) == 3
    assert "?kind=lab&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("page", ["0", "999", "abc", ""])
def test_bad_page_number_shows_a_page(client, page):
    admitted_leader(client)
    ContentItemFactory()

    response = client.get(CONTENT_URL, {"page": page})

    assert response.status_code == 200
    assert len(titles(response)) == 1


def build_library(count: int) -> None:
    now = timezone.now()
    kinds = ContentItem.Kind.values
    for number in range(count):
        ContentItemFactory(
            kind=kinds[number % len(kinds)],
            language=["en", "sv", "de"][number % 3],
            early_access_until=now + timedelta(days=5) if number % 4 == 0 else None,
        )


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("query", [{}, {"kind": "slides", "language": "en"}])
def test_content_library_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, count, query
):
    admitted_leader(client)
    build_library(count)

    # session, user, access check, filter languages, count, page
    # One more: the program rules banner (the view answers the menu itself).
    with django_assert_num_queries(7):
        response = client.get(CONTENT_URL, query)

    assert response.context["page"].object_list
