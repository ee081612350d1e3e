"""The scorer computes what it says, on labelled records written for the test."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from evimap.claims import Certainty, Claim, Design, Direction, Evidence
from evimap.extract.score import (
    Labelled,
    read_labelled,
    record_of,
    score,
    vocabulary_hierarchy,
)
from evimap.records import Record

TEXT = "Ketamine for pain\n\nKetamine reduced pain in 40 adults. Certainty was low."


def labelled(claims: list[dict[str, object]], *, relevant: bool = True) -> Labelled:
    return Labelled("pubmedqa", "1", TEXT, relevant, tuple(claims))


def gold(**overrides: object) -> dict[str, object]:
    claim: dict[str, object] = {
        "intervention": "ketamine",
        "condition": "chronic pain",
        "design": "rct",
        "direction": "benefit",
        "certainty": "low",
        "n_participants": 40,
        "n_studies": None,
        "adverse_effects": ["nausea"],
        "evidence_sentence": "Ketamine reduced pain in 40 adults.",
    }
    claim.update(overrides)
    return claim


def claim_on(record: Record, **overrides: object) -> Claim:
    texts = record.texts()
    start = texts["abstract"].index("Ketamine reduced")
    fields: dict[str, object] = {
        "intervention": "ketamine",
        "condition": "chronic pain",
        "design": Design.RCT,
        "direction": Direction.BENEFIT,
        "evidence": Evidence.at(texts, "abstract", start, start + 35),
        "certainty": Certainty.LOW,
        "n_participants": 40,
        "adverse_effects": ("nausea",),
    }
    fields.update(overrides)
    return Claim(**fields)  # type: ignore[arg-type]


def test_score_record_of_splits_title_as_labelled() -> None:
    record = record_of(labelled([]))
    assert record.title == "Ketamine for pain"
    assert record.texts()["abstract"].startswith("Ketamine reduced pain")


def test_score_perfect_extractor_scores_one_everywhere() -> None:
    figures = score([labelled([gold()])], lambda r: [claim_on(r)])
    assert figures["claim_f1"] == 1.0
    assert figures["relevance_f1"] == 1.0
    assert figures["direction_accuracy"] == 1.0
    assert figures["certainty_recall"] == 1.0
    assert figures["adverse_effects_f1"] == 1.0
    assert figures["evidence_verbatim"] == 1.0


def test_score_wrong_direction_and_invented_certainty_are_counted() -> None:
    item = labelled([gold(certainty=None)])
    figures = score([item], lambda r: [claim_on(r, direction=Direction.HARM)])
    assert figures["direction_accuracy"] == 0.0
    assert figures["certainty_invented"] == 1


def test_score_condition_matches_through_the_hierarchy() -> None:
    item = labelled([gold(condition="pain")])
    figures = score(
        [item],
        lambda r: [claim_on(r)],
        ancestors=lambda name: ("pain",) if name == "chronic pain" else (),
    )
    assert figures["claim_f1"] == 1.0


def test_score_extra_and_missing_claims_lower_precision_and_recall() -> None:
    item = labelled([gold(), gold(intervention="memantine")])
    figures = score([item], lambda r: [claim_on(r), claim_on(r, intervention="placebo")])
    assert figures["claim_precision"] == 0.5
    assert figures["claim_recall"] == 0.5


def test_score_lenient_mode_leaves_out_flagged_gold_claims() -> None:
    item = labelled([gold(), gold(intervention="memantine", uncertain_label="[unsure: x]")])

    def extractor(record: Record) -> Sequence[Claim]:
        return [claim_on(record)]

    assert score([item], extractor)["claim_recall"] == 0.5
    assert score([item], extractor, strict=False)["claim_recall"] == 1.0


def test_score_claims_on_an_irrelevant_record_are_false_positives() -> None:
    figures = score([labelled([], relevant=False)], lambda r: [claim_on(r)])
    assert figures["relevance_precision"] == 0.0
    assert figures["claim_precision"] == 0.0


def test_score_reads_the_dev_label_format(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    row = {
        "dataset": "pubmedqa",
        "id": 7,
        "text": TEXT,
        "gold": {"relevant": True, "claims": [gold()]},
    }
    path.write_text(json.dumps(row) + "\n\n", encoding="utf-8")
    (item,) = read_labelled(path)
    assert item.id == "7"
    assert item.claims[0]["intervention"] == "ketamine"


@pytest.mark.parametrize("dataset", ["cochrane_conclusions_wallace2021", "ebm_nlp"])
def test_score_datasets_without_titles_keep_the_whole_text(dataset: str) -> None:
    record = record_of(Labelled(dataset, "1", TEXT, True, ()))
    assert record.title is None
    assert record.texts()["abstract"] == TEXT


def test_score_gold_names_are_normalized_through_the_vocabulary() -> None:
    ancestors, normalize = vocabulary_hierarchy()
    item = labelled([gold(intervention="Ketalar", condition="chronic pain")])
    figures = score([item], lambda r: [claim_on(r)], ancestors=ancestors, normalize=normalize)
    assert figures["claim_f1"] == 1.0


def test_score_a_descriptive_gold_condition_sits_under_the_conditions_it_names() -> None:
    ancestors, normalize = vocabulary_hierarchy()
    assert "multiple sclerosis" in ancestors("fatigue in multiple sclerosis")
    item = labelled([gold(condition="chronic pain in multiple sclerosis")])
    figures = score([item], lambda r: [claim_on(r)], ancestors=ancestors, normalize=normalize)
    assert figures["claim_f1"] == 1.0
    unrelated = labelled([gold(condition="hemodynamic stability (healthy volunteers)")])
    figures = score([unrelated], lambda r: [claim_on(r)], ancestors=ancestors, normalize=normalize)
    assert figures["claim_f1"] == 0.0


def test_score_a_combination_matches_in_any_order_and_spelling() -> None:
    _, normalize = vocabulary_hierarchy()
    assert normalize("interventions", "propofol + Ketalar") == "ketamine + propofol"
    assert normalize("interventions", "magnesium sulphate") == "magnesium"
