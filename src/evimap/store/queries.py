"""The read functions the CLI, the web app, feeds and digests use; none of them writes.

Records are read back from `records.data` whole, so what comes out is exactly the Record
that was written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, select

from evimap.claims import Claim, claim_from_dict
from evimap.records import Record
from evimap.store import schema, sqlite

_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/", re.IGNORECASE)
_PREFIXED = re.compile(r"^(pmid|doi|pmcid|nct|sha1):\s*(.+)$", re.IGNORECASE | re.DOTALL)
_UPPER_SCHEMES = frozenset({"pmcid", "nct"})


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One record matching a search.

    `snippet` is the best matching passage with each match between `MATCH_START` and
    `MATCH_END` (control characters that never occur in stored text: escape the pieces, then
    mark them up). `rank` orders the hits: lower is a better match (FTS5's bm25, weighted to
    favour titles); hits are returned best first.
    """

    id: str
    title: str | None
    snippet: str
    rank: float


MATCH_START = sqlite.MATCH_START
MATCH_END = sqlite.MATCH_END


def normalized_alias(identifier: str) -> str:
    """The stored alias for an identifier as a person writes it.

    Accepts the stored form (`pmid:123`, `doi:10.1/x`, `sha1:…`), a bare PMID (`12345`),
    a bare or URL DOI (`10.1016/j.x`, `https://doi.org/10.1016/J.X`; DOIs are case-insensitive
    and stored lowercase), a PMCID (`PMC1373603`) or an NCT number (`nct01234567`).
    """
    value = _DOI_URL.sub("", identifier.strip())
    prefixed = _PREFIXED.match(value)
    if prefixed:
        scheme, rest = prefixed.group(1).lower(), prefixed.group(2).strip()
    elif value.isdigit():
        scheme, rest = "pmid", value
    elif value.startswith("10.") and "/" in value:
        scheme, rest = "doi", value
    elif re.fullmatch(r"PMC\d+", value, re.IGNORECASE):
        scheme, rest = "pmcid", value
    elif re.fullmatch(r"NCT\d+", value, re.IGNORECASE):
        scheme, rest = "nct", value
    else:
        return value
    if scheme == "doi":
        rest = _DOI_URL.sub("", rest).lower()
    elif scheme in _UPPER_SCHEMES:
        rest = rest.upper()
    return f"{scheme}:{rest}"


def record_by_id(engine: Engine, identifier: str) -> Record | None:
    """The record known by this identifier (canonical or any alias), or None.

    The identifier is looked up as given, then as `normalized_alias` writes it. A record
    merged from several sources answers to every identifier it was ever stored under: a
    news page first stored as `sha1:…` is still found by that id after PubMed's copy merged
    in and renamed it `pmid:…`.
    """
    r = schema.records
    with engine.connect() as connection:
        record_id = stored_id(connection, identifier)
        if record_id is None:
            return None
        data = connection.scalar(select(r.c.data).where(r.c.id == record_id))
    return schema.record_from_data(data) if data is not None else None


def claims_of_record(engine: Engine, identifier: str) -> list[Claim]:
    """The stored claims of the record known by `identifier`, in extraction order."""
    c = schema.claims
    with engine.connect() as connection:
        record_id = stored_id(connection, identifier)
        if record_id is None:
            return []
        rows = connection.execute(
            select(c.c.data).where(c.c.record_id == record_id).order_by(c.c.position)
        )
        return [claim_from_dict(json.loads(data)) for (data,) in rows]


def stored_id(connection: Connection, identifier: str) -> str | None:
    """The id of the stored record known by this identifier, as given or normalized."""
    r, a = schema.records, schema.record_ids
    for alias in dict.fromkeys([identifier, normalized_alias(identifier)]):
        found = connection.scalar(select(r.c.id).where(r.c.id == alias))
        if found is None:
            found = connection.scalar(select(a.c.record_id).where(a.c.alias == alias))
        if found is not None:
            return str(found)
    return None


def search_records(engine: Engine, query: str, *, limit: int = 20) -> list[SearchHit]:
    """The records best matching a full-text query, best first (at most `limit`).

    Searches titles, abstracts and bodies, translations included, in every language; case and
    accents are ignored, a trailing `*` matches a prefix, "quoted words" match a phrase.
    Ordinary text never causes a syntax error (see `sqlite.full_text_query`).
    On databases other than SQLite, until their full-text index exists, every word must
    appear in the title, and hits are in id order with rank 0.
    """
    if limit <= 0:
        return []
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = sqlite.full_text_hits(connection, query, limit=limit)
        else:
            rows = _title_hits(connection, query, limit=limit)
    return [SearchHit(id=i, title=t, snippet=s, rank=rank) for i, t, s, rank in rows]


def count_records(engine: Engine) -> int:
    """How many records the store holds."""
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(schema.records)) or 0)


def iter_records(engine: Engine, *, batch_size: int = 500) -> Iterator[Record]:
    """Every record, ordered by id, streamed `batch_size` rows at a time.

    The connection stays open until the iterator is exhausted or closed; close it (or run it
    to the end) before writing to the same SQLite file from the same thread.
    """
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=batch_size).execute(
            select(schema.records.c.data).order_by(schema.records.c.id)
        )
        for (data,) in result:
            yield schema.record_from_data(data)


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every evimap table (and of the full-text index), each table's rows sorted.

    Two equal results mean two equal stores: what the idempotence and rollback tests compare.
    """
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for table in schema.metadata.sorted_tables:
            if table.name in present:
                rows = [tuple(row) for row in connection.execute(select(table))]
                out[table.name] = sorted(rows, key=repr)
        if connection.dialect.name == "sqlite" and sqlite.FTS_TABLE in present:
            out[sqlite.FTS_TABLE] = sorted(sqlite.full_text_rows(connection), key=repr)
    return out


def _title_hits(
    connection: Connection, query: str, *, limit: int
) -> list[tuple[str, str | None, str, float]]:
    words = [w.strip('"*') for w in query.split()]
    words = [w for w in words if w]
    if not words:
        return []
    title = schema.records.c.title
    conditions = [title.ilike(f"%{_escaped_like(w)}%", escape="\\") for w in words]
    statement = (
        select(schema.records.c.id, title)
        .where(*conditions)
        .order_by(schema.records.c.id)
        .limit(limit)
    )
    return [(i, t, t or "", 0.0) for i, t in connection.execute(statement)]


def _escaped_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


__all__ = [
    "MATCH_END",
    "MATCH_START",
    "SearchHit",
    "count_records",
    "iter_records",
    "normalized_alias",
    "record_by_id",
    "search_records",
    "stored_id",
    "table_rows",
]
