"""One way to send the portal's e-mail: a subject, a text and an HTML template, in a language."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated(*, to: str, language: str, template: str, context: dict[str, Any]) -> int:
    """Render templates/email/<template>_subject.txt, .txt and .html in `language` and send.

    Every message has a plain-text and an HTML part and replies go to the program team.
    Returns the number of messages sent (0 or 1).
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
    message = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[settings.PROGRAM_TEAM_EMAIL],
    )
    message.attach_alternative(html, "text/html")
    return message.send()
