"""The store: migrations, idempotent and atomic writes, deletions, identifiers and search.

PubMed records come from Biopython's MEDLINE test file (../shared/data/pubmed_formats/
biopython_medline/pubmed_result2.txt), read here with `Bio.Medline` so these tests do not
depend on evimap's own readers. The bilingual record is built from
../shared/seeds/bilingual-abstract.txt (English abstract and its Chinese translation).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from Bio import Medline
from sqlalchemy import Connection, Engine, insert, inspect, text

from evimap.errors import MigrationError, StoreError
from evimap.records import Author, Deletion, Journal, Record, Section, Translation, with_identity
from evimap.store import (
    MATCH_END,
    MATCH_START,
    applied,
    apply_migrations,
    count_records,
    iter_records,
    open_store,
    pending,
    record_by_id,
    schema,
    search_records,
    table_rows,
    write_batch,
)
from evimap.store.migrations import MIGRATIONS, Migration
from evimap.store.sqlite import full_text_query, sqlite_engine

MEDLINE_FILE = "data/pubmed_formats/biopython_medline/pubmed_result2.txt"
BILINGUAL_FILE = "seeds/bilingual-abstract.txt"


def medline_records(shared: Path) -> list[Record]:
    """The four PubMed records of Biopython's MEDLINE sample, as a PubMed reader gives them."""
    with (shared / MEDLINE_FILE).open(encoding="utf-8") as handle:
        return [_medline_record(entry) for entry in Medline.parse(handle)]


def _medline_record(entry: dict[str, Any]) -> Record:
    dois = [a.removesuffix(" [doi]") for a in entry.get("AID", []) if a.endswith(" [doi]")]
    return with_identity(
        Record(
            id=f"pmid:{entry['PMID']}",
            source="pubmed",
            title=entry["TI"],
            abstract=(Section(None, entry["AB"]),) if "AB" in entry else (),
            language="en",
            authors=tuple(Author(name) for name in entry.get("FAU", [])),
            journal=Journal(entry.get("JT"), entry.get("VI"), entry.get("IP"), entry.get("PG")),
            published=entry["DP"][:4],
            doi=dois[0] if dois else None,
            pmid=entry["PMID"],
            pmcid=entry.get("PMC"),
            publication_types=tuple(entry.get("PT", [])),
            mesh_terms=tuple(entry.get("MH", [])),
        )
    )


def bilingual_record(shared: Path) -> Record:
    """Ezquerra-Romano et al. 2018 with its Chinese abstract, as the seed file prints them."""
    lines = (shared / BILINGUAL_FILE).read_text(encoding="utf-8").splitlines()
    return with_identity(
        Record(
            id="",
            source="pubmed",
            title="Ketamine for the treatment of addiction: Evidence and potential mechanisms.",
            abstract=(Section(None, lines[3]),),
            language="en",
            translations=(Translation("zh", None, (Section(None, lines[4]),)),),
            affiliations=(lines[0], lines[1]),
            published="2018-11",
            epublished="2018-01-12",
            doi="10.1016/j.neuropharm.2018.01.017",
        )
    )


def page_copy(record: Record) -> Record:
    """The same work as a portal page shows it: title and abstract, no identifier."""
    return with_identity(
        Record(
            id="",
            source="page",
            title=f"[{record.title}]",
            body=record.abstract[0].text if record.abstract else None,
            published=record.published,
            url="https://example.org/portal/record",
            kind="portal_record",
        )
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'evimap.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def pubmed(shared: Path) -> list[Record]:
    return medline_records(shared)


# --- migrations -------------------------------------------------------------------------


def test_open_store_creates_the_folder_and_applies_every_migration(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'new' / 'folder' / 'evimap.db'}")
    try:
        assert [m.name for m in applied(engine)] == [m.name for m in MIGRATIONS]
        assert pending(engine) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://x", "sqlite:////proc/no/evimap.db"])
def test_open_store_refuses_what_it_cannot_open_with_a_store_error(url: str) -> None:
    with pytest.raises(StoreError):
        open_store(url)


def test_migrations_are_applied_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evimap.db'}"
    first = open_store(url)
    recorded = applied(first)
    first.dispose()
    second = open_store(url)
    try:
        assert applied(second) == recorded
        assert apply_migrations(second) == []
    finally:
        second.dispose()


def test_pending_lists_everything_on_a_new_database_without_creating_tables(
    tmp_path: Path,
) -> None:
    engine = sqlite_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert pending(engine) == list(MIGRATIONS)
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_failed_migration_is_named_and_leaves_the_store_at_the_last_one(store: Engine) -> None:
    def broken(connection: Connection) -> None:
        connection.execute(text("CREATE TABLE half_done (x INTEGER)"))
        connection.execute(text("INSERT INTO no_such_table VALUES (1)"))

    with pytest.raises(MigrationError, match="9999_broken") as raised:
        apply_migrations(store, (*MIGRATIONS, Migration("9999_broken", broken)))
    assert raised.value.file is not None
    assert [m.name for m in applied(store)] == [m.name for m in MIGRATIONS]
    assert "half_done" not in inspect(store).get_table_names()


def test_migrations_build_the_declared_schema(store: Engine) -> None:
    inspector = inspect(store)
    for table in schema.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert indexes == {i.name for i in table.indexes}, table.name


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(store: Engine) -> None:
    with store.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


# --- writing ----------------------------------------------------------------------------


def test_write_batch_then_read_back_every_record(store: Engine, pubmed: list[Record]) -> None:
    summary = write_batch(store, pubmed)
    assert (summary.added, summary.updated, summary.unchanged) == (4, 0, 0)
    assert count_records(store) == 4
    assert [r.id for r in iter_records(store)] == sorted(r.id for r in pubmed)
    for record in pubmed:
        assert record_by_id(store, record.id) == record


def test_writing_the_same_batch_twice_changes_no_row(store: Engine, pubmed: list[Record]) -> None:
    write_batch(store, pubmed)
    before = table_rows(store)
    summary = write_batch(store, pubmed)
    assert summary.unchanged == len(pubmed)
    assert (summary.added, summary.updated, summary.deleted, summary.merged) == (0, 0, 0, 0)
    assert table_rows(store) == before


def test_a_batch_whose_items_fail_halfway_leaves_the_store_as_before(
    store: Engine, pubmed: list[Record], shared: Path
) -> None:
    write_batch(store, pubmed[:2])
    before = table_rows(store)

    def items() -> Iterator[Record | Deletion]:
        yield pubmed[2]
        yield page_copy(pubmed[0])
        yield Deletion(pubmed[1].id, "pubmed")  # writes what came before it
        yield bilingual_record(shared)
        raise RuntimeError("the reader broke")

    with pytest.raises(RuntimeError, match="the reader broke"):
        write_batch(store, items())
    assert table_rows(store) == before


def test_a_batch_with_an_item_that_is_not_a_record_is_refused_whole(
    store: Engine, pubmed: list[Record]
) -> None:
    before = table_rows(store)
    with pytest.raises(StoreError, match="cannot store a dict"):
        write_batch(store, [*pubmed, {"id": "pmid:1"}])  # type: ignore[list-item]
    assert table_rows(store) == before


def test_duplicates_within_a_batch_are_merged(store: Engine, pubmed: list[Record]) -> None:
    summary = write_batch(store, [pubmed[0], page_copy(pubmed[0])])
    assert (summary.added, summary.merged) == (1, 1)
    assert record_by_id(store, pubmed[0].id).sources == ("pubmed", "page")  # type: ignore[union-attr]


def test_page_merged_later_with_its_pubmed_copy_is_found_under_both_ids(
    store: Engine, pubmed: list[Record]
) -> None:
    page = page_copy(pubmed[0])
    write_batch(store, [page])
    with store.begin() as connection:
        connection.execute(
            insert(schema.claims).values(
                record_id=page.id,
                position=0,
                intervention="ketamine",
                condition="depression",
                design="other",
                direction="benefit",
                data="{}",
            )
        )

    summary = write_batch(store, [pubmed[0]])

    assert summary.updated == 1
    by_page_id = record_by_id(store, page.id)
    assert by_page_id is not None
    assert by_page_id.id == pubmed[0].id
    assert by_page_id == record_by_id(store, pubmed[0].id)
    assert {page.id, pubmed[0].id} <= set(by_page_id.ids)
    assert count_records(store) == 1
    rows = table_rows(store)
    assert [r[1] for r in rows["claims"]] == [pubmed[0].id]
    assert {r[1] for r in rows["record_ids"]} == {pubmed[0].id}
    assert {r[1] for r in rows["record_keys"]} == {pubmed[0].id}
    assert [r[1] for r in rows["records_fts"]] == [pubmed[0].id]


def test_records_with_conflicting_pmids_stay_apart(store: Engine, pubmed: list[Record]) -> None:
    other = dataclasses.replace(pubmed[0], id="", pmid="99999999", doi=None, pmcid=None, ids=())
    write_batch(store, [pubmed[0], with_identity(other)])
    assert count_records(store) == 2


# --- deleting ---------------------------------------------------------------------------


def test_deletion_removes_record_aliases_keys_and_index_row(
    store: Engine, pubmed: list[Record]
) -> None:
    write_batch(store, pubmed)
    doomed = pubmed[0]
    assert search_records(store, "SCOP ASTRAL")

    summary = write_batch(store, [Deletion(doomed.pmid or "", "pubmed")])

    assert summary.deleted == 1
    for identifier in doomed.ids:
        assert record_by_id(store, identifier) is None
    rows = table_rows(store)
    for table in ("records", "record_ids", "record_keys", "records_fts"):
        assert all(doomed.id not in row for row in rows[table]), table
    assert search_records(store, "SCOP ASTRAL") == []
    assert count_records(store) == 3


def test_deletion_of_an_unknown_id_deletes_nothing(store: Engine, pubmed: list[Record]) -> None:
    write_batch(store, pubmed)
    assert write_batch(store, [Deletion("pmid:1", "pubmed")]).deleted == 0
    assert count_records(store) == 4


# --- reading by id ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier",
    [
        "pmid:16403221",
        "16403221",
        "10.1186/1471-2105-7-10",
        "doi:10.1186/1471-2105-7-10",
        "https://doi.org/10.1186/1471-2105-7-10",
        "PMC1373603",
        "pmc1373603",
    ],
)
def test_record_by_id_accepts_any_form_of_any_identifier(
    store: Engine, pubmed: list[Record], identifier: str
) -> None:
    write_batch(store, pubmed)
    found = record_by_id(store, identifier)
    assert found is not None
    assert found.id == "pmid:16403221"


def test_record_by_id_of_an_unknown_id_is_none(store: Engine) -> None:
    assert record_by_id(store, "pmid:1") is None


# --- searching --------------------------------------------------------------------------


def test_search_finds_english_words_title_first(store: Engine, pubmed: list[Record]) -> None:
    write_batch(store, pubmed)
    hits = search_records(store, "python")
    in_title = {r.id for r in pubmed if "python" in (r.title or "").lower()}
    in_text = {r.id for r in pubmed if "python" in " ".join(r.texts().values()).lower()}
    assert {h.id for h in hits} == in_text
    assert {h.id for h in hits[: len(in_title)]} == in_title
    assert all(MATCH_START in h.snippet and MATCH_END in h.snippet for h in hits)
    assert hits == sorted(hits, key=lambda h: h.rank)


def test_search_ignores_case_and_accents(store: Engine, shared: Path) -> None:
    write_batch(store, [bilingual_record(shared)])
    assert len(search_records(store, "KÉTAMINE")) == 1
    assert len(search_records(store, "anaesthétic")) == 1


def test_search_finds_a_two_character_chinese_word_in_a_translation(
    store: Engine, shared: Path
) -> None:
    record = bilingual_record(shared)
    write_batch(store, [record])
    (hit,) = search_records(store, "成瘾")
    assert hit.id == record.id
    assert f"{MATCH_START}成瘾{MATCH_END}" in hit.snippet
    assert [h.id for h in search_records(store, "氯胺酮")] == [record.id]
    assert search_records(store, "瘾成") == []


def test_search_matches_prefixes_and_phrases(store: Engine, pubmed: list[Record]) -> None:
    write_batch(store, pubmed)
    assert [h.title for h in search_records(store, "genomediag*")] == [
        "GenomeDiagram: a python package for the visualization of large-scale genomic data."
    ]
    assert len(search_records(store, '"open source clustering"')) == 1
    assert search_records(store, '"clustering open source"') == []


def test_search_or_between_words(store: Engine, pubmed: list[Record]) -> None:
    write_batch(store, pubmed)
    assert len(search_records(store, "GenomeDiagram OR ASTRAL")) == 2
    assert search_records(store, "GenomeDiagram ASTRAL") == []


@pytest.mark.parametrize(
    ("query", "fts5"),
    [
        ("ketamine depression", '"ketamine" AND "depression"'),
        ("ketamine OR esketamine", '"ketamine" OR "esketamine"'),
        ("keta*", '"keta"*'),
        ('"chronic pain" NOT cancer', '"chronic pain" NOT "cancer"'),
        ("成瘾", '"成 瘾"'),
        ('"unbalanced', '"unbalanced"'),
        ("AND OR", '"AND"'),
        ('a"b', '"a" AND "b"'),
        ("title:python", '"title:python"'),
        ("* - ()", None),
    ],
)
def test_full_text_query_quotes_every_term(query: str, fts5: str | None) -> None:
    assert full_text_query(query) == fts5


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "AND OR", "NOT", "NEAR(", "title:python", "*", "()", "-", "^x", '""', 'a"b'],
)
def test_search_does_not_fail_on_fts_syntax(
    store: Engine, pubmed: list[Record], query: str
) -> None:
    write_batch(store, pubmed)
    assert isinstance(search_records(store, query), list)


def test_search_with_nothing_to_search_for_finds_nothing(
    store: Engine, pubmed: list[Record]
) -> None:
    write_batch(store, pubmed)
    assert search_records(store, "   ") == []
    assert search_records(store, "python", limit=0) == []
