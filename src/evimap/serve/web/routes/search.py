"""`/search?q=`: full-text search over every language in the store, with facets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from evimap.errors import StoreError
from evimap.serve.facets import FACETS, faceted_search
from evimap.serve.web.pages import engine, page
from evimap.store.queries import MATCH_END, MATCH_START

router = APIRouter()

PAGE_SIZE = 20


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """The snippet as (text, is_match) pieces, for the template to escape and mark."""
    parts: list[tuple[str, bool]] = []
    for chunk in snippet.split(MATCH_START):
        matched, _, rest = chunk.partition(MATCH_END) if MATCH_END in chunk else ("", "", chunk)
        if matched:
            parts.append((matched, True))
        if rest:
            parts.append((rest, False))
    return parts


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    store: Annotated[Engine, Depends(engine)],
    q: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
    language: str | None = None,
    kind: str | None = None,
    year: str | None = None,
    design: str | None = None,
    intervention: str | None = None,
    condition: str | None = None,
) -> HTMLResponse:
    """Search results with snippets (matches marked) and facet links that narrow them."""
    filters = {
        "language": language,
        "kind": kind,
        "year": year,
        "design": design,
        "intervention": intervention,
        "condition": condition,
    }
    error = None
    results = None
    if q.strip():
        try:
            results = faceted_search(
                store, q, filters=filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
            )
        except StoreError as exc:
            error = str(exc)
    return page(
        request,
        "search.html",
        q=q,
        results=results,
        error=error,
        facet_names=FACETS,
        page_number=page_number,
        page_size=PAGE_SIZE,
        snippet_parts=snippet_parts,
    )
