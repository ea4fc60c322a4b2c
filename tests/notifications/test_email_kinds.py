"""Every e-mail the portal ships: both languages, registered, and renders with its sample.

The samples are unsaved objects; these tests run without database access (a query would fail
the test), except the one that renders through the database's wording.
"""

from collections.abc import Mapping
from typing import Any

import pytest
from django.conf import settings
from django.utils.html import escape

from membership.models import Review
from notifications import mail
from notifications.mail import email_context, email_kinds, render_email
from notifications.sandbox import SandboxEngine

LANGUAGES = [code for code, _name in settings.LANGUAGES]
KINDS = email_kinds()
REASON = {
    "en": "You receive this e-mail because",
    "sv": "Du får det här e-postmeddelandet eftersom",
}
#: The sandbox, showing a variable the context does not give instead of rendering nothing.
STRICT_ENGINE = SandboxEngine(
    autoescape=False,
    libraries={},
    loaders=[],
    builtins=["notifications.sandbox"],
    string_if_invalid="<MISSING %s>",
)


def shipped(language: str) -> set[str]:
    return {path.stem for path in (mail.DEFAULTS_DIR / language).glob("*.txt")}


def render_default(
    name: str, language: str, inputs: dict[str, Any] | None = None
) -> mail.RenderedEmail:
    """The shipped wording rendered with `inputs` (the sample's by default)."""
    wording = mail.default_wording(name, language)
    assert wording is not None, f"templates/email/{language}/{name}.txt is missing"
    context = email_context(name, language=language, inputs=inputs or KINDS[name].sample())
    return mail.render_wording(wording, language=language, context=context)


def group_names_in(context: Mapping[str, Any]) -> list[str]:
    if context.get("group") is not None:
        return [context["group"]["name"]]
    return [group["name"] for group in context.get("groups") or []]


# Files and registrations ---------------------------------------------------------------------


def test_every_english_email_has_a_swedish_twin_and_the_other_way_round():
    assert shipped("en") == shipped("sv")


def test_every_shipped_email_is_registered():
    assert shipped("en") - set(KINDS) == set()


def test_every_registered_email_is_shipped_in_every_language():
    for language in LANGUAGES:
        assert set(KINDS) - shipped(language) == set(), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_file_is_a_subject_line_an_empty_line_and_a_body(language):
    for name in sorted(shipped(language)):
        lines = (mail.DEFAULTS_DIR / language / f"{name}.txt").read_text("utf-8").split("\n")
        assert lines[0].strip(), f"{language}/{name}: no subject"
        assert lines[1] == "", f"{language}/{name}: line 2 must be empty"
        assert "".join(lines[2:]).strip(), f"{language}/{name}: no body"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_registered_email_has_a_title_and_a_description(name):
    kind = KINDS[name]
    assert str(kind.title).strip()
    assert str(kind.description).strip()


# Rendering with the samples ------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_email_renders_with_its_sample(name, language, monkeypatch):
    monkeypatch.setattr(mail, "ENGINE", STRICT_ENGINE)
    # No database access here: a query fails the test.
    context = email_context(name, language=language, inputs=KINDS[name].sample())

    rendered = render_default(name, language)

    subject = rendered.subject.removeprefix(settings.EMAIL_SUBJECT_PREFIX)
    assert rendered.subject.startswith(settings.EMAIL_SUBJECT_PREFIX)
    assert subject.strip()
    assert "\n" not in rendered.subject
    for text in (rendered.subject, rendered.text, rendered.html):
        assert "<MISSING" not in text
        assert "{{" not in text
        assert "{%" not in text
    assert REASON[language] in rendered.text
    assert f'<html lang="{language}">' in rendered.html
    for group_name in group_names_in(context):
        assert group_name in rendered.text
        assert escape(group_name) in rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("decision", Review.Decision.values)
def test_every_review_decision_has_its_own_subject_naming_the_group(decision, language):
    subjects = set()
    for each in Review.Decision.values:
        inputs = KINDS["review_decision"].sample()
        inputs["review"].decision = each
        subjects.add(render_default("review_decision", language, inputs).subject)
    inputs = KINDS["review_decision"].sample()
    inputs["review"].decision = decision

    rendered = render_default("review_decision", language, inputs)

    assert len(subjects) == len(Review.Decision.values)
    assert inputs["review"].group.name in rendered.subject
    assert str(inputs["review"].get_decision_display()) not in ("", None)


def test_review_decision_says_what_comes_next_for_each_decision():
    def text_for(decision: str) -> str:
        inputs = KINDS["review_decision"].sample()
        inputs["review"].decision = decision
        return render_default("review_decision", "en", inputs).text

    assert "Welcome to the program!" in text_for(Review.Decision.ADMIT)
    assert "submit the application again" in text_for(Review.Decision.REQUEST_CHANGES)
    assert "The next review is due on" in text_for(Review.Decision.KEEP)
    assert "Decision: Decline." in text_for(Review.Decision.DECLINE)
    assert "Decision: Move to inactive." in text_for(Review.Decision.INACTIVATE)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "name", ["call_invitation", "call_reminder", "call_update", "call_cancelled", "call_followup"]
)
def test_a_call_email_to_someone_without_a_group_says_they_were_invited(name, language):
    inputs = {**KINDS[name].sample(), "groups": []}

    rendered = render_default(name, language, inputs)

    assert REASON[language] in rendered.text
    assert ("invited to this call" if language == "en" else "bjudits in") in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_call_without_agenda_or_join_link_leaves_no_gap(language):
    inputs = KINDS["call_invitation"].sample()
    inputs["call"].agenda = ""
    inputs["call"].join_url = ""

    rendered = render_default("call_invitation", language, inputs)

    assert "\n\n\n" not in rendered.text
    assert "Agenda" not in rendered.text


def test_the_program_team_notice_leaves_no_gap_without_details():
    inputs = {**KINDS["program_team_notice"].sample(), "details": ""}

    rendered = render_default("program_team_notice", "en", inputs)

    assert "\n\n\n" not in rendered.text


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_portal_renders_the_shipped_wording(name):
    inputs = KINDS[name].sample()

    rendered = render_email(name, language="sv", inputs=inputs)

    assert rendered == render_default(name, "sv", inputs)
