"""Claim and Evidence: one finding of one record, pinned to the sentence it rests on.

The enums are the fixed vocabulary of DESIGN.md; other tools read these strings, so a
value is never renamed. The offset invariant `evidence.text == record.texts()[field][start:end]`
is built in: `Evidence.at` slices the text itself, and `Evidence` refuses a span whose
length does not match its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Design(StrEnum):
    """The design of the record itself (a narrative review citing trials is a review)."""

    SYSTEMATIC_REVIEW_META_ANALYSIS = "systematic_review_meta_analysis"
    SYSTEMATIC_REVIEW = "systematic_review"
    RCT = "rct"
    NON_RANDOMIZED_TRIAL = "non_randomized_trial"
    COHORT = "cohort"
    CASE_CONTROL = "case_control"
    CASE_SERIES_REPORT = "case_series_report"
    CROSS_SECTIONAL = "cross_sectional"
    NARRATIVE_REVIEW = "narrative_review"
    PRECLINICAL = "preclinical"
    GUIDELINE = "guideline"
    PROTOCOL = "protocol"
    COMMENTARY = "commentary"
    OTHER = "other"


class Direction(StrEnum):
    """What the record says the intervention did for the condition."""

    BENEFIT = "benefit"
    NO_BENEFIT = "no_benefit"
    INCONCLUSIVE = "inconclusive"
    HARM = "harm"
    MIXED = "mixed"


class Certainty(StrEnum):
    """Certainty of evidence as the record states it in words (GRADE levels)."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very_low"


CERTAINTY_ORDER = (Certainty.VERY_LOW, Certainty.LOW, Certainty.MODERATE, Certainty.HIGH)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of one of the record's texts: `field` is a key of `Record.texts()`."""

    field: str
    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end or self.end - self.start != len(self.text):
            raise ValueError(
                f"evidence span {self.start}:{self.end} does not fit its text "
                f"of length {len(self.text)} in field {self.field!r}"
            )

    @classmethod
    def at(cls, texts: Mapping[str, str], field: str, start: int, end: int) -> Evidence:
        """The evidence span of `texts[field]`; raises if the field or offsets are wrong."""
        if field not in texts:
            raise ValueError(f"record has no text field {field!r}; it has {sorted(texts)}")
        text = texts[field]
        if end > len(text):
            raise ValueError(f"evidence end {end} is past the end of {field!r} ({len(text)})")
        return cls(field, start, end, text[start:end])

    def holds_in(self, texts: Mapping[str, str]) -> bool:
        """Whether the span still points at its text in these record texts."""
        return texts.get(self.field, "")[self.start : self.end] == self.text


@dataclass(frozen=True, slots=True)
class Claim:
    """One finding of one record about one intervention in one condition (DESIGN.md)."""

    intervention: str
    condition: str
    design: Design
    direction: Direction
    evidence: Evidence
    intervention_class: str | None = None
    certainty: Certainty | None = None
    certainty_upper: Certainty | None = None
    n_studies: int | None = None
    n_participants: int | None = None
    adverse_effects: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    doses: tuple[str, ...] = ()
    steps: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if self.certainty_upper is not None and (
            self.certainty is None
            or CERTAINTY_ORDER.index(self.certainty_upper) <= CERTAINTY_ORDER.index(self.certainty)
        ):
            raise ValueError("certainty_upper must be above certainty")

    def to_dict(self) -> dict[str, Any]:
        """The claim in the JSON shape DESIGN.md fixes."""
        return {
            "intervention": self.intervention,
            "intervention_class": self.intervention_class,
            "condition": self.condition,
            "design": self.design.value,
            "direction": self.direction.value,
            "certainty": self.certainty.value if self.certainty else None,
            "certainty_upper": self.certainty_upper.value if self.certainty_upper else None,
            "n_studies": self.n_studies,
            "n_participants": self.n_participants,
            "adverse_effects": list(self.adverse_effects),
            "routes": list(self.routes),
            "doses": list(self.doses),
            "evidence": {
                "field": self.evidence.field,
                "start": self.evidence.start,
                "end": self.evidence.end,
                "text": self.evidence.text,
            },
            "steps": [[name, version] for name, version in self.steps],
        }


def claim_from_dict(data: Mapping[str, Any]) -> Claim:
    """A Claim from its JSON form (`Claim.to_dict`); the inverse, for the store."""
    evidence = data["evidence"]
    certainty = data.get("certainty")
    upper = data.get("certainty_upper")
    return Claim(
        intervention=data["intervention"],
        intervention_class=data.get("intervention_class"),
        condition=data["condition"],
        design=Design(data["design"]),
        direction=Direction(data["direction"]),
        evidence=Evidence(evidence["field"], evidence["start"], evidence["end"], evidence["text"]),
        certainty=Certainty(certainty) if certainty else None,
        certainty_upper=Certainty(upper) if upper else None,
        n_studies=data.get("n_studies"),
        n_participants=data.get("n_participants"),
        adverse_effects=tuple(data.get("adverse_effects") or ()),
        routes=tuple(data.get("routes") or ()),
        doses=tuple(data.get("doses") or ()),
        steps=tuple((name, version) for name, version in data.get("steps") or ()),
    )
