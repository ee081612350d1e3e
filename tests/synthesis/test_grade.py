"""The roll-up rules, one behaviour per test, on claims built for the test."""

from __future__ import annotations

import pytest

from evimap.claims import Certainty, Claim, Design, Direction, Evidence
from evimap.synthesis.grade import (
    TIERS,
    Finding,
    certainty_shown,
    design_tier,
    evidence_base,
    evidence_counts,
    graded,
    ranked,
    record_stances,
    tier_agreement,
    verdict,
)

SENTENCE = "Ketamine reduced pain intensity compared with placebo at 24 hours."


def finding(
    design: Design,
    direction: Direction,
    *,
    record: str = "pmid:1",
    published: str | None = None,
    certainty: Certainty | None = None,
    upper: Certainty | None = None,
    n_studies: int | None = None,
    n_participants: int | None = None,
    position: int = 0,
) -> Finding:
    claim = Claim(
        "ketamine",
        "chronic pain",
        design,
        direction,
        Evidence("abstract", 0, len(SENTENCE), SENTENCE),
        intervention_class="nmda_antagonist",
        certainty=certainty,
        certainty_upper=upper,
        n_studies=n_studies,
        n_participants=n_participants,
    )
    return Finding(record, claim, published, position)


def test_grade_tiers_rank_designs_in_the_documented_order() -> None:
    order = [
        Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
        Design.SYSTEMATIC_REVIEW,
        Design.RCT,
        Design.NON_RANDOMIZED_TRIAL,
        Design.COHORT,
        Design.CASE_SERIES_REPORT,
        Design.NARRATIVE_REVIEW,
    ]
    assert [design_tier(d).rank for d in order] == [1, 2, 3, 4, 5, 6, 7]
    assert design_tier(Design.PRECLINICAL) == design_tier(Design.COMMENTARY)


def test_grade_tiers_cover_every_design_once() -> None:
    designs = [d for tier in TIERS for d in tier.designs]
    assert sorted(designs) == sorted(Design)


def test_grade_ranked_puts_recent_then_larger_first_within_a_tier() -> None:
    old_big = finding(
        Design.RCT, Direction.BENEFIT, record="a", published="2015", n_participants=900
    )
    new_small = finding(
        Design.RCT, Direction.BENEFIT, record="b", published="2021-03", n_participants=40
    )
    new_big = finding(
        Design.RCT, Direction.BENEFIT, record="c", published="2021-03", n_participants=400
    )
    review = finding(Design.SYSTEMATIC_REVIEW, Direction.BENEFIT, record="d", published="2001")
    assert [f.record_id for f in ranked([old_big, new_small, new_big, review])] == [
        "d",
        "c",
        "b",
        "a",
    ]


def test_grade_record_stances_count_a_record_once_through_its_certainty_claim() -> None:
    result = finding(Design.RCT, Direction.BENEFIT, position=0)
    conclusion = finding(Design.RCT, Direction.BENEFIT, certainty=Certainty.MODERATE, position=1)
    other = finding(Design.RCT, Direction.BENEFIT, position=2)
    assert record_stances([result, conclusion, other]) == [conclusion]


def test_grade_record_stances_take_the_last_claim_when_none_states_certainty() -> None:
    early = finding(Design.RCT, Direction.INCONCLUSIVE, position=0)
    last = finding(Design.RCT, Direction.BENEFIT, position=3)
    assert record_stances([last, early]) == [last]


def test_grade_verdict_follows_the_best_tier_over_more_numerous_lower_tiers() -> None:
    review = finding(Design.SYSTEMATIC_REVIEW_META_ANALYSIS, Direction.INCONCLUSIVE, record="r")
    narratives = [
        finding(Design.NARRATIVE_REVIEW, Direction.BENEFIT, record=f"n{i}") for i in range(3)
    ]
    stances = record_stances([*narratives, review])
    direction, reason = verdict(stances)
    assert direction is Direction.INCONCLUSIVE
    assert reason.rule == "best_tier"
    disagree, why = tier_agreement(stances, direction)
    assert disagree
    assert why.rule == "lower_tiers_disagree"
    assert "3 narrative reviews say benefit" in why.text


def test_grade_verdict_is_mixed_when_trials_of_the_best_tier_disagree() -> None:
    stances = record_stances(
        [
            finding(Design.RCT, Direction.BENEFIT, record="a"),
            finding(Design.RCT, Direction.NO_BENEFIT, record="b"),
            finding(Design.COHORT, Direction.BENEFIT, record="c"),
        ]
    )
    direction, reason = verdict(stances)
    assert direction is Direction.MIXED
    assert reason.rule == "best_tier_disagrees"
    assert "1 benefit, 1 no benefit" in reason.text


def test_grade_verdict_lets_the_newest_review_decide_when_reviews_disagree() -> None:
    stances = record_stances(
        [
            finding(Design.SYSTEMATIC_REVIEW, Direction.BENEFIT, record="a", published="2012"),
            finding(
                Design.SYSTEMATIC_REVIEW, Direction.NO_BENEFIT, record="b", published="2023-05"
            ),
        ]
    )
    direction, reason = verdict(stances)
    assert direction is Direction.NO_BENEFIT
    assert reason.rule == "newest_review"
    assert "2023-05" in reason.text


def test_grade_certainty_is_the_range_the_best_source_states() -> None:
    stances = record_stances(
        [
            finding(
                Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
                Direction.INCONCLUSIVE,
                certainty=Certainty.VERY_LOW,
                upper=Certainty.LOW,
                record="r",
            ),
            finding(Design.RCT, Direction.BENEFIT, certainty=Certainty.HIGH, record="t"),
        ]
    )
    shown = certainty_shown(stances, Direction.INCONCLUSIVE)
    assert (shown.certainty, shown.upper) == (Certainty.VERY_LOW, Certainty.LOW)
    assert shown.text == "low to very low"
    assert shown.source == "r"
    assert shown.reason.rule == "stated_by_best_source"


def test_grade_certainty_is_never_taken_from_a_lower_tier() -> None:
    stances = record_stances(
        [
            finding(Design.SYSTEMATIC_REVIEW, Direction.BENEFIT, record="r", n_studies=12),
            finding(Design.RCT, Direction.BENEFIT, certainty=Certainty.MODERATE, record="t"),
        ]
    )
    shown = certainty_shown(stances, Direction.BENEFIT)
    assert shown.certainty is None
    assert shown.reason.rule == "not_stated"
    assert shown.text == "not stated: 1 systematic review (12 studies); 1 RCT"


def test_grade_certainty_not_stated_spells_out_trials_and_participants() -> None:
    stances = record_stances(
        [
            finding(Design.RCT, Direction.BENEFIT, record=f"t{n}", n_participants=n)
            for n in (100, 150, 162)
        ]
    )
    assert (
        certainty_shown(stances, Direction.BENEFIT).text == "not stated: 3 RCTs, 412 participants"
    )


def test_grade_evidence_base_gives_a_reviews_studies_and_participants() -> None:
    review = finding(
        Design.SYSTEMATIC_REVIEW_META_ANALYSIS,
        Direction.INCONCLUSIVE,
        n_studies=67,
        n_participants=2300,
    )
    assert evidence_base([review]) == (
        "1 systematic review with meta-analysis (67 studies, 2,300 participants)"
    )


def test_grade_evidence_base_says_when_only_some_studies_state_participants() -> None:
    stances = [
        finding(Design.COHORT, Direction.BENEFIT, record="a", n_participants=1200),
        finding(Design.COHORT, Direction.BENEFIT, record="b"),
    ]
    assert (
        evidence_base(stances)
        == "2 cohort studies, 1,200 participants in the 1 that state a number"
    )


def test_grade_counts_never_add_up_overlapping_reviews() -> None:
    stances = record_stances(
        [
            finding(
                Design.SYSTEMATIC_REVIEW,
                Direction.BENEFIT,
                record="a",
                n_studies=10,
                n_participants=800,
            ),
            finding(
                Design.SYSTEMATIC_REVIEW,
                Direction.BENEFIT,
                record="b",
                n_studies=14,
                n_participants=700,
            ),
            finding(Design.RCT, Direction.BENEFIT, record="c", n_participants=120),
        ]
    )
    counts = evidence_counts(stances)
    assert (counts.n_records, counts.n_studies, counts.n_participants) == (3, 14, 800)


def test_grade_conflicts_are_the_records_that_disagree_with_the_verdict() -> None:
    grade = graded(
        [
            finding(Design.SYSTEMATIC_REVIEW, Direction.NO_BENEFIT, record="r"),
            finding(Design.RCT, Direction.BENEFIT, record="t"),
            finding(Design.RCT, Direction.NO_BENEFIT, record="u"),
        ]
    )
    assert grade is not None
    assert grade.verdict is Direction.NO_BENEFIT
    assert [c.record_id for c in grade.conflicts] == ["t"]
    assert grade.tiers_disagree
    assert [r.rule for r in grade.reasons] == ["best_tier", "lower_tiers_disagree", "not_stated"]


def test_grade_graded_is_none_without_findings() -> None:
    assert graded([]) is None


def test_grade_verdict_refuses_no_findings() -> None:
    with pytest.raises(ValueError, match="at least one"):
        verdict([])


def test_grade_a_review_stating_high_certainty_outranks_one_trial() -> None:
    stances = record_stances(
        [
            finding(Design.RCT, Direction.NO_BENEFIT, record="t", n_participants=40),
            finding(
                Design.NARRATIVE_REVIEW, Direction.BENEFIT, certainty=Certainty.HIGH, record="r"
            ),
        ]
    )
    assert verdict(stances)[0] is Direction.BENEFIT
    assert certainty_shown(stances, Direction.BENEFIT).certainty is Certainty.HIGH
    low = record_stances(
        [
            finding(Design.RCT, Direction.NO_BENEFIT, record="t", n_participants=40),
            finding(
                Design.NARRATIVE_REVIEW, Direction.BENEFIT, certainty=Certainty.LOW, record="r"
            ),
        ]
    )
    assert verdict(low)[0] is Direction.NO_BENEFIT
