"""Journey: a leader reports that the co-leader has left and invites a successor in the same
step; the successor signs up, accepts and becomes co-leader, and requirement 1 passes again
(docs/program.md, "Leadership changes")."""

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from groups.models import Group
from leaders.models import Leadership, LeadershipChangeRequest, ProgramRules, RulesAcceptance
from tests.browser.helpers import (
    INVITATION_SUBJECT,
    PASSWORD,
    card,
    confirm_email,
    create,
    exact,
    expect_heading,
    has_class,
    mail_to,
    second_visitor,
    sign_in,
    sign_up,
    switch_language,
    text,
)
from tests.builders import verified_user
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    ProgramRulesFactory,
    RulesAcceptanceFactory,
)
from tests.pages import link_in

pytestmark = pytest.mark.django_db(transaction=True)

SUCCESSOR = "cecilia@example.org"
CONTACTS = "A leader and a co-leader"


def contacts_item(page: Page) -> Locator:
    return page.locator(".checklist-item").filter(has_text=text("en", CONTACTS))


def test_a_co_leader_reported_as_left_is_replaced_by_the_invited_successor(
    page: Page, browser: Browser, live_server: LiveServer, console_errors: list[str]
) -> None:
    rules = create(ProgramRules, ProgramRulesFactory, version=3, title="Rules", body="Be kind.")
    leader = verified_user(email="ada@example.org", name="Ada Lind", password=PASSWORD)
    gone = verified_user(email="bo@example.org", name="Bo Ek", password=PASSWORD)
    for person in (leader, gone):
        create(RulesAcceptance, RulesAcceptanceFactory, user=person, rules=rules)
    group = create(Group, GroupFactory, name="Lund Cloud Group", admitted=True)
    create(Leadership, LeadershipFactory, group=group, user=leader, role=Leadership.Role.LEADER)
    create(Leadership, LeadershipFactory, group=group, user=gone, role=Leadership.Role.CO_LEADER)
    dashboard = f"/groups/{group.slug}/"
    people = f"/groups/{group.slug}/people/"

    sign_in(page, email=leader.email)
    page.goto(dashboard)
    expect(contacts_item(page)).to_have_class(has_class("checklist-pass"))

    # The people page offers the report; its form asks what happened and for a successor.
    page.goto(people)
    page.locator(f"main a[href='{people}report-left/']").click()
    expect_heading(page, "en", "Report that a contact has left")
    form = page.locator(f"main form[action='{people}report-left/']")
    expect(form.locator("[name=takes_over]")).to_have_count(0)  # the leader stays leader

    # A short look in Swedish: the form's labels are translated.
    switch_language(page, "sv")
    for label in (
        "What happened (optional)",
        "Successor's name (optional)",
        "Successor's e-mail address (optional)",
    ):
        assert text("sv", label) != label, f"{label!r} has no Swedish translation"
        expect(form.get_by_text(text("sv", label))).to_be_visible()
    switch_language(page, "en")

    # A successor's name without an address is refused beside the field; nothing changes.
    form.locator("[name=successor_name]").fill("Cecilia Holm")
    form.locator("button[type=submit]").click()
    expect(page.locator("#div_id_successor_email .invalid-feedback")).to_have_text(
        exact("en", "Give the successor's e-mail address to invite them.")
    )
    assert Leadership.objects.active().filter(group=group, user=gone).exists()

    form.locator("[name=details]").fill("Bo moved to Berlin.")
    form.locator("[name=successor_email]").fill(SUCCESSOR)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(people)
    expect(card(page, exact("en", "Co-leader"))).to_contain_text(
        text("en", "Nobody holds this role.")
    )
    pending = page.locator("section[aria-labelledby=invitation-title] [role=status]")
    expect(pending).to_contain_text(SUCCESSOR)
    request = LeadershipChangeRequest.objects.get(group=group)
    assert request.kind == LeadershipChangeRequest.Kind.CO_LEADER_LEFT
    assert request.reported_leadership is not None
    assert request.reported_leadership.user == gone
    assert "Ada Lind reported that you have left" in mail_to(gone.email)[-1].subject

    page.goto(dashboard)
    expect(contacts_item(page)).to_have_class(has_class("checklist-fail"))

    # The successor signs up with the invited address and accepts.
    message = mail_to(SUCCESSOR)[-1]
    assert INVITATION_SUBJECT["en"].format(group.name) in message.subject
    invitation_path = link_in(message, path_pattern=r"^/invitations/")
    with second_visitor(browser, live_server.url, console_errors) as visitor:
        visitor.goto(invitation_path)
        visitor.locator("main a[href^='/accounts/signup/']").click()
        sign_up(visitor, email=SUCCESSOR)
        confirm_email(visitor, SUCCESSOR)
        expect(visitor).to_have_url(invitation_path)
        visitor.locator("main form [name=accept_rules]").check()
        visitor.locator("main form button[name=answer][value=accept]").click()
        expect(visitor).to_have_url(dashboard)

    page.goto(people)
    expect(card(page, exact("en", "Co-leader"))).to_contain_text(SUCCESSOR)
    page.goto(dashboard)
    expect(contacts_item(page)).to_have_class(has_class("checklist-pass"))
    assert console_errors == []
