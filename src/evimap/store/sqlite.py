"""SQLite specifics: the engine's connection settings and the FTS5 full-text index.

Nothing here is needed to understand the schema; everything here is what SQLite needs that
PostgreSQL does not, or does differently.

Transactions. Python's sqlite3 module (before 3.12's `autocommit`) does not BEGIN before DDL
or SELECT, so a migration's CREATE TABLE would commit on its own and a failed migration would
leave half a schema. The engine therefore takes transaction control from the driver and
emits BEGIN itself (SQLAlchemy's documented recipe, "Enabling Non-Legacy SQLite Transactional
Modes"). Connections carrying the execution option `WRITER_OPTION` begin with BEGIN IMMEDIATE:
a writer that read first under a plain BEGIN could not upgrade to a write lock while another
process writes, and would fail with "database is locked" instead of waiting `busy_timeout`.

Full text. FTS5's `unicode61` tokenizer splits on spaces and punctuation, which leaves a run of
Chinese or Japanese text as one "word" that no query but the whole run can match. The index
therefore holds a form of the text with every CJK ideograph, kana and Hangul syllable made a
token of its own, and queries are transformed the same way, so a two-character word such as
成瘾 becomes the phrase "成 瘾": adjacent tokens, which is exactly the word. (This is the
unigram indexing that Lucene's CJK analyzers also offer; it finds every word at the cost of
some false positives from characters adjacent across word boundaries.)
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from evimap.errors import StoreError
from evimap.records import Record, joined_abstract

WRITER_OPTION = "evimap_writer"
"""Execution option: a connection with `{WRITER_OPTION: True}` begins with BEGIN IMMEDIATE."""

BUSY_TIMEOUT_MS = 30_000
"""How long a connection waits for another writer's lock: longer than one ingest batch takes."""

FTS_TABLE = "records_fts"
TOKENIZER = "porter unicode61 remove_diacritics 2"
"""English words are stemmed (porter: depression and depressive both index as `depress`);
`remove_diacritics 2` also folds letters with several combining marks (Vietnamese)."""

RANK_WEIGHTS = "bm25(0.0, 10.0, 2.0, 1.0)"
"""bm25 weights of record_id, title, abstract and body: a match in the title counts most."""

MATCH_START = "\x02"
MATCH_END = "\x03"
"""Snippets mark matches with these control characters, never found in stored text: the web
layer escapes the pieces and wraps the marked ones in <mark>, the CLI styles them."""

SNIPPET_TOKENS = 24

_CJK_CHARS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3100-\u312f"  # Bopomofo
    "\u3130-\u318f"  # Hangul Compatibility Jamo
    "\u31f0-\u31ff"  # Katakana Phonetic Extensions
    "\u3400-\u4dbf"  # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uac00-\ud7af"  # Hangul Syllables
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\uff66-\uff9f"  # Halfwidth Katakana
    "\U00020000-\U0003134f"  # CJK Unified Ideographs Extensions B-G, Compatibility Supplement
)
_MARKS = MATCH_START + MATCH_END
_CJK = re.compile(f"[{_CJK_CHARS}]")
_CJK_BOUNDARY = re.compile(rf"(?<=[{_CJK_CHARS}])(?=\S)|(?<=\S)(?=[{_CJK_CHARS}])")
_GAP = re.compile(rf"([^\s{_MARKS}])([{_MARKS}]?) ([{_MARKS}]?)(?=([^\s{_MARKS}]))")
_QUERY_ITEM = re.compile(r'"([^"]*)"?(\*?)|([^\s"]+)')
_OPERATORS = frozenset({"AND", "OR", "NOT"})


def sqlite_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine for a SQLite URL, every connection set up for a multi-process store.

    Pragmas: `foreign_keys=ON` (SQLite ignores foreign keys otherwise), `journal_mode=WAL`
    (readers such as the web app never block the ingest writer, nor it them),
    `synchronous=NORMAL` (safe with WAL: a power cut can lose the last transactions, never
    corrupt the file) and `busy_timeout` (wait for a lock instead of failing at once).
    """
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "foreign_keys=ON",
            "journal_mode=WAL",
            "synchronous=NORMAL",
            f"busy_timeout={int(busy_timeout_ms)}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITER_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def create_full_text_index(connection: Connection) -> None:
    """Create the FTS5 table `records_fts(record_id UNINDEXED, title, abstract, body)`.

    A regular (not contentless) table: it costs a second copy of the text but can be read
    back, which lets tests compare the index before and after an operation. The rowid is
    `full_text_rowid(record_id)`, so a record's row is found without scanning the
    unindexed `record_id` column.
    """
    connection.exec_driver_sql(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        f"record_id UNINDEXED, title, abstract, body, tokenize = '{TOKENIZER}')"
    )
    connection.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', '{RANK_WEIGHTS}')"
    )


def full_text_rowid(record_id: str) -> int:
    """A signed 64-bit rowid derived from the record id (BLAKE2b, first 8 bytes).

    Stable across VACUUM, unlike the rowid of `records`; two ids colliding needs about 2**32
    records, and would fail loudly on the rowid's uniqueness.
    """
    digest = hashlib.blake2b(record_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def replace_full_text_rows(connection: Connection, records: Sequence[Record]) -> None:
    """Index these records, replacing whatever was indexed under their ids."""
    delete_full_text_rows(connection, [r.id for r in records])
    if not records:
        return
    rows = [
        {
            "rowid": full_text_rowid(r.id),
            "record_id": r.id,
            "title": cjk_spaced("\n".join(t for t in _titles(r) if t)),
            "abstract": cjk_spaced("\n".join(_abstracts(r))),
            "body": cjk_spaced(r.body or ""),
        }
        for r in records
    ]
    connection.execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, record_id, title, abstract, body) "
            "VALUES (:rowid, :record_id, :title, :abstract, :body)"
        ),
        rows,
    )


def delete_full_text_rows(connection: Connection, record_ids: Iterable[str]) -> None:
    """Remove these records from the index (ids not indexed are ignored)."""
    rows = [{"rowid": full_text_rowid(i)} for i in set(record_ids)]
    if rows:
        connection.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :rowid"), rows)


def full_text_rows(connection: Connection) -> list[tuple[Any, ...]]:
    """Every row of the index, with its rowid: for comparing store states in tests."""
    result = connection.exec_driver_sql(
        f"SELECT rowid, record_id, title, abstract, body FROM {FTS_TABLE}"
    )
    return [tuple(row) for row in result]


def full_text_hits(
    connection: Connection, query: str, *, limit: int
) -> list[tuple[str, str | None, str, float]]:
    """(record id, title, snippet, rank) of the best matches of a user's query, best first.

    `rank` is FTS5's bm25 with `RANK_WEIGHTS`: lower is better. The query is made safe by
    `full_text_query`; an error FTS5 still raises becomes a `StoreError`.
    """
    match = full_text_query(query)
    if match is None:
        return []
    sql = text(
        f"SELECT {FTS_TABLE}.record_id, records.title, "
        f"snippet({FTS_TABLE}, -1, :start, :end, '…', {SNIPPET_TOKENS}), {FTS_TABLE}.rank "
        f"FROM {FTS_TABLE} JOIN records ON records.id = {FTS_TABLE}.record_id "
        f"WHERE {FTS_TABLE} MATCH :match ORDER BY {FTS_TABLE}.rank LIMIT :limit"
    )
    params = {"start": MATCH_START, "end": MATCH_END, "match": match, "limit": limit}
    try:
        rows = connection.execute(sql, params).all()
    except OperationalError as exc:
        raise StoreError(
            f"full-text search failed for query {query!r}: {exc.orig}",
            hint="search for plain words or a quoted phrase",
        ) from exc
    return [(row[0], row[1], cjk_unspaced(row[2] or ""), float(row[3])) for row in rows]


def full_text_query(query: str) -> str | None:
    """The FTS5 query for what a person typed, or None when it holds nothing to search for.

    Every word and every "quoted phrase" becomes an FTS5 string, so FTS5 syntax in ordinary
    text (an unbalanced quote, a colon, a parenthesis, a hyphen) is searched for, never parsed.
    A trailing `*` asks for a prefix match (`keta*`); `AND`, `OR` and `NOT` in capitals between
    two terms are operators, anywhere else they are words. An unclosed quote runs to the end.
    """
    out: list[str] = []
    pending: str | None = None
    for quoted, star, bare in _QUERY_ITEM.findall(query):
        if bare in _OPERATORS:
            if out and pending is None:
                pending = bare
                continue
            term, prefix = bare, False
        elif bare:
            term, prefix = bare.rstrip("*"), bare.endswith("*")
        else:
            term, prefix = quoted, bool(star)
        if not _has_token(term):
            continue
        if out:
            out.append(pending or "AND")
        pending = None
        out.append('"' + cjk_spaced(term).replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(out) or None


def cjk_spaced(value: str) -> str:
    """The text with a space between each CJK character and its neighbours: FTS5's form."""
    return _CJK_BOUNDARY.sub(" ", value)


def cjk_unspaced(value: str) -> str:
    """Undo `cjk_spaced` for display: no space between CJK characters, nor next to punctuation.

    A space between a CJK character and a Latin letter stays: it cannot be told from one that
    was in the text.
    """
    previous = None
    while previous != value:
        previous, value = value, _GAP.sub(_joined_if_cjk, value)
    return value


def _joined_if_cjk(gap: re.Match[str]) -> str:
    left, right = gap.group(1), gap.group(4)
    joined = (_is_cjk(left) and (_is_cjk(right) or _is_punctuation(right))) or (
        _is_punctuation(left) and _is_cjk(right)
    )
    return gap.group(1) + gap.group(2) + ("" if joined else " ") + gap.group(3)


def _is_cjk(char: str) -> bool:
    return _CJK.match(char) is not None


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] == "P"


def _has_token(term: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in term)


def _titles(record: Record) -> list[str | None]:
    return [record.title, *(t.title for t in record.translations)]


def _abstracts(record: Record) -> list[str]:
    texts = [joined_abstract(record.abstract)]
    texts.extend(joined_abstract(t.abstract) for t in record.translations)
    return [t for t in texts if t]


__all__ = [
    "BUSY_TIMEOUT_MS",
    "FTS_TABLE",
    "MATCH_END",
    "MATCH_START",
    "WRITER_OPTION",
    "cjk_spaced",
    "cjk_unspaced",
    "create_full_text_index",
    "delete_full_text_rows",
    "full_text_hits",
    "full_text_query",
    "full_text_rowid",
    "full_text_rows",
    "replace_full_text_rows",
    "sqlite_engine",
]
