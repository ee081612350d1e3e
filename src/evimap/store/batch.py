"""Writing a batch of records and deletions to the store: one transaction, idempotent.

Each record of the batch meets the stored records, and the records of the batch before it,
that share one of its duplicate keys or identifiers, and becomes `merged(stored, incoming)`,
the stored copy's values first (`plan.MergePlan` works this out before anything is written).
A stored record that already holds everything the incoming one says is left alone, row for
row, so writing the same batch twice changes nothing. A merge can rename a record (a page
stored as `sha1:…` meets its PubMed copy and becomes `pmid:…`); the old row goes and its
aliases, keys and claims move to the new one, so nothing dangles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    insert,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from evimap.claims import Claim
from evimap.errors import StoreError
from evimap.merge import duplicate_keys
from evimap.records import Deletion, Record, with_identity
from evimap.store import schema, sqlite
from evimap.store.plan import MergePlan, chunks
from evimap.store.queries import stored_id


@dataclass(frozen=True, slots=True)
class WriteSummary:
    """What a write did, counted per work.

    `added`: works stored for the first time. `updated`: stored works that changed (gained
    a source, an identifier, a field; or were renamed). `unchanged`: works the store already
    held entirely. `merged`: records of the batch folded into another record of the same
    batch. `deleted`: stored works removed by a deletion notice (notices for unknown ids are
    not counted). `added + updated + unchanged + merged` is the number of Records written.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    merged: int = 0

    def __add__(self, other: WriteSummary) -> WriteSummary:
        return WriteSummary(
            added=self.added + other.added,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            deleted=self.deleted + other.deleted,
            merged=self.merged + other.merged,
        )


ClaimsOf = Callable[[Record], Sequence[Claim]]
"""The extractor, passed in by the caller: the store never reaches back to extraction."""


def write_batch(
    engine: Engine,
    items: Iterable[Record | Deletion],
    *,
    claims_of: ClaimsOf | None = None,
) -> WriteSummary:
    """Store these records and apply these deletions, all in one transaction.

    With `claims_of`, every record that is added or changes gets its claims replaced by
    `claims_of(merged record)`, inside the same transaction: claims always describe the
    record as stored, and an unchanged record keeps its claims row for row.

    Items apply in order (a record after a deletion of the same work stores it again);
    consecutive records are written together, with one lookup per batch. If anything fails,
    the items' iterator included, the transaction rolls back and the store is exactly as it
    was; database errors are raised as `StoreError`, the iterator's own errors as they are.
    """
    summary = WriteSummary()
    try:
        writer = engine.connect().execution_options(**{sqlite.WRITER_OPTION: True})
        with writer as connection, connection.begin():
            run: list[Record] = []
            for item in items:
                if isinstance(item, Record):
                    run.append(item)
                elif isinstance(item, Deletion):
                    summary += _write_records(connection, run, claims_of)
                    run = []
                    summary += WriteSummary(deleted=_delete_record(connection, item.id))
                else:
                    raise StoreError(
                        f"cannot store a {type(item).__name__}",
                        hint="write_batch takes Record and Deletion items",
                    )
            summary += _write_records(connection, run, claims_of)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"writing a batch failed: {getattr(exc, 'orig', None) or exc}",
            file=engine.url.render_as_string(hide_password=True),
            hint="the batch was rolled back and nothing of it is stored",
        ) from exc
    return summary


def _write_records(
    connection: Connection, run: Sequence[Record], claims_of: ClaimsOf | None
) -> WriteSummary:
    if not run:
        return WriteSummary()
    plan = MergePlan(connection)
    plan.fetch(set().union(*(duplicate_keys(with_identity(r)) for r in run)))
    for record in run:
        plan.add(record)
    written: list[tuple[Record, str]] = []
    added = updated = unchanged = 0
    for final_id in plan.finals:
        final = plan.live[final_id]
        data = schema.record_data(final)
        stored = plan.stored.get(final_id)
        if not plan.origins[final_id]:
            added += 1
        elif (
            stored is not None
            and plan.origins[final_id] == {final_id}
            and schema.content_hash(data) == stored.content_hash
            and plan.keys_of[final_id] == stored.keys
        ):
            unchanged += 1
            continue
        else:
            updated += 1
        written.append((final, data))
    _apply(connection, plan, written)
    if claims_of is not None:
        _replace_claims(connection, [r for r, _ in written], claims_of)
    return WriteSummary(
        added=added, updated=updated, unchanged=unchanged, merged=len(run) - len(plan.finals)
    )


def _apply(connection: Connection, plan: MergePlan, written: list[tuple[Record, str]]) -> None:
    """Write the plan: replace the rows of every written record, retire the merged ones."""
    if not written:
        return
    gone = plan.gone()
    rewritten = sorted({r.id for r, _ in written} | set(gone))
    alias_rows = plan.alias_rows([r for r, _ in written])
    _delete_where_in(connection, schema.record_ids.c.record_id, rewritten)
    _delete_where_in(connection, schema.record_keys.c.record_id, rewritten)
    if connection.dialect.name == "sqlite":
        sqlite.delete_full_text_rows(connection, rewritten)

    rows = [schema.record_row(r, data) for r, data in written]
    new_rows = [row for row in rows if row["id"] not in plan.stored]
    changed_rows = [
        {f"b_{k}": v for k, v in row.items()} for row in rows if row["id"] in plan.stored
    ]
    records = schema.records
    if new_rows:
        connection.execute(insert(records), new_rows)
    if changed_rows:
        columns = [c.name for c in records.columns if c.name != "id"]
        connection.execute(
            update(records)
            .where(records.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns}),
            changed_rows,
        )
    if plan.retired:
        claims = schema.claims
        connection.execute(
            update(claims)
            .where(claims.c.record_id == bindparam("b_old"))
            .values(record_id=bindparam("b_new")),
            [{"b_old": old, "b_new": plan.heir(old)} for old in sorted(plan.retired)],
        )
    _delete_where_in(connection, records.c.id, gone)

    if alias_rows:
        connection.execute(insert(schema.record_ids), alias_rows)
    key_rows = [
        {"key": key, "record_id": r.id} for r, _ in written for key in sorted(plan.keys_of[r.id])
    ]
    if key_rows:
        connection.execute(insert(schema.record_keys), key_rows)
    if connection.dialect.name == "sqlite":
        sqlite.replace_full_text_rows(connection, [r for r, _ in written])


def _replace_claims(connection: Connection, records: Sequence[Record], claims_of: ClaimsOf) -> None:
    """Replace the claims of these (just written) records by what `claims_of` finds."""
    _delete_where_in(connection, schema.claims.c.record_id, [r.id for r in records])
    rows = [row for r in records for row in schema.claim_rows(r.id, claims_of(r))]
    if rows:
        connection.execute(insert(schema.claims), rows)


def _delete_record(connection: Connection, identifier: str) -> int:
    """Remove the record known by this id with its aliases, keys, index row and claims."""
    record_id = stored_id(connection, identifier)
    if record_id is None:
        return 0
    for column in (
        schema.claims.c.record_id,
        schema.record_keys.c.record_id,
        schema.record_ids.c.record_id,
    ):
        _delete_where_in(connection, column, [record_id])
    if connection.dialect.name == "sqlite":
        sqlite.delete_full_text_rows(connection, [record_id])
    _delete_where_in(connection, schema.records.c.id, [record_id])
    return 1


def _delete_where_in(connection: Connection, column: Any, values: Sequence[str]) -> None:
    for chunk in chunks(values):
        connection.execute(delete(column.table).where(column.in_(chunk)))


__all__ = ["ClaimsOf", "WriteSummary", "write_batch"]
