"""The design of a record (claims.Design): publication types first, then cues in the text.

MEDLINE publication types are curated by indexers, so when a record has one that names a
design it decides (with one exception: "Review" is narrative unless the text describes a
systematic search, because indexers tag many systematic reviews only as "Review"). Without
them the text decides by weighted cue counting, the approach of rule-based design
classifiers such as RobotReviewer's RCT filter keyword baseline (Marshall et al. 2018,
doi:10.1002/jrsm.1287) and of Kilicoglu et al. (2009, doi:10.1197/jamia.M2996), whose
study-design features are phrases like "randomly assigned" and "cohort":

- every cue is a phrase in `vocab/designs.yaml` with a weight; a sentence counts once per
  cue group, and a title sentence counts `TITLE_WEIGHT` times (a title names the study's
  own design; a passing mention in the background names someone else's);
- self-describing phrases ("randomized, double-blind, placebo-controlled trial",
  "randomly assigned") weigh more than plural mentions ("randomised controlled trials are
  needed"), so a review that talks about trials stays a review;
- review-level language ("67 trials involving 2,300 adults", "insufficient evidence",
  "included studies") speaks for a systematic review, which is how a news story takes
  the design of the review it reports and a Cochrane conclusions paragraph is read;
- a systematic review that shows pooling (a meta-analysis, risk ratios with confidence
  intervals, heterogeneity) becomes `systematic_review_meta_analysis`;
- no cue at all gives `Design.OTHER` (a feature story, a page about something else).

Chinese text (issue 3, item 9) has its own cue groups in `vocab/designs_zh.yaml`, with the
same designs and weights, matched without word boundaries (Chinese sets no spaces between
words) and only in sentences that hold Chinese characters, so English text never pays
for them; a sentence counts once per design and weight, whichever language found it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from typing import Any

from evimap.claims import Design
from evimap.extract.cue_trie import CueTrie, alternation, cue_trie
from evimap.extract.direction_cues import IdeographicScan, ideographic_scan
from evimap.extract.pipeline import Findings, Sentence, Step
from evimap.extract.skeleton import beyond_ascii
from evimap.extract.vocab import HAN, read_vocab_file
from evimap.records import Record

TITLE_WEIGHT = 3
"""How many sentences' worth a cue in a title counts: titles state the record's own design."""

_SYSTEMATIC = (Design.SYSTEMATIC_REVIEW, Design.SYSTEMATIC_REVIEW_META_ANALYSIS)
_STRONG_WEIGHT = 5


@dataclass(frozen=True, slots=True)
class CueGroup:
    """Cue phrases for one design with one weight, as written in `designs.yaml`."""

    design: Design
    weight: int
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DesignRules:
    """The loaded `designs.yaml`, with the cue groups compiled into one alternation.

    `cues` is that alternation, case-insensitive; `scan` finds the same matches faster.
    `order` is each design's first cue group: a tie in scores goes to the earlier design.
    """

    publication_types: tuple[tuple[str, Design], ...]
    kinds: dict[str, Design]
    journals: tuple[tuple[re.Pattern[str], Design], ...]
    groups: tuple[CueGroup, ...]
    cues: re.Pattern[str]
    pooling: re.Pattern[str]
    scan: CueTrie | None = None
    order: dict[Design, int] = field(default_factory=dict)
    no_pooling: re.Pattern[str] | None = None
    ideographic: IdeographicDesignRules | None = None


@dataclass(frozen=True, slots=True)
class IdeographicDesignRules:
    """The loaded `designs_zh.yaml`: cue groups, their scan (`cues`, group `g<index>` for
    `groups[index]`, no word boundaries, on lower-cased text) and the Chinese signs of
    pooling and of its absence."""

    groups: tuple[CueGroup, ...]
    cues: IdeographicScan
    pooling: re.Pattern[str]
    no_pooling: re.Pattern[str]


def _has_ideographs(text: str) -> bool:
    return HAN.search(beyond_ascii(text)) is not None


def _cue_groups(raw: dict[str, Any]) -> tuple[CueGroup, ...]:
    return tuple(
        CueGroup(Design(g["design"]), int(g["weight"]), tuple(g["patterns"])) for g in raw["cues"]
    )


def ideographic_design_rules(raw: dict[str, Any]) -> IdeographicDesignRules:
    """Compile the parsed `designs_zh.yaml` `raw`; ValueError names a bad cue."""
    groups = _cue_groups(raw)
    try:
        return IdeographicDesignRules(
            groups,
            ideographic_scan(
                [(f"g{i}", g.patterns) for i, g in enumerate(groups)], "vocab/designs_zh.yaml"
            ),
            re.compile(alternation(raw["pooling"])),
            re.compile(alternation(raw["no_pooling"])),
        )
    except (KeyError, re.error) as error:
        raise ValueError(f"vocab/designs_zh.yaml does not compile: {error!r}") from error


@cache
def design_rules() -> DesignRules:
    """The design rules, read from `vocab/designs.yaml` and `vocab/designs_zh.yaml` once per
    process."""
    raw: dict[str, Any] = read_vocab_file("designs.yaml")
    groups = _cue_groups(raw)
    # One named group per cue group: a single scan of the text finds every cue (issue 3,
    # item 12: one compiled alternation, not a loop of regexes). Every group is
    # `\b(?:...)\b`, so the leading `\b` is factored out of the alternation (the same
    # matches) and a word character must follow it (every cue starts with one): inside a
    # word the scan then fails on one test instead of one per group (issue 3, speed).
    combined = (
        r"\b(?=\w)(?:"
        + "|".join(rf"(?P<g{i}>(?:{alternation(g.patterns)})\b)" for i, g in enumerate(groups))
        + ")"
    )
    # Case-insensitive matching is slow, so the fast scan runs case-sensitively over folded
    # text, which finds the same spans provided no pattern has an uppercase letter (which
    # would also be an escape such as `\D`, whose meaning folding changes) and every
    # pattern is ASCII; otherwise there is no fast scan.
    foldable = all(p == p.lower() and p.isascii() for g in groups for p in g.patterns)
    return DesignRules(
        publication_types=tuple(
            (p["type"].casefold(), Design(p["design"])) for p in raw["publication_types"]
        ),
        kinds={kind: Design(d) for kind, d in raw["kinds"].items()},
        journals=tuple(
            (re.compile(j["pattern"], re.IGNORECASE), Design(j["design"])) for j in raw["journals"]
        ),
        groups=groups,
        cues=re.compile(combined, re.IGNORECASE | re.MULTILINE),
        pooling=re.compile(rf"\b(?:{alternation(raw['pooling'])})\b", re.IGNORECASE),
        scan=_cue_scan(groups) if foldable else None,
        order={g.design: i for i, g in reversed(list(enumerate(groups)))},
        no_pooling=re.compile(rf"\b(?:{alternation(raw['no_pooling'])})\b", re.IGNORECASE),
        ideographic=ideographic_design_rules(read_vocab_file("designs_zh.yaml")),
    )


_FOLD_EXTRA = str.maketrans({"\u0131": "i", "\u017f": "s"})
"""What `str.lower` misses of `re.IGNORECASE`: dotless i and long s equal ASCII letters.

With them, the folded text has an ASCII letter exactly where the case-insensitive pattern
sees one (a test checks every code point; İ, which lowercases to two characters, is why
`_folded` can give None)."""


def _folded(text: str) -> str | None:
    """`text` lower-cased so that case-sensitive cues match where case-insensitive ones do.

    None when that would move offsets (a character that lowercases to two).
    """
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text):
        return None
    if "\u0131" in low or "\u017f" in low:
        return low.translate(_FOLD_EXTRA)
    return low


def _cue_matches(rules: DesignRules, texts: Sequence[str]) -> Iterator[tuple[int, int, int, int]]:
    """`(text index, cue group index, start, end)` of each match of `rules.cues` in `texts`.

    With a `CueTrie`, the texts are scanned as one, joined by newlines: no cue can match a
    newline, and a newline reads as a text's end to every construct a cue may use (`\\b`,
    `$` under MULTILINE, lookaheads; `cue_trie` refuses others), so the matches are those
    of scanning each text alone.
    """
    scan = rules.scan
    joined = _folded("\n" + "\n".join(texts)) if scan is not None else None
    if scan is None or joined is None:
        for k, text in enumerate(texts):
            for m in rules.cues.finditer(text):
                if m.lastgroup is not None:
                    yield k, int(m.lastgroup[1:]), m.start(), m.end()
        return
    offsets: list[int] = []
    k = 0
    for hit in scan.matches(joined):
        start, end = hit.start() + 1, hit.end()
        index = scan.group_at(joined, start)
        if not offsets:
            offsets = list(accumulate((len(text) + 1 for text in texts), initial=1))
        while offsets[k + 1] <= start:
            k += 1
        yield k, index, start - offsets[k], end - offsets[k]


def _ideographic_matches(
    rules: DesignRules, texts: Sequence[str]
) -> Iterator[tuple[int, CueGroup, int, int]]:
    """`(text index, cue group, start, end)` of the Chinese cues in `texts` that hold
    Chinese characters."""
    zh = rules.ideographic
    if zh is None:
        return
    for k, text in enumerate(texts):
        if _has_ideographs(text):
            for name, start, end in zh.cues.hits(text.lower()):
                yield k, zh.groups[int(name[1:])], start, end


def _all_matches(
    rules: DesignRules, texts: Sequence[str]
) -> Iterator[tuple[int, CueGroup, int, int]]:
    """`(text index, cue group, start, end)` of the English cues, then the Chinese ones."""
    for k, index, start, end in _cue_matches(rules, texts):
        yield k, rules.groups[index], start, end
    yield from _ideographic_matches(rules, texts)


def find_design_cues(text: str) -> list[tuple[Design, int, int]]:
    """Every design cue in `text` as `(design, start, end)`, in text order."""
    found = [
        (group.design, start, end) for _, group, start, end in _all_matches(design_rules(), [text])
    ]
    return sorted(found, key=lambda cue: cue[1])


def design_scores(sentences: Sequence[Sentence]) -> dict[Design, int]:
    """Weighted cue counts per design over `sentences` (one count per design and weight
    per sentence: a cue group, or the same group in Chinese)."""
    rules = design_rules()
    scores: dict[Design, int] = defaultdict(int)
    seen: set[tuple[int, Design, int]] = set()
    for k, group, _, _ in _all_matches(rules, [s.text for s in sentences]):
        key = (k, group.design, group.weight)
        if key in seen:
            continue
        seen.add(key)
        sentence = sentences[k]
        factor = TITLE_WEIGHT if sentence.field.startswith("title") else 1
        scores[_unless_not_pooled(group.design, sentence.text, rules)] += group.weight * factor
    return dict(scores)


def design_of(record: Record, sentences: Sequence[Sentence]) -> Design:
    """The design of `record` itself, from publication types, journal, text and kind."""
    rules = design_rules()
    scores = design_scores(sentences)
    typed = _design_from_publication_types(record, rules)
    if typed is not None and typed is not Design.NARRATIVE_REVIEW:
        return typed
    if typed is Design.NARRATIVE_REVIEW and not _has_systematic_cue(scores):
        return typed
    journal = record.journal.title if record.journal and record.journal.title else ""
    for pattern, design in rules.journals:
        if pattern.search(journal):
            return _with_pooling(design, sentences, rules)
    if scores:
        best = max(scores, key=lambda d: (scores[d], -rules.order[d]))
        return _with_pooling(best, sentences, rules)
    if record.kind in rules.kinds:
        return rules.kinds[record.kind]
    return typed or Design.OTHER


def _design_from_publication_types(record: Record, rules: DesignRules) -> Design | None:
    types = {t.casefold() for t in record.publication_types}
    for name, design in rules.publication_types:
        if name in types:
            return design
    return None


def _has_systematic_cue(scores: dict[Design, int]) -> bool:
    return any(scores.get(d, 0) >= _STRONG_WEIGHT for d in _SYSTEMATIC)


def _not_pooled(text: str, rules: DesignRules) -> bool:
    """Whether `text` says the results were not pooled ("a meta-analysis was not possible")."""
    if rules.no_pooling is not None and rules.no_pooling.search(text) is not None:
        return True
    zh = rules.ideographic
    return (
        zh is not None and _has_ideographs(text) and zh.no_pooling.search(text.lower()) is not None
    )


def _pooled(text: str, rules: DesignRules) -> bool:
    """Whether `text` shows pooling ("pooled", "heterogeneity", "异质性")."""
    if rules.pooling.search(text):
        return True
    zh = rules.ideographic
    return zh is not None and _has_ideographs(text) and zh.pooling.search(text.lower()) is not None


def _unless_not_pooled(design: Design, text: str, rules: DesignRules) -> Design:
    """A meta-analysis cue in a sentence that denies pooling speaks for a plain review."""
    if design is Design.SYSTEMATIC_REVIEW_META_ANALYSIS and _not_pooled(text, rules):
        return Design.SYSTEMATIC_REVIEW
    return design


def _with_pooling(design: Design, sentences: Sequence[Sentence], rules: DesignRules) -> Design:
    if design is Design.SYSTEMATIC_REVIEW and any(
        _pooled(s.text, rules) and not _not_pooled(s.text, rules) for s in sentences
    ):
        return Design.SYSTEMATIC_REVIEW_META_ANALYSIS
    return design


def _cue_scan(groups: Sequence[CueGroup]) -> CueTrie:
    """The `CueTrie` of `groups`; ValueError for a cue the trie cannot be built for.

    The cue groups as one alternation are `\\b(?=\\w)(?:(?P<g0>(?:…)\\b)|…)` (`design_rules`):
    texts are joined by newlines for the scan, so no cue may match one.
    """
    try:
        return cue_trie(
            [group.patterns for group in groups], tail=r"\b", flags=re.MULTILINE, newline_free=True
        )
    except ValueError as error:
        raise ValueError(f"design {error}") from None


def _design_step(record: Record, found: Findings) -> dict[str, Any]:
    return {"design": design_of(record, found["sentences"])}


DESIGN = Step("design", 1, _design_step, needs=("sentences",), gives=("design",))
"""Gives `design`, one `claims.Design` for the whole record."""
