"""`evimap demo` and the bundled corpus it builds the map from (issue 4)."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from evimap.claims import Certainty, Direction
from evimap.cli import app, demo
from evimap.errors import EvimapError
from evimap.records import Record
from evimap.sources import read_any
from evimap.store import iter_records, open_store
from evimap.synthesis.evidence_map import cell

from ..conftest import REPO, SHARED

DATA = REPO / "data"
CORPUS = DATA / "corpus" / "nmda.jsonl"
CORPUS_ALL = DATA / "corpus-all" / "evidence_inference.jsonl.gz"
PROVENANCE = DATA / "PROVENANCE.md"
COCHRANE_DOI_PREFIX = "10.1002/14651858."
"""Every Cochrane Database of Systematic Reviews DOI starts so (CD numbers follow)."""


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "EVIMAP_DB": None})


@pytest.fixture(scope="module")
def built(runner: CliRunner, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Result]:
    """A store built once by `evimap demo --no-serve`, and the command's result."""
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    return db, runner.invoke(app, ["demo", "--no-serve", "--db", db])


def records_of(path: Path) -> list[Record]:
    problems: list[EvimapError] = []
    records = [i for i in read_any(path, on_error=problems.append) if isinstance(i, Record)]
    assert problems == []
    return records


def stored_ids(db: str) -> set[str]:
    engine = open_store(db)
    try:
        return {record.id for record in iter_records(engine)}
    finally:
        engine.dispose()


def corpus_lines(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def provenance_rows() -> dict[str, list[str]]:
    """The per-record table of PROVENANCE.md: id -> cells (source, licence, drugs, title)."""
    rows = {}
    for line in PROVENANCE.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\| `([a-z0-9]+:[^`]+)` \|(.*)\|$", line):
            rows[match[1]] = [cell.strip() for cell in match[2].split("|")]
    return rows


def test_demo_builds_the_store_from_the_seeds_and_the_corpus(built: tuple[str, Result]) -> None:
    db, result = built
    assert result.exit_code == 0, result.output
    seeds = {r.id for path in sorted((DATA / "seeds").glob("*.txt")) for r in records_of(path)}
    corpus = {r.id for r in records_of(CORPUS)}
    assert len(seeds) == 3
    assert len(corpus) == sum(1 for _ in corpus_lines(CORPUS))
    assert stored_ids(db) == seeds | corpus
    assert f"{len(seeds | corpus)} record(s), " in result.stdout
    assert "cell(s) on the map" in result.stdout


def test_demo_again_changes_nothing(runner: CliRunner, built: tuple[str, Result]) -> None:
    db, _ = built
    again = runner.invoke(app, ["demo", "--no-serve", "--db", db])
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated" in again.stdout


def test_issue_4_demo_map_answers_the_seed_questions(built: tuple[str, Result]) -> None:
    db, _ = built
    engine = open_store(db)
    try:
        chronic_pain = cell(engine, "ketamine", "chronic pain")
        depression = cell(engine, "ketamine", "major depressive disorder")
        addictions = [
            cell(engine, "ketamine", f"{drug} use disorder")
            for drug in ("alcohol", "opioid", "cocaine")
        ]
    finally:
        engine.dispose()
    assert chronic_pain is not None
    assert chronic_pain.verdict in (Direction.INCONCLUSIVE, Direction.NO_BENEFIT)
    assert (chronic_pain.certainty, chronic_pain.certainty_upper) == (
        Certainty.VERY_LOW,
        Certainty.LOW,
    )
    assert depression is not None
    assert depression.verdict is Direction.BENEFIT
    for addiction in addictions:
        assert addiction is not None
        assert addiction.verdict is Direction.BENEFIT
        assert addiction.certainty is None


def test_demo_corpus_records_read_without_problems() -> None:
    records = records_of(CORPUS)
    assert len(records) == len({r.id for r in records})
    assert all(r.title for r in records)
    assert [r.id for r in records] == [line["id"] for line in corpus_lines(CORPUS)]


def test_demo_provenance_lists_every_corpus_record_with_its_source_and_licence() -> None:
    rows = provenance_rows()
    for line in corpus_lines(CORPUS):
        assert line["id"] in rows, f"{line['id']} is not in data/PROVENANCE.md"
        source, licence, *_ = rows[line["id"]]
        assert source.split()[0] == line["source"]
        assert licence


@pytest.mark.parametrize("path", [CORPUS, CORPUS_ALL], ids=["corpus", "corpus-all"])
def test_demo_corpus_ships_no_cochrane_text(path: Path) -> None:
    for line in corpus_lines(path):
        journal = (line.get("journal") or {}).get("title") or ""
        assert "cochrane" not in line["source"].lower()
        assert "cochrane" not in journal.lower()
        assert not (line.get("doi") or "").startswith(COCHRANE_DOI_PREFIX)
        assert not any(
            re.fullmatch(r"(doi:10\.1002/14651858\..*|.*:CD\d{6}.*)", i, re.I) for i in line["ids"]
        )


def test_demo_show_prints_every_record_with_its_claims(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--no-serve", "--show", "--db", f"sqlite:///{tmp_path}/s.db"]
    )
    assert result.exit_code == 0, result.output
    assert "Psychiatry Investigation" in result.stdout
    assert "pmcid:PMC4644613" in result.stdout


def test_demo_serves_the_built_store_where_asked(
    runner: CliRunner, built: tuple[str, Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = built
    calls = []
    monkeypatch.setattr(demo, "serve_map", lambda *args: calls.append(args))
    result = runner.invoke(app, ["demo", "--db", db, "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [(db, "0.0.0.0", 8123)]
    assert "http://0.0.0.0:8123/" in result.stdout


@pytest.mark.slow
def test_demo_all_adds_every_evidence_inference_abstract(runner: CliRunner, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'all.db'}"
    result = runner.invoke(app, ["demo", "--all", "--no-serve", "--db", db])
    assert result.exit_code == 0, result.output
    default = {
        r.id for p in [*sorted((DATA / "seeds").glob("*.txt")), CORPUS] for r in records_of(p)
    }
    trials = {line["id"] for line in corpus_lines(CORPUS_ALL)}
    assert stored_ids(db) == default | trials


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="needs the workplace's shared data")
def test_demo_corpus_build_is_reproducible(tmp_path: Path) -> None:
    script = REPO / "scripts" / "build_demo_corpus.py"
    subprocess.run(
        [sys.executable, str(script), "--shared", str(SHARED / "data"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for shipped in (CORPUS, CORPUS_ALL, PROVENANCE):
        rebuilt = tmp_path / shipped.relative_to(DATA)
        assert rebuilt.read_bytes() == shipped.read_bytes(), f"{shipped.name} differs"
