"""Journey 2: a leader applies with a new group, step by step, and submits the application."""

import pytest
from playwright.sync_api import Page, expect

from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, ProgramRules, RulesAcceptance
from tests.browser.helpers import (
    INVITATION_SUBJECT,
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
from tests.factories import ProgramRulesFactory
from tests.pages import link_in

pytestmark = pytest.mark.django_db(transaction=True)


def save_and_continue(page: Page, language: str) -> None:
    page.locator("main form").get_by_role(
        "button", name=exact(language, "Save and continue")
    ).click()
    page.wait_for_load_state()


def expect_step(page: Page, slug: str, step: str) -> None:
    expect(page).to_have_url(f"/groups/{slug}/apply/{step}/")
    current = page.locator("nav .application-step.is-current")
    expect(current).to_have_count(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_leader_fills_every_step_of_the_application_and_submits_it(
    page: Page, language: str
) -> None:
    rules = create(
        ProgramRules,
        ProgramRulesFactory,
        version=3,
        title="Program rules",
        body="Be kind.\n\nMeetings are free to attend.",
    )
    leader = verified_user(
        email=f"applicant-{language}@example.org", preferred_language=language, password=PASSWORD
    )
    co_leader_email = f"co-leader-{language}@example.org"

    sign_in(page, email=leader.email)
    expect(page).to_have_url("/groups/")
    expect_language(page, language)
    page.locator("main a[href='/groups/apply/']").click()

    # Step 1: the group. This creates the draft.
    expect(page).to_have_url("/groups/apply/")
    expect_language(page, language)
    expect_heading(page, language, "The group")
    form = page.locator("main form")
    form.locator("[name=name]").fill("Göteborg Azure Meetup")
    form.locator("[name=city]").fill("Göteborg")
    form.locator("[name=country]").select_option("SE")
    form.locator("[name=timezone]").select_option("Europe/Stockholm")
    form.locator("[name=languages][value=sv]").check()
    form.locator("[name=languages][value=en]").check()
    form.locator("[name=description]").fill("Evening meetups about Azure in Göteborg.")
    save_and_continue(page, language)

    group = Group.objects.get(name="Göteborg Azure Meetup")
    assert group.status == Group.Status.DRAFT
    assert Leadership.objects.active().filter(group=group, user=leader).exists()

    # Step 2: links. A link that is not a web address is refused beside its field.
    expect_step(page, group.slug, "links")
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()
    expect_heading(page, language, "Links")
    form = page.locator("main form")
    form.locator("[name=home_page_url]").fill("https://goteborg-azure.example.org/")
    form.locator("[name=code_of_conduct_url]").fill("ftp://goteborg-azure.example.org/conduct")
    save_and_continue(page, language)
    expect_step(page, group.slug, "links")
    conduct = page.locator("[name=code_of_conduct_url]")
    expect(conduct).to_have_class(has_class("is-invalid"))
    expect(page.locator("#div_id_code_of_conduct_url .invalid-feedback")).to_have_text(
        exact(language, "Enter a web address that starts with https:// or http://.")
    )
    group.refresh_from_db()
    assert group.home_page_url == ""
    conduct.fill("https://goteborg-azure.example.org/conduct")
    page.locator("[name=event_page_url]").fill("https://www.meetup.example.org/goteborg-azure/")
    save_and_continue(page, language)

    # Step 3: planned meetings; then the leader stops and resumes later from "My groups".
    expect_step(page, group.slug, "meetings")
    expect_heading(page, language, "Meetings")
    page.locator("main form [name=planned_meetings_per_year]").fill("8")
    save_and_continue(page, language)
    expect_step(page, group.slug, "rules")
    page.locator("main form a[href='/groups/']").click()
    expect_heading(page, language, "My groups")
    draft = page.locator("main .group-card")
    expect(draft.locator(".status-badge")).to_have_text(exact(language, "Draft"))
    draft.locator(f"a[href='/groups/{group.slug}/apply/rules/']").click()

    # Step 4: the program rules in force, and the co-leader's address.
    expect_step(page, group.slug, "rules")
    expect_heading(page, language, "Rules and co-leader")
    expect(page.locator(".rules-text")).to_contain_text("Meetings are free to attend.")
    page.locator("main form [name=accept_rules]").check()
    page.locator("main form [name=co_leader_email]").fill(co_leader_email)
    save_and_continue(page, language)
    expect(page.locator("main [role=status]").first).to_contain_text(
        text(language, "Saved. We have e-mailed an invitation to %(email)s.")
        % {"email": co_leader_email}
    )

    # Step 5: the review, with the checklist the program team will see.
    expect_step(page, group.slug, "review")
    expect_heading(page, language, "Review and submit")
    expect_language(page, language)
    summary = page.locator("section[aria-labelledby=summary-title]")
    expect(summary).to_contain_text("Göteborg Azure Meetup")
    expect(summary).to_contain_text("https://goteborg-azure.example.org/conduct")
    expect(summary).to_contain_text("8")

    checklist = page.locator("section[aria-labelledby=checklist-title]")
    failing = checklist.locator(".checklist-item.checklist-fail")
    expect(failing.first).to_be_visible()
    # The co-leader has not joined yet: the checklist says so and where to fix it.
    contacts = failing.filter(has_text=text(language, "A leader and a co-leader"))
    expect(contacts).to_have_count(1)
    expect(contacts.locator(".checklist-fix a[href$='/apply/rules/']")).to_be_visible()
    expect(contacts).to_contain_text(co_leader_email)
    # What is met is shown as met.
    met = checklist.locator(".checklist-item.checklist-pass")
    expect(met.filter(has_text=text(language, "Code of conduct"))).to_have_count(1)
    expect(met.filter(has_text=text(language, "Program rules accepted"))).to_have_count(0)
    missing = checklist.locator(".alert-warning li")
    expect(missing).to_have_count(failing.count())

    page.locator("main form button[type=submit]").click()

    # Submitted: the status page says so.
    expect(page).to_have_url(f"/groups/{group.slug}/status/")
    expect_language(page, language)
    expect(page.locator("main .status-badge")).to_have_text(exact(language, "Submitted"))
    expect(page.locator(".status-track [aria-current=step]")).to_contain_text(
        text(language, "Submitted and in review")
    )
    group.refresh_from_db()
    assert group.status == Group.Status.SUBMITTED
    assert RulesAcceptance.objects.filter(user=leader, rules=rules).exists()

    # The invitation went out by e-mail, in the leader's language, with its link.
    invitation = CoLeaderInvitation.objects.get(group=group)
    assert invitation.email == co_leader_email
    invitation_mail = mail_to(co_leader_email)[-1]
    assert invitation_mail.subject.endswith(INVITATION_SUBJECT[language].format(group.name))
    assert (
        link_in(invitation_mail, path_pattern=r"^/invitations/")
        == f"/invitations/{invitation.token}/"
    )

    # "My groups" lists the group as submitted.
    page.locator("header nav a[href='/groups/']").click()
    expect(page.locator("main .group-card .status-badge")).to_have_text(
        exact(language, "Submitted")
    )
