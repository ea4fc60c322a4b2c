"""E-mail wording the program team edits in the admin: defaults, rendering, preview, reset."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy

from notifications import mail
from notifications.mail import EmailKind, Wording, install_default_templates, render_email
from notifications.models import EmailTemplate
from tests.factories import LeadershipFactory

NAME = "test_greeting"

EN = """Hello from {{ group.name }}

Dear {{ user.name }},

{{ group.name }} has news: see {{ url }}.
"""
SV = """Hej från {{ group.name }}

Hej {{ user.name }},

{{ group.name }} har nyheter: se {{ url }}.
"""


def _context(*, group_name: str, user_name: str, url: str) -> dict[str, object]:
    return {"group": {"name": group_name}, "user": {"name": user_name}, "url": url}


def _sample() -> dict[str, object]:
    return {
        "group_name": "Oslo <Azure> & Friends",
        "user_name": "Ada",
        "url": "https://example.org/news/",
    }


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A shipped e-mail in English and Swedish, registered with a sample context."""
    for language, source in (("en", EN), ("sv", SV)):
        (tmp_path / language).mkdir()
        (tmp_path / language / f"{NAME}.txt").write_text(source, encoding="utf-8")
    monkeypatch.setattr(mail, "DEFAULTS_DIR", tmp_path)
    kind = EmailKind(
        name=NAME,
        title=gettext_lazy("Greeting"),
        description=gettext_lazy("Sent in tests."),
        context=_context,
        sample=_sample,
    )
    monkeypatch.setitem(mail._KINDS, NAME, kind)
    return tmp_path


def test_parse_default_splits_subject_and_body():
    wording = mail.parse_default("Subject line\n\nBody\nmore\n")
    assert wording == Wording(subject="Subject line", body="Body\nmore\n")


@pytest.mark.django_db
def test_install_creates_missing_rows_and_keeps_edits(shipped):
    EmailTemplate.objects.all().delete()
    assert install_default_templates() == 2
    row = EmailTemplate.objects.get(name=NAME, language="sv")
    assert row.subject == "Hej från {{ group.name }}"
    row.body = "Edited"
    row.save()

    assert install_default_templates() == 0
    assert EmailTemplate.objects.get(name=NAME, language="sv").body == "Edited"


@pytest.mark.django_db
def test_render_uses_the_file_when_there_is_no_row(shipped):
    EmailTemplate.objects.filter(name=NAME).delete()
    rendered = render_email(NAME, language="sv", inputs=_sample())
    assert rendered.subject == "[Tech Groups] Hej från Oslo <Azure> & Friends"
    assert rendered.text.startswith("Hej Ada,\n\nOslo <Azure> & Friends har nyheter")


@pytest.mark.django_db
def test_render_uses_the_program_teams_wording(shipped):
    install_default_templates()
    EmailTemplate.objects.filter(name=NAME, language="en").update(
        subject="News for {{ group.name }}", body="Hi {{ user.name }}!"
    )
    rendered = render_email(NAME, language="en", inputs=_sample())
    assert rendered.subject == "[Tech Groups] News for Oslo <Azure> & Friends"
    assert rendered.text == "Hi Ada!\n"


@pytest.mark.django_db
def test_a_language_without_wording_falls_back_to_english(shipped):
    (shipped / "sv" / f"{NAME}.txt").unlink()
    EmailTemplate.objects.filter(name=NAME).delete()
    rendered = render_email(NAME, language="sv", inputs=_sample())
    assert rendered.subject.endswith("Hello from Oslo <Azure> & Friends")


@pytest.mark.django_db
def test_html_part_is_escaped_with_links_and_paragraphs(shipped):
    rendered = render_email(NAME, language="en", inputs=_sample())
    assert "Oslo &lt;Azure&gt; &amp; Friends" in rendered.html
    assert "<Azure>" not in rendered.html
    assert '<a href="https://example.org/news/">https://example.org/news/</a>' in rendered.html
    assert "<p>Dear Ada,</p>" in rendered.html
    assert '<html lang="en">' in rendered.html


def test_validate_wording_reports_errors_by_field(shipped):
    with pytest.raises(ValidationError) as error:
        mail.validate_wording(
            Wording(subject="{% if %}", body="{{ url|nosuchfilter }}"), name=NAME, language="en"
        )
    assert set(error.value.message_dict) == {"subject", "body"}


@pytest.mark.parametrize("body", ["{% load static %}{% static 'x' %}", "{% include 'base.html' %}"])
def test_the_sandbox_loads_nothing(shipped, body):
    with pytest.raises(ValidationError):
        mail.validate_wording(Wording(subject="S", body=body), name=NAME, language="en")


def test_unknown_template_name_is_an_error(db):
    with pytest.raises(LookupError):
        mail.wording_for("no_such_email", "en")


# The admin ---------------------------------------------------------------------------------


@pytest.fixture
def row(shipped):
    install_default_templates()
    return EmailTemplate.objects.get(name=NAME, language="en")


def _change_url(row):
    return reverse("admin:notifications_emailtemplate_change", args=[row.pk])


@pytest.mark.django_db
def test_change_page_shows_description_and_preview(client, staff, row):
    response = client.get(_change_url(row))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sent in tests." in content
    assert "Hello from Oslo &lt;Azure&gt; &amp; Friends" in content  # the rendered subject
    assert "Dear Ada," in content  # the rendered text


@pytest.mark.django_db
def test_saving_valid_wording_records_who(client, staff, row):
    response = client.post(
        _change_url(row), {"subject": "Hi {{ group.name }}", "body": "New text for {{ user.name }}"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.subject, row.body, row.updated_by) == (
        "Hi {{ group.name }}",
        "New text for {{ user.name }}",
        staff,
    )
    assert render_email(NAME, language="en", inputs=_sample()).text == ("New text for Ada\n")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "{% if %}", "body": "ok"}, "subject"),
        ({"subject": "ok", "body": "{% for x in %}"}, "body"),
        ({"subject": "ok", "body": "{{ group.name|date:1|nosuch }}"}, "body"),
        ({"subject": "", "body": "ok"}, "subject"),
    ],
)
def test_broken_wording_is_refused_next_to_the_field(client, staff, row, data, field):
    response = client.post(_change_url(row), data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    row.refresh_from_db()
    assert row.body == EN.partition("\n\n")[2]


@pytest.mark.django_db
def test_reset_puts_the_shipped_wording_back(client, staff, row):
    EmailTemplate.objects.filter(pk=row.pk).update(body="Edited")
    response = client.post(
        reverse("admin:notifications_emailtemplate_changelist"),
        {"action": "reset_to_shipped_wording", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.body == EN.partition("\n\n")[2]
    assert row.updated_by == staff


@pytest.mark.django_db
def test_list_marks_edited_templates(client, staff, row):
    EmailTemplate.objects.filter(pk=row.pk).update(body="Edited")
    response = client.get(reverse("admin:notifications_emailtemplate_changelist"), {"q": NAME})
    assert response.status_code == 200
    assert "Greeting" in response.content.decode()
    edited = {obj.language: not mail.is_default(obj) for obj in response.context["cl"].result_list}
    assert edited == {"en": True, "sv": False}


@pytest.mark.django_db
def test_templates_cannot_be_added_or_deleted(client, staff, row):
    assert client.get(reverse("admin:notifications_emailtemplate_add")).status_code == 403
    assert client.get(
        reverse("admin:notifications_emailtemplate_delete", args=[row.pk])
    ).status_code in (
        403,
        302,
    )
    assert EmailTemplate.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_a_leader_cannot_reach_the_templates(client, row):
    client.force_login(LeadershipFactory().user)
    response = client.get(_change_url(row))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_migrate_installs_wording_shipped_later(shipped):
    from django.core.management.sql import emit_post_migrate_signal

    EmailTemplate.objects.filter(name=NAME).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(EmailTemplate.objects.filter(name=NAME).values_list("language", flat=True)) == {
        "en",
        "sv",
    }


@pytest.mark.django_db
def test_html_part_preview_is_framed_from_the_change_page(client, staff, row):
    change = client.get(_change_url(row))
    assert "frame-src 'self'" in change["Content-Security-Policy"]
    preview_url = reverse("admin:notifications_emailtemplate_preview", args=[row.pk])
    assert f'src="{preview_url}"' in change.content.decode()

    response = client.get(preview_url)
    assert response.status_code == 200
    assert "Oslo &lt;Azure&gt; &amp; Friends" in response.content.decode()
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy
    assert "frame-ancestors 'self'" in policy


@pytest.mark.django_db
def test_html_part_preview_needs_the_program_team(client, row):
    client.force_login(LeadershipFactory().user)
    response = client.get(reverse("admin:notifications_emailtemplate_preview", args=[row.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
