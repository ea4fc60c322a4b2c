"""`manage.py outbox` reads the e-mails the embedded default wrote to files."""

from io import StringIO

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture
def file_outbox(settings, tmp_path):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    return tmp_path


def send(to, subject, body):
    message = EmailMultiAlternatives(subject, body, "groups@example.org", [to])
    message.attach_alternative(f"<p>{body}</p>", "text/html")
    message.send()


def run(*args):
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_outbox_prints_decoded_messages(file_outbox):
    send("anna@example.org", "Välkommen", "Hej Anna, gruppen är antagen.")
    output = run()
    assert "1 e-mails in" in output
    assert "Subject: Välkommen" in output
    assert "Hej Anna, gruppen är antagen." in output


def test_outbox_filters_by_recipient_and_count(file_outbox):
    send("anna@example.org", "First", "one")
    send("bo@example.org", "Second", "two")
    send("anna@example.org", "Third", "three")
    output = run("--to", "anna@", "--last", "1")
    assert "Subject: Third" in output
    assert "Subject: First" not in output
    assert "Subject: Second" not in output


def test_outbox_of_an_smtp_setup_is_a_clear_error(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    with pytest.raises(CommandError, match="not written to files"):
        run()
