"""Behaviour of the certainty step: certainty of evidence as stated in words, never inferred."""

from __future__ import annotations

import pytest

from evimap.claims import Certainty
from evimap.extract.certainty import CERTAINTY, find_certainty, stated_certainty
from evimap.extract.pairs import PAIRS
from evimap.extract.sentences import record_sentences
from evimap.records import Record, Section

from ..conftest import abstract_sentences

VL, L, M, H = Certainty.VERY_LOW, Certainty.LOW, Certainty.MODERATE, Certainty.HIGH


def _levels(text: str) -> list[tuple[Certainty, Certainty | None]]:
    return [(m.level, m.upper) for m in find_certainty(text)]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Memantine probably improves cognition (moderate certainty evidence).", M),
        ("This is based on low-certainty evidence.", L),
        ("There is moderate-quality evidence that sleep improves.", M),
        ("Overall, the quality of the evidence was low.", L),
        ("We judged the certainty of the evidence to be very low.", VL),
        ("The certainty of evidence for nausea at 24 hours was high.", H),
        ("The findings rest on evidence of very low quality.", VL),
        ("The evidence is of low quality.", L),
        ("Our confidence in the evidence is moderate.", M),
        ("A high level of evidence supports its use.", H),
        ("Mortality did not change (GRADE: low).", L),
    ],
)
def test_certainty_grade_wording(text: str, level: Certainty) -> None:
    assert _levels(text) == [(level, None)]


@pytest.mark.parametrize(
    ("text", "level", "upper"),
    [
        ("Evidence was rated low to very low for all outcomes.", VL, L),
        ("We found low- to moderate-certainty evidence of benefit.", L, M),
        ("The certainty of the evidence ranged from very low to moderate.", VL, M),
        ("Moderate to high quality evidence shows a small effect.", M, H),
    ],
)
def test_certainty_range_gives_lower_and_upper(
    text: str, level: Certainty, upper: Certainty
) -> None:
    assert _levels(text) == [(level, upper)]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("There is strong evidence that it lowers pressure.", H),
        ("Weak evidence suggests a benefit.", L),
    ],
)
def test_certainty_plain_strong_and_weak_are_marked_ungraded(text: str, level: Certainty) -> None:
    [mention] = find_certainty(text)
    assert (mention.level, mention.graded) == (level, False)


@pytest.mark.parametrize(
    "text",
    [
        "There is not enough high-quality evidence to recommend it.",
        "There is limited evidence for its use.",
        "Most were poor-quality trials.",
        "High-quality trials are needed.",
        "All trials had a low risk of bias.",
        "A low dose was well tolerated.",
        "High doses caused dissociation.",
        "High-quality evidence is needed to confirm these findings.",
        "No strong evidence was found.",
        "Stronger evidence is needed.",
        "Quality of life was low in both groups.",
        "The evidence was insufficient to draw conclusions.",
        "There is a lack of moderate-certainty evidence.",
    ],
)
def test_certainty_negatives_and_non_statements_give_nothing(text: str) -> None:
    assert find_certainty(text) == []


def test_certainty_span_covers_statement() -> None:
    text = "Results: low-certainty evidence suggests a benefit."
    [mention] = find_certainty(text)
    assert text[mention.start : mention.end] == "low-certainty evidence"


def test_certainty_record_range_over_outcomes() -> None:
    sentences = abstract_sentences(
        "Pain fell (moderate-certainty evidence).",
        "Nausea rose (very low-certainty evidence).",
    )
    assert stated_certainty(sentences) == (VL, M)


def test_certainty_record_prefers_overall_statement() -> None:
    sentences = abstract_sentences(
        "Pain fell (moderate-certainty evidence).",
        "Overall, the certainty of the evidence was low.",
    )
    assert stated_certainty(sentences) == (L, None)


def test_certainty_record_prefers_grade_over_plain_words() -> None:
    sentences = abstract_sentences(
        "There is strong evidence of benefit.", "This is low-quality evidence."
    )
    assert stated_certainty(sentences) == (L, None)


def test_certainty_record_none_when_not_stated() -> None:
    assert stated_certainty(abstract_sentences("Ketamine was studied in 3 trials.")) == (None, None)


def test_certainty_step_declares_what_it_gives() -> None:
    record = Record(
        id="x",
        source="page",
        title="Ketamine for pain",
        abstract=(Section(None, "Ketamine reduced pain. It is high-certainty evidence."),),
    )
    found = PAIRS.fn(record, {"sentences": record_sentences(record)})
    found |= CERTAINTY.fn(record, {"sentences": record_sentences(record), **found})
    given = {k: found[k] for k in CERTAINTY.gives}
    assert given == {
        "certainty": H,
        "certainty_upper": None,
        "certainties": {("ketamine", "pain"): (H, None)},
    }


def _claim_certainty(title: str, *sentences: str) -> dict[tuple[str, str], object]:
    record = Record(
        id="x", source="page", title=title, abstract=(Section(None, " ".join(sentences)),)
    )
    found = PAIRS.fn(record, {"sentences": record_sentences(record)})
    found |= CERTAINTY.fn(record, {"sentences": record_sentences(record), **found})
    certainties: dict[tuple[str, str], object] = found["certainties"]
    return certainties


def test_certainty_of_a_claim_comes_from_the_sentences_about_its_pair() -> None:
    certainties = _claim_certainty(
        "Ketamine for postoperative pain and postoperative nausea and vomiting",
        "Ketamine reduced postoperative pain (low-certainty evidence).",
        "Ketamine reduced postoperative nausea and vomiting (high-certainty evidence).",
    )
    assert certainties[("ketamine", "postoperative pain")] == (Certainty.LOW, None)
    assert certainties[("ketamine", "postoperative nausea and vomiting")] == (H, None)


def test_certainty_of_another_drug_is_not_borrowed() -> None:
    certainties = _claim_certainty(
        "Calcium or magnesium for leg cramps",
        "The evidence that calcium reduces leg cramps is weak.",
        "Magnesium reduced leg cramps in one trial.",
    )
    assert certainties[("calcium", "muscle cramps")] == (Certainty.LOW, None)
    assert certainties[("magnesium", "muscle cramps")] == (None, None)


def test_certainty_a_sentence_naming_no_drug_speaks_for_the_last_one_named() -> None:
    certainties = _claim_certainty(
        "Memantine in dementia",
        "Memantine slightly improved cognition in dementia.",
        "The certainty of the evidence was moderate.",
    )
    assert certainties[("memantine", "dementia")] == (Certainty.MODERATE, None)


def test_certainty_most_outcomes_graded_alike_give_that_grade() -> None:
    text = ". ".join(
        [
            "Pain fell (moderate-quality evidence)",
            "Sleep improved (moderate-quality evidence)",
            "Mood improved (moderate-quality evidence)",
            "Function did not change (low-quality evidence)",
        ]
    )
    assert stated_certainty(abstract_sentences(text + ".")) == (Certainty.MODERATE, None)


def test_certainty_step_reads_each_pair_as_pair_certainty_does() -> None:
    """The step finds each sentence's statements once for the record and all its pairs."""
    from evimap.extract.certainty import pair_certainty

    record = Record(
        id="x",
        source="page",
        title="Ketamine and lithium for depression and pain",
        abstract=(
            Section(
                None,
                "Ketamine reduced depression (low-certainty evidence). Lithium reduced pain "
                "(moderate-certainty evidence). Overall, the certainty of the evidence was low.",
            ),
        ),
    )
    sentences = record_sentences(record)
    found = PAIRS.fn(record, {"sentences": sentences})
    given = CERTAINTY.fn(record, {"sentences": sentences, **found})
    assert found["pairs"]
    assert given["certainties"] == {
        pair: pair_certainty(*pair, found["mentions"]) for pair in found["pairs"]
    }
    assert (given["certainty"], given["certainty_upper"]) == stated_certainty(sentences)


def test_certainty_step_gives_every_pair_none_when_no_sentence_states_one() -> None:
    """The shortcut for a record stating no certainty answers as each pair's reading does."""
    from evimap.extract.certainty import pair_certainty

    record = Record(
        id="x",
        source="page",
        title="Ketamine and lithium for depression and pain",
        abstract=(Section(None, "Ketamine reduced depression. Lithium reduced pain."),),
    )
    sentences = record_sentences(record)
    found = PAIRS.fn(record, {"sentences": sentences})
    given = CERTAINTY.fn(record, {"sentences": sentences, **found})
    assert len(found["pairs"]) >= 2
    assert given["certainties"] == {
        pair: pair_certainty(*pair, found["mentions"]) for pair in found["pairs"]
    }
    assert set(given["certainties"].values()) == {(None, None)}
