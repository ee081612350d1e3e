"""Full-text search with facets: the store's search, then counts by language, kind, year,
design, intervention and condition over the hits, and filters on any of them.

The store ranks the best `CANDIDATES` matches; facets count and filter within those. A query
matching more records than that is narrowed by its words, not by paging through every hit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from evimap.store import schema
from evimap.store.queries import SearchHit, search_records

CANDIDATES = 500
"""How many best matches facets are counted over."""

FACETS = ("language", "kind", "year", "design", "intervention", "condition")
"""The facet names, as query parameters and as keys of `SearchResults.facets`."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching record: `snippet` marks matches with the store's MATCH_START/MATCH_END."""

    id: str
    title: str | None
    snippet: str
    rank: float
    language: str | None = None
    kind: str | None = None
    year: int | None = None
    designs: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits (best first), how many matched after filters, and the facet counts."""

    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)


def faceted_search(
    engine: Engine,
    query: str,
    *,
    filters: Mapping[str, str | None] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """The records matching `query` and every filter (facet name to value), with facets.

    Facet counts are over the hits that pass the filters; a filter name not in `FACETS`
    raises ValueError.
    """
    active = {k: v for k, v in (filters or {}).items() if v}
    unknown = sorted(set(active) - set(FACETS))
    if unknown:
        raise ValueError(f"unknown facets {unknown}; known: {list(FACETS)}")
    found = _with_details(engine, search_records(engine, query, limit=CANDIDATES))
    kept = [
        hit for hit in found if all(value in _values(hit, name) for name, value in active.items())
    ]
    facets = {
        name: _counts(value for hit in kept for value in set(_values(hit, name))) for name in FACETS
    }
    return SearchResults(
        query=query,
        hits=kept[offset : offset + limit],
        total=len(kept),
        facets=facets,
        filters=active,
    )


def _values(hit: Hit, name: str) -> list[str]:
    if name == "design":
        return list(hit.designs)
    if name == "intervention":
        return [i for i, _ in hit.pairs]
    if name == "condition":
        return [c for _, c in hit.pairs]
    value = getattr(hit, name)
    return [str(value)] if value is not None else []


def _counts(values: Iterable[str]) -> list[tuple[str, int]]:
    counted = Counter(values)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def _with_details(engine: Engine, hits: Sequence[SearchHit]) -> list[Hit]:
    ids = [hit.id for hit in hits]
    if not ids:
        return []
    r, c = schema.records, schema.claims
    with engine.connect() as connection:
        rows = {
            row.id: row
            for row in connection.execute(
                select(r.c.id, r.c.language, r.c.kind, r.c.year).where(r.c.id.in_(ids))
            )
        }
        claims: dict[str, list[tuple[str, str, str]]] = {}
        for record_id, intervention, condition, design in connection.execute(
            select(c.c.record_id, c.c.intervention, c.c.condition, c.c.design).where(
                c.c.record_id.in_(ids)
            )
        ):
            claims.setdefault(record_id, []).append((intervention, condition, design))
    out = []
    for hit in hits:
        row = rows.get(hit.id)
        mine = claims.get(hit.id, [])
        out.append(
            Hit(
                id=hit.id,
                title=hit.title,
                snippet=hit.snippet,
                rank=hit.rank,
                language=row.language if row else None,
                kind=row.kind if row else None,
                year=row.year if row else None,
                designs=tuple(dict.fromkeys(d for _, _, d in mine)),
                pairs=tuple(dict.fromkeys((i, cond) for i, cond, _ in mine)),
            )
        )
    return out


__all__ = ["CANDIDATES", "FACETS", "Hit", "SearchResults", "faceted_search"]
