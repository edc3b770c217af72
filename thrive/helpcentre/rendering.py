"""Article bodies: Markdown (CommonMark through markdown-it-py, raw HTML off) sanitised by
nh3's allow-list, so an article can never carry a script or a style attribute."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the Markdown is shown as text ("html": False); links and lists work.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "h2", "h3",
    "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(body: str) -> str:
    """Safe HTML for an article body (headings start at h2: the page's h1 is the title)."""
    html = _MD.render(body or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )
