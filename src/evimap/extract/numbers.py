"""How many studies and participants a record reports: the record-level totals.

`counts.find_counts` finds the counts each sentence states, with the role its text gives
each (a total, an arm of a trial, people screened or excluded, or plain);
`n_studies_and_participants` chooses from the counts of all sentences the numbers a claim
carries, and `NUMBERS` is the pipeline step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from evimap.extract.counts import Count, find_counts, number_value, sentence_counts
from evimap.extract.pipeline import Findings, Sentence, Step
from evimap.records import Record


def _largest(counts: Iterable[Count]) -> int | None:
    values = [c.value for c in counts]
    return max(values) if values else None


def n_studies_and_participants(sentences: Sequence[Sentence]) -> tuple[int | None, int | None]:
    """The record-level number of studies and of participants, or None where none is stated.

    Reviews state a review-level total and smaller per-outcome subsets ("in 3 trials
    (n = 412)"); trials state the number randomised beside the numbers screened, analysed
    or per arm. So: counts framed as totals win over plain ones, and among those the
    largest is taken (a subset is never larger than its total); screened, excluded and
    ongoing counts are never taken. When no total or plain count of participants is
    stated, the arm sizes of the first sentence that gives two or more are summed.
    """
    studies: list[Count] = []
    people: list[Count] = []
    arm_sum: int | None = None
    for found in sentence_counts([sentence.text for sentence in sentences]):
        if not found:
            continue
        studies.extend(c for c in found if c.kind == "studies" and c.role != "excluded")
        people.extend(c for c in found if c.kind == "participants" and c.role in ("total", "plain"))
        arms = [c.value for c in found if c.role == "arm"]
        if arm_sum is None and len(arms) >= 2:
            arm_sum = sum(arms)
    n_studies = _largest(c for c in studies if c.role == "total") or _largest(studies)
    n_people = _largest(c for c in people if c.role == "total") or _largest(people)
    return n_studies, n_people if n_people is not None else arm_sum


def numbers_step(record: Record, found: Findings) -> dict[str, Any]:
    """Pipeline step: record-level `n_studies` and `n_participants` from the sentences."""
    n_studies, n_participants = n_studies_and_participants(found["sentences"])
    return {"n_studies": n_studies, "n_participants": n_participants}


NUMBERS = Step(
    "numbers", 1, numbers_step, needs=("sentences",), gives=("n_studies", "n_participants")
)
"""Gives `n_studies` and `n_participants`, the record's totals (None where none is stated)."""

__all__ = [
    "NUMBERS",
    "Count",
    "find_counts",
    "n_studies_and_participants",
    "number_value",
    "numbers_step",
]
