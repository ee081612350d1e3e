"""The evidence map: one Cell per (intervention, condition), materialized in the store.

A cell is what the roll-up rules of `grade.py` conclude from every stored claim about one
intervention in one condition. Cells are computed when records are written
(`refresh_cells`, called by ingest for the records it wrote) and read back as rows
(`cells`, `cell`), so a page never grades claims per request: the map is one indexed
query, a cell one row and its ranked claims.

History: whenever a refresh changes a cell's verdict or certainty (or makes or removes a
cell), a `Change` row names the record whose arrival changed it; `cell_history` and
`cell_changes_since` read them for the cell page and the feeds. Refreshing an unchanged
cell writes nothing, so ingesting the same files twice leaves the store as it was.

Roll-up of conditions (`cell(..., rollup=True)`, `rolled_up_cells`) is done on demand: it
grades the stored claims of a condition and all its descendants in the vocabulary
(treatment-resistant depression inside major depressive disorder inside depression).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, exists, select

from evimap.claims import Certainty, Design, Direction
from evimap.store import schema
from evimap.synthesis.cell import (
    Cell,
    CellClaim,
    Change,
    built_cell,
    cell_claim_from_json,
    condition_descendants,
)
from evimap.synthesis.grade import Reason
from evimap.synthesis.refresh import RefreshSummary, refresh_cells


def cells(
    engine: Engine,
    *,
    intervention: str | None = None,
    condition: str | None = None,
    intervention_class: str | None = None,
    condition_group: str | None = None,
    design: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    limit: int | None = None,
) -> list[Cell]:
    """The stored cells matching every filter given, ordered by intervention then condition.

    The cells come without their claims (`claims`, `conflicts` empty; use `cell`).
    `condition_group` keeps the cells of that condition and of every condition under it;
    `design`, `year_from` and `year_to` keep the cells holding at least one claim of that
    design from records of those years (the cell itself is still over all its evidence).
    """
    cl = schema.cells
    query = _with_change(select(cl)).where(
        *cell_filters(
            intervention=intervention,
            condition=condition,
            intervention_class=intervention_class,
            condition_group=condition_group,
            design=design,
            year_from=year_from,
            year_to=year_to,
        )
    )
    query = query.order_by(cl.c.intervention, cl.c.condition)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as connection:
        return [_cell_of_row(row) for row in _rows(connection, query)]


def cell_filters(
    *,
    intervention: str | None = None,
    condition: str | None = None,
    intervention_class: str | None = None,
    condition_group: str | None = None,
    design: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> list[ColumnElement[bool]]:
    """The conditions on `cells` rows that the filters of `cells` mean, for any query of them.

    Shared by `cells` and by pages that read fewer columns, so a filter means one thing.
    """
    cl, cc = schema.cells, schema.cell_claims
    where: list[ColumnElement[bool]] = []
    if intervention is not None:
        where.append(cl.c.intervention == intervention)
    if condition is not None:
        where.append(cl.c.condition == condition)
    if intervention_class is not None:
        where.append(cl.c.intervention_class == intervention_class)
    if condition_group is not None:
        group = [condition_group, *condition_descendants(condition_group)]
        where.append(cl.c.condition.in_(group))
    held = [cc.c.intervention == cl.c.intervention, cc.c.condition == cl.c.condition]
    if design is not None:
        held.append(cc.c.design == design)
    if year_from is not None:
        held.append(cc.c.year >= year_from)
    if year_to is not None:
        held.append(cc.c.year <= year_to)
    if len(held) > 2:
        where.append(exists().where(*held))
    return where


def cell(engine: Engine, intervention: str, condition: str, *, rollup: bool = False) -> Cell | None:
    """The cell of this intervention in this condition with its claims, or None.

    With `rollup`, the claims of every condition under `condition` in the vocabulary are
    graded together with its own (computed now, not stored; `changed` is then None), so
    cell("ketamine", "depression", rollup=True) exists when only major depressive disorder
    has claims.
    """
    cl, cc = schema.cells, schema.cell_claims
    with engine.connect() as connection:
        if rollup:
            conditions = [condition, *condition_descendants(condition)]
            claims = [
                cell_claim_from_json(data)
                for (data,) in connection.execute(
                    select(cc.c.data).where(
                        cc.c.intervention == intervention, cc.c.condition.in_(conditions)
                    )
                )
            ]
            return built_cell(intervention, condition, claims, is_rollup=True)
        found = _rows(
            connection,
            _with_change(select(cl)).where(
                cl.c.intervention == intervention, cl.c.condition == condition
            ),
        )
        if not found:
            return None
        claims = [
            cell_claim_from_json(data)
            for (data,) in connection.execute(
                select(cc.c.data)
                .where(cc.c.intervention == intervention, cc.c.condition == condition)
                .order_by(cc.c.rank)
            )
        ]
    return _cell_of_row(found[0], claims)


def rolled_up_cells(
    engine: Engine, *, intervention: str | None = None, condition: str | None = None
) -> list[Cell]:
    """Every cell of the map and every rolled-up cell above it, graded on demand.

    For each stored cell, the cell of each ancestor condition is added, holding the claims
    of all its descendants (ketamine x major depressive disorder brings ketamine x
    depression). `condition` keeps that condition and those under it. Slower than `cells`:
    it grades the claims, for the CLI and for reports, not for pages.
    """
    stored = cells(engine, intervention=intervention)
    wanted: set[tuple[str, str]] = set()
    for c in stored:
        for name in (c.condition, *c.condition_parents):
            wanted.add((c.intervention, name))
    if condition is not None:
        keep = {condition, *condition_descendants(condition)}
        wanted = {p for p in wanted if p[1] in keep}
    out = [cell(engine, i, k, rollup=True) for i, k in sorted(wanted)]
    return [c for c in out if c is not None]


def cell_history(engine: Engine, intervention: str, condition: str) -> list[Change]:
    """The changes of this cell's verdict and certainty, oldest first."""
    ch = schema.cell_changes
    with engine.connect() as connection:
        rows = connection.execute(
            select(ch)
            .where(ch.c.intervention == intervention, ch.c.condition == condition)
            .order_by(ch.c.id)
        )
        return [_change_of_row(row) for row in rows]


def cell_changes_since(
    engine: Engine,
    since: str | None = None,
    *,
    intervention: str | None = None,
    condition: str | None = None,
    limit: int = 50,
) -> list[Change]:
    """The latest changes of any cell, newest first: what the feeds publish.

    `since` (UTC ISO 8601, as `Change.at`) keeps changes strictly after it; `intervention`
    and `condition` keep those of matching cells; at most `limit`.
    """
    ch = schema.cell_changes
    query = select(ch)
    if since is not None:
        query = query.where(ch.c.at > since)
    if intervention is not None:
        query = query.where(ch.c.intervention == intervention)
    if condition is not None:
        query = query.where(ch.c.condition == condition)
    query = query.order_by(ch.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [_change_of_row(row) for row in connection.execute(query)]


_CHANGE_COLUMNS = ("id", "at", "field", "old", "new", "record_id", "record_title")


def _with_change(query: Any) -> Any:
    ch = schema.cell_changes
    return query.add_columns(*(ch.c[n].label(f"change_{n}") for n in _CHANGE_COLUMNS)).outerjoin(
        ch, ch.c.id == schema.cells.c.last_change
    )


def _change_of_row(row: Any) -> Change:
    return Change(
        id=row.id,
        at=row.at,
        intervention=row.intervention,
        condition=row.condition,
        field=row.field,
        old=row.old,
        new=row.new,
        record_id=row.record_id,
        record_title=row.record_title,
    )


_DIRECTIONS = {d.value: d for d in Direction}
_DESIGNS = {d.value: d for d in Design}
_CERTAINTIES: dict[str | None, Certainty | None] = {None: None, **{c.value: c for c in Certainty}}


def _rows(connection: Connection, query: Any) -> list[dict[str, Any]]:
    """The rows as plain dicts: much cheaper to read than Row attributes, per map cell."""
    result = connection.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _cell_of_row(row: dict[str, Any], claims: Sequence[CellClaim] = ()) -> Cell:
    data = json.loads(row["data"])
    changed = None
    if row["change_id"] is not None:
        changed = Change(
            row["change_id"],
            row["change_at"],
            row["intervention"],
            row["condition"],
            row["change_field"],
            row["change_old"],
            row["change_new"],
            row["change_record_id"],
            row["change_record_title"],
        )
    return Cell(
        intervention=row["intervention"],
        intervention_class=row["intervention_class"],
        condition=row["condition"],
        condition_parents=tuple(data["condition_parents"]),
        condition_group=row["condition_group"],
        verdict=_DIRECTIONS[row["verdict"]],
        certainty=_CERTAINTIES[row["certainty"]],
        certainty_upper=_CERTAINTIES[row["certainty_upper"]],
        certainty_text=data["certainty_text"],
        certainty_source=data["certainty_source"],
        evidence_base=data["evidence_base"],
        n_records=row["n_records"],
        n_claims=row["n_claims"],
        n_studies=row["n_studies"],
        n_participants=row["n_participants"],
        best_design=_DESIGNS[row["best_design"]],
        best_tier=row["best_tier"],
        best_record=data["best_record"],
        tiers_disagree=data["tiers_disagree"],
        n_conflicts=row["n_conflicts"],
        year_first=row["year_first"],
        year_last=row["year_last"],
        rule=tuple(Reason(r["rule"], r["text"]) for r in data["rule"]),
        conditions=tuple(sorted({row["condition"], *(c.condition for c in claims)})),
        claims=tuple(claims),
        conflicts=tuple(claims[n] for n in data["conflicts"] if n < len(claims)),
        changed=changed,
    )


__all__ = [
    "Cell",
    "CellClaim",
    "Change",
    "RefreshSummary",
    "cell",
    "cell_changes_since",
    "cell_history",
    "cells",
    "refresh_cells",
    "rolled_up_cells",
]
