"""The extraction pipeline: an ordered list of named, versioned steps.

A `Step` is a pure function `fn(record, found) -> dict` that reads the findings named in
`needs` and returns new findings named in `gives` (spaCy's requires/assigns). The list in
`STEPS` is the registry: explicit, greppable, no decorator side effects. `check_order`
refuses a list where a step needs something no earlier step gives; a test runs it on
`STEPS`. Every claim records the `(name, version)` of the steps that made it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from evimap.records import Record

if TYPE_CHECKING:
    from evimap.claims import Claim

Findings = Mapping[str, Any]
"""What the steps so far have found, by name (`sentences`, `interventions`, …)."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of one of the record's texts: offsets index `record.texts()[field]`."""

    field: str
    start: int
    end: int
    text: str


def covered_text(group: Sequence[Sentence]) -> str | None:
    """The text that sentences of one field cover, in offset order, gaps as spaces.

    Offsets into it are offsets into the field, so a finder can scan a whole field once and
    hand each match to its sentence (pairs and harms scan the same string, so the
    vocabulary's cache serves both). None when the sentences overlap or a sentence's text
    does not fit its span: then there is no such text, and callers search sentence by
    sentence. `group` must be sorted by `start`.
    """
    pieces: list[str] = []
    at = 0
    for sentence in group:
        if sentence.start < at or sentence.end - sentence.start != len(sentence.text):
            return None
        pieces.append(" " * (sentence.start - at))
        pieces.append(sentence.text)
        at = sentence.end
    return "".join(pieces)


@dataclass(frozen=True)
class Step:
    """One extraction step: its name and version go into every claim's provenance."""

    name: str
    version: int
    fn: Callable[[Record, Findings], dict[str, Any]]
    needs: tuple[str, ...]
    gives: tuple[str, ...]


def check_order(steps: Sequence[Step]) -> None:
    """Raise ValueError when a step needs a finding that no earlier step gives."""
    available: set[str] = set()
    for step in steps:
        missing = [need for need in step.needs if need not in available]
        if missing:
            raise ValueError(f"step {step.name!r} needs {missing}, which no earlier step gives")
        available.update(step.gives)


def run_steps(
    steps: Sequence[Step], record: Record, found: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Run `steps` on `record`, starting from `found`, and return everything found."""
    findings: dict[str, Any] = dict(found or {})
    for step in steps:
        given = step.fn(record, findings)
        unexpected = set(given) - set(step.gives)
        if unexpected:
            raise ValueError(f"step {step.name!r} gave {sorted(unexpected)} it did not declare")
        findings.update(given)
    return findings


@cache
def default_steps() -> tuple[Step, ...]:
    """The extractor's steps in order (the registry; imported here, not at module load,
    because every step module imports `Step` from this one)."""
    from evimap.extract.certainty import CERTAINTY
    from evimap.extract.claims_step import CLAIMS
    from evimap.extract.design import DESIGN
    from evimap.extract.direction import DIRECTION
    from evimap.extract.harms import HARMS
    from evimap.extract.numbers import NUMBERS
    from evimap.extract.pairs import PAIRS
    from evimap.extract.sentences import SENTENCES

    steps = (SENTENCES, DESIGN, NUMBERS, PAIRS, CERTAINTY, DIRECTION, HARMS, CLAIMS)
    check_order(steps)
    return steps


def extract_claims(record: Record, steps: Sequence[Step] | None = None) -> list[Claim]:
    """The claims of one record: every step run in order, provenance written into each."""
    chosen = default_steps() if steps is None else tuple(steps)
    provenance = tuple((step.name, step.version) for step in chosen)
    found = run_steps(chosen, record, {"provenance": provenance})
    claims: list[Claim] = found.get("claims", [])
    return claims
