"""The command line, run in-process on real files: extract, ingest, show, search, sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evimap.cli import app
from evimap.records import Record
from evimap.sources import known_names
from evimap.store import open_store
from evimap.store.queries import count_records, iter_records, table_rows

from ..conftest import DATA, REPO, SHARED

SEEDS = REPO / "data" / "seeds"
HOSTILE = DATA / "hostile"
GOOD_PUBMED = DATA / "sources" / "pubmed"
HOSTILE_PAGE = DATA / "sources" / "page" / "page-hostile-script-onerror.html"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "EVIMAP_DB": None})


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def stored(db: str) -> list[Record]:
    engine = open_store(db)
    try:
        return list(iter_records(engine))
    finally:
        engine.dispose()


def test_cli_extract_prints_one_json_object_per_record_with_its_texts(runner: CliRunner) -> None:
    result = runner.invoke(app, ["extract", str(SEEDS), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert set(row) == {"file", "record", "claims"}
        record = row["record"]
        for claim in row["claims"]:
            span = claim["evidence"]
            assert record["text"][span["field"]][span["start"] : span["end"]] == span["text"]
        assert "title" in record["text"] or "abstract" in record["text"]
        if record["title"]:
            assert record["text"]["title"] == record["title"]


def test_cli_extract_writes_nothing_to_the_store(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["extract", str(SEEDS)], env={"EVIMAP_DB": f"sqlite:///{tmp_path}/x.db"}
    )
    assert result.exit_code == 0
    assert not (tmp_path / "x.db").exists()


def test_cli_bundled_seeds_are_the_shared_seeds_byte_for_byte(shared: Path) -> None:
    for seed in (shared / "seeds").iterdir():
        assert (SEEDS / seed.name).read_bytes() == seed.read_bytes()


def test_cli_ingest_seeds_stores_exactly_the_three_documents(runner: CliRunner, db: str) -> None:
    seeds = SHARED / "seeds" if (SHARED / "seeds").is_dir() else SEEDS
    result = runner.invoke(app, ["ingest", str(seeds), "--db", db])
    assert result.exit_code == 0, result.output
    records = {r.kind: r for r in stored(db)}
    assert len(stored(db)) == 3

    news = records["news"]
    assert news.title == (
        "Review Finds Lack of Evidence Supporting Ketamine for Chronic Pain Treatment"
    )
    assert news.cites_url == (
        "https://medicalxpress.com/news/2025-08-ketamine-chronic-pain-unsupported-evidence.html"
    )
    assert news.abstract[0].text.startswith("A new review reveals little scientific support")
    assert news.body
    assert "67 trials involving over 2,300 adults" in news.body
    for chrome in (
        "Share this article",
        "Related Articles",
        "Unsubscribe",
        "Source:",
        "mRNA Vaccine",
        "Frailty",
        "Carotid Plaque",
        "Nontraditional Caregivers",
    ):
        assert chrome not in news.body
    assert news.language == "en"

    review = records["review"]
    assert (
        review.title == "Ketamine in major depressive disorder: Mechanisms and future perspectives"
    )
    assert [a.name for a in review.authors] == ["Cheolmin Shin", "Yong Ku Kim"]
    assert review.peer_reviewed is True
    assert review.citation_count is not None
    assert (review.citation_count.count, review.citation_count.source) == (20, "Scopus")
    assert review.language == "en"
    assert review.journal is not None
    assert (review.journal.title, review.journal.issue, review.journal.pages) == (
        "Psychiatry Investigation",
        "3",
        "181-192",
    )
    assert review.published == "2020-03"
    assert review.keywords == (
        "Antidepressant",
        "Ketamine",
        "Major depressive disorder",
        "N-Methyl-D-aspartic acid (NMDA) receptor antagonist",
    )
    assert review.subject_areas == ("Psychiatry and Mental health", "Biological Psychiatry")
    abstract = review.texts()["abstract"]
    assert abstract.startswith("Major depressive disorder (MDD) is a serious")
    assert abstract.endswith("dissociative or psychotomimetic effects.")

    paper = next(r for r in stored(db) if r.doi)
    assert paper.id == "doi:10.1016/j.neuropharm.2018.01.017"
    assert paper.affiliations == (
        "Department of Neuroscience, Physiology and Pharmacology, University College London, "
        "Gower Street, London, UK.",
        "Clinical Psychopharmacology Unit, University College London, Gower Street, London, UK.",
    )
    assert paper.journal is not None
    assert (paper.journal.title, paper.journal.volume, paper.journal.pages) == (
        "Neuropharmacology",
        "142",
        "72-82",
    )
    assert (paper.published, paper.epublished) == ("2018-11", "2018-01-12")
    assert paper.language == "en"
    assert paper.texts()["abstract"].startswith("Ketamine is a dissociative anaesthetic drug")
    assert [t.language for t in paper.translations] == ["zh"]
    assert paper.texts()["abstract:zh"].startswith("氯胺酮是一种分离麻醉剂")


def test_cli_ingest_twice_changes_nothing(runner: CliRunner, db: str) -> None:
    first = runner.invoke(app, ["ingest", str(SEEDS), str(GOOD_PUBMED), "--db", db])
    assert first.exit_code == 0, first.output
    engine = open_store(db)
    before = table_rows(engine)
    second = runner.invoke(app, ["ingest", str(SEEDS), str(GOOD_PUBMED), "--db", db])
    assert second.exit_code == 0, second.output
    assert "0 added, 0 updated" in second.stdout
    assert table_rows(engine) == before
    engine.dispose()


def test_cli_ingest_reports_every_hostile_file_and_keeps_the_rest(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    shutil.copytree(HOSTILE, batch)
    shutil.copy(HOSTILE_PAGE, batch / "page-hostile-script.html")
    shutil.copy(SEEDS / "portal-record.txt", batch / "zz-good-portal.txt")
    shutil.copy(next(GOOD_PUBMED.glob("*.xml")), batch / "zz-good-pubmed.xml")
    hostile = sorted(p.name for p in batch.iterdir() if not p.name.startswith(("zz-", "PROV")))

    result = runner.invoke(app, ["ingest", str(batch), "--db", db])

    assert result.exit_code == 1
    reported = result.stderr
    for name in hostile:
        if name in HARMLESS_HOSTILE:
            continue
        assert name in reported, f"{name} was not reported:\n{reported}"
    records = stored(db)
    assert {r.source for r in records} == {"page", "pubmed"}
    assert any(r.title and r.title.startswith("Ketamine nasal spray") for r in records)
    everything = json.dumps([r.texts() | {"url": r.url} for r in records])
    for attack in ("alert(", "javascript:", "evil.example", "document.cookie", "root:x:0"):
        assert attack not in everything


HARMLESS_HOSTILE = {"page-hostile-script.html"}
"""Hostile files that are readable once cleaned: they must be stored, not reported."""


def test_cli_ingest_missing_file_is_reported_not_fatal(runner: CliRunner, db: str) -> None:
    result = runner.invoke(app, ["ingest", "no/such/file.xml", str(SEEDS), "--db", db])
    assert result.exit_code == 1
    assert "no such file" in result.stderr
    assert count_records(open_store(db)) == 3


def test_cli_extract_unknown_format_lists_the_known_ones(runner: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(app, ["extract", str(junk)])
    assert result.exit_code == 1
    assert "junk.bin" in result.stderr
    for name in known_names():
        assert name in result.stderr


def test_cli_show_finds_a_record_by_any_identifier(runner: CliRunner, db: str) -> None:
    runner.invoke(app, ["ingest", str(SEEDS), "--db", db])
    result = runner.invoke(
        app, ["show", "10.1016/j.neuropharm.2018.01.017", "--db", db, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["record"]["journal"]["title"] == "Neuropharmacology"
    assert {c["condition"] for c in shown["claims"]} >= {"alcohol use disorder"}
    text = runner.invoke(app, ["show", shown["record"]["id"], "--db", db])
    assert "ketamine x alcohol use disorder" in text.stdout
    assert "Neuropharmacology" in text.stdout
    assert "abstract:zh" in text.stdout
    missing = runner.invoke(app, ["show", "pmid:1", "--db", db])
    assert missing.exit_code == 1


def test_cli_search_finds_english_and_chinese_text(runner: CliRunner, db: str) -> None:
    runner.invoke(app, ["ingest", str(SEEDS), "--db", db])
    english = runner.invoke(app, ["search", "psychotomimetic", "--db", db])
    assert "Ketamine in major depressive disorder" in english.stdout
    assert "\x02" not in english.stdout
    assert "\x03" not in english.stdout
    chinese = runner.invoke(app, ["search", "成瘾", "--db", db])
    assert "doi:10.1016/j.neuropharm.2018.01.017" in chinese.stdout
    stemmed = runner.invoke(app, ["search", "ketamine depression", "--db", db])
    assert "Ketamine in major depressive disorder" in stemmed.stdout
    nothing = runner.invoke(app, ["search", "zebrafish", "--db", db])
    assert "no records match" in nothing.stdout


def test_cli_sources_lists_every_registered_format(runner: CliRunner) -> None:
    result = runner.invoke(app, ["sources"])
    assert result.exit_code == 0
    for name in known_names():
        assert name in result.stdout


def test_cli_show_highlights_each_evidence_sentence_once_with_its_claims() -> None:
    from evimap.claims import Claim, Design, Direction, Evidence
    from evimap.cli.records import highlighted_text

    text = "Background <b>. Ketamine helped. Done."
    span = Evidence.at({"abstract": text}, "abstract", 16, 32)
    claims = [
        (n, Claim("ketamine", c, Design.RCT, Direction.BENEFIT, span))
        for n, c in ((1, "pain"), (2, "depression"))
    ]
    marked = highlighted_text(text, claims)
    assert marked.count("[reverse]Ketamine helped.[/reverse]") == 1
    assert "\\[1,2]" in marked
