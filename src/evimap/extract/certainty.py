"""Certainty of evidence as the record states it in words; never inferred.

`find_certainty` finds GRADE statements ("low-certainty evidence", "the quality of the
evidence was low", "evidence was rated low to very low", "a high level of evidence") and
their plain-language equivalents ("strong evidence", "weak evidence"). The four GRADE levels
are those of Balshem et al. 2011, "GRADE guidelines: 3. Rating the quality of evidence",
J Clin Epidemiol 64:401-406, doi:10.1016/j.jclinepi.2010.07.015. Mentions that are negated
or asked for ("not enough high-quality evidence", "high-quality evidence is needed") are
dropped. `stated_certainty` turns the mentions of all sentences into the record-level pair
`(certainty, certainty_upper)`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evimap.claims import CERTAINTY_ORDER, Certainty
from evimap.extract.pairs import Mentions, sentences_about
from evimap.extract.pipeline import Findings, Sentence, Step
from evimap.records import Record

LEVEL_WORDS: dict[str, Certainty] = {
    "very low": Certainty.VERY_LOW,
    "very-low": Certainty.VERY_LOW,
    "low": Certainty.LOW,
    "moderate": Certainty.MODERATE,
    "high": Certainty.HIGH,
}
"""GRADE level words as written, to levels."""

PLAIN_WORDS: dict[str, Certainty] = {
    "strong": Certainty.HIGH,
    "weak": Certainty.LOW,
}
"""Plain words for the strength of evidence, to levels (as the dev labels map them).

"Strong evidence" is read as high and "weak evidence" as low. They are weaker statements
than GRADE wording, so `CertaintyMention.graded` is False for them and `stated_certainty`
uses them only when the record has no GRADE wording.
"""

GRADE_PATTERNS: tuple[str, ...] = (
    # "low-certainty evidence", "moderate quality evidence", "low- to moderate-certainty evidence"
    r"{R}[\s-]*(?:certainty|quality)\s+(?:of\s+(?:the\s+)?)?evidence",
    # "the certainty of the evidence was low", "quality of evidence for pain was rated as very low",
    # "certainty of evidence ranged from very low to moderate", "confidence in the evidence is low"
    r"(?:certainty|quality|confidence|strength)\s+(?:of|in)\s+(?:the\s+)?evidence"
    r"(?:\s+(?:for|on|about|in|from|of|across|regarding)\s+[^.;:()]{{1,60}}?)?"
    r"(?:\s+(?:overall|generally|mostly|mainly|also|only))?"
    r"\s+(?:(?:was|were|is|are|as|being)\s+)?(?:(?:rated|graded|judged|assessed|considered|"
    r"deemed|found|downgraded|ranged|ranging|varied|varying)\s+)?"
    r"(?:(?:as|to\s+be|to|from|between)\s+)?{R}\b",
    # "we judged/rated the certainty of (the) evidence (for pain) (as|to be) low",
    # "we downgraded the quality of the evidence by one level to moderate"
    r"(?:rated|graded|judged|assessed|considered|downgraded)\s+(?:the\s+|our\s+)?(?:overall\s+)?"
    r"(?:certainty|quality)\s+(?:of|in)\s+(?:the\s+|this\s+)?evidence"
    r"(?:\s+(?:for|on|about|from|of|across|regarding)\s+[^.;:()]{{1,80}}?)?"
    r"(?:\s+by\s+(?:one|two|three|\d)\s+levels?)?\s+(?:as\s+|to\s+be\s+|to\s+)?{R}\b",
    # "moderate evidence quality"
    r"{R}[\s-]+evidence[\s-]+(?:certainty|quality)",
    # "the evidence was rated low to very low", "evidence is of very low quality"
    r"evidence\s+(?:was|were|is|are)\s+(?:(?:overall|generally|mostly|mainly|all)\s+)?"
    r"(?:(?:rated|graded|judged|assessed|considered)\s+(?:as\s+|to\s+be\s+)?|of\s+)?"
    r"{R}(?:[\s-]+(?:certainty|quality))?\b(?!\s*(?:risk|dose|doses|in\s+number))",
    # "evidence of very low quality/certainty"
    r"evidence\s+(?:of|with)\s+{R}[\s-]+(?:certainty|quality)",
    # "a high level of evidence", "level of evidence was moderate"
    r"{R}\s+levels?\s+of\s+evidence",
    r"level\s+of\s+evidence\s+(?:was|is)\s+{R}\b",
    # "(GRADE: low)", "GRADE moderate"
    r"\bgrade\s*[:=]?\s*{R}\b",
)
"""GRADE statements; `{R}` stands for one level or a range of two levels."""

PLAIN_PATTERNS: tuple[str, ...] = (
    r"\b(?P<plain>strong|weak)\s+evidence\b",
    # "the evidence (in favour of X) is weak", "current evidence remains weak"
    r"\bevidence(?:\s+(?:for|that|on|of|in\s+favou?r\s+of)\s+[^.;:()]{{1,80}}?)?"
    r"\s+(?:is|was|are|were|remains|remained|appears|seems)\s+(?:still\s+|rather\s+|very\s+)?"
    r"(?P<plain>strong|weak)\b",
)
"""Plain-language statements of strength ("strong evidence"), see `PLAIN_WORDS`."""

NEGATION_BEFORE: tuple[str, ...] = (
    r"no",
    r"not",
    r"nor",
    r"lack\s+of",
    r"lacking",
    r"absence\s+of",
    r"without",
    r"insufficient",
    r"enough",
    r"any",
    r"more",
    r"further",
    r"additional",
    r"need\s+for",
    r"needs?",
    r"require[sd]?",
    r"until",
    r"whether",
    r"few",
    r"little",
    r"provide",
    r"generate",
    r"yield",
    r"obtain",
    r"into",
    r"towards?",
)
"""Words just before a mention that negate it or make it a wish ("not enough high-quality")."""

NEGATION_AFTER: tuple[str, ...] = (
    r"(?:is|are|was|were)\s+(?:still\s+|urgently\s+|therefore\s+|thus\s+)?"
    r"(?:needed|required|lacking|warranted|necessary|missing|absent|unavailable|not\s+available)",
    r"to\s+(?:confirm|establish|determine|support|guide|inform)",
)
"""What may follow a mention that makes it a wish, not a statement."""

_LEVEL = r"(?:very[\s-]low|low|moderate|high)"
_RANGE = (
    rf"(?P<lo>{_LEVEL})(?:[\s-]*(?:certainty|quality))?"
    rf"(?:[\s-]*(?:to|or|and|-|\u2013)\s*(?P<hi>{_LEVEL}))?"
)


def _compile(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    out: list[re.Pattern[str]] = []
    for p in patterns:
        body = p.replace("{{", "{").replace("}}", "}").replace("{R}", _RANGE)
        out.append(re.compile(body.replace(r"\bGRADE\b", r"\bgrade\b")))
    return out


_GRADE_RES = _compile(GRADE_PATTERNS)
_PLAIN_RES = _compile(PLAIN_PATTERNS)
_NEG_BEFORE_RE = re.compile(
    rf"\b(?:{'|'.join(NEGATION_BEFORE)})\s+(?:(?:\w+[\s-]+){{0,2}})?$", re.IGNORECASE
)
_NEG_AFTER_RE = re.compile(rf"[\s,]*(?:{'|'.join(NEGATION_AFTER)})\b", re.IGNORECASE)
_OVERALL_RE = re.compile(
    r"\b(?:overall|in\s+summary|in\s+conclusion|conclusions?|authors'?\s+conclusions?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class CertaintyMention:
    """One statement of certainty: `level`, or the range `level`..`upper` (upper is higher).

    `start`/`end` index the text given to `find_certainty`. `graded` is True for GRADE wording
    and False for plain words ("strong evidence"), which callers may trust less.
    """

    level: Certainty
    upper: Certainty | None
    start: int
    end: int
    graded: bool = True


def _level(word: str) -> Certainty:
    return LEVEL_WORDS[re.sub(r"[\s-]+", " ", word.lower())]


def _mention(
    lo: Certainty, hi: Certainty | None, start: int, end: int, graded: bool
) -> CertaintyMention:
    if hi is None or hi == lo:
        return CertaintyMention(lo, None, start, end, graded)
    a, b = sorted((lo, hi), key=CERTAINTY_ORDER.index)
    return CertaintyMention(a, b, start, end, graded)


def _negated(text: str, start: int, end: int) -> bool:
    words = text[max(0, start - 40) : start].lower().replace("-", " ").split()[-4:]
    return bool(
        (words and _NEG_BEFORE_RE.search(" ".join(words) + " ")) or _NEG_AFTER_RE.match(text, end)
    )


def find_certainty(text: str) -> list[CertaintyMention]:
    """Statements of the certainty of evidence in `text`, in order of position.

    Only wording about the *evidence* counts: "low risk of bias", "high doses" and
    "high-quality trials are needed" are not certainty statements, and neither is a
    mention after a negation or before "is needed". A range ("low to very low",
    "low- to moderate-certainty") gives the lower level and the upper one. Overlapping
    matches of several patterns yield one mention (the longest).
    """
    low = text.lower()
    if len(low) != len(text):  # a few characters change length when lower-cased
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if "evidence" not in low and "grade" not in low:
        return []
    found: list[CertaintyMention] = []
    for pattern in _GRADE_RES:
        for m in pattern.finditer(low):
            if _negated(text, m.start(), m.end()):
                continue
            hi = m.group("hi")
            found.append(
                _mention(_level(m.group("lo")), _level(hi) if hi else None, *m.span(), True)
            )
    for pattern in _PLAIN_RES:
        for m in pattern.finditer(low):
            if _negated(text, m.start(), m.end()):
                continue
            found.append(_mention(PLAIN_WORDS[m.group("plain").lower()], None, *m.span(), False))
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[CertaintyMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            if mention.end - mention.start > kept[-1].end - kept[-1].start:
                kept[-1] = mention
            continue
        kept.append(mention)
    return kept


Stated = tuple[Certainty | None, Certainty | None]


def stated_certainty(sentences: Sequence[Sentence]) -> Stated:
    """The `(certainty, certainty_upper)` the sentences state, or `(None, None)`.

    GRADE wording wins over plain words. Among GRADE mentions, those in a sentence that
    speaks for the whole record ("Overall, ...", "In conclusion", "Authors' conclusions")
    win. Otherwise the mentions are outcome-specific grades: a level that more than half
    of them give is the answer (most outcomes of the finding were graded so); else their
    range, from the lowest level to the highest. `certainty_upper` is None for one level.
    """
    return _stated(sentences, {})


def _stated(sentences: Sequence[Sentence], found: dict[str, list[CertaintyMention]]) -> Stated:
    """`stated_certainty`, keeping in `found` each sentence's `find_certainty`: the record
    and each of its pairs read the same sentences."""
    mentions: list[tuple[CertaintyMention, bool]] = []
    for sentence in sentences:
        text = sentence.text
        stated = found.get(text)
        if stated is None:
            stated = found[text] = find_certainty(text)
        for mention in stated:
            mentions.append((mention, bool(_OVERALL_RE.search(text))))
    graded = [pair for pair in mentions if pair[0].graded]
    pool = graded or mentions
    overall = [m for m, is_overall in pool if is_overall]
    chosen = overall or [m for m, _ in pool]
    if not chosen:
        return None, None
    singles = [m.level for m in chosen if m.upper is None]
    for level in set(singles):
        if len(chosen) > 2 and singles.count(level) * 2 > len(chosen):
            return level, None
    levels = [m.level for m in chosen] + [m.upper for m in chosen if m.upper is not None]
    lo = min(levels, key=CERTAINTY_ORDER.index)
    hi = max(levels, key=CERTAINTY_ORDER.index)
    return lo, (hi if hi != lo else None)


def pair_certainty(intervention: str, condition: str, mentions: Sequence[Mentions]) -> Stated:
    """The certainty stated for one claim, from the sentences about its pair.

    A review grades each outcome; the grades in sentences about this intervention and this
    condition speak for its claim, then those about the intervention that name no
    condition, then those about no intervention at all ("The certainty of the evidence was
    low overall"). A grade stated for another drug is never borrowed.
    """
    return _pair_certainty(intervention, condition, mentions, {})


def _pair_certainty(
    intervention: str,
    condition: str,
    mentions: Sequence[Mentions],
    found: dict[str, list[CertaintyMention]],
) -> Stated:
    """`pair_certainty`, sharing `found` (see `_stated`) with the record's other pairs."""
    for sentences in sentences_about(intervention, condition, mentions):
        stated = _stated(sentences, found)
        if stated[0] is not None:
            return stated
    return None, None


def certainty_step(record: Record, found: Findings) -> dict[str, Any]:
    """Pipeline step: the record's certainty, and each pair's (`certainties`)."""
    by_text: dict[str, list[CertaintyMention]] = {}
    certainty, upper = _stated(found["sentences"], by_text)
    mentions = found["mentions"]
    return {
        "certainty": certainty,
        "certainty_upper": upper,
        "certainties": {
            (drug, condition): _pair_certainty(drug, condition, mentions, by_text)
            for drug, condition in found["pairs"]
        },
    }


CERTAINTY = Step(
    "certainty",
    2,
    certainty_step,
    needs=("sentences", "pairs", "mentions"),
    gives=("certainty", "certainty_upper", "certainties"),
)
