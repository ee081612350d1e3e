"""Writing the evidence map: cells recomputed for the records just written, with history.

`refresh_cells` is what ingest calls once its records are stored. It grades every cell the
records touch again (`cell.built_cell`), writes only the cells whose content changed, and
appends a `Change` row whenever a verdict or certainty changes, naming the record that
changed it. Writing nothing for an unchanged cell is what keeps ingest idempotent.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select

from evimap.store import schema, sqlite
from evimap.store.plan import chunks
from evimap.synthesis.cell import Cell, CellClaim, built_cell, cell_claim, certainty_of
from evimap.synthesis.grade import certainty_words


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    """What a refresh did: cells written (new or different), removed, left as they were,
    and change rows appended."""

    written: int = 0
    removed: int = 0
    unchanged: int = 0
    changes: int = 0


def refresh_cells(engine: Engine, *, record_ids: Iterable[str] | None = None) -> RefreshSummary:
    """Recompute and store the cells these records touch (all cells when None).

    A record touches the cells of its stored claims and the cells that cited it before
    (so a deleted or renamed record leaves the cells it was in); ids may be any identifier
    the record is known by. Each touched cell is graded again from all its stored claims;
    a cell whose content is unchanged is not written. When the verdict or certainty
    changes (or a cell appears or goes), a `Change` row names the record responsible: the
    best-ranked record of the refreshed ones in the new cell, else the first of them that
    the cell held before. In one transaction: a failed refresh leaves the cells as they were.
    """
    writer = engine.connect().execution_options(**{sqlite.WRITER_OPTION: True})
    with writer as connection, connection.begin():
        if record_ids is None:
            pairs = _all_pairs(connection)
            by: set[str] | None = None
        else:
            by = record_identifiers(connection, set(record_ids))
            pairs = _pairs_of(connection, by)
        summary = RefreshSummary()
        for chunk in chunks(sorted(pairs)):
            summary = _add(summary, _refresh_pairs(connection, chunk, by))
    return summary


def _add(a: RefreshSummary, b: RefreshSummary) -> RefreshSummary:
    return RefreshSummary(
        a.written + b.written,
        a.removed + b.removed,
        a.unchanged + b.unchanged,
        a.changes + b.changes,
    )


def current_ids(connection: Connection, given: Iterable[str]) -> set[str]:
    """The ids of the stored records known by any of these identifiers (canonical or alias)."""
    r, a = schema.records, schema.record_ids
    current: set[str] = set()
    for chunk in chunks(sorted(set(given))):
        current.update(connection.scalars(select(r.c.id).where(r.c.id.in_(chunk))))
        current.update(connection.scalars(select(a.c.record_id).where(a.c.alias.in_(chunk))))
    return current


def record_identifiers(connection: Connection, given: set[str]) -> set[str]:
    """The given ids with the current ids of their records and every alias of those.

    What a refresh must look for: a record renamed by a merge (`sha1:…` became `pmid:…`)
    is still cited under its old id by what was computed before.
    """
    a = schema.record_ids
    current = current_ids(connection, given)
    aliases: set[str] = set()
    for chunk in chunks(sorted(current)):
        aliases.update(connection.scalars(select(a.c.alias).where(a.c.record_id.in_(chunk))))
    return given | current | aliases


def _pairs_of(connection: Connection, ids: set[str]) -> set[tuple[str, str]]:
    c, cc = schema.claims, schema.cell_claims
    pairs: set[tuple[str, str]] = set()
    for chunk in chunks(sorted(ids)):
        for table in (c, cc):
            rows = connection.execute(
                select(table.c.intervention, table.c.condition)
                .where(table.c.record_id.in_(chunk))
                .distinct()
            )
            pairs.update((i, k) for i, k in rows)
    return pairs


def _all_pairs(connection: Connection) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for table in (schema.claims, schema.cells):
        rows = connection.execute(select(table.c.intervention, table.c.condition).distinct())
        pairs.update((i, k) for i, k in rows)
    return pairs


def _where_pairs(table: Any, pairs: Sequence[tuple[str, str]]) -> Any:
    by_intervention: dict[str, list[str]] = {}
    for intervention, condition in pairs:
        by_intervention.setdefault(intervention, []).append(condition)
    return or_(
        *(
            and_(table.c.intervention == i, table.c.condition.in_(conditions))
            for i, conditions in by_intervention.items()
        )
    )


def _stored_claims(
    connection: Connection, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[CellClaim]]:
    c, r = schema.claims, schema.records
    rows = connection.execute(
        select(c.c.record_id, c.c.position, c.c.data, r.c.title, r.c.published, r.c.kind)
        .join(r, r.c.id == c.c.record_id)
        .where(_where_pairs(c, pairs))
    )
    out: dict[tuple[str, str], list[CellClaim]] = {}
    for record_id, position, data, title, published, kind in rows:
        claim = cell_claim(
            record_id, position, json.loads(data), title=title, published=published, kind=kind
        )
        out.setdefault((claim.intervention, claim.condition), []).append(claim)
    return out


def _refresh_pairs(
    connection: Connection, pairs: Sequence[tuple[str, str]], by: set[str] | None
) -> RefreshSummary:
    found = _stored_claims(connection, pairs)
    cc, cl = schema.cell_claims, schema.cells
    stored = {
        (row.intervention, row.condition): row
        for row in connection.execute(select(cl).where(_where_pairs(cl, pairs)))
    }
    before: dict[tuple[str, str], list[str]] = {}
    for i, k, record_id in connection.execute(
        select(cc.c.intervention, cc.c.condition, cc.c.record_id)
        .where(_where_pairs(cc, pairs))
        .order_by(cc.c.rank)
    ):
        before.setdefault((i, k), []).append(record_id)
    written = removed = unchanged = changes = 0
    for pair in pairs:
        new = built_cell(*pair, found.get(pair, ()))
        old = stored.get(pair)
        if new is None and old is None:
            continue
        if new is None:
            responsible = _responsible(None, before.get(pair, []), by)
            changes += _record_changes(connection, pair, old, None, responsible)
            _delete_cell(connection, pair)
            removed += 1
            continue
        data, claim_rows, digest = _cell_rows(new)
        if old is not None and old.content_hash == digest:
            unchanged += 1
            continue
        responsible = _responsible(new, before.get(pair, []), by)
        added = _record_changes(connection, pair, old, new, responsible)
        changes += added
        last_change = _last_change_id(connection, pair) if added or old is None else old.last_change
        _delete_cell(connection, pair)
        connection.execute(insert(cl).values(**_cell_row(new, data, digest, last_change)))
        if claim_rows:
            connection.execute(insert(cc), claim_rows)
        written += 1
    return RefreshSummary(written, removed, unchanged, changes)


def _cell_rows(cell: Cell) -> tuple[str, list[dict[str, Any]], str]:
    """The cell's `data` JSON, its `cell_claims` rows and the hash of both."""
    rank = {id(c): n for n, c in enumerate(cell.claims)}
    data = _json(
        {
            "condition_parents": list(cell.condition_parents),
            "certainty_text": cell.certainty_text,
            "certainty_source": cell.certainty_source,
            "evidence_base": cell.evidence_base,
            "best_record": cell.best_record,
            "tiers_disagree": cell.tiers_disagree,
            "rule": [asdict(r) for r in cell.rule],
            "conflicts": [rank[id(c)] for c in cell.conflicts],
        }
    )
    rows = [
        {
            "intervention": cell.intervention,
            "condition": cell.condition,
            "rank": n,
            "record_id": c.record_id,
            "design": c.design.value,
            "year": c.year,
            "data": _json(c.to_dict()),
        }
        for n, c in enumerate(cell.claims)
    ]
    digest = hashlib.sha256()
    parts: list[str] = [data, *(str(r["data"]) for r in rows), _json(_summary_columns(cell))]
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return data, rows, digest.hexdigest()


def _summary_columns(cell: Cell) -> dict[str, Any]:
    return {
        "intervention": cell.intervention,
        "condition": cell.condition,
        "intervention_class": cell.intervention_class,
        "condition_group": cell.condition_group,
        "verdict": cell.verdict.value,
        "certainty": cell.certainty.value if cell.certainty else None,
        "certainty_upper": cell.certainty_upper.value if cell.certainty_upper else None,
        "best_design": cell.best_design.value,
        "best_tier": cell.best_tier,
        "n_records": cell.n_records,
        "n_claims": cell.n_claims,
        "n_studies": cell.n_studies,
        "n_participants": cell.n_participants,
        "n_conflicts": cell.n_conflicts,
        "year_first": cell.year_first,
        "year_last": cell.year_last,
    }


def _cell_row(cell: Cell, data: str, digest: str, last_change: int | None) -> dict[str, Any]:
    return {
        **_summary_columns(cell),
        "last_change": last_change,
        "content_hash": digest,
        "data": data,
    }


def _delete_cell(connection: Connection, pair: tuple[str, str]) -> None:
    for table in (schema.cell_claims, schema.cells):
        connection.execute(
            delete(table).where(table.c.intervention == pair[0], table.c.condition == pair[1])
        )


def _responsible(
    new: Cell | None, before: Sequence[str], by: set[str] | None
) -> tuple[str | None, str | None]:
    """(record id, title) of the record a change is put down to (see `refresh_cells`)."""
    claims = new.claims if new else ()
    if by is None:
        return (claims[0].record_id, claims[0].title) if claims else (None, None)
    for claim in claims:
        if claim.record_id in by:
            return claim.record_id, claim.title
    for record_id in before:
        if record_id in by:
            return record_id, None
    return None, None


def _record_changes(
    connection: Connection,
    pair: tuple[str, str],
    old: Any,
    new: Cell | None,
    responsible: tuple[str | None, str | None],
) -> int:
    """Append a change row for the verdict and for the certainty, where they differ."""
    was_verdict = old.verdict if old is not None else None
    now_verdict = new.verdict.value if new is not None else None
    was_certainty = (
        certainty_words(certainty_of(old.certainty), certainty_of(old.certainty_upper))
        if old is not None
        else None
    )
    now_certainty = certainty_words(new.certainty, new.certainty_upper) if new else None
    rows = [
        {"field": name, "old": a, "new": b}
        # certainty first: when both change at once, the verdict is the latest change
        for name, a, b in (
            ("certainty", was_certainty, now_certainty),
            ("verdict", was_verdict, now_verdict),
        )
        if a != b
    ]
    at = _now()
    for row in rows:
        connection.execute(
            insert(schema.cell_changes).values(
                at=at,
                intervention=pair[0],
                condition=pair[1],
                record_id=responsible[0],
                record_title=responsible[1],
                **row,
            )
        )
    return len(rows)


def _last_change_id(connection: Connection, pair: tuple[str, str]) -> int | None:
    ch = schema.cell_changes
    found = connection.scalar(
        select(ch.c.id)
        .where(ch.c.intervention == pair[0], ch.c.condition == pair[1])
        .order_by(ch.c.id.desc())
        .limit(1)
    )
    return int(found) if found is not None else None


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


__all__ = ["RefreshSummary", "current_ids", "record_identifiers", "refresh_cells"]
