"""Measure the harms step: adverse effects against the dev labels and the ADE corpus.

Not a test: it prints figures. Run `python bench/harms.py [--show N]`.

- dev (`shared/data/dev_labels/nmda_dev.jsonl`): for each gold claim, with the gold
  intervention and condition, micro precision / recall / F1 of `adverse_effects_of`
  against the gold `adverse_effects` (lowercase sets), strict and lenient (a predicted
  term containing or contained in a gold term counts); over all claims, the claims with
  a non-empty gold list, and the claims not flagged `uncertain_label`.
- ADE corpus v2 (`DRUG-AE.rel.gz`): each (sentence, drug) as a one-sentence record; the
  recall of the gold AE (strict and lenient) given the drug. Informative only: the drug
  is often outside the intervention vocabulary, and AEs outside the effect vocabulary
  cannot be found.
- ADE-NEG (`ADE-NEG.txt.gz`): sentences with no drug-AE relation; how often any effect
  is reported for any intervention named in the sentence (false positives).
- speed: records per second through `harms_by_intervention` on the dev records.
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from evimap.extract.harms import adverse_effects_of, harms_by_intervention
from evimap.extract.pipeline import Sentence
from evimap.extract.score import read_labelled, record_of
from evimap.extract.sentences import record_sentences
from evimap.extract.vocab import find_interventions

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEV = DATA / "dev_labels" / "nmda_dev.jsonl"
ADE = DATA / "adverse_events" / "ade_corpus_v2"


class Micro:
    """Micro-averaged counts, strict and lenient."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.ltp_pred = self.ltp_gold = 0
        self.n_pred = self.n_gold = 0

    def add(self, predicted: Iterable[str], gold: Iterable[str]) -> None:
        p = {x.lower() for x in predicted}
        g = {x.lower() for x in gold}
        self.tp += len(p & g)
        self.fp += len(p - g)
        self.fn += len(g - p)
        self.n_pred += len(p)
        self.n_gold += len(g)
        self.ltp_pred += sum(1 for x in p if any(_lenient(x, y) for y in g))
        self.ltp_gold += sum(1 for y in g if any(_lenient(x, y) for x in p))

    def line(self) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        lp = self.ltp_pred / self.n_pred if self.n_pred else 0.0
        lr = self.ltp_gold / self.n_gold if self.n_gold else 0.0
        return (
            f"strict P {p:.3f} R {r:.3f} F1 {_f1(p, r):.3f} | "
            f"lenient P {lp:.3f} R {lr:.3f} F1 {_f1(lp, lr):.3f} "
            f"(pred {self.n_pred}, gold {self.n_gold})"
        )


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _lenient(predicted: str, gold: str) -> bool:
    return predicted in gold or gold in predicted


def dev(show: int) -> None:
    """Adverse effects against the dev labels."""
    totals = {"all": Micro(), "non-empty gold": Micro(), "not uncertain": Micro()}
    claims = {name: 0 for name in totals}
    shown = 0
    for item in read_labelled(DEV):
        sentences = record_sentences(record_of(item))
        for claim in item.claims:
            gold = claim.get("adverse_effects") or []
            found = adverse_effects_of(
                sentences, intervention=claim["intervention"], condition=claim["condition"]
            )
            chosen = ["all"]
            if gold:
                chosen.append("non-empty gold")
            if not claim.get("uncertain_label"):
                chosen.append("not uncertain")
            for name in chosen:
                totals[name].add(found, gold)
                claims[name] += 1
            if shown < show and set(found) != {g.lower() for g in gold}:
                shown += 1
                print(f"  {item.dataset}:{item.id} {claim['intervention']!r}")
                print(f"    gold  {gold}\n    found {list(found)}")
    print(f"dev adverse effects ({DEV.name}), gold intervention and condition given")
    for name, micro in totals.items():
        print(f"  {name:15} {claims[name]:3} claims  {micro.line()}")


def _one_sentence(text: str) -> list[Sentence]:
    return [Sentence("abstract", 0, len(text), text)]


def ade() -> None:
    """Recall of the ADE corpus AE given the drug; false positives on ADE-NEG."""
    by_sentence: dict[tuple[str, str], set[str]] = defaultdict(set)
    with gzip.open(ADE / "DRUG-AE.rel.gz", "rt", encoding="utf-8") as rows:
        for row in rows:
            parts = row.rstrip("\n").split("|")
            if len(parts) >= 8:
                by_sentence[(parts[1], parts[5])].add(parts[2].lower())
    micro = Micro()
    drug_known = 0
    known = Micro()
    for (text, drug), gold in by_sentence.items():
        named = [m.canonical for m in find_interventions(drug)]
        intervention = named[0] if named else drug.lower()
        found = adverse_effects_of(_one_sentence(text), intervention=intervention)
        micro.add(found, gold)
        if named:
            drug_known += 1
            known.add(found, gold)
    print(f"ADE corpus v2 DRUG-AE ({len(by_sentence)} sentence-drug pairs)")
    print(f"  all pairs       {micro.line()}")
    print(f"  drug in vocab   {known.line()} ({drug_known} pairs)")

    sentences = flagged = effects = 0
    with gzip.open(ADE / "ADE-NEG.txt.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            text = line.rstrip("\n").split(" ", 2)[-1]
            sentences += 1
            one = _one_sentence(text)
            drugs = {m.canonical for m in find_interventions(text)} or {"(none)"}
            reported = {e for d in drugs for e in adverse_effects_of(one, intervention=d)}
            flagged += bool(reported)
            effects += len(reported)
    print(
        f"ADE-NEG: {flagged}/{sentences} sentences ({flagged / sentences:.1%}) report an "
        f"effect, {effects} effects in all"
    )


def speed() -> None:
    """Records per second through the whole harms step (sentences made beforehand)."""
    records: list[tuple[Sequence[Sentence], list[tuple[str, str]]]] = []
    for item in read_labelled(DEV):
        record = record_of(item)
        pairs = [(c["intervention"], c["condition"]) for c in item.claims]
        records.append((record_sentences(record), pairs))
    rounds = 20
    begin = time.perf_counter()
    for _ in range(rounds):
        for sentences, pairs in records:
            harms_by_intervention([*sentences], pairs)
    elapsed = time.perf_counter() - begin
    n = rounds * len(records)
    print(f"speed: {n / elapsed:,.0f} records/s through harms ({n} records, one core)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=0, help="print N dev disagreements")
    args = parser.parse_args()
    dev(args.show)
    ade()
    speed()


if __name__ == "__main__":
    main()
