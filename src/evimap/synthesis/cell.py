"""A cell of the evidence map, its claims and its changes: the values, and how claims become one.

`built_cell` applies the roll-up rules of `grade.py` to a cell's claims; the store keeps
what it returns (`refresh.py` writes it, `evidence_map.py` reads it). Conditions roll up
along the vocabulary's parents (`condition_descendants`, `condition_group`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from evimap.claims import Certainty, Design, Direction, claim_from_dict
from evimap.extract.vocab import condition_ancestors, intervention_class, vocabulary
from evimap.synthesis.grade import Grade, Reason, certainty_words, design_tier, graded

_YEAR = re.compile(r"^(\d{4})")
CROSS = "\N{MULTIPLICATION SIGN}"
"""Between intervention and condition when a cell is named in words."""


@dataclass(frozen=True, slots=True)
class CellClaim:
    """One claim of a cell with what the cell page shows of its record.

    `position` is the claim's order within its record; `evidence_*` is the sentence the
    direction rests on (`evidence_text == record.texts()[evidence_field][start:end]`).
    `condition` is the claim's own condition, which in a rolled-up cell may be a child of
    the cell's.
    """

    record_id: str
    position: int
    title: str | None
    published: str | None
    year: int | None
    kind: str | None
    intervention: str
    condition: str
    design: Design
    direction: Direction
    certainty: Certainty | None
    certainty_upper: Certainty | None
    n_studies: int | None
    n_participants: int | None
    evidence_field: str
    evidence_start: int
    evidence_end: int
    evidence_text: str
    adverse_effects: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    doses: tuple[str, ...] = ()

    @property
    def tier(self) -> int:
        """The rank of the claim's design in the evidence hierarchy (1 is best)."""
        return design_tier(self.design).rank

    @property
    def certainty_text(self) -> str:
        """The certainty as the record states it ("low to very low", "not stated")."""
        return certainty_words(self.certainty, self.certainty_upper)

    def to_dict(self) -> dict[str, Any]:
        """The claim as JSON-ready data (enums as their values, tuples as lists)."""
        data = asdict(self)
        for name in ("adverse_effects", "routes", "doses"):
            data[name] = list(data[name])
        return data


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a cell: its `field` (verdict or certainty) went from `old` to `new`.

    `old` None means the cell appeared, `new` None that it disappeared (its last claim went).
    Certainties are in words ("low to very low", "not stated"). `record_id` and
    `record_title` name the record whose arrival (or removal) made the change; `at` is when
    (UTC, ISO 8601); `id` increases with time, for feeds.
    """

    id: int
    at: str
    intervention: str
    condition: str
    field: str
    old: str | None
    new: str | None
    record_id: str | None
    record_title: str | None

    @property
    def text(self) -> str:
        """The change in a sentence: "ketamine \N{MULTIPLICATION SIGN} chronic pain: verdict
        changed from benefit to inconclusive after 'Review finds…'"."""
        after = self.record_title or self.record_id
        source = f" after {after!r}" if after else ""
        cell = f"{self.intervention} {CROSS} {self.condition}"
        words = self.field.replace("_", " ")
        if self.old is None:
            return f"{cell}: new on the map, {words} {_words(self.new)}{source}"
        if self.new is None:
            return f"{cell}: removed from the map (was {words} {_words(self.old)}){source}"
        return f"{cell}: {words} changed from {_words(self.old)} to {_words(self.new)}{source}"

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data, with its sentence."""
        return {**asdict(self), "text": self.text}


@dataclass(frozen=True, slots=True)
class Cell:
    """What the map says about one intervention in one condition, and why.

    `verdict` is the direction the best evidence supports (`grade.verdict`); `certainty`
    and `certainty_upper` are what the best source states (None: not stated), and
    `certainty_text` says it in words, or "not stated: " and the `evidence_base`
    ("1 systematic review with meta-analysis (67 studies, 2,300 participants)").
    `certainty_source` is the record that states it. Counts follow `grade.Counts`;
    `best_design` and `best_tier` are those of the best-ranked record, `best_record` its
    id. `tiers_disagree` says that lower tiers point another way; `conflicts` are the
    claims (one per record) that disagree with the verdict, `n_conflicts` their number.
    `rule` lists the rules applied, in words, for the "why" of the cell page.
    `claims` are all the cell's claims, best first. `cells()` leaves `claims` and
    `conflicts` empty (the map needs only the counts); `cell()` fills them.
    `changed` is the latest change of verdict or certainty (None for a rolled-up cell).
    `conditions` are the conditions whose claims the cell holds: its own, plus its
    descendants' when `is_rollup`.
    """

    intervention: str
    intervention_class: str | None
    condition: str
    condition_parents: tuple[str, ...]
    condition_group: str
    verdict: Direction
    certainty: Certainty | None
    certainty_upper: Certainty | None
    certainty_text: str
    certainty_source: str | None
    evidence_base: str
    n_records: int
    n_claims: int
    n_studies: int | None
    n_participants: int | None
    best_design: Design
    best_tier: int
    best_record: str
    tiers_disagree: bool
    n_conflicts: int
    year_first: int | None
    year_last: int | None
    rule: tuple[Reason, ...]
    conditions: tuple[str, ...]
    is_rollup: bool = False
    claims: tuple[CellClaim, ...] = ()
    conflicts: tuple[CellClaim, ...] = ()
    changed: Change | None = None

    @property
    def verdict_text(self) -> str:
        """The verdict in words ("no benefit")."""
        return self.verdict.value.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        """The cell as JSON-ready data: what `evimap map --format json` prints."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["condition_parents"] = list(self.condition_parents)
        data["conditions"] = list(self.conditions)
        data["rule"] = [asdict(r) for r in self.rule]
        data["claims"] = [c.to_dict() for c in self.claims]
        data["conflicts"] = [c.to_dict() for c in self.conflicts]
        data["changed"] = self.changed.to_dict() if self.changed else None
        return data


# --- conditions ----------------------------------------------------------------------


@functools.cache
def _children() -> dict[str, tuple[str, ...]]:
    children: dict[str, list[str]] = {}
    for entry in vocabulary("conditions").entries.values():
        for parent in entry.parents:
            children.setdefault(parent, []).append(entry.name)
    return {parent: tuple(sorted(kids)) for parent, kids in children.items()}


def condition_descendants(condition: str) -> tuple[str, ...]:
    """The conditions under `condition` in the vocabulary, nearest first (not itself)."""
    seen: dict[str, None] = {}
    frontier = list(_children().get(condition, ()))
    while frontier:
        child = frontier.pop(0)
        if child not in seen and child != condition:
            seen[child] = None
            frontier.extend(_children().get(child, ()))
    return tuple(seen)


def condition_group(condition: str) -> str:
    """The root of the condition's ancestry (itself when it has no parent): the map's row group.

    A condition with several roots takes the first found, nearest parents first.
    """
    ancestors = condition_ancestors(condition)
    roots = [a for a in ancestors if not condition_ancestors(a)]
    return roots[0] if roots else condition


# --- building cells --------------------------------------------------------------------


def built_cell(
    intervention: str,
    condition: str,
    claims: Iterable[CellClaim],
    *,
    is_rollup: bool = False,
    changed: Change | None = None,
) -> Cell | None:
    """The cell the roll-up rules make of these claims, with its claims; None if no claims.

    Pure: this is what `refresh_cells` stores and what `cell(..., rollup=True)` computes.
    """
    claim_list = list(claims)
    grade = graded(claim_list)
    if grade is None:
        return None
    ordered = _claims_in_order(claim_list, grade)
    years = [c.year for c in ordered if c.year is not None]
    shown = grade.certainty
    return Cell(
        intervention=intervention,
        intervention_class=intervention_class(intervention),
        condition=condition,
        condition_parents=condition_ancestors(condition),
        condition_group=condition_group(condition),
        verdict=grade.verdict,
        certainty=shown.certainty,
        certainty_upper=shown.upper,
        certainty_text=shown.text,
        certainty_source=shown.source,
        evidence_base=grade.evidence_base,
        n_records=grade.counts.n_records,
        n_claims=len(ordered),
        n_studies=grade.counts.n_studies,
        n_participants=grade.counts.n_participants,
        best_design=grade.best.design,
        best_tier=grade.best_tier.rank,
        best_record=grade.best.record_id,
        tiers_disagree=grade.tiers_disagree,
        n_conflicts=len(grade.conflicts),
        year_first=min(years) if years else None,
        year_last=max(years) if years else None,
        rule=grade.reasons,
        conditions=tuple(sorted({condition, *(c.condition for c in ordered)})),
        is_rollup=is_rollup,
        claims=tuple(ordered),
        conflicts=grade.conflicts,
        changed=changed,
    )


def _claims_in_order(claims: Sequence[CellClaim], grade: Grade[CellClaim]) -> list[CellClaim]:
    """Every claim, records in the order of their stances, each record's stance first."""
    order = {s.record_id: i for i, s in enumerate(grade.stances)}
    stance_ids = {id(s) for s in grade.stances}
    return sorted(claims, key=lambda c: (order[c.record_id], id(c) not in stance_ids, c.position))


def cell_claim(
    record_id: str,
    position: int,
    claim_data: dict[str, Any],
    *,
    title: str | None,
    published: str | None,
    kind: str | None,
) -> CellClaim:
    """A CellClaim from a stored claim (`Claim.to_dict` JSON) and its record's columns."""
    claim = claim_from_dict(claim_data)
    year = _YEAR.match(published or "")
    return CellClaim(
        record_id=record_id,
        position=position,
        title=title,
        published=published,
        year=int(year.group(1)) if year else None,
        kind=kind,
        intervention=claim.intervention,
        condition=claim.condition,
        design=claim.design,
        direction=claim.direction,
        certainty=claim.certainty,
        certainty_upper=claim.certainty_upper,
        n_studies=claim.n_studies,
        n_participants=claim.n_participants,
        evidence_field=claim.evidence.field,
        evidence_start=claim.evidence.start,
        evidence_end=claim.evidence.end,
        evidence_text=claim.evidence.text,
        adverse_effects=claim.adverse_effects,
        routes=claim.routes,
        doses=claim.doses,
    )


def cell_claim_from_json(data: str) -> CellClaim:
    """A CellClaim from its stored JSON (`CellClaim.to_dict`)."""
    raw = json.loads(data)
    upper = raw["certainty_upper"]
    return CellClaim(
        **{
            **raw,
            "design": Design(raw["design"]),
            "direction": Direction(raw["direction"]),
            "certainty": Certainty(raw["certainty"]) if raw["certainty"] else None,
            "certainty_upper": Certainty(upper) if upper else None,
            "adverse_effects": tuple(raw["adverse_effects"]),
            "routes": tuple(raw["routes"]),
            "doses": tuple(raw["doses"]),
        }
    )


def certainty_of(value: str | None) -> Certainty | None:
    """The Certainty a stored value names, None for none."""
    return Certainty(value) if value else None


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


__all__ = [
    "CROSS",
    "Cell",
    "CellClaim",
    "Change",
    "built_cell",
    "cell_claim",
    "cell_claim_from_json",
    "certainty_of",
    "condition_descendants",
    "condition_group",
]
