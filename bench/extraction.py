"""Extraction benchmark: scores on labelled sets and throughput on one core.

    python bench/extraction.py [--labels PATH] [--speed-records N] [--speed-runs N]

Prints, for the dev labels (default ../shared/data/dev_labels/nmda_dev.jsonl), every figure
of `evimap.extract.score` strictly and without the claims flagged `uncertain_label`, then
records/s of the whole extractor over real abstracts (Evidence Inference titles and
abstracts), after a warm-up that loads every step's rules and vocabularies (`warm_up`):
each of `--speed-runs` passes in a fresh process, and their median.
Not a test: pytest never runs it.
"""

from __future__ import annotations

import argparse
import json
import lzma
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from evimap.extract import COMPILED
from evimap.extract.pipeline import default_steps, extract_claims, run_steps
from evimap.extract.score import read_labelled, score, vocabulary_hierarchy
from evimap.records import Record, Section

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def print_scores(labels: Path) -> None:
    items = list(read_labelled(labels))
    ancestors, normalize = vocabulary_hierarchy()
    for strict in (True, False):
        figures = score(
            items, extract_claims, ancestors=ancestors, normalize=normalize, strict=strict
        )
        title = "all claims" if strict else "without claims flagged uncertain_label"
        print(f"\n{labels.name}: {len(items)} records, {title}")
        for name, value in figures.items():
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"  {name:28} {shown}")


def abstracts(limit: int) -> list[Record]:
    path = SHARED / "evidence_inference" / "articles.jsonl.xz"
    records = []
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("abstract"):
                records.append(
                    Record(
                        id=f"pmcid:{row['pmcid']}",
                        source="jsonl",
                        title=row.get("title"),
                        abstract=(Section(None, row["abstract"]),),
                        language="en",
                    )
                )
            if len(records) >= limit:
                break
    return records


WARM_UP_RECORDS = 20


def warm_up(records: Sequence[Record]) -> None:
    """Load every step's rules and every vocabulary before the clock starts.

    `extract_claims` runs only the steps a record's claims read, so one record need not
    reach them all: every step runs here on the first records, and on a record whose
    title is in Chinese, whose characters the vocabularies match with an automaton of
    their own, built on first use.
    """
    chinese = Record(
        id="warm-up",
        source="jsonl",
        title="\u6c2f\u80fa\u916e\u6cbb\u7597\u6291\u90c1\u75c7",
        abstract=(Section(None, "Ketamine reduced depressive symptoms in 40 adults."),),
        language="en",
    )
    for record in [*records[:WARM_UP_RECORDS], chinese]:
        run_steps(default_steps(), record, {"provenance": ()})


def speed_run(limit: int) -> dict[str, float]:
    """One timed pass of the extractor over `limit` abstracts, after `warm_up`."""
    records = abstracts(limit)
    warm_up(records)
    started = time.process_time()
    claims = sum(len(extract_claims(record)) for record in records)
    spent = time.process_time() - started
    chars = sum(len(r.texts().get("abstract", "")) for r in records) / len(records)
    return {"records": len(records), "claims": claims, "cpu_s": spent, "chars": chars}


def print_speed(limit: int, runs: int) -> None:
    """Records/s of `runs` timed passes, each in a fresh process, and their median.

    A pass takes about a second, so on a shared machine one pass can be slowed by a
    neighbour; the median of several is the figure. Each pass runs in its own process
    because the extractor caches what it read of each sentence: a second pass over the
    same abstracts in one process would be faster than reading new ones.
    """
    rates = []
    for run in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--speed-run", str(limit)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out.splitlines()[-1])
        rates.append(result["records"] / result["cpu_s"])
        print(
            f"  run {run + 1}: {result['records']:.0f} abstracts, {result['claims']:.0f} claims, "
            f"{result['cpu_s']:.2f} CPU s -> {rates[-1]:,.0f} records/s"
        )
    print(
        f"\nspeed: {limit} Evidence Inference abstracts (mean {result['chars']:.0f} chars), "
        f"median of {runs} runs -> {statistics.median(rates):,.0f} records/s on one core "
        f"({'compiled with mypyc' if COMPILED else 'pure Python: see docs/speed.md'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=SHARED / "dev_labels" / "nmda_dev.jsonl")
    parser.add_argument("--speed-records", type=int, default=2000)
    parser.add_argument("--speed-runs", type=int, default=3)
    parser.add_argument("--speed-run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.speed_run:  # one pass, in the process `print_speed` started for it
        print(json.dumps(speed_run(args.speed_run)))
        return
    print_scores(args.labels)
    print("\nspeed, one pass per fresh process:")
    print_speed(args.speed_records, args.speed_runs)


if __name__ == "__main__":
    main()
