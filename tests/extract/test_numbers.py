"""Behaviour of the numbers step: counts of studies and participants, on sentences written here."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evimap.extract.numbers import (
    NUMBERS,
    Count,
    find_counts,
    n_studies_and_participants,
    number_value,
)

from ..conftest import abstract_sentences


def _values(text: str) -> list[tuple[str, int]]:
    return [(c.kind, c.value) for c in find_counts(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The review pooled 41 trials involving over 3,100 adults.",
            [("studies", 41), ("participants", 3100)],
        ),
        ("We found 22 studies (5120 participants).", [("studies", 22), ("participants", 5120)]),
        ("We included 9 RCTs with 1,456 patients.", [("studies", 9), ("participants", 1456)]),
        ("In all, 188 patients were randomized.", [("participants", 188)]),
        ("Data came from 4 randomised controlled trials.", [("studies", 4)]),
        ("Pain fell in 2 trials (n = 230).", [("studies", 2), ("participants", 230)]),
    ],
)
def test_numbers_studies_and_participants_phrasings(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("The sample (n = 58) was small.", 58), ("Cases (N=140) were matched.", 140), ("(n=7)", 7)],
)
def test_numbers_n_equals(text: str, value: int) -> None:
    assert _values(text) == [("participants", value)]


def test_numbers_k_equals_counts_studies() -> None:
    assert _values("Heterogeneity was high (k = 11).") == [("studies", 11)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Seventy-two participants completed the study.", 72),
        ("Thirty two animals were operated on.", 32),
        ("We enrolled two hundred adults.", 200),
        ("One hundred and forty-five patients took part.", 145),
        ("Eleven volunteers were tested.", 11),
    ],
)
def test_numbers_number_words(text: str, value: int) -> None:
    assert _values(text) == [("participants", value)]


def test_numbers_modifiers_between_number_and_noun() -> None:
    assert _values("We studied 90 consecutive adult surgical patients.") == [("participants", 90)]


@pytest.mark.parametrize(
    "text",
    [
        "Ketamine 0.5 mg/kg was given as a bolus.",
        "Each patient received 56 mg intranasally.",
        "The trial ran in 2019 and ended in 2021.",
        "Records from 2010-2015 patients files were read.",
        "Adults aged 18-65 years were eligible.",
        "Patients 65 years old or older were excluded.",
        "Response occurred in 35% of patients.",
        "Treatment lasted 12 weeks in most patients.",
        "Pain scores were assessed at 24 hours.",
        "The difference was significant (p = 0.03).",
        "The risk ratio was 0.71 (95% CI 0.52 to 0.97).",
        "Patients were allocated in a 2:1 ratio.",
        "This agrees with earlier trials [12].",
        "See Table 3 for patients' characteristics.",
        "Depression affects 280 million people worldwide.",
    ],
)
def test_numbers_ignore_doses_years_ages_percentages_durations_stats(text: str) -> None:
    assert find_counts(text) == []


def test_numbers_span_covers_number_phrase() -> None:
    text = "In total, 1,024 pregnant women took part."
    [count] = find_counts(text)
    assert text[count.start : count.end] == "1,024 pregnant women"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("A total of 310 women were enrolled.", "total"),
        ("Overall, 2,300 adults were included.", "total"),
        ("Of 400 patients screened, most were eligible.", "excluded"),
        ("We also found 5 ongoing trials.", "excluded"),
        ("Most of the 40 patients improved.", "plain"),
    ],
)
def test_numbers_role_of_count(text: str, role: str) -> None:
    assert find_counts(text)[0].role == role


@pytest.mark.parametrize(
    "text",
    [
        "Forty received ketamine and 42 placebo.",
        "Patients were randomized to ketamine (n = 40) or saline (n = 42).",
    ],
)
def test_numbers_arm_sizes(text: str) -> None:
    assert [(c.value, c.role) for c in find_counts(text)] == [(40, "arm"), (42, "arm")]


def test_numbers_record_prefers_stated_total_over_subsets() -> None:
    sentences = abstract_sentences(
        "We included 25 trials involving 3,400 participants.",
        "Pain was lower with ketamine in 6 trials (n = 520).",
    )
    assert n_studies_and_participants(sentences) == (25, 3400)


def test_numbers_record_prefers_randomised_over_screened() -> None:
    sentences = abstract_sentences("We screened 610 patients.", "Of these, 150 were randomized.")
    assert n_studies_and_participants(sentences) == (None, 150)


def test_numbers_record_sums_arms_only_without_total() -> None:
    sentences = abstract_sentences("Twenty received ketamine and 25 placebo.")
    assert n_studies_and_participants(sentences) == (None, 45)
    with_total = abstract_sentences(
        "We randomized 50 patients.", "Twenty received ketamine and 25 placebo."
    )
    assert n_studies_and_participants(with_total) == (None, 50)


def test_numbers_record_none_when_nothing_stated() -> None:
    assert n_studies_and_participants(abstract_sentences("Ketamine may help pain.")) == (None, None)


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("2,300", 2300),
        ("7843", 7843),
        ("Sixty-four", 64),
        ("two hundred", 200),
        ("a thousand", 1000),
    ],
)
def test_numbers_number_value(phrase: str, value: int) -> None:
    assert number_value(phrase) == value


def test_numbers_step_declares_what_it_gives() -> None:
    found = NUMBERS.fn(
        None, {"sentences": abstract_sentences("We included 3 trials with 120 adults.")}
    )  # type: ignore[arg-type]
    assert found == {"n_studies": 3, "n_participants": 120}
    assert set(found) == set(NUMBERS.gives)
    assert Count("studies", 3, 0, 8).role == "plain"


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param(["Sixty-four adults took part.", "Then twenty-one of them left."], id="words"),
        pytest.param(["We saw one patient.", "Twenty-one (one) patients, 1,000 women."], id="one"),
        pytest.param(["(two patients", "", "2 trials\nthree studies", "n = 4"], id="edges"),
        pytest.param(["3 000 adults; 4.5 mg", "(n=12) and 7/8 rats, 1999"], id="digits"),
        pytest.param(["No numbers here.", "Nor here."], id="none"),
        pytest.param(
            ["Hormone done; one", "none\u00a0one\u2003two\x1ften", "one", "(one"], id="tokens"
        ),
    ],
)
def test_numbers_sentence_starts_equal_starts_of_each_sentence(texts: list[str]) -> None:
    from evimap.extract.counts import _number_starts, _sentence_starts
    from evimap.extract.cue_search import lowered

    lows = [lowered(text) for text in texts]
    assert _sentence_starts(lows) == [_number_starts(low) for low in lows]


@given(st.lists(st.text(alphabet="0123456789 ,.-(/\n\u2009onetwhrfivsx", max_size=40), max_size=5))
def test_numbers_sentence_starts_property(texts: list[str]) -> None:
    from evimap.extract.counts import _number_starts, _sentence_starts
    from evimap.extract.cue_search import lowered

    lows = [lowered(text) for text in texts]
    assert _sentence_starts(lows) == [_number_starts(low) for low in lows]


@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "12",
                    "1,200",
                    "3 000",
                    "n =",
                    "patients",
                    "trials",
                    "were",
                    "randomized",
                    "received",
                    "ketamine",
                    "and",
                    "aged",
                    "(",
                    ")",
                    "Sixty-four",
                    "two",
                    ",",
                ]
            ),
            max_size=8,
        ).map(" ".join),
        max_size=4,
    )
)
def test_numbers_sentence_counts_equal_counts_of_each_sentence(texts: list[str]) -> None:
    from evimap.extract.counts import sentence_counts

    assert sentence_counts(texts) == [find_counts(text) for text in texts]
