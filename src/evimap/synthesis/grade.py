"""The roll-up rules: from the claims about one intervention in one condition to a verdict.

Each rule is a small pure function over findings (a claim with the record it comes from),
documented here and on the `/method` page (`docs/method.md`), and each returns, beside its
value, a `Reason`: the rule's name and the words that say why, which the cell page shows.
Nothing here grades evidence the way a GRADE panel does: the certainty shown is always one
a source states in words, or "not stated" with the evidence base spelled out.

The rules, in the order `graded` applies them:

1. `design_tier`: evidence is ranked by design (systematic review with meta-analysis >
   systematic review > RCT > non-randomized trial > observational > case reports >
   preclinical, narrative reviews, guidelines and commentaries), then by recency, then by
   size (`ranked`); a narrative review or guideline that states high or moderate
   certainty counts as a systematic review (`evidence_tier`).
2. `record_stances`: a record speaks once per cell, through the claim that states a
   certainty, else its last claim (abstracts end with their conclusion).
3. `verdict`: the direction of the best tier; when that tier disagrees, the newest review
   decides among reviews, and primary studies that disagree make the verdict `mixed`.
4. `tier_agreement`: whether lower tiers say the same, and which do not (`conflicts`).
5. `certainty_shown`: the certainty the best source (of the best tier, agreeing with the
   verdict) states, as stated; otherwise "not stated" and `evidence_base`.
6. `evidence_counts`: records, studies and participants, without summing overlapping reviews.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from evimap.claims import CERTAINTY_ORDER, Certainty, Claim, Design, Direction


class Graded(Protocol):
    """What the rules read from a claim: its own fields and its record's id and date.

    `position` orders the claims of one record (the extractor's order); `published` is the
    record's ISO date, as precise as known.
    """

    @property
    def record_id(self) -> str: ...
    @property
    def published(self) -> str | None: ...
    @property
    def position(self) -> int: ...
    @property
    def design(self) -> Design: ...
    @property
    def direction(self) -> Direction: ...
    @property
    def certainty(self) -> Certainty | None: ...
    @property
    def certainty_upper(self) -> Certainty | None: ...
    @property
    def n_studies(self) -> int | None: ...
    @property
    def n_participants(self) -> int | None: ...


F = TypeVar("F", bound=Graded)


@dataclass(frozen=True, slots=True)
class Finding:
    """A claim with the record it comes from: the plainest `Graded`."""

    record_id: str
    claim: Claim
    published: str | None = None
    position: int = 0

    @property
    def design(self) -> Design:
        return self.claim.design

    @property
    def direction(self) -> Direction:
        return self.claim.direction

    @property
    def certainty(self) -> Certainty | None:
        return self.claim.certainty

    @property
    def certainty_upper(self) -> Certainty | None:
        return self.claim.certainty_upper

    @property
    def n_studies(self) -> int | None:
        return self.claim.n_studies

    @property
    def n_participants(self) -> int | None:
        return self.claim.n_participants


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a cell shows what it shows: the rule applied (`rule`) and the words for a reader."""

    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class Tier:
    """A rank of evidence: 1 is best. `name` is plural, for sentences ("2 RCTs")."""

    rank: int
    name: str
    designs: tuple[Design, ...]


TIERS = (
    Tier(1, "systematic reviews with meta-analysis", (Design.SYSTEMATIC_REVIEW_META_ANALYSIS,)),
    Tier(2, "systematic reviews", (Design.SYSTEMATIC_REVIEW,)),
    Tier(3, "randomized controlled trials", (Design.RCT,)),
    Tier(4, "non-randomized trials", (Design.NON_RANDOMIZED_TRIAL,)),
    Tier(5, "observational studies", (Design.COHORT, Design.CASE_CONTROL, Design.CROSS_SECTIONAL)),
    Tier(6, "case reports and series", (Design.CASE_SERIES_REPORT,)),
    Tier(
        7,
        "preclinical studies, narrative reviews, guidelines and commentaries",
        (
            Design.PRECLINICAL,
            Design.NARRATIVE_REVIEW,
            Design.GUIDELINE,
            Design.COMMENTARY,
            Design.PROTOCOL,
            Design.OTHER,
        ),
    ),
)
"""The evidence hierarchy, best first (the order of the Oxford CEBM levels and of GRADE's
starting points: randomized evidence above observational, pooled above single studies).
Guidelines sit with narrative reviews because a record's design alone cannot tell a
GRADE-based guideline from a consensus statement; a guideline's own certainty statement is
still shown when it is the best source."""

REVIEW_TIERS = frozenset({1, 2})
"""Tiers whose records summarise other studies: a newer one includes the older evidence."""

PRIMARY_DESIGNS = frozenset(
    {
        Design.RCT,
        Design.NON_RANDOMIZED_TRIAL,
        Design.COHORT,
        Design.CASE_CONTROL,
        Design.CROSS_SECTIONAL,
        Design.CASE_SERIES_REPORT,
    }
)
"""Designs that are one study each, whose participants can be added up."""

_TIER_OF = {design: tier for tier in TIERS for design in tier.designs}

DESIGN_NAMES: dict[Design, tuple[str, str]] = {
    Design.SYSTEMATIC_REVIEW_META_ANALYSIS: (
        "systematic review with meta-analysis",
        "systematic reviews with meta-analysis",
    ),
    Design.SYSTEMATIC_REVIEW: ("systematic review", "systematic reviews"),
    Design.RCT: ("RCT", "RCTs"),
    Design.NON_RANDOMIZED_TRIAL: ("non-randomized trial", "non-randomized trials"),
    Design.COHORT: ("cohort study", "cohort studies"),
    Design.CASE_CONTROL: ("case-control study", "case-control studies"),
    Design.CROSS_SECTIONAL: ("cross-sectional study", "cross-sectional studies"),
    Design.CASE_SERIES_REPORT: ("case report or series", "case reports or series"),
    Design.NARRATIVE_REVIEW: ("narrative review", "narrative reviews"),
    Design.PRECLINICAL: ("preclinical study", "preclinical studies"),
    Design.GUIDELINE: ("guideline", "guidelines"),
    Design.PROTOCOL: ("protocol", "protocols"),
    Design.COMMENTARY: ("commentary", "commentaries"),
    Design.OTHER: ("other record", "other records"),
}
"""How a design is named in sentences: (singular, plural)."""

_DATE_DIGITS = re.compile(r"\d+")


def design_tier(design: Design) -> Tier:
    """The tier of a design in the evidence hierarchy (`TIERS`)."""
    return _TIER_OF[design]


ASSURED = frozenset({Certainty.HIGH, Certainty.MODERATE})
"""Certainties that judge a body of evidence as strong (GRADE's high and moderate)."""
SUMMARIES = frozenset({Design.NARRATIVE_REVIEW, Design.GUIDELINE})
"""Designs below the systematic reviews that still speak for a body of evidence."""


def evidence_tier(finding: Graded) -> Tier:
    """The tier a finding counts in: its design's, or the systematic reviews' for a
    narrative review or guideline that states high or moderate certainty in words.

    Such a statement judges a body of evidence ("a series of randomized trials have
    provided a high level of evidence"), which one trial cannot outweigh. A single
    study's own certainty statement speaks for that study only and lifts nothing.
    """
    if finding.design in SUMMARIES and finding.certainty in ASSURED:
        return TIERS[1]
    return design_tier(finding.design)


def design_name(design: Design, count: int = 1) -> str:
    """The design as words, singular for a count of 1 ("1 RCT", "2 cohort studies")."""
    singular, plural = DESIGN_NAMES[design]
    return singular if count == 1 else plural


def certainty_words(certainty: Certainty | None, upper: Certainty | None = None) -> str:
    """A stated certainty as words, a range upper first ("low to very low"), or "not stated"."""
    if certainty is None:
        return "not stated"
    lower = certainty.value.replace("_", " ")
    return f"{upper.value.replace('_', ' ')} to {lower}" if upper else lower


def ranked(findings: Iterable[F]) -> list[F]:
    """The findings best first: by tier, then newest (by published date), then largest.

    Size is participants, then studies; a finding that states neither, or no date, comes
    after those that do. The record id breaks remaining ties, so the order is stable.
    """
    return sorted(
        findings,
        key=lambda f: (
            evidence_tier(f).rank,
            -_date_number(f.published),
            -(f.n_participants or 0),
            -(f.n_studies or 0),
            f.record_id,
            f.position,
        ),
    )


def _date_number(published: str | None) -> int:
    """An ISO date as a sortable number (2018-11 -> 20181100); 0 when unknown."""
    parts = _DATE_DIGITS.findall(published or "")[:3]
    if not parts or len(parts[0]) != 4:
        return 0
    year, month, day = (int(p) for p in [*parts, "0", "0"][:3])
    return year * 10_000 + month * 100 + day


def record_stances(findings: Iterable[F]) -> list[F]:
    """One finding per record, best first (`ranked`): the claim the record speaks through.

    A record may hold several claims about the same cell (a result sentence and a
    conclusion). It counts once: through its claim that states a certainty, else its last
    claim in the extractor's order, since an abstract ends with its conclusion.
    """
    chosen: dict[str, F] = {}
    for finding in findings:
        current = chosen.get(finding.record_id)
        if current is None or _stance_key(finding) >= _stance_key(current):
            chosen[finding.record_id] = finding
    return ranked(chosen.values())


def _stance_key(finding: Graded) -> tuple[bool, int]:
    return finding.certainty is not None, finding.position


def best_tier(stances: Sequence[Graded]) -> Tier:
    """The best tier any of these findings reaches; `stances` must not be empty."""
    return min((evidence_tier(s) for s in stances), key=lambda t: t.rank)


def verdict(stances: Sequence[F]) -> tuple[Direction, Reason]:
    """The direction the best evidence supports, and why (`stances` from `record_stances`).

    Rule `best_tier`: the records of the best tier agree, and their direction is the
    verdict. Rule `newest_review`: reviews of the best tier disagree; the most recent
    (then the largest) decides, because a later review includes the evidence of earlier
    ones. Rule `best_tier_disagrees`: primary studies (or narrative sources) of the best
    tier disagree; the verdict is `mixed`, since no one of them outweighs the others.
    """
    if not stances:
        raise ValueError("a verdict needs at least one finding")
    tier = best_tier(stances)
    top = [s for s in stances if evidence_tier(s) == tier]
    directions = Counter(s.direction for s in top)
    base = _counted_designs(top)
    if len(directions) == 1:
        direction = top[0].direction
        says = "it says" if len(top) == 1 else "all say"
        return direction, Reason(
            "best_tier", f"The best evidence is {base}; {says} {_direction_words(direction)}."
        )
    split = _direction_counts(directions)
    if tier.rank in REVIEW_TIERS:
        newest = ranked(top)[0]
        when = f" ({newest.published})" if newest.published else ""
        return newest.direction, Reason(
            "newest_review",
            f"The best evidence, {base}, disagrees ({split}); the most recent review{when} "
            f"decides, as a later review includes the earlier evidence: "
            f"{_direction_words(newest.direction)}.",
        )
    return Direction.MIXED, Reason(
        "best_tier_disagrees",
        f"The best evidence, {base}, disagrees ({split}), so the verdict is mixed.",
    )


def conflicts(stances: Sequence[F], direction: Direction) -> list[F]:
    """The records' findings that disagree with the verdict, best first.

    When the verdict is `mixed` because the best tier disagrees, every finding is a
    conflict: each contradicts another.
    """
    return [s for s in stances if s.direction != direction]


def tier_agreement(stances: Sequence[Graded], direction: Direction) -> tuple[bool, Reason]:
    """Whether the tiers below the best disagree with the verdict, and which do.

    Rule `lower_tiers_disagree` names each lower tier with a finding of another direction
    ("2 narrative reviews say benefit"); rule `lower_tiers_agree` says none does, and
    `single_tier` that all the evidence is of one tier.
    """
    if not stances:
        raise ValueError("tier agreement needs at least one finding")
    tier = best_tier(stances)
    lower = [s for s in stances if evidence_tier(s) != tier]
    if not lower:
        return False, Reason("single_tier", f"All the evidence is {tier.name}.")
    differing = [s for s in lower if s.direction != direction]
    if not differing:
        return False, Reason(
            "lower_tiers_agree",
            f"Lower tiers ({_counted_designs(lower)}) agree with the best evidence.",
        )
    groups = Counter((s.design, s.direction) for s in differing)
    parts = [
        f"{n} {design_name(design, n)} {'says' if n == 1 else 'say'} {_direction_words(d)}"
        for (design, d), n in sorted(
            groups.items(), key=lambda g: (design_tier(g[0][0]).rank, g[0][0], g[0][1])
        )
    ]
    return True, Reason("lower_tiers_disagree", "Lower tiers disagree: " + "; ".join(parts) + ".")


@dataclass(frozen=True, slots=True)
class CertaintyShown:
    """The certainty a cell shows: stated by a source (`certainty`, `upper`) or not stated.

    `text` is what a reader sees: "low to very low", or "not stated: 3 RCTs, 412
    participants". `source` is the record id of the stating source (None when not stated).
    """

    certainty: Certainty | None
    upper: Certainty | None
    text: str
    source: str | None
    reason: Reason


def certainty_shown(stances: Sequence[Graded], direction: Direction) -> CertaintyShown:
    """The certainty the best source states, or "not stated" with the evidence base.

    Rule `stated_by_best_source`: among the best tier's findings that agree with the verdict
    (all of the best tier when the verdict is `mixed`), best first, the first that states a
    certainty gives it, range included, as written. Rule `not_stated`: none does; the cell
    then says "not stated" and spells out its evidence base (`evidence_base`). A certainty
    is never derived from the design, never taken from a lower tier, never invented.
    """
    if not stances:
        raise ValueError("certainty needs at least one finding")
    tier = best_tier(stances)
    top = [s for s in stances if evidence_tier(s) == tier]
    candidates = [s for s in top if s.direction == direction] or top
    for source in candidates:
        if source.certainty is not None:
            words = certainty_words(source.certainty, source.certainty_upper)
            name = design_name(source.design)
            when = f", {source.published}" if source.published else ""
            return CertaintyShown(
                source.certainty,
                source.certainty_upper,
                words,
                source.record_id,
                Reason(
                    "stated_by_best_source",
                    f"Certainty {words}, as stated by the best source ({name}{when}).",
                ),
            )
    base = evidence_base(stances)
    return CertaintyShown(
        None,
        None,
        f"not stated: {base}",
        None,
        Reason(
            "not_stated",
            f"No source of the best tier states a certainty of evidence; evimap does not "
            f"grade evidence itself. The evidence base: {base}.",
        ),
    )


def evidence_base(stances: Sequence[Graded]) -> str:
    """The evidence as words, best design first: "1 systematic review with meta-analysis
    (67 studies, 2,300 participants); 3 RCTs, 412 participants".

    Reviews give the studies and participants they state (the largest review's, when there
    are several, since reviews overlap); primary studies add up their participants, saying
    so when only some of them state a number.
    """
    by_design: dict[Design, list[Graded]] = {}
    for stance in stances:
        by_design.setdefault(stance.design, []).append(stance)
    parts = []
    for design in sorted(by_design, key=lambda d: (design_tier(d).rank, list(Design).index(d))):
        group = by_design[design]
        label = f"{len(group)} {design_name(design, len(group))}"
        if design in PRIMARY_DESIGNS:
            parts.append(label + _participants_of_studies(group))
        else:
            parts.append(label + _size_of_reviews(group))
    return "; ".join(parts)


def _participants_of_studies(group: Sequence[Graded]) -> str:
    stated = [s.n_participants for s in group if s.n_participants]
    if not stated:
        return ""
    total = f"{sum(stated):,} participants"
    if len(stated) == len(group):
        return f", {total}"
    return f", {total} in the {len(stated)} that state a number"


def _size_of_reviews(group: Sequence[Graded]) -> str:
    largest = max(group, key=lambda s: (s.n_studies or 0, s.n_participants or 0))
    sizes = []
    if largest.n_studies:
        sizes.append(f"{largest.n_studies:,} {'study' if largest.n_studies == 1 else 'studies'}")
    if largest.n_participants:
        sizes.append(f"{largest.n_participants:,} participants")
    if not sizes:
        return ""
    prefix = "the largest: " if len(group) > 1 else ""
    return f" ({prefix}{', '.join(sizes)})"


@dataclass(frozen=True, slots=True)
class Counts:
    """How much evidence a cell rests on.

    `n_records`: distinct records. `n_studies`: the most studies one review states, or the
    number of primary-study records if that is more. `n_participants`: likewise, the most
    one review states or the sum over primary studies; None when no source states any.
    Reviews are never summed with each other, since they include the same trials.
    """

    n_records: int
    n_studies: int | None
    n_participants: int | None


def evidence_counts(stances: Sequence[Graded]) -> Counts:
    """Records, studies and participants of a cell (see `Counts` for the rules)."""
    primary = [s for s in stances if s.design in PRIMARY_DESIGNS]
    reviews = [s for s in stances if design_tier(s.design).rank in REVIEW_TIERS]
    studies = max([len(primary), *(s.n_studies or 0 for s in reviews)])
    from_primary = sum(s.n_participants or 0 for s in primary)
    participants = max([from_primary, *(s.n_participants or 0 for s in reviews)])
    return Counts(len(stances), studies or None, participants or None)


@dataclass(frozen=True, slots=True)
class Grade(Generic[F]):
    """Everything the rules conclude about one cell; `reasons` in the order applied.

    `best` is the best-ranked finding (its design is the cell's best design); `stances`
    are the findings the records speak through, best first; `conflicts` those of them that
    disagree with the verdict.
    """

    verdict: Direction
    certainty: CertaintyShown
    evidence_base: str
    best: F
    best_tier: Tier
    counts: Counts
    tiers_disagree: bool
    stances: tuple[F, ...]
    conflicts: tuple[F, ...]
    reasons: tuple[Reason, ...]


def graded(findings: Iterable[F]) -> Grade[F] | None:
    """All the rules applied to the findings of one cell, or None when there are none."""
    stances = record_stances(findings)
    if not stances:
        return None
    direction, why_verdict = verdict(stances)
    disagree, why_tiers = tier_agreement(stances, direction)
    shown = certainty_shown(stances, direction)
    return Grade(
        verdict=direction,
        certainty=shown,
        evidence_base=evidence_base(stances),
        best=stances[0],
        best_tier=best_tier(stances),
        counts=evidence_counts(stances),
        tiers_disagree=disagree,
        stances=tuple(stances),
        conflicts=tuple(conflicts(stances, direction)),
        reasons=(why_verdict, why_tiers, shown.reason),
    )


def _counted_designs(stances: Sequence[Graded]) -> str:
    counts = Counter(s.design for s in stances)
    return ", ".join(
        f"{n} {design_name(d, n)}"
        for d, n in sorted(counts.items(), key=lambda i: (design_tier(i[0]).rank, i[0]))
    )


def _direction_words(direction: Direction) -> str:
    return direction.value.replace("_", " ")


def _direction_counts(directions: Counter[Direction]) -> str:
    return ", ".join(
        f"{n} {_direction_words(d)}"
        for d, n in sorted(directions.items(), key=lambda i: (-i[1], i[0]))
    )


__all__ = [
    "CERTAINTY_ORDER",
    "DESIGN_NAMES",
    "PRIMARY_DESIGNS",
    "REVIEW_TIERS",
    "TIERS",
    "CertaintyShown",
    "Counts",
    "Finding",
    "Grade",
    "Graded",
    "Reason",
    "Tier",
    "best_tier",
    "certainty_shown",
    "certainty_words",
    "conflicts",
    "design_name",
    "design_tier",
    "evidence_base",
    "evidence_counts",
    "evidence_tier",
    "graded",
    "ranked",
    "record_stances",
    "tier_agreement",
    "verdict",
]
