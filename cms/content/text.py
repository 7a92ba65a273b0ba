"""Editors write Markdown (raw HTML inside it allowed); delivery gets HTML cleaned by nh3 (ammonia).

The editor's source is stored as typed, so the next edit starts from it; what leaves the server for
citizens is always rendered and sanitised: no scripts, styles, event handlers or javascript: links.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt


@functools.cache
def _markdown() -> MarkdownIt:
    # breaks: Chinese editors press Enter for a new line, not for a space.
    return MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])


def sanitize_html(html: str) -> str:
    return nh3.clean(html, link_rel="noopener noreferrer nofollow")


def render_markdown(source: str) -> str:
    """Sanitised HTML for a Markdown (or HTML) source; empty for an empty source."""
    if not source.strip():
        return ""
    return sanitize_html(_markdown().render(source))
