"""Scoring an extractor against a labelled JSONL file (the `dev_labels/` format).

Each line is `{"dataset", "id", "text", "gold": {"relevant", "claims": [...]}}`; a gold
claim has `intervention`, `condition`, `design`, `direction`, `certainty`,
`certainty_upper`, `n_participants`, `n_studies`, `adverse_effects`, `evidence_sentence`
and maybe `uncertain_label`. The extractor under test is any function from a Record to
Claims, so the scorer does not depend on how extraction works.

Claims are matched on (intervention, condition); a condition also matches its ancestor or
descendant (treatment-resistant depression counts for major depressive disorder), through
the `ancestors` function the caller passes. Gold names are free text, so the caller also
passes `normalize(kind, name)`, which maps a gold name that is a vocabulary term to its
canonical name ("glyx-13" is rapastinel) and a combination "a + b" to its drugs' canonical
names in alphabetical order (as evimap names one), and `ancestors` places a gold condition outside
the vocabulary under the vocabulary conditions its name contains ("fatigue in multiple
sclerosis" sits under fatigue and multiple sclerosis), as `vocabulary_hierarchy` does.
Field accuracies are computed over matched pairs only. `strict=False` leaves out the gold
claims flagged `uncertain_label` (and predictions matched to them), as the dev set's README
advises.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evimap.claims import Claim
from evimap.records import Record, Section

Extractor = Callable[[Record], Sequence[Claim]]
Ancestors = Callable[[str], Sequence[str]]
Normalize = Callable[[str, str], str]

TITLE_FIRST = frozenset({"pubmedqa", "evidence_inference", "fakehealth_news"})
"""Datasets whose labelled text is `title + "\\n\\n" + body` (see dev_labels/README.md)."""


@dataclass(frozen=True)
class Labelled:
    """One labelled record: its text as labelled and the gold claims."""

    dataset: str
    id: str
    text: str
    relevant: bool
    claims: tuple[dict[str, Any], ...]


def read_labelled(path: Path) -> Iterator[Labelled]:
    """The labelled records of a JSONL file in the dev_labels format."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                gold = row["gold"]
                yield Labelled(
                    row["dataset"],
                    str(row["id"]),
                    row["text"],
                    bool(gold["relevant"]),
                    tuple(gold["claims"]),
                )


def record_of(item: Labelled) -> Record:
    """A Record carrying exactly the labelled text, split into title and body as labelled."""
    title: str | None = None
    body = item.text
    if item.dataset in TITLE_FIRST and "\n\n" in item.text:
        title, body = item.text.split("\n\n", 1)
    return Record(
        id=f"{item.dataset}:{item.id}",
        source="jsonl",
        title=title,
        abstract=(Section(None, body),),
        kind="news" if item.dataset == "fakehealth_news" else None,
    )


@dataclass
class Tally:
    """Counts from which every score is derived."""

    relevant_tp: int = 0
    relevant_fp: int = 0
    relevant_fn: int = 0
    claim_tp: int = 0
    claim_fp: int = 0
    claim_fn: int = 0
    field_right: dict[str, int] = field(default_factory=dict)
    field_seen: dict[str, int] = field(default_factory=dict)
    certainty_stated: int = 0
    certainty_recalled: int = 0
    certainty_invented: int = 0
    harms_tp: int = 0
    harms_fp: int = 0
    harms_fn: int = 0
    evidence_total: int = 0
    evidence_verbatim: int = 0

    def judge(self, name: str, right: bool) -> None:
        self.field_seen[name] = self.field_seen.get(name, 0) + 1
        self.field_right[name] = self.field_right.get(name, 0) + int(right)


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1; 0 where undefined."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def _as_is(kind: str, name: str) -> str:
    return name


def _same_condition(predicted: str, gold: str, ancestors: Ancestors) -> bool:
    return predicted == gold or gold in ancestors(predicted) or predicted in ancestors(gold)


def _is_flagged(claim: dict[str, Any]) -> bool:
    return bool(claim.get("uncertain_label"))


def score_record(
    tally: Tally,
    item: Labelled,
    predicted: Sequence[Claim],
    *,
    ancestors: Ancestors,
    normalize: Normalize = _as_is,
    strict: bool = True,
) -> None:
    """Add one record's outcome to `tally`."""
    texts = record_of(item).texts()
    for claim in predicted:
        tally.evidence_total += 1
        tally.evidence_verbatim += int(claim.evidence.holds_in(texts))
    is_relevant = bool(predicted)
    tally.relevant_tp += int(is_relevant and item.relevant)
    tally.relevant_fp += int(is_relevant and not item.relevant)
    tally.relevant_fn += int(item.relevant and not is_relevant)

    unmatched = list(predicted)
    for gold in item.claims:
        match = next(
            (
                p
                for p in unmatched
                if p.intervention == normalize("interventions", gold["intervention"])
                and _same_condition(
                    p.condition, normalize("conditions", gold["condition"]), ancestors
                )
            ),
            None,
        )
        if match is not None:
            unmatched.remove(match)
        if not strict and _is_flagged(gold):
            continue
        if match is None:
            tally.claim_fn += 1
            continue
        tally.claim_tp += 1
        _score_fields(tally, gold, match)
    tally.claim_fp += len(unmatched)


def _score_fields(tally: Tally, gold: dict[str, Any], claim: Claim) -> None:
    tally.judge("direction", claim.direction.value == gold["direction"])
    tally.judge("design", claim.design.value == gold["design"])
    predicted_certainty = claim.certainty.value if claim.certainty else None
    tally.judge("certainty", predicted_certainty == gold.get("certainty"))
    if gold.get("certainty"):
        tally.certainty_stated += 1
        tally.certainty_recalled += int(predicted_certainty == gold["certainty"])
    elif predicted_certainty:
        tally.certainty_invented += 1
    for name in ("n_participants", "n_studies"):
        if gold.get(name) is not None or getattr(claim, name) is not None:
            tally.judge(name, getattr(claim, name) == gold.get(name))
    gold_harms = {h.lower() for h in gold.get("adverse_effects") or ()}
    found_harms = set(claim.adverse_effects)
    tally.harms_tp += len(gold_harms & found_harms)
    tally.harms_fp += len(found_harms - gold_harms)
    tally.harms_fn += len(gold_harms - found_harms)


def scores(tally: Tally) -> dict[str, float | int]:
    """The figures to report, by name."""
    out: dict[str, float | int] = {}
    for prefix, (tp, fp, fn) in {
        "relevance": (tally.relevant_tp, tally.relevant_fp, tally.relevant_fn),
        "claim": (tally.claim_tp, tally.claim_fp, tally.claim_fn),
        "adverse_effects": (tally.harms_tp, tally.harms_fp, tally.harms_fn),
    }.items():
        precision, recall, score = f1(tp, fp, fn)
        out |= {f"{prefix}_precision": precision, f"{prefix}_recall": recall}
        out[f"{prefix}_f1"] = score
    for name, seen in sorted(tally.field_seen.items()):
        out[f"{name}_accuracy"] = tally.field_right[name] / seen if seen else 0.0
    out["certainty_recall"] = (
        tally.certainty_recalled / tally.certainty_stated if tally.certainty_stated else 0.0
    )
    out["certainty_invented"] = tally.certainty_invented
    out["evidence_verbatim"] = (
        tally.evidence_verbatim / tally.evidence_total if tally.evidence_total else 1.0
    )
    out["matched_claims"] = tally.claim_tp
    return out


def score(
    items: Iterable[Labelled],
    extractor: Extractor,
    *,
    ancestors: Ancestors = lambda _: (),
    normalize: Normalize = _as_is,
    strict: bool = True,
) -> dict[str, float | int]:
    """Every figure for `extractor` over the labelled records."""
    tally = Tally()
    for item in items:
        predicted = extractor(record_of(item))
        score_record(
            tally, item, predicted, ancestors=ancestors, normalize=normalize, strict=strict
        )
    return scores(tally)


def vocabulary_hierarchy() -> tuple[Ancestors, Normalize]:
    """`ancestors` and `normalize` from evimap's own vocabularies, for scoring evimap.

    A name the condition vocabulary lacks gets as ancestors the conditions named inside
    it and theirs: a descriptive gold label is treated as a child of what it names.
    """
    from evimap.extract.vocab import canonical_name, condition_ancestors, find_conditions

    def ancestors(name: str) -> tuple[str, ...]:
        if canonical_name("conditions", name) == name:
            return condition_ancestors(name)
        inside = [m.canonical for m in find_conditions(name)]
        return tuple(dict.fromkeys(a for c in inside for a in (c, *condition_ancestors(c))))

    def normalize(kind: str, name: str) -> str:
        known = canonical_name(kind, name)
        if known or kind != "interventions" or " + " not in name:
            return known or name
        return " + ".join(sorted(canonical_name(kind, p) or p for p in name.split(" + ")))

    return ancestors, normalize
