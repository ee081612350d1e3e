"""`cue_search`: fast case-insensitive cue searches give the answers of `re`."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evimap.extract import counts, harms, intervention_names, pairs
from evimap.extract.cue_search import (
    _lowercase_twin,
    folds_alike,
    folds_to_lowercase,
    has_match,
    match_starts,
)
from evimap.extract.cue_trie import ending_reversed

CUES = [
    pairs.COMPARATOR,
    pairs.MEASURED_BEFORE,
    pairs.INDICATION,
    pairs.OUTCOME,
    intervention_names._COMPARATOR_BEFORE,
    harms._HARM,
    harms._CLAUSE_BREAK,
    harms._OCCURRENCE,
    counts._ARM_AT_RE,
    counts._BARE_AFTER_RE,
]
SAMPLE = (
    "30 12 received were randomized had been assigned to in the (ketamine) or versus mg "
    "but however while though side effects adverse events caused no without "
    "rather than instead of compared with to in comparison versus vs. vs relative receiving "
    "treated taking added add-on adjunct for among treating treatment of management risk "
    "ratio odds incidence rates recurrence reduced prevents halves deaths from due and with "
    "the a an iv intravenous oral 0.5 mg 12 healthy women's ketamine - ( ) , . ; \n \t"
)
WORDS = SAMPLE.split(" ")


def _windows(seed: int, count: int) -> list[str]:
    chance = random.Random(seed)
    out = []
    for _ in range(count):
        words = chance.choices(WORDS, k=chance.randint(0, 12))
        text = "".join(w + chance.choice(["", " ", "  ", "\n"]) for w in words)
        out.append("".join(c.upper() if chance.random() < 0.2 else c for c in text)[-60:])
    return out


@pytest.mark.parametrize("cue", CUES, ids=lambda cue: cue.pattern[:30])
def test_every_cue_of_pairs_and_direction_takes_the_fast_path(cue: re.Pattern[str]) -> None:
    assert _lowercase_twin(cue) is not None


@pytest.mark.parametrize("cue", CUES, ids=lambda cue: cue.pattern[:30])
def test_has_match_answers_as_the_case_insensitive_search(cue: re.Pattern[str]) -> None:
    windows = [*_windows(3, 4000), "Compared With ", "COMPARED TO THE ", "Vs. ", "\u017f than "]
    for window in windows:
        assert has_match(cue, window) == (cue.search(window) is not None), window


def test_has_match_searches_non_ascii_text_as_it_is() -> None:
    cue = re.compile(r"than\s+$", re.IGNORECASE)
    assert has_match(cue, "less \u017fthan ")
    assert has_match(cue, "THAN\u00a0")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?:than|vs\.?)\s+(?:[\w'-]+\s+){0,3}$", True),
        (r"[^-a][\d.,]\b\S\W\D\B", True),
        (r"Than", False),
        (r"[@-_]", False),
        (r"[a-z]", False),
        (r"\x41", False),
        (r"\N{LATIN SMALL LETTER A}", False),
        (r"(a)\1", False),
        (r"(?-i:a)", False),
        (r"(?i)a", False),
        (r"(?P<x>a)", True),
        (r"(?P<X>a)", True),
        (r"(?P<x>A)", False),
        (r"(?P=x)", False),
        ("caf\u00e9", True),
        ("\u00b5g", True),
        (r"\u00b5g|\u2009", True),
        ("\u017f", False),
        ("\u212a", False),
        (r"\u017f", False),
        (r"\u0041", False),
        (r"\u00", False),
        (r"[\]-]", True),
        (r"[]a-]", True),
        (r"\t", False),
    ],
)
def test_folds_to_lowercase(pattern: str, expected: bool) -> None:
    assert folds_to_lowercase(pattern) is expected


def test_a_pattern_that_ignores_no_case_is_searched_as_it_is() -> None:
    assert _lowercase_twin(re.compile("than")) is None
    assert not has_match(re.compile("than"), "THAN")


@pytest.mark.parametrize("cue", CUES, ids=lambda cue: cue.pattern[:30])
def test_match_starts_are_those_of_the_case_insensitive_finditer(cue: re.Pattern[str]) -> None:
    windows = [*_windows(5, 2000), "Side Effects, BUT however", "\u017fide effects but"]
    for window in windows:
        assert match_starts(cue, window) == [m.start() for m in cue.finditer(window)], window


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain ASCII", True),
        ("12 \u00b1 3\u2009mg, \u2265 5 \u00b0C \u2013 \u00a9", True),
        ("\u017fide effects", False),
        ("3 \u212a", False),
        ("\u0130stanbul", False),
        ("\u03bcg and \u03b2", False),
        ("5 \u00b5g", False),
    ],
)
def test_folds_alike_holds_for_characters_without_case(text: str, expected: bool) -> None:
    assert folds_alike(text) is expected
    if expected:
        assert len(text.lower()) == len(text)


@pytest.mark.parametrize("cue", CUES, ids=lambda cue: cue.pattern[:30])
def test_twins_answer_as_the_cue_on_text_with_characters_without_case(
    cue: re.Pattern[str],
) -> None:
    chance = random.Random(11)
    extra = ["\u00b1", "\u2009", "\u2013", "\u2265", "\u00a0", "\u017f", "\u212a", "\u03bc"]
    for window in _windows(7, 2000):
        chars = list(window)
        for _ in range(chance.randint(1, 3)):
            chars.insert(chance.randint(0, len(chars)), chance.choice(extra))
        text = "".join(chars)
        assert has_match(cue, text) == (cue.search(text) is not None), text
        assert match_starts(cue, text) == [m.start() for m in cue.finditer(text)], text


_ENDING = [
    r"(?:than|vs\.?)\s+(?:[\w-]+\s+){0,3}$",
    r"a(?:b|bc)*?c?\b$",
    r"(?:(x)y{2,}|z)$",
    r"\bab+?\B.$",
    r"(?:a|)(?:b[^a]c|\d\s)$",
    r"[^\W\d]{1,2}\n$",
]


@pytest.mark.parametrize("pattern", _ENDING)
@given(text=st.text(alphabet="abcxyz 1-.\n\u00e9", max_size=12))
def test_an_ending_pattern_reversed_matches_the_reversed_text(pattern: str, text: str) -> None:
    """Alternatives, lazy and bounded repeats, word boundaries, classes, groups and a `$`
    that also matches before a last newline: the reversed pattern matches the reversed
    text at its start just when the pattern finds a match in the text."""
    forward = re.compile(pattern, re.IGNORECASE)
    backward = ending_reversed(forward)
    assert backward is not None
    assert (backward.match(text[::-1]) is not None) == (forward.search(text) is not None)


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [("ab", 0), ("a$|b", 0), ("ab$", re.MULTILINE), ("a(?=b)b$", 0), ("^ab$", 0), ("(a)\\1$", 0)],
)
def test_a_pattern_that_cannot_be_reversed_is_searched_as_it_is(pattern: str, flags: int) -> None:
    assert ending_reversed(re.compile(pattern, flags)) is None
