"""Named, ordered schema migrations, recorded in the store (the sqlite-utils model).

`MIGRATIONS` is the registry: a literal tuple, in the order they apply. Each migration runs
in its own transaction together with the row that records it in `evimap_migrations`, so a
store is always exactly "every migration up to some name": if one fails, its changes and
its row roll back together, `MigrationError` names it, and the next `apply_migrations`
retries from there. (SQLite gets transactional DDL from the engine in `sqlite.py`; PostgreSQL
has it natively.) `applied` and `pending` only read; they work on a store never migrated.

Rules for adding one: append, never reorder or rename (the name is what the store records);
a migration sees the schema as its predecessors left it, so once schema.py changes in a way
that 0001 would pick up, 0001 must keep its own copy of the tables it created. The test
`test_migrations_build_the_declared_schema` catches a schema.py change without a migration.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from evimap.errors import MigrationError, StoreError
from evimap.store import schema, sqlite


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema change: `name` is recorded once applied, `apply` makes the change.

    `apply` receives a connection inside the migration's transaction and must not commit.
    """

    name: str
    apply: Callable[[Connection], None]


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    """A migration the store records as applied, and when (UTC, ISO 8601)."""

    name: str
    applied_at: str


def _create_core_tables(connection: Connection) -> None:
    schema.metadata.create_all(connection, tables=list(schema.CORE_TABLES), checkfirst=False)


def _create_full_text(connection: Connection) -> None:
    # PostgreSQL's tsvector index comes with the PostgreSQL issue; until then other
    # dialects search titles without an index (queries.search_records).
    if connection.dialect.name == "sqlite":
        sqlite.create_full_text_index(connection)


def _create_synthesis_tables(connection: Connection) -> None:
    schema.metadata.create_all(connection, tables=list(schema.SYNTHESIS_TABLES), checkfirst=False)


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_records_claims", _create_core_tables),
    Migration("0002_fts", _create_full_text),
    Migration("0003_cells_concepts", _create_synthesis_tables),
)


def applied(engine: Engine) -> list[AppliedMigration]:
    """The migrations this store records as applied, in the order they were applied."""
    with engine.connect() as connection:
        return _applied(connection)


def pending(engine: Engine) -> list[Migration]:
    """The registered migrations this store has not applied yet, in the order they will run."""
    done = {m.name for m in applied(engine)}
    return [m for m in MIGRATIONS if m.name not in done]


def apply_migrations(engine: Engine, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Apply every pending migration, each in its own transaction; the names applied.

    Safe to call from several processes at once: on SQLite each migration's transaction
    takes the write lock before it checks whether the migration is still pending.
    `migrations` is the registry to apply, `MIGRATIONS` unless a caller brings its own.
    """
    writer = {sqlite.WRITER_OPTION: True}
    store = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect().execution_options(**writer) as connection, connection.begin():
            schema.migrations_table.create(connection, checkfirst=True)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot open the store: {getattr(exc, 'orig', None) or exc}",
            file=store,
            hint="check that the database exists, is reachable and is writable",
        ) from exc
    done: list[str] = []
    for migration in migrations:
        with engine.connect().execution_options(**writer) as connection:
            try:
                with connection.begin():
                    if migration.name in {m.name for m in _applied(connection)}:
                        continue
                    migration.apply(connection)
                    connection.execute(
                        insert(schema.migrations_table).values(
                            name=migration.name, applied_at=_now()
                        )
                    )
            except Exception as exc:
                raise MigrationError(
                    f"migration {migration.name} failed: {exc}",
                    file=store,
                    hint="the store is left at the migration before it; fix the cause and "
                    "open the store again",
                ) from exc
        done.append(migration.name)
    return done


def _applied(connection: Connection) -> list[AppliedMigration]:
    if not inspect(connection).has_table(schema.migrations_table.name):
        return []
    table = schema.migrations_table
    rows = connection.execute(
        select(table.c.name, table.c.applied_at).order_by(table.c.applied_at, table.c.name)
    )
    return [AppliedMigration(name, applied_at) for name, applied_at in rows]


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


__all__ = ["MIGRATIONS", "AppliedMigration", "Migration", "applied", "apply_migrations", "pending"]
