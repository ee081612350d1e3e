"""`/feeds/…`: the Atom feeds, for everything, an intervention, a condition and a cell."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from evimap.serve.feeds import FeedScope, atom_feed
from evimap.serve.web.pages import engine

router = APIRouter()

ATOM = "application/atom+xml; charset=utf-8"


def _feed(request: Request, store: Engine, scope: FeedScope) -> Response:
    return Response(atom_feed(store, scope, base_url=str(request.base_url)), media_type=ATOM)


@router.get("/feeds/all.atom", include_in_schema=False)
def everything_feed(request: Request, store: Annotated[Engine, Depends(engine)]) -> Response:
    """New records and every cell change."""
    return _feed(request, store, FeedScope())


@router.get("/feeds/intervention/{intervention:path}.atom", include_in_schema=False)
def intervention_feed(
    request: Request, intervention: str, store: Annotated[Engine, Depends(engine)]
) -> Response:
    """New records with a claim about this intervention, and its cells' changes."""
    return _feed(request, store, FeedScope(intervention=intervention))


@router.get("/feeds/condition/{condition}.atom", include_in_schema=False)
def condition_feed(
    request: Request, condition: str, store: Annotated[Engine, Depends(engine)]
) -> Response:
    """New records with a claim about this condition, and its cells' changes."""
    return _feed(request, store, FeedScope(condition=condition))


@router.get("/feeds/cell/{intervention:path}/{condition}.atom", include_in_schema=False)
def cell_feed(
    request: Request, intervention: str, condition: str, store: Annotated[Engine, Depends(engine)]
) -> Response:
    """New records with a claim on this cell, and the cell's changes."""
    return _feed(request, store, FeedScope(intervention=intervention, condition=condition))
