"""One way to write the portal's e-mail: a subject, a text and an HTML template, in a language."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_templated(*, language: str, template: str, context: dict[str, Any]) -> RenderedEmail:
    """Render templates/email/<template>_subject.txt, .txt and .html in `language`.

    The subject is one line with the portal's prefix.
    """
    with translation.override(language):
        full_context = {
            "LANGUAGE_CODE": language,
            "site_url": settings.SITE_URL,
            **context,
        }
        subject = render_to_string(f"email/{template}_subject.txt", full_context)
        text = render_to_string(f"email/{template}.txt", full_context)
        html = render_to_string(f"email/{template}.html", full_context)
    return RenderedEmail(
        subject=settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), text=text, html=html
    )


def send_rendered(
    *, to: str, rendered: RenderedEmail, reply_to: str = "", headers: Any = None
) -> int:
    """Send a plain-text and HTML message; returns the number of messages sent (0 or 1)."""
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message.send()


def send_templated(*, to: str, language: str, template: str, context: dict[str, Any]) -> int:
    """Render and send at once, replies to the program team. E-mail caused by a change in the
    database goes through the outbox instead (groups/outbox.py), so it is sent exactly once.
    """
    rendered = render_templated(language=language, template=template, context=context)
    return send_rendered(to=to, rendered=rendered, reply_to=settings.PROGRAM_TEAM_EMAIL)
