"""What every page route needs: the store's engine and a template rendered for a request."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine


def engine(request: Request) -> Engine:
    """The store the app was created over (a FastAPI dependency)."""
    found: Engine = request.app.state.engine
    return found


def page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A template rendered as an HTML response; `context` becomes the template's variables."""
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


__all__ = ["engine", "page"]
