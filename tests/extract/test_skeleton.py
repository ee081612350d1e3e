"""ASCII views of a text (`skeleton`) and the scans that read them in place of `re`: each
must find exactly what the regex scan it replaces finds, on any text."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from evimap.extract.counts import _DIGIT_RUN_RE, _digit_starts
from evimap.extract.sentences import _CANDIDATE, _candidates
from evimap.extract.skeleton import beyond_ascii, char_places, digit_run_starts, skeleton
from evimap.extract.vocab import dose_patterns

# Digits (ASCII, Arabic-Indic, full-width), the characters numbers and doses are read
# between, units, and letters beyond ASCII with and without case.
_PIECES = st.sampled_from(
    [
        *"0123456789",
        "\u0661",
        "\uff13",
        " ",
        ".",
        ",",
        "-",
        "\u2013",
        "/",
        "?",
        "\n",
        "mg",
        "kg",
        "\u00b5g",
        "x",
        "\u00e9",
        "\u00b1",
        "\u6c2f",
        "\u00b2",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)


@given(_TEXTS)
@example("Dose 0.5 mg/kg, 1,000 \u00b1 12 mg? \u00b2 x9")
def test_skeleton_keeps_offsets_ascii_letters_and_digits(text: str) -> None:
    view = skeleton(text)
    assert len(view) == len(text)
    for char, byte in zip(text, view, strict=True):
        kept = char.isascii() and char.isalnum()
        assert chr(byte) == (char if kept else " ")


@given(_TEXTS)
def test_beyond_ascii_lists_the_characters_beyond_ascii(text: str) -> None:
    assert beyond_ascii(text) == "".join(c for c in text if not c.isascii())


@given(_TEXTS)
@example("\u0661 2")
@example("12 a 3.5, 1,000 x9")
def test_digit_run_starts_are_where_a_digit_follows_no_digit(text: str) -> None:
    starts = digit_run_starts(text)
    if any(not c.isascii() and c.isdecimal() for c in text):
        assert starts is None
    else:
        assert starts == [m.start() for m in re.finditer(r"(?<!\d)\d", text)]


@given(_TEXTS)
@example("1.5 and 2,300 adults, 12.5\u00b13 or 7")
def test_number_starts_found_at_digit_runs_equal_the_regex_scan(text: str) -> None:
    assert _digit_starts(text) == [m.start() for m in _DIGIT_RUN_RE.finditer(text)]


@given(_TEXTS)
@example("0.5 mg/kg then 1,5mg, 2-3 mg kg-1 and \u0661 mg")
def test_doses_found_at_digit_runs_equal_the_regex_scan(text: str) -> None:
    doses = dose_patterns()
    assert [m.span() for m in doses.finditer(text)] == [
        m.span() for m in doses.pattern.finditer(text)
    ]


@given(_TEXTS, st.sampled_from([".", ".!?:\n", "0-", "x"]))
def test_char_places_are_the_chars_and_those_beyond_ascii(text: str, chars: str) -> None:
    expected = [i for i, c in enumerate(text) if c in chars + "?" or not c.isascii()]
    assert char_places(text, chars) == expected


_SENTENCE_TEXTS = st.lists(
    st.sampled_from(["Pain fell", ".", "?", "!", ":", "\n", " ", "\u3002", ")", '"', "12.5", "a"]),
    max_size=30,
).map("".join)


@given(_SENTENCE_TEXTS)
@example('It fell. "Yes." No?! A: 12.5 mg\u3002\u8fd9')
def test_sentence_cuts_found_at_char_places_equal_the_regex_scan(text: str) -> None:
    assert [m.span() for m in _candidates(text)] == [m.span() for m in _CANDIDATE.finditer(text)]
