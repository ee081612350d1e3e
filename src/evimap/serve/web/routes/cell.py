"""`/cell/{intervention}/{condition}`: one cell of the map, its verdict, why, and its claims.

Interventions may hold a `/` (aprepitant/fosaprepitant) and conditions never do, so the
route takes the last path segment as the condition and everything before it as the drug.

The cell is read as one row and its claims a page at a time (`CLAIMS_PER_PAGE`, best
first, from the materialized ranking), so a cell of ten thousand claims is as fast as one
of ten. A condition with no cell of its own but cells below it (depression above major
depressive disorder) is rolled up on demand, which grades all its claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, select

from evimap.serve.web import grid
from evimap.serve.web.pages import engine, page
from evimap.store import schema
from evimap.synthesis.cell import cell_claim_from_json
from evimap.synthesis.evidence_map import Cell, CellClaim, cell, cell_history, cells
from evimap.synthesis.grade import design_tier

router = APIRouter()

CLAIMS_PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class TierGroup:
    """The claims of one design tier, best tier first."""

    rank: int
    name: str
    claims: list[CellClaim]


def tier_groups(claims: Sequence[CellClaim]) -> list[TierGroup]:
    """Claims grouped by design tier, in the cell's order within each tier."""
    groups: dict[int, TierGroup] = {}
    for claim in claims:
        tier = design_tier(claim.design)
        groups.setdefault(tier.rank, TierGroup(tier.rank, tier.name, [])).claims.append(claim)
    return [groups[rank] for rank in sorted(groups)]


def cell_or_404(store: Engine, intervention: str, condition: str) -> Cell:
    """The stored cell without its claims, or the rolled-up cell of a parent condition (with
    its claims), or a 404."""
    stored = cells(store, intervention=intervention, condition=condition)
    found = stored[0] if stored else cell(store, intervention, condition, rollup=True)
    if found is None:
        raise HTTPException(404, f"no evidence on {intervention} in {condition} in this store")
    return found


def ranked_claims(
    store: Engine, intervention: str, condition: str, *, limit: int, offset: int = 0
) -> list[CellClaim]:
    """A page of a stored cell's claims, best-ranked first."""
    cc = schema.cell_claims
    query = (
        select(cc.c.data)
        .where(cc.c.intervention == intervention, cc.c.condition == condition)
        .order_by(cc.c.rank)
        .limit(limit)
        .offset(offset)
    )
    with store.connect() as connection:
        return [cell_claim_from_json(data) for (data,) in connection.execute(query)]


@router.get(
    "/cell/{intervention:path}/{condition}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def cell_page(
    request: Request,
    intervention: str,
    condition: str,
    store: Annotated[Engine, Depends(engine)],
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> HTMLResponse:
    """The verdict and certainty with the rules that decided them, the claims by design tier
    with their evidence sentences, the history of changes and the cell's feeds."""
    found = cell_or_404(store, intervention, condition)
    offset = (page_number - 1) * CLAIMS_PER_PAGE
    if found.is_rollup:
        shown = list(found.claims[offset : offset + CLAIMS_PER_PAGE])
    else:
        shown = ranked_claims(store, intervention, condition, limit=CLAIMS_PER_PAGE, offset=offset)
    conflicting = {(c.record_id, c.position) for c in shown if c.direction != found.verdict}
    return page(
        request,
        "cell.html",
        cell=found,
        groups=tier_groups(shown),
        page_number=page_number,
        per_page=CLAIMS_PER_PAGE,
        history=list(reversed(cell_history(store, intervention, condition))),
        conflicting=conflicting,
        verdict=grid.verdict_name(found),
        certainty=grid.certainty_name(found),
        size=grid.size_bin(found.n_records),
        grade_symbols=grid.grade_symbols,
    )
