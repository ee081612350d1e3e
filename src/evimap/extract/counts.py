"""Counts of studies and participants stated in one text: `find_counts`.

`find_counts` finds counts of studies ("67 trials", "12 RCTs", "k = 5") and of participants
("2,300 adults", "n = 67", "Sixty-four participants", "a total of 1,024 women") in a text,
each with a `role` saying how the text frames it (a stated total, an arm of a trial, people
screened or excluded, or plain). A count needs its noun next to the number (at most four
modifier words between), which is what keeps doses ("0.5 mg/kg"), years ("in 2018"), ages
("aged 18-65"), percentages, durations, p-values, CIs and reference numbers out. The nouns
and cues are data (`count_cues`), compiled here once into a few combined patterns;
`numbers` chooses the record-level totals from the counts of all sentences.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Final, Literal, final

from evimap.extract.count_cues import (
    ARM_CUES,
    EXCLUDED_CUES,
    GAP_BLOCKERS,
    HEDGES,
    NOT_COUNT_BEFORE,
    PARTICIPANT_NOUNS,
    STUDY_NOUNS,
    TENS_WORDS,
    TOTAL_AFTER,
    TOTAL_BEFORE,
    UNIT_WORDS,
)
from evimap.extract.cue_search import folds_alike, lowercase_twin, lowered
from evimap.extract.values import Value

CountKind = Literal["studies", "participants"]
CountRole = Literal["total", "plain", "arm", "excluded"]

_WORD_VALUE = {w: i + 1 for i, w in enumerate(UNIT_WORDS)} | {
    w: 20 + 10 * i for i, w in enumerate(TENS_WORDS)
}

_UNIT_RE = "|".join(UNIT_WORDS[::-1])
_TENS_RE = f"(?:{'|'.join(TENS_WORDS)})(?:[- ](?:{'|'.join(UNIT_WORDS[:9])}))?"
_BELOW_100 = f"(?:{_TENS_RE}|{_UNIT_RE})"
_WORD_NUMBER = (
    rf"(?:(?:{_BELOW_100}|a)\s+hundred(?:\s+(?:and\s+)?{_BELOW_100})?"
    rf"|(?:{_BELOW_100}|a)\s+thousand|{_BELOW_100})"
)
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:\u2009|\u202f| )\d{3}(?![\d,.])|\d+)"
_NOT_BEFORE_NUMBER = frozenset("0123456789.,/:\u00d7\u00b1^-\u2013")
_GAP = r"(?:[a-z][\w\u2013'-]*,?\s+){0,4}?"
_NOUNS = "|".join(w.lower() for w in STUDY_NOUNS + PARTICIPANT_NOUNS)

# Alternations of words are slow in `re` (a few MB/s), so the scan finds where numbers may
# start with a digit run and with plain string search for the number words that occur as
# whitespace tokens of the text; every other pattern is matched anchored at those points.
# The digit comes first so that the engine skips to digits instead of trying every position;
# the lookbehind then checks the character before it.
_DIGIT_RUN_RE = re.compile(r"\d(?<![\w.,/:\u00d7\u00b1^\-\u2013]\d)[\d,]*(?![.]\d)")
_NUMBER_TOKENS = frozenset(
    [
        *UNIT_WORDS,
        *TENS_WORDS,
        *(f"{t}-{u}" for t in TENS_WORDS for u in UNIT_WORDS[:9]),
        "hundred",
        "thousand",
    ]
)
_NUMBER_TOKENS_OPEN = _NUMBER_TOKENS | {f"({w}" for w in _NUMBER_TOKENS}
_DIGITS_AT_RE = re.compile(rf"{_DIGITS}(?![.,]?\d)")
_WORD_NUMBER_AT_RE = re.compile(rf"{_WORD_NUMBER}\b")
_NOUN_AFTER_RE = re.compile(rf"\s+(?P<gap>{_GAP})(?P<noun>{_NOUNS})\b")
_BARE_AFTER_RE = re.compile(
    r"(?=\s+(?:were|had\s+been)\s+(?:\w+\s+)?(?:randomi[sz]ed|randomly|enrolled|recruited))",
    re.IGNORECASE,
)
_EQ_BEFORE_RE = re.compile(r"(?<![A-Za-z])(?P<nk>[nNkK])\s*=\s*$")
_ARM_WORDS = ("received", "andomi", "assigned", "allocated")
_NUM = rf"(?:{_DIGITS}(?![.,]\d)|{_WORD_NUMBER}\b)"
_STUDY_WORDS = frozenset(w.lower() for w in STUDY_NOUNS)
_AFTER_TOTAL_RE = re.compile(rf"[\s,)]*(?:{'|'.join(TOTAL_AFTER)})\b", re.IGNORECASE)
_EXCLUDED_RE = re.compile(rf"\b(?:{'|'.join(EXCLUDED_CUES)})\b", re.IGNORECASE)
_AFTER_EXCLUDED_RE = re.compile(
    rf"[\s,)]*(?:(?:were|was|are|had\s+been|have\s+been)\s+)?(?:\w+\s+)?(?:{'|'.join(EXCLUDED_CUES)})\b",
    re.IGNORECASE,
)
_STRIP = ".,:;()[]"

# The case-insensitive patterns matched at every candidate number, as twins that match
# the lowercased text (`cue_search.lowered`) case-sensitively, about twice as fast: where
# `cue_search.folds_alike` (ASCII text, or other characters without case) they match
# exactly where the patterns match.
_BARE_AFTER_TWIN = lowercase_twin(_BARE_AFTER_RE)


def _words_before(text: str, start: int, n: int) -> list[str]:
    return [w.strip(_STRIP) for w in text[max(0, start - 30) : start].lower().split()[-n:]]


def _not_a_count(text: str, start: int) -> bool:
    """Whether the number at `start` follows a word or sign that makes it no count."""
    head = text[max(0, start - 3) : start].rstrip()
    if head and head[-1] in "[=<>≤≥±":
        return True
    words = _words_before(text, start, 1)
    return bool(words) and words[-1] in NOT_COUNT_BEFORE


def _total_before(text: str, start: int) -> bool:
    words = _words_before(text, start, 3)
    while words and words[-1] in HEDGES:
        words.pop()
    return bool(words) and words[-1] in TOTAL_BEFORE


_ARM_AT_RE = re.compile(
    rf"(?P<a>{_NUM})\s+(?:\w+\s+){{0,2}}?(?:{'|'.join(ARM_CUES)})"
    rf"[^.;:]{{0,60}}?\b(?:and|or|versus|vs\.?|,)\s+(?:\w+\s+)?(?P<b>{_NUM})"
    rf"(?![.,]?\d)(?!\s*(?:%|mg|µg|mcg|g\b|kg|ml|years?|weeks?|days?|hours?|h\b|min|months?|sessions?|times|doses?))",
    re.IGNORECASE,
)
_BEFORE_YEAR_RE = re.compile(
    r"\b(?:in|since|from|during|between|until|before|after|by|of|to|and)\s+$", re.IGNORECASE
)
_ARM_AT_TWIN = lowercase_twin(_ARM_AT_RE)
_RANDOMISED_TO_RE = re.compile(r"randomi[sz]ed|randomly|assigned|allocated", re.IGNORECASE)
_WORD_SPLIT_RE = re.compile(r"[\s-]+")
_YEAR_LIKE = range(1900, 2100)


@final
class Count(Value):
    """A stated count of studies or participants.

    `start`/`end` index the text passed to `find_counts` and cover the number phrase (the
    number through its noun, or `n = 67`). `role` is how the text frames it: `total`
    (a total, or the number randomised/enrolled/included), `arm` (one group of a trial),
    `excluded` (screened, excluded, ongoing: not the analysed set) or `plain`.
    """

    FIELDS = ("kind", "value", "start", "end", "role")
    __slots__ = FIELDS

    def __init__(
        self, kind: CountKind, value: int, start: int, end: int, role: CountRole = "plain"
    ) -> None:
        self.kind: Final = kind
        self.value: Final = value
        self.start: Final = start
        self.end: Final = end
        self.role: Final = role


def number_value(phrase: str) -> int | None:
    """The integer a number phrase stands for: "2,300" → 2300, "Sixty-four" → 64."""
    if phrase.isdigit():
        return int(phrase)
    s = phrase.strip().lower()
    digits = s.replace(",", "").replace("\u2009", "").replace("\u202f", "").replace(" ", "")
    if digits.isdigit():
        return int(digits)
    words = _WORD_SPLIT_RE.split(s)
    total = 0
    current = 0
    for word in words:
        if word == "and":
            continue
        if word == "a":
            current = 1
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        elif word in _WORD_VALUE:
            current += _WORD_VALUE[word]
        else:
            return None
    return total + current


def _role(text: str, start: int, end: int, gap: str) -> CountRole:
    if (gap and _EXCLUDED_RE.search(gap)) or _AFTER_EXCLUDED_RE.match(text, end):
        return "excluded"
    if _total_before(text, start) or _AFTER_TOTAL_RE.match(text, end):
        return "total"
    return "plain"


def find_counts(text: str) -> list[Count]:
    """Counts of studies and participants stated in `text`, in order of position.

    A digit or number-word ("Sixty-four", "two hundred") counts only when a study or
    participant noun follows it within four modifier words, or as `n = 67` / `k = 5`. Numbers
    in ranges, ratios and decimals, after "aged", "p =", "Table", "in"/"since" (years) or a
    bracket (references), and numbers separated from the noun by a unit or function word are
    not counts. `n =` counts after "randomised/assigned to" in the same text are arms, as are
    pairs such as "30 received ketamine and 32 placebo".
    """
    low = lowered(text)
    return _counts_from(text, low, _number_starts(low))


def _counts_from(text: str, low: str, starts: list[int]) -> list[Count]:
    """`find_counts(text)`, given `lowered(text)` and its `_number_starts`."""
    if not starts:
        return []
    armed = any(word in low for word in _ARM_WORDS)
    folds = folds_alike(text)
    counts: list[Count] = []
    consumed = 0
    for start in starts:
        if start < consumed:
            continue
        if start > 0 and (text[start - 1] in _NOT_BEFORE_NUMBER or text[start - 1].isalnum()):
            continue
        number = (_DIGITS_AT_RE if low[start].isdigit() else _WORD_NUMBER_AT_RE).match(low, start)
        if number is None:
            continue
        consumed = number.end()
        arms = _arm_pair_at(text, low, start, folds) if armed else []
        if arms:
            counts.extend(arms)
            consumed = arms[-1].end
            continue
        count = _count_at(text, low, start, number.end(), folds)
        if count is not None:
            counts.append(count)
            consumed = count.end
    return counts


def _number_starts(low: str) -> list[int]:
    """Offsets in lower-cased text where a digit run or a number word starts, in order."""
    starts = [m.start() for m in _DIGIT_RUN_RE.finditer(low)]
    words = _NUMBER_TOKENS_OPEN.intersection(low.split())
    if words:
        starts.extend(_word_starts(low, words))
        starts.sort()
    return starts


def _word_starts(low: str, words: Iterable[str]) -> list[int]:
    """Offsets where `words` (number tokens of `low`, maybe after "(") occur as whole words."""
    starts: list[int] = []
    for word in words:
        word = word.lstrip("(")
        i = low.find(word)
        while i >= 0:
            end = i + len(word)
            if (i == 0 or not low[i - 1].isalpha()) and (end == len(low) or not low[end].isalpha()):
                starts.append(i)
            i = low.find(word, end)
    return starts


def _count_at(text: str, low: str, start: int, num_end: int, folds: bool) -> Count | None:
    """The count whose number is `text[start:num_end]`, or None if it is not a count;
    `folds` is `cue_search.folds_alike(text)`: whether the twins may read `low`."""
    eq_possible = "=" in text[max(0, start - 8) : start]
    if not eq_possible and (num_end == len(text) or not text[num_end].isspace()):
        return None
    value = number_value(text[start:num_end])
    if not value:
        return None
    kind: CountKind
    role: CountRole
    eq = eq_possible and _EQ_BEFORE_RE.search(text, max(0, start - 8), start)
    if eq:
        after = _noun_after(low, num_end)
        end = after.end() if after else num_end
        noun = after.group("noun").lower() if after else ""
        studies = eq.group("nk") in "kK" or noun in _STUDY_WORDS
        kind = "studies" if studies else "participants"
        arm = _RANDOMISED_TO_RE.search(text, 0, eq.start())
        role = "arm" if arm else _role(text, eq.start(), end, "")
        return Count(kind, value, eq.start(), end, role)
    after = _noun_after(low, num_end)
    bare = after is None and (
        _BARE_AFTER_TWIN.match(low, num_end)
        if _BARE_AFTER_TWIN is not None and folds
        else _BARE_AFTER_RE.match(text, num_end)
    )
    if not (after or bare) or _not_a_count(text, start):
        return None
    if (
        value in _YEAR_LIKE
        and text[start:num_end].isdigit()
        and _BEFORE_YEAR_RE.search(text, max(0, start - 10), start)
    ):
        return None
    if after:
        end = after.end()
        kind = "studies" if after.group("noun").lower() in _STUDY_WORDS else "participants"
        return Count(kind, value, start, end, _role(text, start, end, after.group("gap")))
    return Count("participants", value, start, num_end, "total")


def _noun_after(low: str, end: int) -> re.Match[str] | None:
    """The study or participant noun after the number ending at `end`, if no blocker is between."""
    after = _NOUN_AFTER_RE.match(low, end)
    if after is None or not after.group("gap"):
        return after
    gap = after.group("gap").replace(",", " ").split()
    return None if GAP_BLOCKERS.intersection(gap) else after


def _arm_pair_at(text: str, low: str, start: int, folds: bool) -> list[Count]:
    """The two arm sizes of a pair starting at `start` ("30 received X and 32 Y"), or [];
    `low` is `lowered(text)` (a number's value does not depend on its case), read when
    `folds` (as in `_count_at`)."""
    m = (
        _ARM_AT_TWIN.match(low, start)
        if _ARM_AT_TWIN is not None and folds
        else _ARM_AT_RE.match(text, start)
    )
    if m is None or _not_a_count(text, start):
        return []
    out: list[Count] = []
    for name in ("a", "b"):
        value = number_value(m.group(name))
        if not value:
            return []
        out.append(Count("participants", value, *m.span(name), role="arm"))
    return out


def _sentence_starts(lows: Sequence[str]) -> list[list[int]]:
    """`_number_starts` of each of `lows`, found in one scan of them joined by newlines.

    A newline reads as a text's end to `_DIGIT_RUN_RE` (which cannot take one in), and
    whitespace tokens of the joined text are those of the texts, so one scan finds the digit
    runs and whether any number word is a token at all, for a fraction of the cost of one
    scan per sentence (issue 3, speed).
    """
    joined = "\n" + "\n".join(lows) + "\n"
    offsets = list(accumulate((len(low) + 1 for low in lows), initial=1))
    starts: list[list[int]] = [[] for _ in lows]
    k = 0
    for m in _DIGIT_RUN_RE.finditer(joined):
        at = m.start()
        while offsets[k + 1] <= at:
            k += 1
        starts[k].append(at - offsets[k])
    present = _NUMBER_TOKENS_OPEN.intersection(joined.split())
    if present:
        for k, words in _tokens_by_text(joined, offsets, present).items():
            starts[k].extend(_word_starts(lows[k], words))
            starts[k].sort()
    return starts


def _tokens_by_text(
    joined: str, offsets: Sequence[int], tokens: Iterable[str]
) -> dict[int, set[str]]:
    """Which of `tokens` (whitespace tokens of `joined`) each joined text holds as a token.

    `joined` and `offsets` are those of `_sentence_starts`. A token of a text is one of the
    joined text between whitespace (the newlines between texts are whitespace too), so
    finding each token's occurrences between whitespace in the joined text and placing
    them by offset gives `tokens.intersection(text.split())` of every text without
    splitting each one.
    """
    found: dict[int, set[str]] = {}
    for token in tokens:
        at = joined.find(token)
        while at >= 0:
            end = at + len(token)
            # `joined` opens and closes with a newline, which no token holds.
            if joined[at - 1].isspace() and joined[end].isspace():
                found.setdefault(bisect_right(offsets, at) - 1, set()).add(token)
            at = joined.find(token, at + 1)
    return found


def sentence_counts(texts: Sequence[str]) -> list[list[Count]]:
    """`find_counts` of each of `texts` (a record's sentences), their numbers found in one
    scan of them all (`_sentence_starts`)."""
    lows = [lowered(text) for text in texts]
    return [
        _counts_from(text, low, starts) if starts else []
        for text, low, starts in zip(texts, lows, _sentence_starts(lows), strict=True)
    ]
