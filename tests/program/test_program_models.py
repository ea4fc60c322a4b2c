"""What must always hold for the program's rules, acceptances and curated content."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from leaders.models import ProgramRules, RulesAcceptance
from program.models import ContentItem
from tests.factories import (
    ContentItemFactory,
    ProgramRulesFactory,
    QuarterlyCallFactory,
    RulesAcceptanceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_second_acceptance_of_the_same_rules_version_is_refused():
    first = RulesAcceptanceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RulesAcceptance.objects.create(user=first.user, rules=first.rules)


def test_person_may_accept_each_new_rules_version():
    person = UserFactory()
    RulesAcceptanceFactory(user=person, rules=ProgramRulesFactory(version=1))

    RulesAcceptanceFactory(user=person, rules=ProgramRulesFactory(version=2))

    assert person.rules_acceptances.count() == 2


def test_two_people_may_accept_the_same_version():
    rules = ProgramRulesFactory()
    RulesAcceptanceFactory(rules=rules)

    RulesAcceptanceFactory(rules=rules)

    assert rules.acceptances.count() == 2


def test_current_rules_are_the_highest_published_version():
    ProgramRulesFactory(version=1)
    current = ProgramRulesFactory(version=2)
    ProgramRulesFactory(version=3, published_at=None)

    assert ProgramRules.objects.current() == current


def test_content_item_without_link_or_file_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentItemFactory(url="")


def test_content_item_with_only_a_file_is_stored():
    item = ContentItemFactory(
        url="", file=SimpleUploadedFile("deck.pdf", b"%PDF-1.4", content_type="application/pdf")
    )

    assert ContentItem.objects.get(pk=item.pk).file.name.endswith(".pdf")


def test_content_item_with_only_a_link_is_stored():
    item = ContentItemFactory(url="https://content.example.org/lab")

    assert item.pk is not None


@pytest.mark.parametrize("url", ["ftp://content.example.org/deck.pptx", "javascript:alert(1)"])
def test_content_link_that_is_not_http_is_rejected_by_full_clean(url):
    item = ContentItemFactory.build(url=url)

    with pytest.raises(ValidationError) as caught:
        item.full_clean()

    assert "url" in caught.value.message_dict


def test_quarterly_call_that_ends_before_it_starts_is_refused():
    starts = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterlyCallFactory(starts_at=starts, ends_at=starts - timedelta(minutes=1))


@pytest.mark.parametrize("field", ["join_url", "recording_url", "slides_url"])
def test_call_link_that_is_not_http_is_rejected_by_full_clean(field):
    call = QuarterlyCallFactory.build(**{field: "javascript:alert(1)"})

    with pytest.raises(ValidationError) as caught:
        call.full_clean()

    assert field in caught.value.message_dict
