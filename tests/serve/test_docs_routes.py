"""docs/web.md names every route of the web app (datasette's test_docs idea, for routes)."""

from __future__ import annotations

import re

import pytest

from evimap.serve import api
from evimap.serve.web.app import PAGE_ROUTERS, create_app

from ..conftest import REPO

WEB_DOCS = REPO / "docs" / "web.md"


def route_paths() -> list[str]:
    """Every path the app answers, path converters dropped (`{record_id:path}` is
    `{record_id}`): the pages' and feeds' routers, the API's under /api, and the app's own."""
    app = create_app("sqlite://")
    own = [getattr(r, "path", "") for r in app.routes]
    app.state.engine.dispose()
    pages = [r.path for module in PAGE_ROUTERS for r in module.router.routes]  # type: ignore[attr-defined]
    apis = ["/api" + r.path for r in api.router.routes]  # type: ignore[attr-defined]
    return sorted({re.sub(r":\w+}", "}", p) for p in [*own, *pages, *apis] if p})


def test_docs_routes_are_found() -> None:
    assert {"/", "/api/cells", "/feeds/all.atom", "/static"} <= set(route_paths())


@pytest.mark.parametrize("path", route_paths())
def test_docs_routes_web_page_names_every_route(path: str) -> None:
    assert f"`{path}`" in WEB_DOCS.read_text(encoding="utf-8")
