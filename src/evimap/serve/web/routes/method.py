"""`/method`: how the map is made, the roll-up rules in words (docs/method.md).

The page is the Markdown of `docs/method.md` rendered with raw HTML disabled, so the one
text both the docs and the site show cannot carry markup of its own.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

import evimap
from evimap.serve.web.pages import page

router = APIRouter()

METHOD_PAGE = Path(evimap.__file__).resolve().parents[2] / "docs" / "method.md"
"""Where the rules are written out: the source checkout's docs folder."""


def method_html(path: Path = METHOD_PAGE) -> Markup:
    """The method page's Markdown as HTML (tables on, raw HTML escaped, links kept)."""
    if not path.is_file():
        return Markup("<p>The method page (docs/method.md) is not in this installation.</p>")
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    return Markup(renderer.render(path.read_text(encoding="utf-8")))


@router.get("/method", response_class=HTMLResponse, include_in_schema=False)
def method_page(request: Request) -> HTMLResponse:
    """The rules that make the map, in words."""
    return page(request, "method.html", body=method_html())
