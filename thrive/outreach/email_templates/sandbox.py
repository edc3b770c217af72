"""Email templates in a sandbox: Django's template language, locked down.

A separate :class:`~django.template.Engine` with no loaders and no built-in library
except :mod:`thrive.outreach.email_templates.tag_library` renders plain dicts made by
:mod:`thrive.outreach.email_templates.merge_data`, never model instances, so a template
cannot call a method, reach the database or read a file. Every variable must be a known
merge field: :func:`template_problems` walks the compiled template at save time and
reports syntax errors, forbidden tags and unknown fields with their line numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, FirstOfNode, IfNode

from .merge_data import allowed_paths
from .text_part import html_to_text


class _SandboxEngine(Engine):
    # Django's engine adds its full tag library by default; this one starts empty.
    default_builtins: ClassVar[list[str]] = []


ENGINE = _SandboxEngine(
    builtins=["thrive.outreach.email_templates.tag_library"],
    debug=True,  # keeps line numbers on syntax errors
    loaders=[],
    libraries={},
    string_if_invalid="",
    autoescape=True,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


class TemplateProblem(ValueError):
    """A template that cannot be rendered; ``problems`` maps part to messages."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in problems.values() for m in messages))
        self.problems = problems


@functools.lru_cache(maxsize=128)
def _compile(source: str) -> Template:
    return ENGINE.from_string(source)


def _syntax_message(exc: TemplateSyntaxError) -> str:
    info = getattr(exc, "template_debug", None) or {}
    line = info.get("line")
    message = str(exc)
    if "Invalid block tag" in message:
        tag = message.split("'")[1] if "'" in message else ""
        message = f"the tag “{tag}” is not allowed in email templates" if tag else message
    elif "Invalid filter" in message:
        message = message.replace("Invalid filter", "the filter is not allowed")
    return f"Line {line}: {message}." if line else f"{message}."


def _lineno(node: Node) -> int | None:
    token = getattr(node, "token", None)
    return getattr(token, "lineno", None)


def _expressions(node: Node) -> Iterator[FilterExpression]:
    if isinstance(node, VariableNode):
        yield node.filter_expression
    elif isinstance(node, FirstOfNode):
        yield from node.vars
    elif isinstance(node, IfNode):
        for condition, _ in node.conditions_nodelists:
            yield from _condition_expressions(condition)


def _condition_expressions(condition: Any) -> Iterator[FilterExpression]:
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value
        return
    for side in ("first", "second"):
        yield from _condition_expressions(getattr(condition, side, None))


def _variables(expression: FilterExpression) -> Iterator[Variable]:
    if isinstance(expression.var, Variable) and expression.var.lookups:
        yield expression.var
    for _, args in expression.filters:
        for is_lookup, arg in args:
            if is_lookup and isinstance(arg, Variable) and arg.lookups:
                yield arg


def _walk(nodelist: Any) -> Iterator[Node]:
    for node in nodelist:
        yield node
        if isinstance(node, IfNode):
            for _, branch in node.conditions_nodelists:
                yield from _walk(branch)


def _check_nodes(template: Template, known: frozenset[str]) -> list[str]:
    problems: list[str] = []
    for node in _walk(template.nodelist):
        line = _lineno(node)
        where = f"Line {line}: " if line else ""
        if isinstance(node, FirstOfNode) and node.asvar:
            problems.append(f"{where}“firstof … as” is not allowed in email templates.")
        if not isinstance(node, TextNode | VariableNode | IfNode | FirstOfNode | CommentNode):
            problems.append(f"{where}this tag is not allowed in email templates.")
            continue
        for expression in _expressions(node):
            for variable in _variables(expression):
                path = ".".join(variable.lookups or ())
                if path not in known:
                    problems.append(f"{where}unknown merge field “{path}”.")
    return problems


def check_source(source: str, *, known: frozenset[str] | None = None) -> list[str]:
    """Problems with one template part, each starting with its line; empty if none."""
    try:
        template = _compile(source)
    except TemplateSyntaxError as exc:
        return [_syntax_message(exc)]
    return _check_nodes(template, known if known is not None else allowed_paths())


def template_problems(*, subject: str, html_body: str, text_body: str) -> dict[str, list[str]]:
    """Everything wrong with a template's three parts, keyed by part; empty if it is fine."""
    known = allowed_paths()
    problems: dict[str, list[str]] = {}
    if "\n" in subject or "\r" in subject:
        problems["subject"] = ["A subject is one line."]
    for field, source in (("subject", subject), ("html_body", html_body), ("text_body", text_body)):
        messages = check_source(source, known=known)
        if messages:
            problems.setdefault(field, []).extend(messages)
    return problems


def _render(source: str, data: dict[str, Any], *, autoescape: bool) -> str:
    try:
        rendered = _compile(source).render(Context(data, autoescape=autoescape))
    except TemplateSyntaxError as exc:
        raise TemplateProblem({"template": [_syntax_message(exc)]}) from exc
    # A plain str, not the engine's SafeString: a page that shows a rendered part (the
    # preview, a draft) must escape it like any other text a member wrote.
    return str.__str__(rendered)


def render_line(source: str, data: dict[str, Any]) -> str:
    """One line of plain text (a task title, a notification) from the same sandboxed
    syntax as email templates, e.g. ``Call {{ person.first_name|default:"them" }}``.

    Not HTML-escaped (the pages that show it escape it); runs of whitespace become one
    space. Raises TemplateProblem for a source that does not compile.
    """
    return " ".join(_render(source, data, autoescape=False).split())


def render_parts(*, subject: str, html_body: str, text_body: str, data: dict[str, Any]) -> Rendered:
    """Render the three parts for one person's merge data.

    The subject and the text part are not HTML-escaped; the HTML part is. A blank text
    part is made from the rendered HTML. Raises TemplateProblem for a template that no
    longer compiles (one edited outside the app).
    """
    rendered_subject = " ".join(_render(subject, data, autoescape=False).split())
    html = _render(html_body, data, autoescape=True) if html_body.strip() else ""
    if text_body.strip():
        text = _render(text_body, data, autoescape=False)
    else:
        text = html_to_text(html)
    return Rendered(subject=rendered_subject[:255], html=html, text=text)
