"""The portal's e-mail: wording the program team can edit, rendered in the recipient's language.

Every e-mail has a name (e.g. "review_decision") and, per language, a subject and a plain-text
body written in Django's template language. The shipped defaults are files,
`templates/email/<language>/<name>.txt`: the first line is the subject, then an empty line,
then the body. A data migration copies them into the database (`program.EmailTemplate`),
where the program team edits them in the admin; rendering uses the database's version and
falls back to the file. The HTML part is made from the rendered text (paragraphs, links) inside
one layout, so the team edits one text per language, and the two parts always say the same.

Each e-mail is registered with `register_email` in an `emails` module of its app: a title and a
description for the admin, the function that builds its context, and sample inputs for that
function. The same context function serves the real e-mail, the admin's preview and the check
when the program team saves new wording, so what is checked is what is sent. Contexts are
plain values only and the wording runs in a sandbox (notifications/sandbox.py).
"""

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import linebreaks, urlize
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .sandbox import (
    ENGINE,
    SandboxLimit,
    TemplateVariable,
    plain_context,
    register,
    template_variables,
    unknown_variables,
)

logger = logging.getLogger(__name__)

#: The shipped wording: templates/email/<language>/<name>.txt.
DEFAULTS_DIR = Path(settings.BASE_DIR) / "templates" / "email"

#: The longest wording the program team may save (characters of template source).
MAX_SUBJECT_SOURCE = 500
MAX_BODY_SOURCE = 20_000
#: The longest e-mail the team's wording may render to, subject and text; past it the save
#: is refused (with the sample) or the shipped wording is sent (with real data).
MAX_RENDERED_SUBJECT = 300
MAX_RENDERED_TEXT = 100_000


@dataclass(frozen=True)
class EmailKind:
    """One e-mail the portal sends: what the admin says of it, and how its context is built."""

    name: str
    title: Any  # a lazy string
    description: Any  # when it is sent and to whom (a lazy string)
    #: Builds the template's context from the event's objects, given as keyword arguments:
    #: plain values only (notifications/values.py), in the recipient's language.
    context: Callable[..., Mapping[str, Any]]
    #: Keyword arguments for `context`, made of unsaved objects: the admin's preview and the
    #: check of new wording (no database access).
    sample: Callable[[], dict[str, Any]]
    #: Leaders may switch it off or have it gathered into a weekly digest.
    optional: bool = False
    #: Which e-mails a backlog sends first (OutboxEmail.Priority): 0 someone waits for it now,
    #: 5 normal, 9 bulk.
    priority: int = 5


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
    from .models import EmailTemplate

    model = EmailTemplate if apps is None else apps.get_model("notifications", "EmailTemplate")
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
    from .models import EmailTemplate

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


class EmailTooLong(SandboxLimit):
    """The wording renders to an e-mail longer than the portal sends."""


def email_context(
    name: str, *, language: str, inputs: Mapping[str, Any]
) -> MappingProxyType[str, Any]:
    """The context of the e-mail `name`, built by its registered function from `inputs` in
    `language`, as plain values (TypeError, naming the variable, for anything else)."""
    kind = email_kinds()[name]
    with translation.override(language):
        return plain_context(kind.context(**inputs), name=name)


def render_wording(
    wording: Wording,
    *,
    language: str,
    context: Mapping[str, Any],
    unsubscribe_url: str = "",
    limit: bool = False,
) -> RenderedEmail:
    """Render `wording` in `language` with a context of plain values, with the unsubscribe
    footer of an optional e-mail if `unsubscribe_url` is given. Raises TemplateSyntaxError
    on a broken template, SandboxLimit past the sandbox's bounds, and with `limit`,
    EmailTooLong past MAX_RENDERED_SUBJECT or MAX_RENDERED_TEXT."""
    plain = plain_context(context, name="context")
    # Times in the group's (or the call's) time zone where the context names one.
    with translation.override(language), timezone.override(plain.get("time_zone") or None):
        full_context = Context(
            {"LANGUAGE_CODE": language, "site_url": settings.SITE_URL, **plain},
            autoescape=False,
        )
        # Template.render marks its output safe; the text is plain text, to be escaped for HTML.
        subject = " ".join(_plain(ENGINE.from_string(wording.subject).render(full_context)).split())
        text = _plain(ENGINE.from_string(wording.body).render(full_context)).strip() + "\n"
        if limit:
            _check_length(subject, MAX_RENDERED_SUBJECT, field="subject")
            _check_length(text, MAX_RENDERED_TEXT, field="text")
        return _with_layout(
            settings.EMAIL_SUBJECT_PREFIX + subject,
            text,
            subject_shown=subject,
            language=language,
            unsubscribe_url=unsubscribe_url,
        )


def _with_layout(
    subject: str, text: str, *, subject_shown: str, language: str, unsubscribe_url: str = ""
) -> RenderedEmail:
    """The e-mail's HTML part made from its text in the one layout, and the unsubscribe footer
    of an optional e-mail below both (in the active language)."""
    html = render_to_string(
        "email/layout.html",
        {
            "LANGUAGE_CODE": language,
            "subject": subject_shown,
            "body": mark_safe(text_to_html(text)),  # escaped by text_to_html
            "unsubscribe_url": unsubscribe_url,
            "unsubscribe_note": unsubscribe_note() if unsubscribe_url else "",
        },
    )
    if unsubscribe_url:
        text = f"{text.rstrip()}\n\n-- \n{unsubscribe_note()}\n{unsubscribe_url}\n"
    return RenderedEmail(subject=subject, text=text, html=html)


def render_text_email(*, subject: str, text: str, language: str) -> RenderedEmail:
    """An e-mail written elsewhere as subject and plain text (allauth's account e-mails), with
    the HTML part made the way every other e-mail's is."""
    with translation.override(language):
        return _with_layout(
            " ".join(subject.split()),
            text.strip() + "\n",
            subject_shown=" ".join(subject.split()).removeprefix(settings.EMAIL_SUBJECT_PREFIX),
            language=language,
        )


def _check_length(value: str, limit: int, *, field: str) -> None:
    if len(value) > limit:
        raise EmailTooLong(
            _("The e-mail's %(field)s would be %(length)s characters long; at most %(limit)s.")
            % {
                "field": _("subject") if field == "subject" else _("text"),
                "length": len(value),
                "limit": limit,
            }
        )


def render_email(
    name: str, *, language: str, inputs: Mapping[str, Any], unsubscribe_url: str = ""
) -> RenderedEmail:
    """The e-mail `name` for one recipient: its context built from `inputs`, rendered with the
    program team's wording in `language`.

    Wording saved in the admin was checked with the sample inputs; should it still fail with
    real ones (an error, a bound of the sandbox, a text too long), the shipped wording is sent
    instead and the failure is logged, so one bad edit never stops a decision or a job.
    """
    context = email_context(name, language=language, inputs=inputs)
    wording = wording_for(name, language)
    try:
        return render_wording(
            wording,
            language=language,
            context=context,
            unsubscribe_url=unsubscribe_url,
            limit=True,
        )
    except Exception as error:  # the team's template is input: whatever it raises, fall back
        shipped = default_wording(name, language) or default_wording(name, settings.LANGUAGE_CODE)
        if shipped is None or shipped == wording:
            raise
        logger.error(
            "E-mail %s (%s): the program team's wording failed (%s: %s); sent the shipped one",
            name,
            language,
            type(error).__name__,
            error,
        )
        return render_wording(
            shipped, language=language, context=context, unsubscribe_url=unsubscribe_url
        )


def syntax_error_message(error: TemplateSyntaxError) -> str:
    """What is wrong with a template, for the program team: a tag or filter the sandbox does
    not offer is named, with those it does."""
    text = str(error)
    unknown = re.search(r"^Invalid (block tag|filter)[^']*'([^']+)'", text)
    if unknown is None:
        return _("This template has an error: %(error)s") % {"error": text}
    if unknown.group(1) == "filter":
        return _("E-mail templates cannot use the filter “%(name)s”. They can use: %(names)s.") % {
            "name": unknown.group(2),
            "names": ", ".join(sorted(register.filters)),
        }
    return _("E-mail templates cannot use the tag “%(name)s”. They can use: %(names)s.") % {
        "name": unknown.group(2),
        "names": ", ".join(sorted(set(register.tags) - {"empty"})),
    }


def validate_wording(wording: Wording, *, name: str, language: str) -> None:
    """Raise ValidationError, by field, unless `wording` is fit to send as the e-mail `name`:
    its templates parse in the sandbox, are not too long, use only the e-mail's variables,
    and render with the sample inputs to an e-mail of an allowed length."""
    errors: dict[str, list[str]] = {}
    context = sample_context(name, language=language)
    for field, limit in (("subject", MAX_SUBJECT_SOURCE), ("body", MAX_BODY_SOURCE)):
        source = getattr(wording, field)
        if len(source) > limit:
            errors.setdefault(field, []).append(
                _("This template is %(length)s characters long; at most %(limit)s.")
                % {"length": len(source), "limit": limit}
            )
            continue
        known: dict[str, Any] = {"LANGUAGE_CODE": language, "site_url": settings.SITE_URL}
        known.update(context or {})
        try:
            template = ENGINE.from_string(source)
            unknown = unknown_variables(template.nodelist, known) if context is not None else []
        except TemplateSyntaxError as error:
            errors.setdefault(field, []).append(syntax_error_message(error))
            continue
        except RecursionError:
            errors.setdefault(field, []).append(_("This template nests its tags too deeply."))
            continue
        for variable in unknown:
            errors.setdefault(field, []).append(
                _(
                    "This e-mail has no variable {{ %(variable)s }}: use one of those listed "
                    "under “variables”."
                )
                % {"variable": variable}
            )
    if "\n" in wording.subject.strip():
        errors.setdefault("subject", []).append(_("The subject must be one line."))
    if errors:
        raise ValidationError(errors)
    if context is None:
        return
    try:
        render_wording(wording, language=language, context=context, limit=True)
    except EmailTooLong as error:
        raise ValidationError({"body": str(error)}) from error
    except SandboxLimit as error:
        raise ValidationError({"body": str(error)}) from error
    except Exception as error:  # the template is input: any error it brings out is reported
        raise ValidationError(
            {"body": _("This template cannot be rendered: %(error)s") % {"error": error}}
        ) from error


def sample_context(name: str, *, language: str) -> MappingProxyType[str, Any] | None:
    """The context of e-mail `name` built from its sample inputs (None if it has none)."""
    kind = email_kinds().get(name)
    if kind is None:
        return None
    return email_context(name, language=language, inputs=kind.sample())


def email_variables(name: str, *, language: str) -> list[TemplateVariable] | None:
    """The variables the wording of e-mail `name` may use, each with its fields, as the admin
    lists them (None if the e-mail is not registered)."""
    context = sample_context(name, language=language)
    if context is None:
        return None
    return template_variables({"LANGUAGE_CODE": language, "site_url": "", **context})


def preview(*, name: str, language: str, wording: Wording) -> RenderedEmail | None:
    """The e-mail as a recipient would read it, with the registered sample inputs."""
    context = sample_context(name, language=language)
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
