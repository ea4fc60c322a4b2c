"""Journey 4: the program team asks for changes; the leader reads why, edits and resubmits."""

import pytest
from playwright.sync_api import Page, expect

from groups.models import Group
from leaders.models import Leadership, User
from membership.models import Review
from membership.services import review_decide
from tests.browser.helpers import (
    CHANGES_REQUESTED_SUBJECT,
    LANGUAGES,
    PASSWORD,
    create,
    exact,
    expect_heading,
    expect_language,
    has_class,
    mail_to,
    sign_in,
    text,
)
from tests.builders import verified_user
from tests.factories import GroupFactory, LeadershipFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Please publish a code of conduct and add its address to the application."


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_leader_reads_the_requested_changes_makes_them_and_resubmits(
    page: Page, language: str
) -> None:
    leader = verified_user(
        email=f"leader-{language}@example.org", preferred_language=language, password=PASSWORD
    )
    group = create(
        Group,
        GroupFactory,
        name="Lund Azure Evenings",
        code_of_conduct_url="",
        status=Group.Status.SUBMITTED,
    )
    create(Leadership, LeadershipFactory, group=group, user=leader, role=Leadership.Role.LEADER)
    review_decide(
        group=group,
        by=create(User, StaffFactory),
        decision=Review.Decision.REQUEST_CHANGES,
        message=MESSAGE,
        expected_version=group.version,
    )
    decision_mail = mail_to(leader.email)[-1]
    assert MESSAGE in str(decision_mail.body)
    assert decision_mail.subject.endswith(CHANGES_REQUESTED_SUBJECT[language].format(group.name))

    # "My groups" shows the new state and the way forward.
    sign_in(page, email=leader.email)
    expect_language(page, language)
    group_card = page.locator("main .group-card")
    expect(group_card.locator(".status-badge")).to_have_text(exact(language, "Changes requested"))
    expect(group_card.locator(f"a[href^='/groups/{group.slug}/apply/']")).to_contain_text(
        text(language, "Make the changes and resubmit")
    )

    # The dashboard and the status page show the program team's message.
    group_card.locator(f"h2 a[href='/groups/{group.slug}/']").click()
    expect(page).to_have_url(f"/groups/{group.slug}/")
    changes = page.locator("section.changes-requested")
    expect(changes.get_by_role("heading")).to_have_text(
        exact(language, "The program team asks for changes")
    )
    expect(changes.locator("blockquote")).to_have_text(MESSAGE)
    page.locator(f"main nav a[href='/groups/{group.slug}/status/']").click()
    expect_heading(page, language, "Application status")
    expect(page.locator("section.changes-requested blockquote")).to_have_text(MESSAGE)
    expect(page.locator(".timeline .timeline-decision").first).to_contain_text(MESSAGE)

    # Edit: the review step's checklist says the code of conduct is missing and where to add it.
    page.locator("section.changes-requested a[href$='/apply/review/']").click()
    expect(page).to_have_url(f"/groups/{group.slug}/apply/review/")
    expect_language(page, language)
    conduct = page.locator(".checklist-item").filter(has_text=text(language, "Code of conduct"))
    expect(conduct).to_have_class(has_class("checklist-fail"))
    conduct.locator(".checklist-fix a[href$='/apply/links/']").click()

    expect(page).to_have_url(f"/groups/{group.slug}/apply/links/")
    page.locator("main form [name=code_of_conduct_url]").fill(
        "https://lund-azure.example.org/code-of-conduct"
    )
    page.locator("main form").get_by_role(
        "button", name=exact(language, "Save and continue")
    ).click()
    expect(page).to_have_url(f"/groups/{group.slug}/apply/meetings/")
    page.locator("nav a.application-step-link[href$='/apply/review/']").click()

    # Resubmit: the code of conduct is now met.
    expect(page).to_have_url(f"/groups/{group.slug}/apply/review/")
    conduct = page.locator(".checklist-item").filter(has_text=text(language, "Code of conduct"))
    expect(conduct).to_have_class(has_class("checklist-pass"))
    submit_form = page.locator("main form[method=post]").last
    expect(submit_form.get_by_role("heading")).to_have_text(
        exact(language, "Resubmit the application")
    )
    submit_form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"/groups/{group.slug}/status/")
    expect_language(page, language)
    expect(page.locator("main .status-badge")).to_have_text(exact(language, "Submitted"))
    expect(page.locator("section.changes-requested")).to_have_count(0)
    expect(page.locator(".timeline .timeline-item h3").first).to_have_text(
        exact(language, "Resubmitted")
    )
    group.refresh_from_db()
    assert group.status == Group.Status.SUBMITTED
    assert group.code_of_conduct_url == "https://lund-azure.example.org/code-of-conduct"
