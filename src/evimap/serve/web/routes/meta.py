"""`/meta`: a placeholder until the meta-analysis pages exist (issue 5)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from evimap.serve.web.pages import page

router = APIRouter()


@router.get("/meta", response_class=HTMLResponse, include_in_schema=False)
def meta_page(request: Request) -> HTMLResponse:
    """Says where meta-analysis lives for now: the `evimap meta` command."""
    return page(request, "meta.html")
