"""Sentence spans with character offsets: the units every claim's evidence points at.

The splitter is one compiled regular expression over *candidate* boundaries (a run of
`.`, `!` or `?` with any closing quotes or brackets, followed by whitespace; a CJK full
stop, exclamation or question mark, which needs no space after it; a newline; the start
of a structured-abstract label such as `CONCLUSIONS:` inside a line), and a cheap check of
each `.` candidate against abbreviations and the case of the next word. This is the
orthographic half of Punkt (Kiss & Strunk 2006, "Unsupervised multilingual sentence
boundary detection", Computational Linguistics 32(4), doi:10.1162/coli.2006.32.4.485)
with the abbreviation list given rather than learned.

Why not a library: blingfire 0.1 (`text_to_sentences_and_offsets`), measured on 300
Evidence Inference abstracts of ~2,100 characters, costs 0.35 ms per abstract against
about 0.1 ms here, and splits "Dr. | Who" (a title before a name) while joining the
space-tokenised sentences of EBM-NLP texts ("… surgery . Group 1 …") no better; pysbd
is slower still (milliseconds per abstract), which alone would break the 2,000
records/s budget of issue 3. `bench/extract_parts.py` prints the current figure.

Sharp edges, chosen on purpose: a newline always ends a sentence (abstract sections are
joined by newlines, see `records.joined_abstract`); a single capital letter followed by
`.` is read as an initial ("J. Smith"), so a sentence ending in "vitamin D." runs on into
the next one; a `.` followed by a lower-case word never ends a sentence.
"""

from __future__ import annotations

import re
from typing import Any

from evimap.extract.pipeline import Findings, Sentence, Step
from evimap.records import Record

ABBREVIATIONS = frozenset(
    {
        "al",
        "approx",
        "ca",
        "cf",
        "co",
        "dr",
        "eq",
        "eqs",
        "etc",
        "fig",
        "figs",
        "inc",
        "jr",
        "ltd",
        "max",
        "min",
        "mr",
        "mrs",
        "ms",
        "no",
        "nos",
        "prof",
        "ref",
        "refs",
        "resp",
        "sr",
        "st",
        "tab",
        "vol",
        "vs",
        "viz",
        "wt",
    }
)
"""Lower-cased words that end in `.` without ending the sentence. Dotted forms such as
"e.g.", "i.v.", "U.S." are recognised by shape (letters joined by dots), not listed."""

STRUCTURED_LABELS = frozenset(
    {
        "BACKGROUND",
        "INTRODUCTION",
        "CONTEXT",
        "IMPORTANCE",
        "OBJECTIVE",
        "OBJECTIVES",
        "AIM",
        "AIMS",
        "PURPOSE",
        "DESIGN",
        "SETTING",
        "SETTINGS",
        "PARTICIPANTS",
        "PATIENTS",
        "INTERVENTION",
        "INTERVENTIONS",
        "MEASUREMENTS",
        "MAIN OUTCOME MEASURE",
        "MAIN OUTCOME MEASURES",
        "MATERIAL AND METHODS",
        "MATERIALS AND METHODS",
        "METHOD",
        "METHODS",
        "SEARCH METHODS",
        "SELECTION CRITERIA",
        "DATA COLLECTION AND ANALYSIS",
        "MAIN RESULTS",
        "RESULT",
        "RESULTS",
        "FINDINGS",
        "DISCUSSION",
        "LIMITATIONS",
        "INTERPRETATION",
        "CONCLUSION",
        "CONCLUSIONS",
        "AUTHORS' CONCLUSIONS",
        "TRIAL REGISTRATION",
    }
)
"""Structured-abstract labels that start a sentence even inside one line of text, when
followed by a colon (MEDLINE's NLM label categories plus Cochrane's section names)."""

_LONGEST_LABEL_WORDS = max(label.count(" ") + 1 for label in STRUCTURED_LABELS)
_LABEL_LAST_CHARS = frozenset(label[-1] for label in STRUCTURED_LABELS)
"""The characters a label ends in: a colon after any other ends none (a time, a ratio)."""
_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS))

# One candidate pattern that begins with a character class lets the regex engine skip
# ahead in C; an alternation (stop | CJK | newline | label) scanned five times slower.
_CANDIDATE = re.compile(
    r"[.!?:\n\u3002\uff01\uff1f]"
    r"[.!?\"'\u201d\u2019\u00bb)\]\u300d\u300f\uff09\u3002\uff01\uff1f]*"
    r"(?:(?=\s)|(?<=[\n\u3002\uff01\uff1f\u300d\u300f\uff09]))"
)
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_INITIAL = re.compile(r"[A-Z]")
_BLANKS = re.compile(r"[ \t\r\f\v\u00a0]*")
"""The blanks between a full stop and the next word (not a newline, which ends a line)."""


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` as `(start, end)` spans, end exclusive, whitespace trimmed.

    `text[start:end]` is the sentence; empty stretches (blank lines) give no span.
    """
    return [(start, end) for start, end, _ in _pieces(text)]


def _pieces(text: str) -> list[tuple[int, int, str]]:
    """`sentences` with each sentence's text, which trimming the span has already cut
    (`record_sentences` need not slice the text again)."""
    cuts: list[int] = []
    blanks = _BLANKS.match
    for match in _CANDIDATE.finditer(text):
        at, end = match.span()
        first = text[at]
        if first == ":":
            label_start = _label_start(text, at)
            if label_start > 0:
                cuts.append(label_start)
            continue
        if first == ".":
            # Punkt's orthographic checks: a lower-case word next continues the sentence;
            # a single `.` may end an abbreviation or an initial instead.
            blank = blanks(text, end)
            after = blank.end() if blank else end
            if text[after : after + 1].islower() or (end - at == 1 and _is_abbreviation(text, at)):
                continue
        cuts.append(end)
    cuts.append(len(text))
    pieces: list[tuple[int, int, str]] = []
    begin = 0
    for cut in cuts:
        kept = text[begin:cut].lstrip()
        if kept:
            start = cut - len(kept)
            kept = kept.rstrip()
            pieces.append((start, start + len(kept), kept))
        begin = cut
    return pieces


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the word before the `.` at `dot` is an abbreviation, an initial ("J.") or
    dotted ("e.g", "U.S"), so that the `.` does not end the sentence."""
    last = text[dot - 1 : dot]
    if last and not last.isalpha() and not last.isspace():
        # The word ends in a digit or a sign ("12.", "(n = 3).", "25%."): none of the three.
        return False
    tail = text[max(0, dot - _LONGEST_ABBREVIATION - 1) : dot]
    if len(tail) > _LONGEST_ABBREVIATION and tail.isalpha():
        # Most sentences end in a longer word ("patients."): too long for the list, too
        # long for an initial, and a dotted form ends in a single letter after its dot.
        return False
    before = text[max(0, dot - 40) : dot].rsplit(None, 1)
    token = before[-1].lstrip("([\"'\u201c") if before else ""
    if not token:
        return False
    if token.lower() in ABBREVIATIONS:
        return True
    if len(token) == 1:
        return _INITIAL.fullmatch(token) is not None
    # Most tokens are plain words; only a dotted one can be an abbreviation by shape.
    return "." in token and _DOTTED.fullmatch(token) is not None


def _label_start(text: str, colon: int) -> int:
    """Where a structured-abstract label ending at `colon` starts after a space, else -1."""
    if text[colon - 1 : colon] not in _LABEL_LAST_CHARS:
        return -1
    words = text[max(0, colon - 40) : colon].split(" ")
    for count in range(min(_LONGEST_LABEL_WORDS, len(words) - 1), 0, -1):
        label = " ".join(words[-count:])
        if label in STRUCTURED_LABELS:
            return colon - len(label)
    return -1


def record_sentences(record: Record) -> list[Sentence]:
    """Every sentence of every text of `record`, in `record.texts()` order."""
    out: list[Sentence] = []
    for field, text in record.texts().items():
        out.extend([Sentence(field, start, end, piece) for start, end, piece in _pieces(text)])
    return out


def _sentences_step(record: Record, found: Findings) -> dict[str, Any]:
    return {"sentences": record_sentences(record)}


SENTENCES = Step("sentences", 1, _sentences_step, needs=(), gives=("sentences",))
"""The first extraction step: gives `sentences`, a list of `Sentence`."""
