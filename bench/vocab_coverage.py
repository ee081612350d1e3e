"""Measure the vocabularies: coverage on labelled data, finder speed, load time and memory.

Not a test and not a tuning loop: it reports how many gold names the finders reach.
- dev set (`dev_labels/nmda_dev.jsonl`): the fraction of gold claim interventions (and
  conditions) whose canonical name is found in the record's text (conditions also count
  when a found condition has the gold name among its ancestors), and, for information, the
  share of found interventions that are no claim's intervention;
- Evidence Inference prompts: the fraction of `Intervention` strings with at least one drug;
- speed: all five finders on 1,500-character abstracts, in abstracts per second, one core.

Usage: .venv/bin/python bench/vocab_coverage.py [--shared /work/shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import time
from pathlib import Path

from evimap.extract import vocab

FINDERS = (
    vocab.find_interventions,
    vocab.find_conditions,
    vocab.find_adverse_effects,
    vocab.find_routes,
    vocab.find_doses,
)


def load_seconds() -> float:
    """Seconds to read, validate and compile every vocabulary (a cold cache)."""
    started = time.perf_counter()
    for kind in vocab.KINDS:
        vocab.find_terms(kind, "warm up")
    vocab.find_doses("1 mg")
    return time.perf_counter() - started


def dev_coverage(path: Path, *, is_certain_only: bool) -> dict[str, float]:
    """Coverage of gold interventions and conditions on the dev set."""
    hits = {"intervention": 0, "condition": 0}
    totals = {"intervention": 0, "condition": 0}
    found_all = found_gold = 0
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        claims = [
            c
            for c in record["gold"]["claims"]
            if not (is_certain_only and c.get("uncertain_label"))
        ]
        text = record["text"]
        drugs = {m.canonical for m in vocab.find_interventions(text)}
        conditions: set[str] = set()
        for match in vocab.find_conditions(text):
            conditions.add(match.canonical)
            conditions.update(vocab.condition_ancestors(match.canonical))
        for claim in claims:
            totals["intervention"] += 1
            totals["condition"] += 1
            hits["intervention"] += claim["intervention"] in drugs
            hits["condition"] += claim["condition"] in conditions
        gold = {c["intervention"] for c in record["gold"]["claims"]}
        found_all += len(drugs)
        found_gold += len(drugs & gold)
    return {
        "claims": totals["intervention"],
        "intervention_coverage": hits["intervention"] / totals["intervention"],
        "condition_coverage": hits["condition"] / totals["condition"],
        "found_not_gold_share": 1 - found_gold / found_all if found_all else 0.0,
    }


def prompt_coverage(path: Path) -> tuple[int, float]:
    """Number of prompts and the fraction whose Intervention names at least one drug."""
    with path.open(encoding="utf-8", newline="") as handle:
        interventions = [row["Intervention"] for row in csv.DictReader(handle)]
    found = sum(bool(vocab.find_interventions(text)) for text in interventions)
    return len(interventions), found / len(interventions)


def abstracts(path: Path, count: int = 1000, length: int = 1500) -> list[str]:
    """Real 1,500-character texts cut from the dev records (padded by repetition)."""
    texts = []
    for line in path.open(encoding="utf-8"):
        text = json.loads(line)["text"]
        while len(text) < length:
            text += " " + text
        texts.append(text[:length])
    return (texts * (count // len(texts) + 1))[:count]


def abstracts_per_second(texts: list[str]) -> float:
    """Abstracts per second through all five finders, best of three runs."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            for finder in FINDERS:
                finder(text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    args = parser.parse_args()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = load_seconds()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sizes = {kind: len(vocab.vocabulary(kind).entries) for kind in vocab.KINDS}
    print(f"entries: {sizes}")
    print(f"load: {seconds:.2f} s, peak RSS +{(rss_after - rss_before) / 1024:.0f} MB")
    dev = args.shared / "dev_labels" / "nmda_dev.jsonl"
    for is_certain_only in (False, True):
        figures = dev_coverage(dev, is_certain_only=is_certain_only)
        label = "dev (unflagged claims only)" if is_certain_only else "dev (all claims)"
        print(
            f"{label}: {figures['claims']} claims, intervention coverage "
            f"{figures['intervention_coverage']:.3f}, condition coverage "
            f"{figures['condition_coverage']:.3f}, found interventions not in gold "
            f"{figures['found_not_gold_share']:.3f}"
        )
    count, share = prompt_coverage(args.shared / "evidence_inference" / "prompts_merged.csv")
    print(f"evidence inference prompts: {count}, with a drug found: {share:.3f}")
    rate = abstracts_per_second(abstracts(dev))
    print(f"speed: {rate:,.0f} abstracts/s (1,500 chars, all five finders, one core)")


if __name__ == "__main__":
    main()
