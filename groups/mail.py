"""The portal's e-mail: wording the program team can edit, rendered in the recipient's language.

Every e-mail has a name (e.g. "review_decision") and, per language, a subject and a plain-text
body written in Django's template language. The shipped defaults are files,
`templates/email/<language>/<name>.txt`: the first line is the subject, then an empty line,
then the body. A data migration copies them into the database (`program.EmailTemplate`),
where the program team edits them in the admin; rendering uses the database's version and
falls back to the file. The HTML part is made from the rendered text (paragraphs, links) inside
one layout, so the team edits one text per language, and the two parts always say the same.

Each e-mail is registered with `register_email` in an `emails` module of its app: a title and a
description for the admin, and a sample context for the preview.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.html import linebreaks, urlize
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

#: The shipped wording: templates/email/<language>/<name>.txt.
DEFAULTS_DIR = Path(settings.BASE_DIR) / "templates" / "email"

#: A sandbox for wording edited in the admin: built-in tags and filters, no loaders, no
#: custom libraries; methods that change data are never called by Django templates.
ENGINE = Engine(autoescape=False, libraries={}, loaders=[], string_if_invalid="")


@dataclass(frozen=True)
class EmailKind:
    """One e-mail the portal sends, as the admin presents it."""

    name: str
    title: Any  # a lazy string
    description: Any  # when it is sent and to whom (a lazy string)
    #: A context of unsaved objects for the admin's preview (no database writes).
    sample: Callable[[], dict[str, Any]]
    #: Leaders may switch it off or have it gathered into a weekly digest.
    optional: bool = False


_KINDS: dict[str, EmailKind] = {}


def register_email(kind: EmailKind) -> EmailKind:
    _KINDS[kind.name] = kind
    return kind


@functools.cache
def _discover() -> None:
    autodiscover_modules("emails")


def email_kinds() -> dict[str, EmailKind]:
    """Every registered e-mail by name (each app's `emails` module registers its own; they
    are imported once per process)."""
    _discover()
    return dict(sorted(_KINDS.items()))


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Wording:
    """The editable source of one e-mail in one language."""

    subject: str
    body: str


def parse_default(source: str) -> Wording:
    """Split a shipped file into its subject (first line) and body (after the empty line)."""
    subject, _newline, body = source.partition("\n")
    return Wording(subject=subject.strip(), body=body.lstrip("\n"))


def default_wording(name: str, language: str) -> Wording | None:
    path = DEFAULTS_DIR / language / f"{name}.txt"
    if not path.is_file():
        return None
    return parse_default(path.read_text(encoding="utf-8"))


def default_names() -> list[str]:
    """Names of the shipped e-mails (those with an English file)."""
    return sorted(path.stem for path in (DEFAULTS_DIR / "en").glob("*.txt"))


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def install_default_templates(apps: Any = None) -> int:
    """Copy shipped wording into the database where a row is missing; returns rows created.

    Never overwrites what the program team edited. Data migrations call it with their
    historical `apps`; it is safe to run any number of times.
    """
    from program.models import EmailTemplate

    model = EmailTemplate if apps is None else apps.get_model("program", "EmailTemplate")
    existing = set(model.objects.values_list("name", "language"))
    rows = []
    for name in default_names():
        for language in _languages():
            wording = default_wording(name, language)
            if wording is None or (name, language) in existing:
                continue
            rows.append(
                model(name=name, language=language, subject=wording.subject, body=wording.body)
            )
    model.objects.bulk_create(rows)
    return len(rows)


def wording_for(name: str, language: str) -> Wording:
    """The program team's wording if there is one, else the shipped file; English if the
    language has neither."""
    from program.models import EmailTemplate

    for code in dict.fromkeys([language, settings.LANGUAGE_CODE]):
        row = EmailTemplate.objects.filter(name=name, language=code).first()
        if row is not None:
            return Wording(subject=row.subject, body=row.body)
        wording = default_wording(name, code)
        if wording is not None:
            return wording
    raise LookupError(f"No e-mail template named {name!r}.")


def _plain(value: str) -> str:
    """`value` as a plain str, no longer marked safe (so that it is escaped in HTML)."""
    return "".join([value])


def text_to_html(text: str) -> str:
    """The HTML part of a message: its text escaped, links made clickable, in paragraphs."""
    return linebreaks(urlize(text.strip(), nofollow=False, autoescape=True))


def unsubscribe_note() -> str:
    """Below an optional e-mail, with its one-click unsubscribe link (in the active language)."""
    return _(
        "This is an optional e-mail: program news or a non-urgent reminder. To receive no "
        "more of them, open the link below; in your profile on the portal you can also "
        "have them gathered into one e-mail a week."
    )


def render_wording(
    wording: Wording, *, language: str, context: dict[str, Any], unsubscribe_url: str = ""
) -> RenderedEmail:
    """Render `wording` in `language`, with the unsubscribe footer of an optional e-mail if
    `unsubscribe_url` is given; raises TemplateSyntaxError on a broken template."""
    from django.utils import timezone, translation

    # Times in the group's (or the call's) time zone where the context names one.
    with translation.override(language), timezone.override(context.get("time_zone") or None):
        full_context = Context(
            {"LANGUAGE_CODE": language, "site_url": settings.SITE_URL, **context},
            autoescape=False,
        )
        # Template.render marks its output safe; the text is plain text, to be escaped for HTML.
        subject = _plain(ENGINE.from_string(wording.subject).render(full_context))
        text = _plain(ENGINE.from_string(wording.body).render(full_context)).strip() + "\n"
        html = render_to_string(
            "email/layout.html",
            {
                "LANGUAGE_CODE": language,
                "subject": subject,
                "body": mark_safe(text_to_html(text)),  # escaped by text_to_html
                "unsubscribe_url": unsubscribe_url,
                "unsubscribe_note": unsubscribe_note() if unsubscribe_url else "",
            },
        )
        if unsubscribe_url:
            text = f"{text.rstrip()}\n\n-- \n{unsubscribe_note()}\n{unsubscribe_url}\n"
    return RenderedEmail(
        subject=settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), text=text, html=html
    )


def validate_wording(wording: Wording, *, language: str, context: dict[str, Any]) -> None:
    """Raise ValidationError (by field) if the wording does not render with `context`."""
    errors = {}
    for field in ("subject", "body"):
        try:
            ENGINE.from_string(getattr(wording, field))
        except TemplateSyntaxError as error:
            errors[field] = _("This template has an error: %(error)s") % {"error": error}
    if errors:
        raise ValidationError(errors)
    try:
        render_wording(wording, language=language, context=context)
    except Exception as error:  # an error a sample context brings out, e.g. a bad filter
        raise ValidationError(
            {"body": _("This template cannot be rendered: %(error)s") % {"error": error}}
        ) from error
    if "\n" in wording.subject.strip():
        raise ValidationError({"subject": _("The subject must be one line.")})


def render_templated(
    *, language: str, template: str, context: dict[str, Any], unsubscribe_url: str = ""
) -> RenderedEmail:
    """Render the e-mail named `template` in `language` (the program team's wording)."""
    return render_wording(
        wording_for(template, language),
        language=language,
        context=context,
        unsubscribe_url=unsubscribe_url,
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


def sample_context(name: str) -> dict[str, Any] | None:
    kind = email_kinds().get(name)
    return kind.sample() if kind is not None else None


def preview(*, name: str, language: str, wording: Wording) -> RenderedEmail | None:
    """The e-mail as a recipient would read it, with the registered sample context."""
    context = sample_context(name)
    if context is None:
        return None
    return render_wording(wording, language=language, context=context)


def reset_to_default(template: Any, *, by: Any) -> bool:
    """Put the shipped wording back into an EmailTemplate row; False if there is none."""
    wording = default_wording(template.name, template.language)
    if wording is None:
        return False
    template.subject, template.body, template.updated_by = wording.subject, wording.body, by
    template.save()
    return True


def is_default(template: Any) -> bool:
    wording = default_wording(template.name, template.language)
    return wording is not None and (template.subject, template.body.strip()) == (
        wording.subject,
        wording.body.strip(),
    )
