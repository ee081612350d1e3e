"""The extraction pipeline: an ordered list of named, versioned steps.

A `Step` is a pure function `fn(record, found) -> dict` that reads the findings named in
`needs` and returns new findings named in `gives` (spaCy's requires/assigns). The list in
`STEPS` is the registry: explicit, greppable, no decorator side effects. `check_order`
refuses a list where a step needs something no earlier step gives; a test runs it on
`STEPS`. Every claim records the `(name, version)` of the steps that made it.

`run_steps` runs every step in order; `extract_claims` runs a step only when what it
gives is read (`demanded_findings`), so a record that states no finding skips the steps
that serve only the claims it does not make, and gets the same claims.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final, final

from evimap.extract.values import Value
from evimap.records import Record

if TYPE_CHECKING:
    from evimap.claims import Claim

Findings = Mapping[str, Any]
"""What the steps so far have found, by name (`sentences`, `interventions`, …)."""


@final
class Sentence(Value):
    """A sentence of one of the record's texts: offsets index `record.texts()[field]`."""

    FIELDS = ("field", "start", "end", "text")
    __slots__ = FIELDS

    def __init__(self, field: str, start: int, end: int, text: str) -> None:
        self.field: Final = field
        self.start: Final = start
        self.end: Final = end
        self.text: Final = text


def field_groups(sentences: Sequence[Sentence]) -> list[list[int]]:
    """The indexes of `sentences` field by field (fields in the order they first come),
    each field's in offset order: the groups whose `covered_text` a finder scans once."""
    by_field: dict[str, list[int]] = {}
    for index, sentence in enumerate(sentences):
        by_field.setdefault(sentence.field, []).append(index)
    for indexes in by_field.values():
        indexes.sort(key=lambda i: sentences[i].start)
    return list(by_field.values())


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
        start, end, text = sentence.start, sentence.end, sentence.text
        if start < at or end - start != len(text):
            return None
        if start > at:
            pieces.append(" " * (start - at))
        pieces.append(text)
        at = end
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


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a lazy run of `steps` reads of them: which step gives each finding (None when
    a finding is given twice), each step's `gives` as a set, and the provenance."""

    steps: tuple[Step, ...]
    givers: dict[str, int] | None
    gives: tuple[frozenset[str], ...]
    provenance: tuple[tuple[str, int], ...]


def _plan_of(steps: Sequence[Step]) -> _Plan:
    """The `_Plan` of `steps`."""
    chosen = tuple(steps)
    return _Plan(
        chosen,
        _givers(chosen),
        tuple(frozenset(step.gives) for step in chosen),
        tuple((step.name, step.version) for step in chosen),
    )


def _givers(steps: Sequence[Step]) -> dict[str, int] | None:
    """Which step gives each finding, by index; None when a finding is given twice."""
    givers: dict[str, int] = {}
    for index, step in enumerate(steps):
        for name in step.gives:
            if name in givers:
                return None
            givers[name] = index
    return givers


@cache
def _default_plan() -> _Plan:
    """The `_Plan` of `default_steps`, made once per process."""
    return _plan_of(default_steps())


class _Demanded(Mapping[str, Any]):
    """Findings made on first read: a step runs when a later step reads what it gives.

    What a step reads is what `run_steps` would have handed it: a finding of an earlier
    step (made now if not yet), never one of a later step or its own. So every value is
    the one the eager run gives, and the steps whose findings nobody reads never run.
    Iterating shows only the findings made so far.
    """

    def __init__(
        self, plan: _Plan, givers: dict[str, int], record: Record, found: dict[str, Any]
    ) -> None:
        self._steps = plan.steps
        self._gives = plan.gives
        self._givers = givers
        self._record = record
        self._values = found
        self._ran: set[int] = set()
        self._reader = len(plan.steps)

    def _known(self, name: str) -> bool:
        """Whether the reading step may see `name`, running the step that gives it first."""
        if name not in self._values:
            index = self._givers.get(name)
            if index is None or index >= self._reader or index in self._ran:
                return False
            self._run(index)
        return name in self._values

    def __getitem__(self, name: str) -> Any:
        values = self._values
        if name in values or self._known(name):
            return values[name]
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._known(name)

    def get(self, name: str, default: Any = None) -> Any:
        """Like `dict.get`; unlike `Mapping.get`, a KeyError inside a step propagates."""
        values = self._values
        return values[name] if name in values or self._known(name) else default

    def _run(self, index: int) -> None:
        step = self._steps[index]
        self._ran.add(index)
        reader, self._reader = self._reader, index
        try:
            given = step.fn(self._record, self)
        finally:
            self._reader = reader
        if not given.keys() <= self._gives[index]:
            unexpected = sorted(set(given) - set(step.gives))
            raise ValueError(f"step {step.name!r} gave {unexpected} it did not declare")
        self._values.update(given)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def demanded_findings(
    steps: Sequence[Step], record: Record, found: Mapping[str, Any] | None = None
) -> Mapping[str, Any]:
    """What `run_steps(steps, record, found)` gives, each step run when its findings are
    first read (by the caller or a later step), so that steps no one reads never run.

    `extract_claims` reads only `claims`: a record that states no finding needs no
    counts, certainty or harms (more than half of a set of abstracts). When a finding is
    given twice, or a step gives a seeded one, the steps run eagerly: which value a step
    reads then depends on the order they ran in.
    """
    return _demanded(_plan_of(steps), record, dict(found or {}))


def _demanded(plan: _Plan, record: Record, seeds: dict[str, Any]) -> Mapping[str, Any]:
    """`demanded_findings` by `plan`; `seeds` becomes the findings' own dict."""
    givers = plan.givers
    if givers is None or not seeds.keys().isdisjoint(givers):
        return run_steps(plan.steps, record, seeds)
    return _Demanded(plan, givers, record, seeds)


def extract_claims(record: Record, steps: Sequence[Step] | None = None) -> list[Claim]:
    """The claims of one record, provenance written into each.

    Only the steps the claims read run (`demanded_findings`); the provenance names every
    step of `steps`, as each would have run had its findings been read.
    """
    plan = _default_plan() if steps is None else _plan_of(steps)
    found = _demanded(plan, record, {"provenance": plan.provenance})
    claims: list[Claim] = found.get("claims", [])
    return claims
