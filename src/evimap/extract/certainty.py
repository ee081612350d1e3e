"""Certainty of evidence as the record states it in words; never inferred.

`find_certainty` finds GRADE statements ("low-certainty evidence", "the quality of the
evidence was low", "evidence was rated low to very low", "a high level of evidence") and
their plain-language equivalents ("strong evidence", "weak evidence"). The four GRADE levels
are those of Balshem et al. 2011, "GRADE guidelines: 3. Rating the quality of evidence",
J Clin Epidemiol 64:401-406, doi:10.1016/j.jclinepi.2010.07.015. Mentions that are negated
or asked for ("not enough high-quality evidence", "high-quality evidence is needed") are
dropped. `stated_certainty` turns the mentions of all sentences into the record-level pair
`(certainty, certainty_upper)`.

Chinese statements (issue 3, item 9: "高质量证据", "证据质量为低至极低", "高水平的证据",
"GRADE分级为中等", "有力的证据") are read by `IDEOGRAPHIC_GRADE_PATTERNS` and
`IDEOGRAPHIC_PLAIN_PATTERNS`, without word boundaries, only in text holding Chinese
characters and the word 证据 (evidence) or GRADE; "缺乏高质量证据" and "需要更多高质量的证据"
are dropped as their English equivalents are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evimap.claims import CERTAINTY_ORDER, Certainty
from evimap.extract.cue_search import lowered
from evimap.extract.pairs import Mentions, sentences_about
from evimap.extract.pipeline import Findings, Sentence, Step
from evimap.extract.vocab import HAN
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

IDEOGRAPHIC_LEVEL_WORDS: dict[str, Certainty] = {
    "极低": Certainty.VERY_LOW,
    "非常低": Certainty.VERY_LOW,
    "很低": Certainty.VERY_LOW,
    "较低": Certainty.LOW,
    "低": Certainty.LOW,
    "中等": Certainty.MODERATE,
    "中度": Certainty.MODERATE,
    "中": Certainty.MODERATE,
    "较高": Certainty.HIGH,
    "高": Certainty.HIGH,
}
"""Chinese GRADE level words (极低, 低, 中等, 高), to levels."""

IDEOGRAPHIC_PLAIN_WORDS: dict[str, Certainty] = {
    "强有力": Certainty.HIGH,
    "有力": Certainty.HIGH,
    "强": Certainty.HIGH,
    "薄弱": Certainty.LOW,
    "弱": Certainty.LOW,
}
"""Chinese plain words for the strength of evidence, as `PLAIN_WORDS`."""

IDEOGRAPHIC_GRADE_PATTERNS: tuple[str, ...] = (
    # "高质量证据", "低至极低质量的证据", "中等确定性证据", "高水平的证据"
    r"{R}(?:质量|确定性|可信度|可靠性|级别|等级|水平)的?证据",
    # "证据质量为低", "证据的确定性被评为中等", "证据质量从极低到中等", "证据等级较高"
    r"证据的?(?:总体|整体)?(?:质量|确定性|可信度|等级|级别|强度|水平)(?:等级)?"
    r"(?:总体|整体|均|都|多)?(?:被)?(?:评(?:价|定|级|估)?为|分级为|判定为|为|是|属于|介于|从|仅为)?{R}",
    # "GRADE分级为低", "GRADE评价: 中等"
    r"grade\s*(?:评级|分级|评价|评估|证据等级)?\s*(?:为|[:\uff1a=])?\s*{R}",
)
"""Chinese GRADE statements; `{R}` stands for one level or a range of two levels."""

IDEOGRAPHIC_PLAIN_PATTERNS: tuple[str, ...] = (
    r"(?P<plain>强有力|有力|薄弱)的?证据",
    r"证据(?:仍|仍然|尚|较|很|非常|相对|比较)?(?P<plain>薄弱|强有力|有力)",
)
"""Chinese plain statements of strength ("有力的证据", "证据薄弱")."""

IDEOGRAPHIC_NEGATION_BEFORE: tuple[str, ...] = (
    "缺乏",
    "缺少",
    "没有",
    "尚无",
    "无",
    "未",
    "需要",
    "需",
    "更多",
    "进一步",
    "足够",
    "充分",
    "有待",
    "提供",
    "获得",
    "产生",
    "是否",
    "很少",
    "寻求",
)
"""Words just before a Chinese mention that negate it or make it a wish ("缺乏高质量证据")."""

IDEOGRAPHIC_NEGATION_AFTER: tuple[str, ...] = (
    r"(?:仍|尚|仍然|依然|目前)?(?:不足|缺乏|缺失|有限|匮乏|不够|较少|很少)",
    r"(?:来|以)(?:证实|确认|支持|指导|确定)",
)
"""What may follow a Chinese mention that makes it a wish, not a statement."""

_LEVEL = r"(?:very[\s-]low|low|moderate|high)"
_RANGE = (
    rf"(?P<lo>{_LEVEL})(?:[\s-]*(?:certainty|quality))?"
    rf"(?:[\s-]*(?:to|or|and|-|\u2013)\s*(?P<hi>{_LEVEL}))?"
)


_IDEOGRAPHIC_LEVEL = "(?:" + "|".join(sorted(IDEOGRAPHIC_LEVEL_WORDS, key=len, reverse=True)) + ")"
_IDEOGRAPHIC_RANGE = (
    rf"(?P<lo>{_IDEOGRAPHIC_LEVEL})(?:质量|确定性)?"
    rf"(?:\s*(?:至|到|或|和|与|-|\u2013|~|\uff5e)\s*(?P<hi>{_IDEOGRAPHIC_LEVEL}))?"
)


def _compile(patterns: Sequence[str], level_range: str = _RANGE) -> list[re.Pattern[str]]:
    out: list[re.Pattern[str]] = []
    for p in patterns:
        body = p.replace("{{", "{").replace("}}", "}").replace("{R}", level_range)
        out.append(re.compile(body.replace(r"\bGRADE\b", r"\bgrade\b")))
    return out


_GRADE_RES = _compile(GRADE_PATTERNS)
_PLAIN_RES = _compile(PLAIN_PATTERNS)
_IDEOGRAPHIC_GRADE_RES = _compile(IDEOGRAPHIC_GRADE_PATTERNS, _IDEOGRAPHIC_RANGE)
_IDEOGRAPHIC_PLAIN_RES = _compile(IDEOGRAPHIC_PLAIN_PATTERNS)
_IDEOGRAPHIC_NEG_BEFORE_RE = re.compile(
    rf"(?:{'|'.join(IDEOGRAPHIC_NEGATION_BEFORE)})的?[^\uff0c,\u3002\uff1b;\uff1a:\s]{{0,4}}$"
)
_IDEOGRAPHIC_NEG_AFTER_RE = re.compile(rf"[\s\uff0c,]*(?:{'|'.join(IDEOGRAPHIC_NEGATION_AFTER)})")

_NEG_BEFORE_RE = re.compile(
    rf"\b(?:{'|'.join(NEGATION_BEFORE)})\s+(?:(?:\w+[\s-]+){{0,2}})?$", re.IGNORECASE
)
_NEG_AFTER_RE = re.compile(rf"[\s,]*(?:{'|'.join(NEGATION_AFTER)})\b", re.IGNORECASE)
_OVERALL_RE = re.compile(
    r"\b(?:overall|in\s+summary|in\s+conclusion|conclusions?|authors'?\s+conclusions?)\b"
    r"|总体|整体|总之|综上|结论|总的来说",
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
    ideographic = IDEOGRAPHIC_LEVEL_WORDS.get(word)
    if ideographic is not None:
        return ideographic
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
    low = lowered(text)
    found: list[CertaintyMention] = []
    if not text.isascii() and ("证据" in low or "grade" in low) and HAN.search(low):
        found.extend(_ideographic_mentions(low))
    elif "evidence" not in low and "grade" not in low:
        return []
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


def _ideographic_mentions(low: str) -> list[CertaintyMention]:
    """The Chinese statements of certainty in lower-cased `low`, negated ones dropped."""
    found: list[CertaintyMention] = []
    for pattern in _IDEOGRAPHIC_GRADE_RES:
        for m in pattern.finditer(low):
            if not _ideographic_negated(low, m.start(), m.end()):
                hi = m.group("hi")
                found.append(
                    _mention(_level(m.group("lo")), _level(hi) if hi else None, *m.span(), True)
                )
    for pattern in _IDEOGRAPHIC_PLAIN_RES:
        for m in pattern.finditer(low):
            if not _ideographic_negated(low, m.start(), m.end()):
                level = IDEOGRAPHIC_PLAIN_WORDS[m.group("plain")]
                found.append(_mention(level, None, *m.span(), False))
    return found


def _ideographic_negated(text: str, start: int, end: int) -> bool:
    return bool(
        _IDEOGRAPHIC_NEG_BEFORE_RE.search(text[max(0, start - 8) : start])
        or _IDEOGRAPHIC_NEG_AFTER_RE.match(text, end)
    )


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
    pairs = found["pairs"]
    if not any(by_text.values()) and all(m.sentence.text in by_text for m in mentions):
        # No sentence states a certainty (most records), so no pair's sentences do: this
        # skips gathering each pair's sentences (`sentences_about`) only to find nothing.
        return {
            "certainty": certainty,
            "certainty_upper": upper,
            "certainties": {pair: (None, None) for pair in pairs},
        }
    return {
        "certainty": certainty,
        "certainty_upper": upper,
        "certainties": {
            (drug, condition): _pair_certainty(drug, condition, mentions, by_text)
            for drug, condition in pairs
        },
    }


CERTAINTY = Step(
    "certainty",
    2,
    certainty_step,
    needs=("sentences", "pairs", "mentions"),
    gives=("certainty", "certainty_upper", "certainties"),
)
