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
            "There is insufficient evidence that zinc shortens colds.",
            Design.SYSTEMATIC_REVIEW,
            id="news_reports_review",
        ),
        pytest.param(
            "The authors analysed the data from 41 studies with over 5,120 patients.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="analysed_data_from_n_studies_with_total_is_pooling",
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
        # Review-level language with no design word (a conclusions paragraph).
        pytest.param(
            "The included trials were small and short.",
            Design.SYSTEMATIC_REVIEW,
            id="the_included_trials_were",
        ),
        pytest.param(
            "The studies showed fewer colds with zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="the_studies_showed",
        ),
        pytest.param(
            "Nine trials met the inclusion criteria.",
            Design.SYSTEMATIC_REVIEW,
            id="counted_trials_met",
        ),
        pytest.param(
            "We found no trials in children.", Design.SYSTEMATIC_REVIEW, id="we_found_no_trials"
        ),
        pytest.param(
            "Zinc was tried, but we could not find any eligible trials in older adults.",
            Design.SYSTEMATIC_REVIEW,
            id="could_not_find_any_trials",
        ),
        pytest.param(
            "The evidence for zinc is weak.", Design.SYSTEMATIC_REVIEW, id="the_evidence_for"
        ),
        pytest.param(
            "Evidence from four small trials favours zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="evidence_from_n_trials",
        ),
        pytest.param(
            "From the evidence reviewed, zinc may help.",
            Design.SYSTEMATIC_REVIEW,
            id="evidence_reviewed",
        ),
        pytest.param(
            "Further trials remain justified in older adults.",
            Design.SYSTEMATIC_REVIEW,
            id="trials_remain_justified",
        ),
        pytest.param(
            "We searched MEDLINE. The number of patients needed to treat was 19 (95% CI 1 to 51).",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="needed_to_treat_is_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. The trials differed, precluding any pooling.",
            Design.SYSTEMATIC_REVIEW,
            id="precluding_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. One trial gave combined data from both treatment arms.",
            Design.SYSTEMATIC_REVIEW,
            id="arms_combined_is_not_pooling",
        ),
        pytest.param(
            "There is conflicting evidence about zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="conflicting_evidence",
        ),
        pytest.param(
            "The quality of the evidence for zinc was low.",
            Design.SYSTEMATIC_REVIEW,
            id="quality_of_the_evidence",
        ),
        pytest.param(
            "Future multicentre trials should enrol older adults.",
            Design.SYSTEMATIC_REVIEW,
            id="future_trials_should",
        ),
        pytest.param(
            "Larger and longer trials are needed.", Design.SYSTEMATIC_REVIEW, id="trials_needed"
        ),
        pytest.param(
            "None of the review's primary outcomes was reported.",
            Design.SYSTEMATIC_REVIEW,
            id="the_reviews_outcomes",
        ),
        # Trials whose randomisation or blinding is stated in other words.
        pytest.param(
            "In a randomised double-blinded cross over study, 20 adults took zinc.",
            Design.RCT,
            id="randomised_cross_over_study",
        ),
        pytest.param(
            "This randomized , controlled 12-week trial enrolled 60 adults .",
            Design.RCT,
            id="tokenised_randomized_trial",
        ),
        pytest.param(
            "Each adult received zinc and lactose in a random order.",
            Design.RCT,
            id="random_order",
        ),
        pytest.param(
            "Adults randomized into two arms received zinc.", Design.RCT, id="randomized_into"
        ),
        pytest.param(
            "A double-blind trial of zinc in 40 adults with colds.",
            Design.RCT,
            id="double_blind_alone",
        ),
        pytest.param(
            "A placebo controlled study of zinc in 40 adults.",
            Design.RCT,
            id="placebo_controlled_alone",
        ),
        # Pooling: a pooled estimate, not any effect estimate; a denied meta-analysis is none.
        pytest.param(
            "We searched MEDLINE. Zinc reduced colds (RR 0.8, 95% CI 0.7 to 0.9; 6 trials).",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="estimate_with_study_count_is_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. One trial reported fewer colds "
            "(RR 0.8, 95% CI 0.7 to 0.9; 120 adults).",
            Design.SYSTEMATIC_REVIEW,
            id="single_trial_estimate_is_not_pooling",
        ),
        pytest.param(
            "We searched MEDLINE. Combined data showed fewer colds.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="combined_data",
        ),
        pytest.param(
            "We searched MEDLINE. Results were combined across the eligible trials.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="results_were_combined",
        ),
        pytest.param(
            "We searched MEDLINE. Statistical pooling was done with random effects.",
            Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
            id="pooling_word",
        ),
        pytest.param(
            "We searched MEDLINE. A meta-analysis was not possible as the trials differed.",
            Design.SYSTEMATIC_REVIEW,
            id="meta_analysis_not_possible",
        ),
        pytest.param(
            "We did a systematic review without meta-analysis of zinc.",
            Design.SYSTEMATIC_REVIEW,
            id="without_meta_analysis",
        ),
        pytest.param(
            "We searched MEDLINE. It was not possible to pool the results (RR 0.8; 3 trials).",
            Design.SYSTEMATIC_REVIEW,
            id="not_possible_to_pool",
        ),
        pytest.param(
            "We searched MEDLINE. The outcomes could not be combined; no pooled estimate exists.",
            Design.SYSTEMATIC_REVIEW,
            id="could_not_be_combined",
        ),
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
