"""Journey 3: a leader invites a co-leader, who signs up with the invited address and accepts."""

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from groups.models import Group
from leaders.models import Leadership, ProgramRules, RulesAcceptance
from tests.browser.helpers import (
    INVITATION_SUBJECT,
    LANGUAGES,
    PASSWORD,
    card,
    confirm_email,
    create,
    exact,
    expect_heading,
    expect_language,
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

NOBODY = (
    "Nobody holds this role. Until someone does, the group does not meet the program's "
    '"two contacts" requirement.'
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_invited_co_leader_signs_up_accepts_and_shows_on_the_people_page(
    page: Page, browser: Browser, live_server: LiveServer, console_errors: list[str], language: str
) -> None:
    rules = create(
        ProgramRules,
        ProgramRulesFactory,
        version=2,
        title="Program rules",
        body="Meetings are free.",
    )
    leader = verified_user(
        email=f"leader-{language}@example.org", preferred_language=language, password=PASSWORD
    )
    create(RulesAcceptance, RulesAcceptanceFactory, user=leader, rules=rules)
    group = create(Group, GroupFactory, name="Uppsala Cloud Group", status=Group.Status.SUBMITTED)
    create(Leadership, LeadershipFactory, group=group, user=leader, role=Leadership.Role.LEADER)
    invitee = f"co-leader-{language}@example.org"

    # The leader invites a co-leader from the group's people page.
    sign_in(page, email=leader.email)
    page.locator(f"main a[href='/groups/{group.slug}/']").first.click()
    expect_language(page, language)
    page.locator(f"main nav a[href='/groups/{group.slug}/people/']").click()
    expect_heading(page, language, "People")
    co_leader_card = card(page, exact(language, "Co-leader"))
    expect(co_leader_card).to_contain_text(text(language, NOBODY))
    page.locator("main form [name=email]").fill(invitee)
    page.locator("main form[action$='/people/invite/'] button[type=submit]").click()
    expect(page).to_have_url(f"/groups/{group.slug}/people/")
    expect(page.locator("main [role=status]").first).to_contain_text(invitee)

    message = mail_to(invitee)[-1]
    with_group = INVITATION_SUBJECT[language].format(group.name)
    assert with_group in message.subject
    invitation_path = link_in(message, path_pattern=r"^/invitations/")

    with second_visitor(browser, live_server.url, console_errors) as visitor:
        # Not signed in: the page asks to sign in or sign up with the invited address.
        visitor.goto(invitation_path)
        switch_language(visitor, language)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            exact(language, "You are invited to co-lead a group")
        )
        visitor.locator("main a[href^='/accounts/signup/']").click()
        sign_up(visitor, email=invitee)
        confirm_email(visitor, invitee)

        # Confirming signs them in and takes them back to the invitation.
        expect(visitor).to_have_url(invitation_path)
        expect_language(visitor, language)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            text(language, "Become co-leader of %(group)s") % {"group": group.name}
        )
        accept = visitor.locator("main form button[name=answer][value=accept]")

        # Accepting without the rules ticked is refused beside the box.
        accept.click()
        expect(visitor).to_have_url(invitation_path)
        expect(visitor.locator("#div_id_accept_rules .invalid-feedback")).to_have_text(
            exact(language, "To become co-leader, tick the box to accept the program rules.")
        )
        assert not Leadership.objects.active().filter(group=group, user__email=invitee).exists()

        visitor.locator("main form [name=accept_rules]").check()
        visitor.locator("main form button[name=answer][value=accept]").click()
        expect(visitor).to_have_url(f"/groups/{group.slug}/")
        expect(visitor.locator("main [role=status]").first).to_contain_text(
            text(language, "Welcome! You are now co-leader of %(group)s.") % {"group": group.name}
        )
        expect_language(visitor, language)

    co_leadership = Leadership.objects.active().get(group=group, role=Leadership.Role.CO_LEADER)
    assert co_leadership.user.email == invitee
    assert RulesAcceptance.objects.filter(user=co_leadership.user, rules=rules).exists()

    # The leader's people page now shows them as co-leader, and no invitation is pending.
    page.reload()
    expect_language(page, language)
    co_leader_card = card(page, exact(language, "Co-leader"))
    expect(co_leader_card).to_contain_text(invitee)
    # With a co-leader, a new invitation must say that it replaces them.
    expect(
        page.locator("main form[action$='/people/invite/'] [name=replaces_co_leader]")
    ).to_be_visible()

    # The invitation link has done its work (asked outside the page: a 410 page would log a
    # console error).
    used = page.request.get(invitation_path)
    assert used.status == 410
    assert text(language, "This invitation can no longer be used") in used.text()
