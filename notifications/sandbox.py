"""The template engine the program team's e-mail wording runs in.

The wording is typed in the admin, so it is treated as hostile: it must not reach anything
but the values an e-mail is meant to show, change anything, or use up the worker. Three
fences, each enough on its own for what it guards:

- Plain values only (`plain_context`): every e-mail's context is strings, numbers, dates,
  tuples and read-only mappings of them, built by the e-mail's own context function; no model
  instances, querysets or callables that reach further.
- A short list of tags and filters (this module's `register`): no `load`, `include`,
  `extends`, `debug`, `lorem`, `url`, `csrf_token`, `widthratio`, padding filters, no custom
  libraries. Unknown tags are a syntax error when the template is saved.
- Bounds: loops together iterate at most MAX_LOOP_ITEMS items per rendering, a filter that
  builds a string (`add`, `join`) stops at MAX_VALUE_CHARS, `floatformat` at 20 places; the
  rendered e-mail is capped by the caller (notifications/mail.py).
"""

import datetime
from collections.abc import Iterator, Mapping, Sized
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

from django.template import Context, Engine, Library, NodeList, defaultfilters, defaulttags
from django.template.base import FilterExpression, Variable, VariableNode
from django.template.defaulttags import (
    CycleNode,
    FirstOfNode,
    ForNode,
    IfNode,
    TemplateLiteral,
    WithNode,
)
from django.utils.functional import Promise
from django.utils.translation import gettext as _

#: Items all `for` loops of one rendering may go through together (nested loops multiply).
MAX_LOOP_ITEMS = 1000
#: The longest string a filter may build (`add`, `join`).
MAX_VALUE_CHARS = 20_000
#: The most decimal places `floatformat` shows.
MAX_FLOAT_PLACES = 20


class SandboxLimit(Exception):
    """A template went past one of the sandbox's bounds; the message is for the program team."""


# Plain values ---------------------------------------------------------------------------------

#: What a template may see: immutable values with nothing behind them.
PLAIN_TYPES: tuple[type, ...] = (
    str,
    int,
    float,
    bool,
    Decimal,
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    type(None),
)
#: The containers `plain_context` builds.
PLAIN_CONTAINERS: tuple[type, ...] = (tuple, MappingProxyType)


def _plain(value: Any, path: str) -> Any:
    """`value` as a plain value: lazy strings translated now, str subclasses (SafeString,
    TextChoices members) as str, lists as tuples, mappings read-only; anything else refused."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return str.__str__(value)  # an exact str: no SafeString, no enum member
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if type(value) in PLAIN_TYPES:
        return value
    if isinstance(value, Mapping):
        items = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings, not {type(key).__name__}")
            items[key] = _plain(item, f"{path}.{key}")
        return MappingProxyType(items)
    if isinstance(value, list | tuple):
        return tuple(_plain(item, f"{path}[{index}]") for index, item in enumerate(value))
    raise TypeError(
        f"{path} is a {type(value).__module__}.{type(value).__qualname__}: e-mail templates get "
        "plain values only (strings, numbers, dates, lists and mappings of them)."
    )


def plain_context(context: Mapping[str, Any], *, name: str) -> MappingProxyType[str, Any]:
    """The context of the e-mail `name` as plain values (see the module's doc); raises
    TypeError, naming the variable, for a value that is not plain."""
    return _plain(context, name)  # type: ignore[no-any-return]


def is_plain(value: Any) -> bool:
    """True if `value` is made of plain values only (what `plain_context` returns)."""
    if isinstance(value, MappingProxyType):
        return all(isinstance(key, str) and is_plain(item) for key, item in value.items())
    if isinstance(value, tuple):
        return all(is_plain(item) for item in value)
    return type(value) in PLAIN_TYPES


# Tags and filters ---------------------------------------------------------------------------

register = Library()

_LOOP_BUDGET = "email_sandbox_loop_items"


class BoundedForNode(ForNode):
    """`{% for %}` that counts the items of every loop in the rendering against one budget."""

    def render(self, context: Context) -> str:
        sequence: Any = self.sequence
        values = sequence.resolve(context, ignore_failures=True)
        size = len(values) if isinstance(values, Sized) else 0
        spent: int = (context.render_context.get(_LOOP_BUDGET) or 0) + size
        if spent > MAX_LOOP_ITEMS:
            raise SandboxLimit(
                _("The loops in this template go through more than %(n)s items.")
                % {"n": MAX_LOOP_ITEMS}
            )
        context.render_context[_LOOP_BUDGET] = spent
        return str(super().render(context))


@register.tag("for")
def bounded_for(parser: Any, token: Any) -> BoundedForNode:
    node = defaulttags.do_for(parser, token)
    return BoundedForNode(
        node.loopvars, node.sequence, node.is_reversed, node.nodelist_loop, node.nodelist_empty
    )


for _name in ("if", "with", "comment", "firstof", "now", "cycle", "templatetag", "verbatim"):
    register.tag(_name, defaulttags.register.tags[_name])

for _name in (
    "capfirst",
    "cut",
    "date",
    "default",
    "default_if_none",
    "divisibleby",
    "first",
    "last",
    "length",
    "lower",
    "pluralize",
    "slice",
    "time",
    "timesince",
    "timeuntil",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "urlencode",
    "wordcount",
    "yesno",
):
    register.filter(_name, defaultfilters.register.filters[_name])


def _bounded(value: Any) -> Any:
    if isinstance(value, Sized) and len(value) > MAX_VALUE_CHARS:
        raise SandboxLimit(
            _("A value in this template grows longer than %(n)s characters.")
            % {"n": MAX_VALUE_CHARS}
        )
    return value


@register.filter("add")
def bounded_add(value: Any, arg: Any) -> Any:
    return _bounded(defaultfilters.add(value, arg))


@register.filter("join")
def bounded_join(value: Any, arg: str) -> Any:
    return _bounded(defaultfilters.join(value, arg, autoescape=False))


@register.filter("floatformat")
def bounded_floatformat(value: Any, arg: Any = -1) -> str:
    places = "".join(char for char in str(arg) if char.isdigit())
    if places and int(places) > MAX_FLOAT_PLACES:
        return ""
    return str(defaultfilters.floatformat(value, arg))


class SandboxEngine(Engine):
    """Only this module's tags and filters: none of Django's defaults are loaded."""

    default_builtins: ClassVar[list[str]] = []


#: No loaders (so no include or extends), no libraries to load, no autoescape (plain text).
ENGINE = SandboxEngine(
    autoescape=False,
    libraries={},
    loaders=[],
    builtins=[__name__],
    string_if_invalid="",
)


# Which variables a template uses --------------------------------------------------------------


def _expressions(node: Any) -> Iterator[Any]:
    """The variable expressions a node reads itself (not those of the nodes inside it)."""
    if isinstance(node, VariableNode):
        yield node.filter_expression
    elif isinstance(node, IfNode):
        for condition, _nodelist in node.conditions_nodelists:
            yield from _condition_expressions(condition)
    elif isinstance(node, ForNode):
        yield node.sequence
    elif isinstance(node, WithNode):
        yield from node.extra_context.values()
    elif isinstance(node, CycleNode):
        yield from node.cyclevars
    elif isinstance(node, FirstOfNode):
        yield from node.vars


def _condition_expressions(condition: Any) -> Iterator[Any]:
    if condition is None:  # {% else %}
        return
    if isinstance(condition, TemplateLiteral):
        yield condition.value
        return
    for operand in (condition.first, condition.second):
        if operand is not None:
            yield from _condition_expressions(operand)


def _variables(expression: FilterExpression) -> Iterator[tuple[str, ...]]:
    """The lookups (e.g. ("group", "name")) of an expression and of its filters' arguments."""
    if isinstance(expression.var, Variable) and expression.var.lookups is not None:
        yield tuple(expression.var.lookups)
    for _function, arguments in expression.filters:
        for is_variable, argument in arguments:
            if is_variable and argument.lookups is not None:
                yield tuple(argument.lookups)


#: Stands for a value whose shape is not known (a `forloop`, a loop over a tuple of pairs).
ANY = object()


def _shape_at(shape: Any, lookups: tuple[str, ...]) -> Any:
    """The sample value `lookups` lead to from `shape`, ANY past a plain value, or raise
    LookupError for a name the sample does not have."""
    for lookup in lookups:
        if shape is ANY or not isinstance(shape, Mapping | tuple):
            return ANY  # an attribute of a plain value, such as starts_at.year
        if isinstance(shape, Mapping):
            if lookup not in shape:
                raise LookupError(lookup)
            shape = shape[lookup]
        elif lookup.isdigit():
            shape = shape[int(lookup)] if int(lookup) < len(shape) else ANY
        else:
            return ANY  # a tuple's own attributes (count, index) take arguments: nothing
    return shape


def _element(shape: Any) -> Any:
    if isinstance(shape, tuple) and shape:
        return shape[0]
    return ANY


def unknown_variables(nodelist: NodeList, context: Mapping[str, Any]) -> list[str]:
    """Variables the template reads that the (sample) context does not have, such as
    `review.reviewer`, as dotted names in the order they appear. Loop and `with` variables
    are known inside their blocks, and have the shape of what they were bound to."""
    unknown: list[str] = []

    def visit(nodes: Any, scope: Mapping[str, Any]) -> None:
        for node in nodes:
            for expression in _expressions(node):
                for lookups in _variables(expression):
                    root = lookups[0]
                    if root not in scope:
                        unknown.append(".".join(lookups))
                        continue
                    try:
                        _shape_at(scope[root], lookups[1:])
                    except LookupError:
                        unknown.append(".".join(lookups))
            if isinstance(node, ForNode):
                shape = _shape_of(node.sequence, scope)
                loop_scope = dict(scope, forloop=ANY)
                if len(node.loopvars) == 1:
                    loop_scope[node.loopvars[0]] = _element(shape)
                else:
                    loop_scope.update(dict.fromkeys(node.loopvars, ANY))
                visit(node.nodelist_loop, loop_scope)
                visit(node.nodelist_empty, scope)
            elif isinstance(node, WithNode):
                bound = {
                    name: _shape_of(value, scope) for name, value in node.extra_context.items()
                }
                visit(node.nodelist, {**scope, **bound})
            elif isinstance(node, IfNode):
                for _condition, branch in node.conditions_nodelists:
                    visit(branch, scope)
            else:
                for attribute in node.child_nodelists:
                    visit(getattr(node, attribute, None) or NodeList(), scope)

    visit(nodelist, context)
    return list(dict.fromkeys(unknown))


def _shape_of(expression: Any, scope: Mapping[str, Any]) -> Any:
    var = expression.var
    if expression.filters or not isinstance(var, Variable) or var.lookups is None:
        return ANY
    if var.lookups[0] not in scope:
        return ANY
    try:
        return _shape_at(scope[var.lookups[0]], tuple(var.lookups[1:]))
    except LookupError:
        return ANY


@dataclass(frozen=True)
class TemplateVariable:
    """One top-level variable of an e-mail, as the admin lists it."""

    name: str
    #: Its fields as a template reads them after a dot (`country.name`); none for a plain value.
    fields: tuple[str, ...] = ()
    #: A list: the template goes through it with `{% for item in name %}`.
    is_list: bool = False


def _field_names(mapping: Mapping[str, Any], prefix: str = "") -> list[str]:
    names: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, Mapping) and value:
            names.extend(_field_names(value, f"{prefix}{key}."))
        else:
            names.append(f"{prefix}{key}")
    return names


def template_variables(context: Mapping[str, Any]) -> list[TemplateVariable]:
    """The variables of a (sample) context by name, each with its fields."""
    variables = []
    for name, value in sorted(context.items()):
        if isinstance(value, Mapping):
            variables.append(TemplateVariable(name, tuple(_field_names(value))))
        elif isinstance(value, tuple):
            item = value[0] if value else None
            fields = tuple(_field_names(item)) if isinstance(item, Mapping) else ()
            variables.append(TemplateVariable(name, fields, is_list=True))
        else:
            variables.append(TemplateVariable(name))
    return variables
