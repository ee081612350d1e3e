"""Design: behaviour on sentences written for the test; every rule in designs.yaml reached."""

from __future__ import annotations

import pytest

from evimap.claims import Design
from evimap.extract.design import DESIGN, design_of, design_rules, find_design_cues
from evimap.extract.sentences import record_sentences
from evimap.records import Journal, Record, Section


def design(text: str, title: str | None = None, **fields: object) -> Design:
    record = Record(id="x", source="test", title=title, abstract=(Section(None, text),), **fields)  # type: ignore[arg-type]
    return design_of(record, record_sentences(record))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "We did a systematic review and meta-analysis of ketamine.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="srma",
        ),
        pytest.param(
            "Published in the Cochrane Database of Systematic Reviews, it found little.",
            Design.SYSTEMATIC_REVIEW,
            id="cochrane_news",
        ),
        pytest.param(
            "A review analyzed data from 67 trials involving 2,300 adults. "
            "There is insufficient evidence.",
            Design.SYSTEMATIC_REVIEW,
            id="news_reports_review",
        ),
        pytest.param(
            "We searched MEDLINE. Pooled risk ratio was 0.5 (95% CI 0.3 to 0.8).",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="pooling_upgrades",
        ),
        pytest.param(
            "In this randomized, double-blind, placebo-controlled trial, 80 adults took part.",
            Design.RCT,
            id="rct",
        ),
        pytest.param(
            "Patients were randomly assigned to ketamine or saline.",
            Design.RCT,
            id="randomly_assigned",
        ),
        pytest.param(
            "Patients were allocated into four groups by ward.",
            Design.NON_RANDOMIZED_TRIAL,
            id="allocated_not_random",
        ),
        pytest.param("This prospective cohort followed 900 adults.", Design.COHORT, id="cohort"),
        pytest.param(
            "A case-control design compared 50 cases.", Design.CASE_CONTROL, id="case_control"
        ),
        pytest.param(
            "A cross-sectional survey of 300 nurses.", Design.CROSS_SECTIONAL, id="cross_sectional"
        ),
        pytest.param(
            "We report a case of ketamine cystitis.", Design.CASE_SERIES_REPORT, id="case_report"
        ),
        pytest.param("Mice received ketamine. Rats did too.", Design.PRECLINICAL, id="rodents"),
        pytest.param(
            "Participants will be randomized to two arms.",
            Design.PROTOCOL,
            id="future_tense_protocol",
        ),
        pytest.param(
            "This review explores the clinical research. "
            "Further randomised controlled trials are needed.",
            Design.NARRATIVE_REVIEW,
            id="narrative_review_mentions_trials",
        ),
        pytest.param(
            "The guideline panel issued practice guidelines.", Design.GUIDELINE, id="guideline"
        ),
        pytest.param("This editorial argues for caution.", Design.COMMENTARY, id="commentary"),
        pytest.param("Ketamine is a drug.", Design.OTHER, id="no_cue_other"),
    ],
)
def test_design_from_text(text: str, expected: Design) -> None:
    assert design(text) is expected


def test_design_title_outweighs_passing_mention() -> None:
    text = "Earlier cohort studies were mixed. A prospective study in a registry followed them."
    assert design(text, title="Ketamine in rats: a randomized experiment") is Design.PRECLINICAL


@pytest.mark.parametrize(
    ("name", "expected"),
    [(n, d) for n, d in design_rules().publication_types],
    ids=lambda v: str(v),
)
def test_design_publication_type_decides(name: str, expected: Design) -> None:
    assert design("Mice were used.", publication_types=(name.title(),)) is expected


def test_design_review_type_with_systematic_search_is_systematic() -> None:
    assert (
        design("We searched MEDLINE and Embase.", publication_types=("Review",))
        is Design.SYSTEMATIC_REVIEW
    )


@pytest.mark.parametrize(("kind", "expected"), sorted(design_rules().kinds.items()))
def test_design_kind_when_no_cue(kind: str, expected: Design) -> None:
    assert design("Ketamine is a drug.", kind=kind) is expected


def test_design_cochrane_journal() -> None:
    journal = Journal(title="Cochrane Database of Systematic Reviews")
    assert design("Ketamine helps little.", journal=journal) is Design.SYSTEMATIC_REVIEW


@pytest.mark.parametrize(
    ("index", "pattern"),
    [(i, p) for i, g in enumerate(design_rules().groups) for p in g.patterns],
)
def test_design_every_cue_pattern_compiles_and_is_in_the_alternation(
    index: int, pattern: str
) -> None:
    import re

    re.compile(pattern)
    assert f"(?:{pattern})" in design_rules().cues.pattern


def test_design_find_cues_gives_spans() -> None:
    text = "Patients were randomly assigned."
    cues = find_design_cues(text)
    assert [(d, text[s:e]) for d, s, e in cues] == [(Design.RCT, "randomly assigned")]


def test_design_step() -> None:
    record = Record(id="x", source="test", abstract=(Section(None, "Mice were used."),))
    assert DESIGN.fn(record, {"sentences": record_sentences(record)}) == {
        "design": Design.PRECLINICAL
    }
