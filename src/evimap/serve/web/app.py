"""The web app: `create_app(db_url)` builds the FastAPI application over one store.

Pages are rendered on the server (Jinja2, autoescaped) and work without JavaScript; the JSON
API lives under `/api/` (OpenAPI schema at `/api/openapi.json`) and Atom feeds under
`/feeds/`. The app only reads the store.

Every response carries a Content-Security-Policy that allows no inline script or style and
nothing from other origins: record text is escaped by the templates, and the policy is the
second wall should a template ever get that wrong.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from evimap.serve import api
from evimap.serve.web.pages import page
from evimap.serve.web.routes import cell, feeds, map, meta, method, record, search
from evimap.store import open_store

HERE = Path(__file__).parent

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

PAGE_ROUTERS = (map, cell, record, search, method, meta, feeds)
"""The page modules, each with its `router`; the API's router is mounted under /api."""


def id_path(record_id: str) -> str:
    """A record id as a URL path part: percent-encoded, keeping its `:` and a DOI's `/`."""
    return quote(record_id, safe=":/")


def record_url(record_id: str) -> str:
    """The page of a record."""
    return "/record/" + id_path(record_id)


def cell_url(intervention: str, condition: str) -> str:
    """The page of a cell of the map."""
    return f"/cell/{quote(intervention, safe='/')}/{quote(condition, safe='')}"


def safe_href(url: str | None) -> str | None:
    """The URL if it may be a link target (http or https), else None.

    A record's `url` comes from its source; `javascript:` or `data:` there must not become
    a clickable link.
    """
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def url_with(request: Request, **changes: str | int | None) -> str:
    """This page's URL (path and query) with some parameters set, or removed when None.

    Any change other than to `page` also drops `page`, so a new filter starts at page 1.
    """
    params = dict(request.query_params)
    if set(changes) - {"page"}:
        params.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "":
            params.pop(name, None)
        else:
            params[name] = str(value)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def templates() -> Jinja2Templates:
    """The page templates, autoescaped, with the URL helpers as globals."""
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        record_url=record_url,
        cell_url=cell_url,
        safe_href=safe_href,
        id_path=id_path,
        url_with=url_with,
    )
    environment.filters["label"] = lambda value: str(value or "").replace("_", " ")
    return Jinja2Templates(env=environment)


def create_app(db_url: str) -> FastAPI:
    """The web app over the store at `db_url` (opened, and migrated if needed, once)."""
    app = FastAPI(
        title="evimap",
        summary="A living evidence map for medicine: records, sourced claims, map cells.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_disposing_engine,
    )
    app.state.engine = open_store(db_url)
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in PAGE_ROUTERS:
        app.include_router(module.router)
    app.include_router(api.router, prefix="/api")

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return await http_exception_handler(request, error)
        return page(
            request,
            "error.html",
            status_code=error.status_code,
            code=error.status_code,
            title=HTTPStatus(error.status_code).phrase,
            detail=error.detail,
        )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


@asynccontextmanager
async def _disposing_engine(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.engine.dispose()


__all__ = [
    "SECURITY_HEADERS",
    "cell_url",
    "create_app",
    "id_path",
    "record_url",
    "safe_href",
    "templates",
    "url_with",
]
