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
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from evimap.claims import Design
from evimap.extract.pipeline import Findings, Sentence, Step
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
    """The loaded `designs.yaml`, with the cue groups compiled into one alternation."""

    publication_types: tuple[tuple[str, Design], ...]
    kinds: dict[str, Design]
    journals: tuple[tuple[re.Pattern[str], Design], ...]
    groups: tuple[CueGroup, ...]
    cues: re.Pattern[str]
    pooling: re.Pattern[str]
    ascii_cues: re.Pattern[str] | None = None
    no_pooling: re.Pattern[str] | None = None


def _alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@cache
def design_rules() -> DesignRules:
    """The design rules, read from `vocab/designs.yaml` once per process."""
    text = resources.files("evimap.extract").joinpath("vocab/designs.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    groups = tuple(
        CueGroup(Design(g["design"]), int(g["weight"]), tuple(g["patterns"])) for g in raw["cues"]
    )
    # One named group per cue group: a single scan of the text finds every cue (issue 3,
    # item 12: one compiled alternation, not a loop of regexes). Every group is
    # `\b(?:...)\b`, so the leading `\b` is factored out of the alternation (the same
    # matches) and a word character must follow it (every cue starts with one): inside a
    # word the scan then fails on one test instead of one per group (issue 3, speed).
    combined = (
        r"\b(?=\w)(?:"
        + "|".join(rf"(?P<g{i}>(?:{_alternation(g.patterns)})\b)" for i, g in enumerate(groups))
        + ")"
    )
    # Case-insensitive matching is the slow part of the scan. On ASCII text, lowercasing the
    # text and matching case-sensitively finds exactly the same spans, provided no pattern
    # has an uppercase letter (which would also be an escape such as `\D`, whose meaning
    # lowercasing changes); otherwise there is no fast pattern.
    lowercase = all(p == p.lower() for g in groups for p in g.patterns)
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
        pooling=re.compile(rf"\b(?:{_alternation(raw['pooling'])})\b", re.IGNORECASE),
        ascii_cues=re.compile(combined, re.MULTILINE) if lowercase else None,
        no_pooling=re.compile(rf"\b(?:{_alternation(raw['no_pooling'])})\b", re.IGNORECASE),
    )


def _cue_matches(rules: DesignRules, text: str) -> Iterator[re.Match[str]]:
    """`rules.cues.finditer(text)`, through the case-sensitive pattern when that is exact.

    The matches index `text` either way (lowercasing ASCII keeps every offset).
    """
    if rules.ascii_cues is not None and text.isascii():
        return rules.ascii_cues.finditer(text.lower())
    return rules.cues.finditer(text)


def find_design_cues(text: str) -> list[tuple[Design, int, int]]:
    """Every design cue in `text` as `(design, start, end)`, in text order."""
    rules = design_rules()
    return [
        (rules.groups[int(m.lastgroup[1:])].design, m.start(), m.end())
        for m in _cue_matches(rules, text)
        if m.lastgroup is not None
    ]


def design_scores(sentences: Sequence[Sentence]) -> dict[Design, int]:
    """Weighted cue counts per design over `sentences` (one count per cue group per sentence)."""
    rules = design_rules()
    scores: dict[Design, int] = defaultdict(int)
    for sentence in sentences:
        seen: set[int] = set()
        for m in _cue_matches(rules, sentence.text):
            if m.lastgroup is None:
                continue
            index = int(m.lastgroup[1:])
            if index in seen:
                continue
            seen.add(index)
            group = rules.groups[index]
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
        order = {g.design: i for i, g in reversed(list(enumerate(rules.groups)))}
        best = max(scores, key=lambda d: (scores[d], -order[d]))
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
    return rules.no_pooling is not None and rules.no_pooling.search(text) is not None


def _unless_not_pooled(design: Design, text: str, rules: DesignRules) -> Design:
    """A meta-analysis cue in a sentence that denies pooling speaks for a plain review."""
    if design is Design.SYSTEMATIC_REVIEW_META_ANALYSIS and _not_pooled(text, rules):
        return Design.SYSTEMATIC_REVIEW
    return design


def _with_pooling(design: Design, sentences: Sequence[Sentence], rules: DesignRules) -> Design:
    if design is Design.SYSTEMATIC_REVIEW and any(
        rules.pooling.search(s.text) and not _not_pooled(s.text, rules) for s in sentences
    ):
        return Design.SYSTEMATIC_REVIEW_META_ANALYSIS
    return design


def _design_step(record: Record, found: Findings) -> dict[str, Any]:
    return {"design": design_of(record, found["sentences"])}


DESIGN = Step("design", 1, _design_step, needs=("sentences",), gives=("design",))
"""Gives `design`, one `claims.Design` for the whole record."""
