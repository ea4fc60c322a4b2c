"""Journey: the program team publishes a new version of the program rules; the contacts of one
group see the banner and accept it, one in English and one in Swedish; a contact of another
group misses it until the grace period ends, the checklist fails requirement 5, then they
accept and it passes (docs/program.md, "Requirement 5")."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from groups.models import Group
from leaders.models import Leadership, ProgramRules, RulesAcceptance, User
from tests.browser.helpers import (
    PASSWORD,
    has_class,
    second_visitor,
    sign_in,
    switch_language,
)
from tests.browser.test_journey_staff_review import program_team_member, sign_in_to_the_admin
from tests.builders import CO_LEADER, admitted_group, lead, verified_user
from tests.factories import ProgramRulesFactory, RulesAcceptanceFactory

pytestmark = pytest.mark.django_db(transaction=True)

SWEDISH_TEXT = "Mötena är alltid gratis för deltagarna."


def contact(group: Group, email: str, *, role: str = "leader", language: str = "en") -> User:
    user = verified_user(email=email, preferred_language=language, password=PASSWORD)
    lead(group, user=user, role=role)
    return user


def test_staff_publish_a_version_and_the_contacts_accept_it(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    console_errors: list[str],
    program_team: AuthGroup,
) -> None:
    old = ProgramRulesFactory(version=1, published_at=timezone.now() - timedelta(days=400))
    first = admitted_group(name="Lund Cloud Group")
    ada = contact(first, "ada@example.org")
    bo = contact(first, "bo@example.org", role=CO_LEADER, language="sv")
    second = admitted_group(name="Umeå Azure Group")
    cy = contact(second, "cy@example.org")
    dag = contact(second, "dag@example.org", role=CO_LEADER)
    for user in [ada, bo, cy, dag]:
        RulesAcceptanceFactory(user=user, rules=old)
    draft = ProgramRulesFactory(
        version=2,
        published_at=None,
        title="Program rules of conduct, 2027",
        body="Meetings are always free for attendees.\n\nBe kind.",
        title_sv="Programmets uppföranderegler 2027",
        body_sv=f"{SWEDISH_TEXT}\n\nVar vänlig.",
    )

    # The program team publishes version 2, confirming it.
    staff = program_team_member(program_team)
    sign_in_to_the_admin(page, staff)
    page.goto("/admin/leaders/programrules/")
    page.get_by_role("link", name="Publish…").click()
    page.get_by_label("Publish this version").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Version 2 of the program rules is published."
    )
    expect(page.locator("#rules-roster")).to_contain_text("not accepted")
    draft.refresh_from_db()
    assert draft.published_at is not None

    # Ada accepts in English from the banner.
    with second_visitor(browser, live_server.url, console_errors) as leader_page:
        sign_in(leader_page, email=ada.email)
        banner = leader_page.get_by_test_id("rules-banner")
        expect(banner).to_contain_text("The program rules changed: read and accept version 2 by")
        banner.get_by_role("link").click()
        expect(leader_page.locator("#rules-title")).to_have_text("Program rules of conduct, 2027")
        leader_page.get_by_label("I have read the program rules and accept them.").check()
        leader_page.get_by_role("button", name="Accept version 2").click()
        expect(leader_page.get_by_test_id("rules-accepted")).to_contain_text(
            "You accepted version 2"
        )
        expect(leader_page.get_by_test_id("rules-banner")).to_have_count(0)

    # Bo reads it in Swedish and accepts.
    with second_visitor(browser, live_server.url, console_errors) as co_page:
        sign_in(co_page, email=bo.email)
        switch_language(co_page, "sv")
        co_page.get_by_test_id("rules-banner").get_by_role("link").click()
        expect(co_page.locator("#rules-title")).to_have_text("Programmets uppföranderegler 2027")
        expect(co_page.locator(".rules-text")).to_contain_text(SWEDISH_TEXT)
        co_page.locator("input[name=accept]").check()
        co_page.locator("form[action$='/rules/'] button[type=submit]").click()
        expect(co_page.get_by_test_id("rules-accepted")).to_be_visible()
    assert RulesAcceptance.objects.filter(rules=draft, user__in=[ada, bo]).count() == 2

    # In the other group Cy accepts, Dag misses it until the grace period has passed.
    RulesAcceptance.objects.create(user=cy, rules=draft, accepted_at=timezone.now())
    past = timezone.now() - timedelta(days=31)
    ProgramRules.objects.filter(pk=draft.pk).update(published_at=past)
    Leadership.objects.filter(group=second).update(started_at=past - timedelta(days=300))

    with second_visitor(browser, live_server.url, console_errors) as page:
        sign_in(page, email=dag.email)
        dashboard = reverse("groups:dashboard", args=[second.slug])
        page.goto(dashboard)
        rules_item = page.locator(".checklist-item").last
        expect(rules_item).to_contain_text("version 2 is current")
        expect(rules_item).to_have_class(has_class("checklist-fail"))
        page.get_by_test_id("rules-banner").get_by_role("link").click()
        page.get_by_label("I have read the program rules and accept them.").check()
        page.get_by_role("button", name="Accept version 2").click()
        page.goto(dashboard)
        expect(page.locator(".checklist-item").last).to_have_class(has_class("checklist-pass"))
