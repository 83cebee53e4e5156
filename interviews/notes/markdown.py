"""Markdown written by people, rendered safe: parsed without raw HTML, then sanitised.

Two layers on purpose: markdown-it with HTML off never emits tags a person typed, and
nh3 (ammonia) then keeps only an allowlist of tags, attributes and URL schemes, so a
``javascript:`` link or an event handler cannot survive either way. A link must also
pass the app's one set of address rules (interviews.addresses, for notes: http, https,
mailto, with a server name): a relative or scheme-relative (//host) link loses its href
and stays as text.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from interviews.addresses import LinkUse, problem_with

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    "table"
)

_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip


def _only_typed_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and problem_with(value, LinkUse.NOTE):
        return None
    return value


def render(text: str) -> Markup:
    """HTML safe to put in a page, from a person's Markdown."""
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        attribute_filter=_only_typed_links,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704  (sanitised just above)
