"""CSV exports for the program team: the machinery behind every export (the admin's list
views' "Export CSV" button, the Leaders Hub lists of reporting/hub.py).

Rows stream from the database (`.iterator(chunk_size=CHUNK_SIZE)` over a `.values_list()`
query) through `csv.writer` into a `StreamingHttpResponse`: a 100,000-row export holds one
chunk of rows in memory, never the whole file, and its first bytes leave at once.
"""

import csv
import itertools
import string
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Model,
    QuerySet,
)
from django.db.models.expressions import BaseExpression
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_stubs_ext import StrOrPromise

#: The one permission behind every export (personal data leaves the portal with it).
EXPORT_PERMISSION = "groups.export_group"
#: Rows fetched per round trip of the server-side cursor.
CHUNK_SIZE = 2000
#: CSV rows joined into one chunk of the response (a write per row would be slow).
ROWS_PER_WRITE = 500
#: What a spreadsheet may run as a formula when a cell starts with it (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: First characters of the usual cell, which cannot start a formula: checked before anything else.
PLAIN_STARTS = frozenset(string.ascii_letters + string.digits + "!\"#$%&'()*,./:;<>?[\\]^_`{|}~")
#: Characters a spreadsheet may skip before a formula: format characters (zero-width space,
#: joiners, word joiner, byte-order mark), controls, and spaces and separators of any width.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})


# Cells -------------------------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet may run `text` as a formula.

    It does when the text starts with =, +, -, @, a tab or a carriage return, also once
    leading white space and invisible characters (`INVISIBLE_CATEGORIES`) are set aside and
    the next character is read as NFKC folds it: a full-width ＝＋－＠ counts as =+-@.
    """
    if not text or text[0] in PLAIN_STARTS:
        return False
    if text.startswith(FORMULA_TRIGGERS):
        return True
    start = 0
    while start < len(text) and (
        text[start].isspace() or unicodedata.category(text[start]) in INVISIBLE_CATEGORIES
    ):
        start += 1
    # A few characters, not one: NFKC may fold a character with the one after it.
    return unicodedata.normalize("NFKC", text[start : start + 4]).startswith(FORMULA_TRIGGERS)


def csv_safe(value: Any) -> Any:
    """Escape a cell a spreadsheet would run as a formula, by prefixing a single quote.

    The rule: *text* that `looks_like_formula` is prefixed and otherwise kept as it is, so
    "-5", " =HYPERLINK(...)" or "＝1+1" typed by a leader is shown as text. *Numbers* (int,
    float, Decimal) are data the database holds as numbers: they are written as they are, so
    a negative number stays a number (-5) and is never turned into text.
    """
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def cell_formatter() -> Callable[[Any], Any]:
    """The function that turns one value into its CSV cell, for one export.

    Text goes through `csv_safe`; numbers stay numbers; times are UTC ("2025-01-31 18:00"),
    dates ISO, lists joined with commas, empty is "", yes/no in the request's language
    (translated once per export: this runs once per cell, 1.4 million times for 100,000
    meetings).
    """
    yes, no = gettext("yes"), gettext("no")

    def cell(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            if not value or value[0] in PLAIN_STARTS:  # the usual cell, without a call
                return value
            return "'" + value if looks_like_formula(value) else value
        if value is None:
            return ""
        if kind is bool:
            return yes if value else no
        if kind is int or kind is Decimal or kind is float:
            return value
        if kind is datetime:
            return value.astimezone(UTC).isoformat(" ", "minutes")[:16]
        if kind is date:
            return value.isoformat()
        if kind is list or kind is tuple:
            return csv_safe(", ".join(str(item) for item in value))
        if isinstance(value, int | float | Decimal):  # bool and the exact types are done
            return value
        return csv_safe(str(value))

    return cell


def csv_cell(value: Any) -> Any:
    """One value as the CSV shows it (see `cell_formatter`)."""
    return cell_formatter()(value)


def csv_lines(header: Sequence[StrOrPromise], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text in chunks: a byte-order mark (Excel reads UTF-8 by it), header, rows.

    Rows are written ROWS_PER_WRITE at a time: one chunk per row would be slow to send.
    """
    written: list[str] = []
    writer = csv.writer(_Collect(written))
    writer.writerow([csv_safe(str(title)) for title in header])
    yield "\ufeff" + written.pop()
    cell = cell_formatter()
    for batch in itertools.batched(rows, ROWS_PER_WRITE):
        writer.writerows([cell(value) for value in row] for row in batch)
        yield "".join(written)
        written.clear()


class _Collect:
    """A file csv.writer writes to, keeping the lines for the next chunk of the response."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def csv_response(
    *,
    filename: str,
    header: Sequence[StrOrPromise],
    rows: Iterable[Sequence[Any]],
    today: date | None = None,
) -> StreamingHttpResponse:
    """A streamed CSV download named `<filename>-<date>.csv`.

    The rows are read while the response is sent, after the view has returned, so the
    request's language is kept for the labels the rows carry.
    """
    language = translation.get_language()

    def content() -> Iterator[str]:
        with translation.override(language):
            yield from csv_lines(header, rows)

    today = today or timezone.localdate()
    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}-{today.isoformat()}.csv"
    )
    return response


# Columns -----------------------------------------------------------------------------------

Formatter = Callable[[Any], Any]
#: A lookup for `.values_list()` ("group__name") or a query expression (annotated).
Source = str | BaseExpression
ExportFieldSpec = tuple[StrOrPromise, Source] | tuple[StrOrPromise, Source, Formatter]


@dataclass(frozen=True)
class ExportColumn:
    header: StrOrPromise
    source: Source
    format: Formatter | None = None


def export_columns(fields: Sequence[ExportFieldSpec]) -> list[ExportColumn]:
    """`export_fields` entries: (header, source) or (header, source, formatter of the value)."""
    return [ExportColumn(*field) for field in fields]


def export_rows(
    queryset: QuerySet[Any], columns: Sequence[ExportColumn]
) -> Iterator[Sequence[Any]]:
    """The columns' values of every row of `queryset`, read chunk by chunk in one query.

    A generator: nothing is read before the response starts sending.
    """
    names: list[str] = []
    annotations: dict[str, BaseExpression] = {}
    for index, column in enumerate(columns):
        if isinstance(column.source, str):
            names.append(column.source)
        else:
            alias = f"csv_export_{index}"
            annotations[alias] = column.source
            names.append(alias)
    rows = queryset.prefetch_related(None).annotate(**annotations).values_list(*names)
    formats = [
        (index, prepared(column.format))
        for index, column in enumerate(columns)
        if column.format is not None
    ]
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        if formats:
            values = list(row)
            for index, fmt in formats:
                if values[index] is not None:
                    values[index] = fmt(values[index])
            yield values
        else:
            yield row


class ChoiceLabel:
    """Show a TextChoices value by its label, in the language of the export."""

    def __init__(self, choices: type[Any]) -> None:
        self.choices = choices

    def __call__(self, value: Any) -> Any:
        return self.prepare()(value)

    def prepare(self) -> Formatter:
        """The labels translated once, for every row of one export."""
        labels = {value: str(label) for value, label in self.choices.choices}
        return lambda value: labels.get(value, value)


def choice_label(choices: type[Any]) -> ChoiceLabel:
    return ChoiceLabel(choices)


def prepared(fmt: Formatter) -> Formatter:
    return fmt.prepare() if isinstance(fmt, ChoiceLabel) else fmt


def country_name(code: Any) -> str:
    return str(countries.name(code)) if code else ""


def joined(values: Any) -> str:
    return ", ".join(str(value) for value in values) if isinstance(values, list) else str(values)


# The admin ---------------------------------------------------------------------------------

_ModelT = TypeVar("_ModelT", bound=Model)


class CsvExportMixin(admin.ModelAdmin[_ModelT]):
    """An "Export CSV" button on the change list that exports what the list shows.

    The export builds the ChangeList from the request as the list page does, so its filters,
    search, date drill-down and ordering apply; `export_fields` says the columns.
    """

    export_fields: Sequence[ExportFieldSpec] = ()
    export_template = "admin/export_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="{}_{}_export".format(*info),
        )
        return [export, *super().get_urls()]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION) and self.has_view_or_change_permission(
            request
        )

    def export_filename(self) -> str:
        return slugify(str(self.opts.verbose_name_plural))

    def export_data(
        self, request: HttpRequest, queryset: QuerySet[_ModelT]
    ) -> tuple[QuerySet[_ModelT], Sequence[ExportFieldSpec]]:
        """The list's queryset and the columns to export from it; override for columns that
        read annotations or depend on the time of the export."""
        return queryset, self.export_fields

    def _changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            # The list page's own queryset: its filters, search, drill-down and ordering.
            queryset = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters:
            self.message_user(
                request,
                _("The list's filters are not valid, so nothing was exported."),
                messages.ERROR,
            )
            return HttpResponseRedirect(self._changelist_url())
        queryset, fields = self.export_data(request, queryset)
        columns = export_columns(fields)
        return csv_response(
            filename=self.export_filename(),
            header=[column.header for column in columns],
            rows=export_rows(queryset, columns),
        )

    def _change_list_templates(self) -> Any:
        app_label, model_name = self.opts.app_label, self.opts.model_name
        return self.change_list_template or [
            f"admin/{app_label}/{model_name}/change_list.html",
            f"admin/{app_label}/change_list.html",
            "admin/change_list.html",
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        templates = self._change_list_templates()
        is_change_list = (
            isinstance(response, TemplateResponse)
            and not response.is_rendered
            and response.template_name == templates
        )
        if is_change_list and self.has_export_permission(request):
            assert isinstance(response, TemplateResponse)
            # Extend whatever change list template the model uses, so other overrides stay.
            parent = select_template([templates] if isinstance(templates, str) else templates)
            query = request.GET.copy()
            for ignored in ("p", "e", "_popup", "_to_field"):
                query.pop(ignored, None)
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_export")
            context = response.context_data or {}
            context["csv_export_parent"] = parent
            context["csv_export_url"] = f"{url}?{query.urlencode()}" if query else url
            response.context_data = context
            response.template_name = self.export_template
        return response
