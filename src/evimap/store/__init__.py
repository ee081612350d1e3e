"""The store: records (and, later, claims) in SQLite or PostgreSQL, behind a few functions.

    open_store(url)            an engine on a migrated store
    write_batch(engine, items) records and deletions in one idempotent transaction
    record_by_id, search_records, count_records, iter_records, table_rows   reading

The schema is SQLAlchemy Core (`schema.py`), changed only by named migrations
(`migrations.py`); what only SQLite needs is in `sqlite.py`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from evimap.errors import StoreError
from evimap.store import sqlite
from evimap.store.batch import ClaimsOf, WriteSummary, write_batch
from evimap.store.migrations import applied, apply_migrations, pending
from evimap.store.queries import (
    MATCH_END,
    MATCH_START,
    SearchHit,
    claims_of_record,
    count_records,
    iter_records,
    normalized_alias,
    record_by_id,
    search_records,
    table_rows,
)


def open_store(url: str) -> Engine:
    """An engine on the store at this SQLAlchemy URL, created and migrated as needed.

    For a SQLite file the folder is created too, so `--db sqlite:///data/new/evimap.db`
    works on a fresh checkout. `sqlite://` is an in-memory store (one connection, gone with
    the engine).
    """
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = sqlite.sqlite_engine(url)
        else:
            engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, OSError) as exc:
        raise StoreError(
            f"cannot open the store {url!r}: {exc}",
            hint="use an SQLAlchemy URL such as sqlite:///evimap.db or "
            "postgresql+psycopg://user@host/db, with its driver installed",
        ) from exc
    apply_migrations(engine)
    return engine


__all__ = [
    "MATCH_END",
    "MATCH_START",
    "ClaimsOf",
    "SearchHit",
    "WriteSummary",
    "applied",
    "apply_migrations",
    "claims_of_record",
    "count_records",
    "iter_records",
    "normalized_alias",
    "open_store",
    "pending",
    "record_by_id",
    "search_records",
    "table_rows",
    "write_batch",
]
