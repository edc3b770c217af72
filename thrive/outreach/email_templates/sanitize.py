"""The HTML part as stored: cleaned of anything an email should not carry.

Whatever the editor (or "Edit HTML") posts goes through :func:`clean_html` before it is
checked and saved: scripts, event handlers, forms, frames and ``javascript:`` links are
dropped; the tags and attributes mail clients show (headings, paragraphs, lists, links,
images, tables, simple styles) stay. Merge fields are text to the sanitiser, so
``{{ person.first_name }}`` and ``{% if … %}`` pass through unchanged (nh3, the Python
binding of the Ammonia sanitiser, does the parsing: no regular expressions on HTML).
"""

from __future__ import annotations

import html as html_lib
import re

import nh3

TAGS = {
    "a", "b", "blockquote", "br", "center", "code", "div", "em", "h1", "h2", "h3", "h4",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_COMMON = {"align", "class", "dir", "style", "title"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON,
    "a": {"href", "target", "name"},
    "img": {"src", "alt", "width", "height"},
    "table": {"width", "cellpadding", "cellspacing", "border", "role", "bgcolor"},
    "td": {"width", "colspan", "rowspan", "valign", "bgcolor"},
    "th": {"width", "colspan", "rowspan", "valign", "bgcolor", "scope"},
    "ol": {"start", "type"},
}  # fmt: skip
# Inline styles stay for layout and colour; nothing that positions over other content.
STYLE_PROPERTIES = {
    "background", "background-color", "border", "border-bottom", "border-collapse",
    "border-left", "border-radius", "border-right", "border-top", "color", "display",
    "font-family", "font-size", "font-style", "font-weight", "height", "letter-spacing",
    "line-height", "margin", "margin-bottom", "margin-left", "margin-right", "margin-top",
    "max-width", "min-width", "padding", "padding-bottom", "padding-left", "padding-right",
    "padding-top", "text-align", "text-decoration", "text-transform", "vertical-align",
    "width",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "tel"}


# A merge field or tag: ``{{ … }}``, ``{% … %}``.
_TEMPLATE_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _unescape_span(match: re.Match[str]) -> str:
    # The serialiser escapes "&", "<", ">" in text and quotes in attributes, which would
    # turn ``{% if orders.count > 1 %}`` or ``default:"there"`` into broken template
    # syntax. A tag's own text never reaches the rendered email (the sandbox replaces it
    # with its escaped output), so restoring it here lets nothing through.
    return html_lib.unescape(match.group(0))


def clean_html(html: str) -> str:
    """``html`` with only the allowed tags, attributes, styles and link schemes."""
    if not html.strip():
        return ""
    return _TEMPLATE_SPAN.sub(_unescape_span, _clean(html))


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        # Kept as written: links to the person's own pages must not be rewritten.
        link_rel=None,
        strip_comments=True,
    )
