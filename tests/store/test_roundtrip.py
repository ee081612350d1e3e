"""Round-trip and idempotence properties of the store (the sqlite-utils `test_hypothesis` model).

Any Record, over the whole value space of every field (any text: CJK, emoji, NUL, quotes;
None and empty values; booleans; citation counts beyond 64 bits, which the JSON column
holds), survives `write_batch` then `record_by_id` exactly, and writing it again changes no
row. Records go through `with_identity` first: the store keys them by their canonical id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from evimap.records import (
    ID_SCHEMES,
    Author,
    CitationCount,
    Journal,
    Record,
    Section,
    Translation,
    with_identity,
)
from evimap.store import open_store, record_by_id, table_rows, write_batch

SCRIPTS = st.sampled_from(
    ["氯胺酮治疗成瘾", "ケタミン", "케타민", "🧪💊", 'say "hi"', "it's", "\x00"]
)
text = st.text() | SCRIPTS | st.lists(SCRIPTS | st.text(max_size=3)).map("".join)
optional_text = st.none() | st.just("") | text
tuples_of_text = st.lists(text, max_size=3).map(tuple)
sections = st.lists(st.builds(Section, label=optional_text, text=text), max_size=3).map(tuple)
identifiers = st.builds(
    lambda scheme, value: f"{scheme}:{value}", st.sampled_from(ID_SCHEMES), text
)

records = st.builds(
    Record,
    id=text,
    source=text,
    title=optional_text,
    abstract=sections,
    body=optional_text,
    language=optional_text,
    translations=st.lists(
        st.builds(Translation, language=text, title=optional_text, abstract=sections),
        max_size=2,
    ).map(tuple),
    authors=st.lists(st.builds(Author, name=text, affiliations=tuples_of_text), max_size=3).map(
        tuple
    ),
    affiliations=tuples_of_text,
    journal=st.none()
    | st.builds(
        Journal, title=optional_text, volume=optional_text, issue=optional_text, pages=optional_text
    ),
    published=optional_text | st.dates().map(str),
    epublished=optional_text,
    doi=optional_text,
    pmid=optional_text | st.integers(1, 10**9).map(str),
    pmcid=optional_text,
    nct_id=optional_text,
    publication_types=tuples_of_text,
    mesh_terms=tuples_of_text,
    keywords=tuples_of_text,
    subject_areas=tuples_of_text,
    citation_count=st.none()
    | st.builds(CitationCount, count=st.integers(-(2**100), 2**100), source=optional_text),
    url=optional_text,
    cites_url=optional_text,
    kind=optional_text,
    peer_reviewed=st.none() | st.booleans(),
    sources=tuples_of_text,
    ids=st.lists(identifiers | text, max_size=3).map(tuple),
).map(with_identity)


@contextmanager
def memory_store() -> Iterator[Engine]:
    """A fresh in-memory store per example: hypothesis cannot share a function-scoped tmp_path."""
    engine = open_store("sqlite://")
    try:
        yield engine
    finally:
        engine.dispose()


@given(records)
def test_any_record_survives_write_then_read(record: Record) -> None:
    with memory_store() as engine:
        write_batch(engine, [record])
        assert record_by_id(engine, record.id) == record


@given(records)
def test_writing_any_record_twice_changes_no_row(record: Record) -> None:
    with memory_store() as engine:
        write_batch(engine, [record])
        before = table_rows(engine)
        summary = write_batch(engine, [record])
        assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1)
        assert table_rows(engine) == before


@given(st.lists(records, max_size=5))
def test_writing_any_batch_twice_changes_no_row(batch: list[Record]) -> None:
    with memory_store() as engine:
        write_batch(engine, batch)
        before = table_rows(engine)
        summary = write_batch(engine, batch)
        assert (summary.added, summary.updated) == (0, 0)
        assert table_rows(engine) == before


pool_text = st.sampled_from([None, "", "Ketamine", "氯胺酮"])
related = st.builds(
    Record,
    id=st.sampled_from(["", "ris:1"]),
    source=st.sampled_from(["pubmed", "page", "ris"]),
    title=st.sampled_from(
        [
            None,
            "Editorial",
            "Ketamine for the treatment of addiction: Evidence and potential mechanisms.",
            "[Ketamine for the treatment of addiction: evidence and potential mechanisms].",
        ]
    ),
    abstract=st.lists(st.builds(Section, pool_text, st.sampled_from(["x", "y"])), max_size=1).map(
        tuple
    ),
    body=pool_text,
    authors=st.lists(st.builds(Author, st.sampled_from(["Wang Y", "Lawn W"])), max_size=2).map(
        tuple
    ),
    published=st.sampled_from([None, "2018", "2018-11"]),
    doi=st.sampled_from([None, "10.1016/J.X", "10.1016/j.x", "10.2/b"]),
    pmid=st.sampled_from([None, "29339294", "2"]),
    nct_id=st.sampled_from([None, "NCT02418195"]),
    kind=st.sampled_from([None, "review", "trial_registration"]),
    keywords=st.lists(st.sampled_from(["k1", "k2"]), max_size=2).map(tuple),
).map(with_identity)


@given(st.lists(related, max_size=5), st.lists(related, max_size=5))
def test_rewriting_stored_batches_changes_no_row(first: list[Record], second: list[Record]) -> None:
    """Records that share DOIs, PMIDs, NCT numbers and titles, some of them in conflict."""
    with memory_store() as engine:
        write_batch(engine, first)
        write_batch(engine, second)
        before = table_rows(engine)
        write_batch(engine, first)
        write_batch(engine, second)
        assert table_rows(engine) == before


@given(st.lists(related, max_size=5), st.lists(related, max_size=5))
def test_rewriting_in_other_batches_changes_no_row(
    first: list[Record], second: list[Record]
) -> None:
    with memory_store() as engine:
        write_batch(engine, first)
        write_batch(engine, second)
        before = table_rows(engine)
        write_batch(engine, second)
        write_batch(engine, first + second)
        assert table_rows(engine) == before
