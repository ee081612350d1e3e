"""The JSON API under `/api/`: records, claims, cells and search, the data the pages show.

Shapes are those the CLI prints: a record is `record_json` (with its `text` object, so
evidence offsets can be checked), a claim `Claim.to_dict`, a cell `Cell.to_dict`. The
OpenAPI schema is served at `/api/openapi.json`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select

from evimap.claims import Design, Direction, claim_from_dict
from evimap.errors import StoreError
from evimap.records import record_json
from evimap.serve.facets import FACETS, faceted_search
from evimap.serve.web.pages import engine
from evimap.store import schema
from evimap.store.queries import claims_of_record, record_by_id
from evimap.synthesis.evidence_map import cell, cell_history, cells

router = APIRouter(tags=["evimap"])

Store = Annotated[Engine, Depends(engine)]
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many items.")]
Offset = Annotated[int, Query(ge=0, description="Skip this many items first.")]


class RecordSummary(BaseModel):
    """A record in a list: enough to show and to fetch the whole of it."""

    id: str
    title: str | None
    kind: str | None
    language: str | None
    published: str | None


class RecordList(BaseModel):
    total: int
    records: list[RecordSummary]


class RecordWithClaims(BaseModel):
    """A record as `evimap show --format json` prints it."""

    record: dict[str, Any] = Field(description="The Record, with its `text` object.")
    claims: list[dict[str, Any]] = Field(description="Its claims, in extraction order.")


class ClaimOut(BaseModel):
    """A claim with the id of the record it comes from."""

    record_id: str
    claim: dict[str, Any]


class ClaimList(BaseModel):
    total: int
    claims: list[ClaimOut]


class CellList(BaseModel):
    total: int
    cells: list[dict[str, Any]] = Field(description="Cells without their claims.")


class CellDetail(BaseModel):
    cell: dict[str, Any] = Field(description="The cell with its claims, best first.")
    history: list[dict[str, Any]] = Field(description="Its changes, oldest first.")


class SearchHitOut(BaseModel):
    id: str
    title: str | None
    snippet: str = Field(description="The best passage; matches between U+0002 and U+0003.")
    rank: float
    language: str | None
    kind: str | None
    year: int | None


class SearchOut(BaseModel):
    query: str
    total: int
    hits: list[SearchHitOut]
    facets: dict[str, list[tuple[str, int]]]
    filters: dict[str, str]


@router.get("/records", response_model=RecordList)
def list_records(store: Store, limit: Limit = 100, offset: Offset = 0) -> RecordList:
    """Records in id order, a page at a time."""
    r = schema.records
    with store.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(r)) or 0
        rows = connection.execute(
            select(r.c.id, r.c.title, r.c.kind, r.c.language, r.c.published)
            .order_by(r.c.id)
            .limit(limit)
            .offset(offset)
        )
        records = [RecordSummary(**row._mapping) for row in rows]
    return RecordList(total=int(total), records=records)


@router.get("/records/{record_id:path}", response_model=RecordWithClaims)
def get_record(record_id: str, store: Store) -> RecordWithClaims:
    """One record by any identifier it is known by, with its claims."""
    record = record_by_id(store, record_id)
    if record is None:
        raise HTTPException(404, f"no record {record_id!r} in this store")
    claims = claims_of_record(store, record.id)
    return RecordWithClaims(record=record_json(record), claims=[c.to_dict() for c in claims])


@router.get("/claims", response_model=ClaimList)
def list_claims(
    store: Store,
    intervention: str | None = None,
    condition: str | None = None,
    design: Design | None = None,
    direction: Direction | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ClaimList:
    """Claims matching every filter given, by record id and order in the record."""
    c = schema.claims
    conditions = []
    if intervention:
        conditions.append(c.c.intervention == intervention)
    if condition:
        conditions.append(c.c.condition == condition)
    if design:
        conditions.append(c.c.design == design.value)
    if direction:
        conditions.append(c.c.direction == direction.value)
    with store.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(c).where(*conditions)) or 0
        rows = connection.execute(
            select(c.c.record_id, c.c.data)
            .where(*conditions)
            .order_by(c.c.record_id, c.c.position)
            .limit(limit)
            .offset(offset)
        )
        claims = [
            ClaimOut(record_id=rid, claim=claim_from_dict(json.loads(data)).to_dict())
            for rid, data in rows
        ]
    return ClaimList(total=int(total), claims=claims)


@router.get("/cells", response_model=CellList)
def list_cells(
    store: Store,
    intervention: str | None = None,
    condition: str | None = None,
    intervention_class: str | None = None,
    condition_group: str | None = None,
    design: Design | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> CellList:
    """The map's cells matching every filter (as the map page's filters), without claims."""
    found = cells(
        store,
        intervention=intervention,
        condition=condition,
        intervention_class=intervention_class,
        condition_group=condition_group,
        design=design.value if design else None,
        year_from=year_from,
        year_to=year_to,
    )
    page = found[offset : offset + limit]
    return CellList(total=len(found), cells=[c.to_dict() for c in page])


@router.get("/cells/{intervention:path}/{condition}", response_model=CellDetail)
def get_cell(intervention: str, condition: str, store: Store) -> CellDetail:
    """One cell with its claims and history (rolled up from narrower conditions if it is
    not stored itself, as on the cell page)."""
    found = cell(store, intervention, condition) or cell(
        store, intervention, condition, rollup=True
    )
    if found is None:
        raise HTTPException(404, f"no evidence on {intervention} in {condition} in this store")
    history = [c.to_dict() for c in cell_history(store, intervention, condition)]
    return CellDetail(cell=found.to_dict(), history=history)


@router.get("/search", response_model=SearchOut)
def search(
    store: Store,
    q: Annotated[str, Query(description="Words, a quoted phrase or a prefix*.")],
    language: str | None = None,
    kind: str | None = None,
    year: str | None = None,
    design: str | None = None,
    intervention: str | None = None,
    condition: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Offset = 0,
) -> SearchOut:
    """Full-text search in every language, with facet counts and facet filters."""
    filters = dict(
        zip(FACETS, (language, kind, year, design, intervention, condition), strict=True)
    )
    try:
        results = faceted_search(store, q, filters=filters, limit=limit, offset=offset)
    except StoreError as error:
        raise HTTPException(400, str(error)) from error
    hits = [
        SearchHitOut(
            id=h.id,
            title=h.title,
            snippet=h.snippet,
            rank=h.rank,
            language=h.language,
            kind=h.kind,
            year=h.year,
        )
        for h in results.hits
    ]
    return SearchOut(
        query=q, total=results.total, hits=hits, facets=results.facets, filters=results.filters
    )


__all__ = ["router"]
