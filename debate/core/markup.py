"""Markdown to safe HTML: content files are trusted to be prose, not markup.

Authors may load their own files, so rendered HTML is sanitized: no
scripts, no event-handler attributes, no javascript: links.
"""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

_ALLOWED_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "hr",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """Render Markdown and keep only tags and links that cannot run code."""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_inline(text: str) -> str:
    """Render one line of Markdown (a lede, a label) without a wrapping <p>."""
    html = _markdown.renderInline(text)
    return nh3.clean(
        html,
        tags={"em", "strong", "code", "a"},
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
