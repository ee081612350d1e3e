"""The evidence map built from real records: the seeds' cells, roll-up, filters, history."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import Engine

from evimap.claims import Certainty, Design, Direction
from evimap.ingest import ingest_into, input_files
from evimap.records import Deletion
from evimap.store import open_store, record_by_id, table_rows, write_batch
from evimap.synthesis.evidence_map import (
    Cell,
    cell,
    cell_changes_since,
    cell_history,
    cells,
    refresh_cells,
    rolled_up_cells,
)

from ..conftest import DATA, REPO

SEEDS = REPO / "data" / "seeds"
TRIALS = DATA / "synthesis"
BENEFIT_TRIAL = TRIALS / "ei-ketamine-postoperative-pain-benefit-rct.jsonl"
NO_BENEFIT_TRIAL = TRIALS / "ei-ketamine-postoperative-pain-no-benefit-rct.jsonl"
ADDICTIONS = ("alcohol use disorder", "opioid use disorder", "cocaine use disorder")


def store_of(path: Path, *files: Path) -> Engine:
    engine = open_store(f"sqlite:///{path / 'map.db'}")
    summary = ingest_into(engine, input_files(files))
    assert not summary.problems
    return engine


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return store_of(tmp_path_factory.mktemp("seeds"), SEEDS)


def test_evidence_map_seed_chronic_pain_is_inconclusive_at_low_to_very_low(seeds: Engine) -> None:
    found = cell(seeds, "ketamine", "chronic pain")
    assert found is not None
    assert found.verdict in {Direction.INCONCLUSIVE, Direction.NO_BENEFIT}
    assert (found.certainty, found.certainty_upper) == (Certainty.VERY_LOW, Certainty.LOW)
    assert found.certainty_text == "low to very low"
    assert found.best_design is Design.SYSTEMATIC_REVIEW_META_ANALYSIS
    assert {c.kind for c in found.claims} == {"news"}
    assert [r.rule for r in found.rule][-1] == "stated_by_best_source"


def test_evidence_map_seed_major_depressive_disorder_is_benefit(seeds: Engine) -> None:
    found = cell(seeds, "ketamine", "major depressive disorder")
    assert found is not None
    assert found.verdict is Direction.BENEFIT


@pytest.mark.parametrize("condition", ADDICTIONS)
def test_evidence_map_seed_addictions_are_benefit_with_certainty_not_stated(
    seeds: Engine, condition: str
) -> None:
    found = cell(seeds, "ketamine", condition)
    assert found is not None
    assert found.verdict is Direction.BENEFIT
    assert found.certainty is None
    assert found.certainty_text.startswith("not stated: 1 ")
    assert found.certainty_text.endswith(found.evidence_base)


def test_evidence_map_every_cell_lists_sentences_that_are_in_its_records(seeds: Engine) -> None:
    for summary in cells(seeds):
        found = cell(seeds, summary.intervention, summary.condition)
        assert found is not None
        assert found.claims
        assert found.n_claims == len(found.claims)
        for claim in found.claims:
            record = record_by_id(seeds, claim.record_id)
            assert record is not None
            text = record.texts()[claim.evidence_field]
            assert text[claim.evidence_start : claim.evidence_end] == claim.evidence_text


def test_evidence_map_cells_come_without_claims_but_with_counts(seeds: Engine) -> None:
    listed = {(c.intervention, c.condition): c for c in cells(seeds)}
    assert ("ketamine", "chronic pain") in listed
    summary = listed["ketamine", "chronic pain"]
    assert summary.claims == ()
    assert (summary.n_records, summary.n_studies, summary.n_participants) == (1, 67, 2300)
    full = cell(seeds, "ketamine", "chronic pain")
    assert full is not None
    assert full.claims
    assert summary == _without_claims(full)


def _without_claims(found: Cell) -> Cell:
    return dataclasses.replace(found, claims=(), conflicts=(), conditions=(found.condition,))


def test_evidence_map_cells_filter_by_condition_group_and_class(seeds: Engine) -> None:
    grouped = cells(seeds, condition_group="substance use disorder")
    assert {c.condition for c in grouped} >= set(ADDICTIONS)
    assert all(c.condition_group == "substance use disorder" for c in grouped)
    assert all(
        c.intervention_class == "nmda_antagonist"
        for c in cells(seeds, intervention_class="nmda_antagonist")
    )
    assert (
        cells(seeds, intervention="ketamine", condition="chronic pain")[0].condition
        == "chronic pain"
    )
    assert cells(seeds, design="systematic_review_meta_analysis")
    assert cells(seeds, design="rct") == []


def test_evidence_map_rollup_puts_major_depressive_disorder_inside_depression(
    seeds: Engine,
) -> None:
    assert cell(seeds, "ketamine", "depression") is None
    rolled = cell(seeds, "ketamine", "depression", rollup=True)
    assert rolled is not None
    assert rolled.is_rollup
    assert "major depressive disorder" in rolled.conditions
    assert rolled.verdict is Direction.BENEFIT
    above = {(c.intervention, c.condition) for c in rolled_up_cells(seeds)}
    assert ("ketamine", "depression") in above
    assert ("ketamine", "substance use disorder") in above


def test_evidence_map_refreshing_unchanged_records_writes_nothing(seeds: Engine) -> None:
    before = table_rows(seeds)
    summary = refresh_cells(seeds)
    assert (summary.written, summary.removed, summary.changes) == (0, 0, 0)
    ingest_into(seeds, input_files([SEEDS]))
    assert table_rows(seeds) == before


def test_evidence_map_a_new_cell_is_a_change_naming_its_record(seeds: Engine) -> None:
    history = cell_history(seeds, "ketamine", "chronic pain")
    assert [h.field for h in history] == ["certainty", "verdict"]
    assert all(h.old is None for h in history)
    assert "Ketamine for Chronic Pain" in (history[-1].record_title or "")
    found = cell(seeds, "ketamine", "chronic pain")
    assert found is not None
    assert found.changed == history[-1]


def test_evidence_map_history_names_the_record_that_changed_the_verdict(tmp_path: Path) -> None:
    engine = store_of(tmp_path, BENEFIT_TRIAL)
    first = cell(engine, "ketamine", "postoperative pain")
    assert first is not None
    assert first.verdict is Direction.BENEFIT
    ingest_into(engine, [NO_BENEFIT_TRIAL])
    after = cell(engine, "ketamine", "postoperative pain")
    assert after is not None
    assert after.verdict is Direction.MIXED
    assert after.n_conflicts == 2
    change = cell_history(engine, "ketamine", "postoperative pain")[-1]
    assert (change.field, change.old, change.new) == ("verdict", "benefit", "mixed")
    assert change.record_id == "pmcid:PMC3897026"
    assert change.text.startswith(
        "ketamine \N{MULTIPLICATION SIGN} postoperative pain: verdict changed from benefit "
        "to mixed after 'Preemptive low-dose of ketamine"
    )
    assert after.changed == change


def test_evidence_map_changes_since_are_newest_first_and_after_the_time(tmp_path: Path) -> None:
    engine = store_of(tmp_path, BENEFIT_TRIAL)
    mark = cell_changes_since(engine)[0].at
    ingest_into(engine, [NO_BENEFIT_TRIAL])
    latest = cell_changes_since(engine, mark, condition="postoperative pain")
    assert [c.new for c in latest] == ["mixed"]
    every = cell_changes_since(engine, intervention="ketamine", limit=2)
    assert [c.id for c in every] == sorted((c.id for c in every), reverse=True)


def test_evidence_map_deleting_the_last_record_removes_the_cell_and_says_so(tmp_path: Path) -> None:
    engine = store_of(tmp_path, BENEFIT_TRIAL)
    write_batch(engine, [Deletion("pmcid:PMC3172326", "jsonl")])
    summary = refresh_cells(engine, record_ids=["pmcid:PMC3172326"])
    assert summary.removed == 1
    assert cell(engine, "ketamine", "postoperative pain") is None
    gone = cell_history(engine, "ketamine", "postoperative pain")[-1]
    assert (gone.field, gone.old, gone.new) == ("verdict", "benefit", None)
    assert gone.record_id == "pmcid:PMC3172326"
