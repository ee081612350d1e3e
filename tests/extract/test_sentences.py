"""Sentence spans: behaviour on sentences written for the test, and offsets on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.extract.sentences import SENTENCES, record_sentences, sentences
from evimap.records import Record, Section
from evimap.sources import read_any

DATA = Path(__file__).parent.parent / "data" / "sources"
SEEDS = Path(__file__).parent.parent.parent / "data" / "seeds"
FIXTURES = sorted(
    p
    for p in DATA.rglob("*")
    if p.is_file()
    and p.suffix not in {".md", ".rst"}
    and "LICENSE" not in p.name
    and not p.name.endswith(".expected.jsonl")
)


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Smith et al. found it. It held.", ["Smith et al. found it.", "It held."], id="et_al"
        ),
        pytest.param(
            "Ketamine vs. placebo was tested. Done.",
            ["Ketamine vs. placebo was tested.", "Done."],
            id="vs",
        ),
        pytest.param(
            "Some drugs, e.g. Ketamine, help. Yes.",
            ["Some drugs, e.g. Ketamine, help.", "Yes."],
            id="eg",
        ),
        pytest.param(
            "Given 0.5 mg/kg i.v. Twice daily. Done.",
            ["Given 0.5 mg/kg i.v. Twice daily.", "Done."],
            id="iv",
        ),
        pytest.param("See Fig. 2 for it. Done.", ["See Fig. 2 for it.", "Done."], id="fig"),
        pytest.param(
            "We gave approx. 5 mg. Done.", ["We gave approx. 5 mg.", "Done."], id="approx"
        ),
        pytest.param(
            "Dr. Who and J. Smith agreed. Done.",
            ["Dr. Who and J. Smith agreed.", "Done."],
            id="initials",
        ),
        pytest.param(
            "Dose was 2.5 mg (p < 0.05). Next.",
            ["Dose was 2.5 mg (p < 0.05).", "Next."],
            id="decimals",
        ),
        pytest.param(
            "The U.S. Food and Drug Administration agreed. Yes.",
            ["The U.S. Food and Drug Administration agreed.", "Yes."],
            id="dotted_acronym",
        ),
        pytest.param("Trial No. 5 failed. Done.", ["Trial No. 5 failed.", "Done."], id="number"),
        pytest.param(
            "BACKGROUND: Pain.\nCONCLUSIONS: Works",
            ["BACKGROUND: Pain.", "CONCLUSIONS: Works"],
            id="newline",
        ),
        pytest.param("It ended. RESULTS: Fine", ["It ended.", "RESULTS: Fine"], id="label_in_line"),
        pytest.param(
            "Pain fell AUTHORS' CONCLUSIONS: Fine",
            ["Pain fell", "AUTHORS' CONCLUSIONS: Fine"],
            id="label_no_stop",
        ),
        pytest.param(
            "氯胺酮有效。它很安全！真的吗？是的。",  # noqa: RUF001
            ["氯胺酮有效。", "它很安全！", "真的吗？", "是的。"],  # noqa: RUF001
            id="chinese",
        ),
        pytest.param("「効く。」次に", ["「効く。」", "次に"], id="japanese_quote"),
        pytest.param(
            'He said "it works." Then.', ['He said "it works."', "Then."], id="quote_after_stop"
        ),
        pytest.param(
            "It works (see above.) Then.",
            ["It works (see above.)", "Then."],
            id="bracket_after_stop",
        ),
        pytest.param("Really?! Yes.", ["Really?!", "Yes."], id="question_exclamation"),
        pytest.param(
            "It fell. and then rose.", ["It fell. and then rose."], id="lowercase_continues"
        ),
        pytest.param(
            "Take vitamin D. It helps.", ["Take vitamin D. It helps."], id="single_capital"
        ),
        pytest.param("It rose.\u00a0Then fell.", ["It rose.", "Then fell."], id="no_break_space"),
        pytest.param(
            "It rose. \u00e9bahi was he.",
            ["It rose. \u00e9bahi was he."],
            id="lowercase_beyond_ascii",
        ),
        pytest.param(
            "See (Fig. 2) now. Done.", ["See (Fig. 2) now.", "Done."], id="abbreviation_bracket"
        ),
        pytest.param(
            "Given at 10:30 daily. Done.", ["Given at 10:30 daily.", "Done."], id="colon_no_label"
        ),
        pytest.param(
            "Seen in (approx. 5) cases. A word as long as the list allows: approxs. Then.",
            ["Seen in (approx. 5) cases.", "A word as long as the list allows: approxs.", "Then."],
            id="longest_abbreviation_and_longer",
        ),
        pytest.param(
            "Dr. Who. A.B. Smith. Done.", ["Dr. Who.", "A.B. Smith.", "Done."], id="short_words"
        ),
        pytest.param("  Padded.  \n\n ", ["Padded."], id="whitespace_trimmed"),
        pytest.param("", [], id="empty"),
    ],
)
def test_sentences_behaviour(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_sentences_record_fields_index_texts() -> None:
    record = Record(
        id="x",
        source="test",
        title="A trial.",
        abstract=(Section("METHODS", "We did it. It held."), Section("CONCLUSIONS", "Good.")),
    )
    found = record_sentences(record)
    texts = record.texts()
    assert [s.field for s in found] == ["title", "abstract", "abstract", "abstract"]
    assert all(texts[s.field][s.start : s.end] == s.text for s in found)
    assert SENTENCES.fn(record, {})["sentences"] == found


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_sentences_offsets_hold_on_fixture(path: Path) -> None:
    for item in read_any(path):
        if not isinstance(item, Record):
            continue
        texts = item.texts()
        for sentence in record_sentences(item):
            assert sentence.text
            assert texts[sentence.field][sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_sentences_seed_never_ends_on_abbreviation(path: Path) -> None:
    for item in read_any(path):
        if not isinstance(item, Record):
            continue
        for sentence in record_sentences(item):
            last = sentence.text.rsplit(None, 1)[-1].lower()
            assert last not in {"al.", "vs.", "e.g.", "i.e.", "dr.", "fig.", "approx."}
