"""Journey 6: once the group is admitted, its leader follows the program: calls, content, news."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from groups.models import Group
from leaders.models import Leadership, User
from membership.models import Review
from membership.services import review_decide
from program.models import ContentItem, NewsItem, QuarterlyCall
from tests.browser.helpers import (
    LANGUAGES,
    PASSWORD,
    create,
    expect_heading,
    expect_language,
    ntext,
    sign_in,
)
from tests.builders import verified_user
from tests.factories import (
    ContentItemFactory,
    GroupFactory,
    LeadershipFactory,
    NewsItemFactory,
    QuarterlyCallFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAM_LINKS = "header nav a[href^='/program/']"


@pytest.mark.parametrize("language", LANGUAGES)
def test_after_admission_a_leader_sees_the_calls_the_content_library_and_the_news(
    page: Page, language: str
) -> None:
    leader = verified_user(
        email=f"leader-{language}@example.org", preferred_language=language, password=PASSWORD
    )
    group = create(Group, GroupFactory, name="Västerås Azure Group", status=Group.Status.SUBMITTED)
    create(Leadership, LeadershipFactory, group=group, user=leader, role=Leadership.Role.LEADER)
    now = timezone.now()
    upcoming = create(
        QuarterlyCall,
        QuarterlyCallFactory,
        title="Leaders call Q4",
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=1),
        agenda="Program news; the new content library.",
    )
    create(
        QuarterlyCall,
        QuarterlyCallFactory,
        title="Leaders call Q3",
        starts_at=now - timedelta(days=70),
        ends_at=now - timedelta(days=70, hours=-1),
        recording_url="https://video.example.org/q3",
    )
    create(ContentItem, ContentItemFactory, title="Bicep from zero", kind=ContentItem.Kind.SLIDES)
    create(ContentItem, ContentItemFactory, title="AKS in ten minutes", kind=ContentItem.Kind.VIDEO)
    create(
        NewsItem,
        NewsItemFactory,
        title="The portal is open",
        body="Leaders now apply in the portal.",
    )

    # Before admission the program's pages are not in the menu.
    sign_in(page, email=leader.email)
    expect_language(page, language)
    expect(page.locator(PROGRAM_LINKS)).to_have_count(0)

    review_decide(
        group=group,
        by=create(User, StaffFactory),
        decision=Review.Decision.ADMIT,
        override_reason="The co-leader joins next week.",
        expected_version=group.version,
    )
    page.reload()
    expect(page.locator(PROGRAM_LINKS)).to_have_count(3)

    # Quarterly calls: the upcoming one with its agenda and a calendar file; the past one.
    page.locator("header nav a[href='/program/calls/']").click()
    expect_heading(page, language, "Quarterly leader calls")
    call = page.locator(f"article[aria-labelledby=call-{upcoming.pk}-title]")
    expect(call).to_contain_text("Leaders call Q4")
    expect(call).to_contain_text("Program news; the new content library.")
    expect(call.locator("a[href='https://meet.example.org/call']")).to_be_visible()
    expect(page.locator("section#past")).to_contain_text("Leaders call Q3")
    expect(page.locator("section#past a[href='https://video.example.org/q3']")).to_be_visible()

    with page.expect_download() as download_info:
        call.locator(f"a[href='/program/calls/{upcoming.pk}.ics']").click()
    download = download_info.value
    assert download.suggested_filename == "leaders-call-q4.ics"
    calendar = Path(download.path()).read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:Leaders call Q4" in calendar
    assert "BEGIN:VEVENT" in calendar
    response = page.request.get(f"/program/calls/{upcoming.pk}.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]

    # The content library, filtered by kind.
    page.locator("header nav a[href='/program/content/']").click()
    expect_heading(page, language, "Content library")
    expect(page.locator(".content-card")).to_have_count(2)
    page.locator("main form [name=kind]").select_option("video")
    page.locator("main form.content-filter button[type=submit]").click()
    expect(page).to_have_url("/program/content/?kind=video&language=")
    expect(page.locator(".content-card")).to_have_count(1)
    expect(page.locator(".content-card")).to_contain_text("AKS in ten minutes")
    expect(page.locator("main [role=status]")).to_have_text(
        ntext(language, "%(total)s item", "%(total)s items", 1, name="total")
    )
    expect(page.locator("main form [name=kind]")).to_have_value("video")
    expect_language(page, language)

    # Program news.
    page.locator("header nav a[href='/program/news/']").click()
    expect_heading(page, language, "Program news")
    expect(page.locator("article.news-item")).to_contain_text("The portal is open")
    expect(page.locator("article.news-item")).to_contain_text("Leaders now apply in the portal.")
    expect_language(page, language)
