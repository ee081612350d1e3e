"""Measure the numbers and certainty steps on the dev labels and on public silver data.

Not a test: it prints figures. Run `python bench/extract_numbers_certainty.py [--spot N]`.

- dev (`shared/data/dev_labels/nmda_dev.jsonl`): record-level n_studies / n_participants
  against every gold claim (exact and within 5 %), numbers given where gold is null,
  certainty recall over stated certainties and certainties invented where gold is null;
  all claims, and without claims flagged `uncertain_label`.
- Cochrane PLS sources (devaraj 2021): how many abstracts get a certainty, against a
  crude GRADE-wording detector, and a random sample printed for a check by eye.
- yun 2024 RCT texts: n_participants against the sum of the annotated group sizes.
- speed: sentences per second through both `find_*` functions.

Sentences come from a plain regex splitter here, so the figures do not depend on the
sentence step being built in parallel.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import lzma
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from evimap.extract.certainty import find_certainty, stated_certainty
from evimap.extract.numbers import n_studies_and_participants
from evimap.extract.pipeline import Sentence

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])|\n+")
_GRADE_WORDING = re.compile(
    r"(?:certainty|quality)\s+(?:of\s+(?:the\s+)?)?evidence|(?:certainty|quality)\s+evidence",
    re.IGNORECASE,
)


def sentences_of(text: str, field: str = "abstract") -> list[Sentence]:
    """Sentences by a plain regex split, with offsets into `text`."""
    out: list[Sentence] = []
    start = 0
    for m in _SPLIT.finditer(text):
        if text[start : m.start()].strip():
            out.append(Sentence(field, start, m.start(), text[start : m.start()]))
        start = m.end()
    if text[start:].strip():
        out.append(Sentence(field, start, len(text), text[start:]))
    return out


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.3f}" if b else f"{a}/0"


def dev_report(path: Path) -> None:
    """Print the dev-set figures for numbers and certainty."""
    records = [json.loads(line) for line in path.open()]
    for label, keep_flagged in (("all claims", True), ("without uncertain_label", False)):
        tallies: dict[str, int] = defaultdict(int)
        for rec in records:
            sents = sentences_of(rec["text"])
            n_s, n_p = n_studies_and_participants(sents)
            cert, upper = stated_certainty(sents)
            for claim in rec["gold"]["claims"]:
                if not keep_flagged and claim.get("uncertain_label"):
                    continue
                for field, pred in (("n_participants", n_p), ("n_studies", n_s)):
                    gold = claim.get(field)
                    if gold is None:
                        tallies[f"{field} gold null"] += 1
                        tallies[f"{field} given where null"] += pred is not None
                    else:
                        tallies[f"{field} gold"] += 1
                        tallies[f"{field} exact"] += pred == gold
                        tallies[f"{field} within 5%"] += (
                            pred is not None and abs(pred - gold) <= 0.05 * gold
                        )
                        tallies[f"{field} missed"] += pred is None
                gold_c, gold_u = claim.get("certainty"), claim.get("certainty_upper")
                if gold_c is None:
                    tallies["certainty gold null"] += 1
                    tallies["certainty invented"] += cert is not None
                else:
                    tallies["certainty gold"] += 1
                    tallies["certainty level"] += cert is not None and cert.value == gold_c
                    tallies["certainty level+upper"] += (
                        cert is not None
                        and cert.value == gold_c
                        and (upper.value if upper else None) == gold_u
                    )
        print(f"\n== dev {path.name}: {label}")
        for field in ("n_participants", "n_studies"):
            g = tallies[f"{field} gold"]
            print(
                f"{field:15s} exact {_pct(tallies[f'{field} exact'], g)}; "
                f"within 5% {_pct(tallies[f'{field} within 5%'], g)}; "
                f"none given {tallies[f'{field} missed']}; "
                "given where gold null "
                + _pct(tallies[f"{field} given where null"], tallies[f"{field} gold null"])
            )
        g = tallies["certainty gold"]
        print(
            f"certainty       recall (level) {_pct(tallies['certainty level'], g)}; "
            f"(level+upper) {_pct(tallies['certainty level+upper'], g)}; "
            "invented where gold null "
            + _pct(tallies["certainty invented"], tallies["certainty gold null"])
        )


def _lines(paths: Iterable[Path]) -> list[str]:
    out: list[str] = []
    for p in paths:
        with gzip.open(p, "rt", encoding="utf-8") as fh:
            out.extend(line.rstrip("\n") for line in fh)
    return out


def cochrane_report(spot: int, seed: int) -> None:
    """Print how many Cochrane PLS sources get a certainty, and a sample to check by eye."""
    folder = DATA / "cochrane_pls_devaraj2021"
    texts = _lines([folder / "test.source.gz", folder / "val.source.gz"])
    found = wording = both = 0
    hits: list[tuple[str, str]] = []
    for text in texts:
        cert, upper = stated_certainty(sentences_of(text))
        has_wording = bool(_GRADE_WORDING.search(text))
        found += cert is not None
        wording += has_wording
        both += cert is not None and has_wording
        if cert is not None:
            level = cert.value + (f"..{upper.value}" if upper else "")
            mentions = "; ".join(
                f"{m.level.value}{'..' + m.upper.value if m.upper else ''}"
                f"{'' if m.graded else '(plain)'} «{text[m.start : m.end]}»"
                for m in find_certainty(text)
            )
            hits.append((level, mentions))
    print(f"\n== Cochrane PLS sources (test+val): {len(texts)} abstracts")
    print(f"certainty found in {_pct(found, len(texts))}")
    print(
        f"crude GRADE-wording detector fires in {wording}; found among those {_pct(both, wording)}"
    )
    print(f"found without GRADE wording (plain words / other forms): {found - both}")
    rng = random.Random(seed)
    print(f"-- {spot} random records with a certainty (seed {seed}): record level | mentions")
    for level, mentions in rng.sample(hits, min(spot, len(hits))):
        print(f"  {level:18s} | {mentions[:300]}")
    misses = [t for t in texts if _GRADE_WORDING.search(t) and not find_certainty(t)]
    print(f"-- GRADE wording but nothing found: {len(misses)}; first contexts:")
    for text in misses[:8]:
        m = _GRADE_WORDING.search(text)
        assert m is not None
        print("  …" + text[max(0, m.start() - 80) : m.end() + 60].replace("\n", " ") + "…")


def yun_report() -> None:
    """Print n_participants on the yun 2024 RCT texts against the sum of group sizes."""
    folder = DATA / "rct_numeric_outcomes_yun2024"
    sizes: dict[str, int] = {}
    with (folder / "annotated_rct_dataset.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                total = int(float(row["intervention_group_size"])) + int(
                    float(row["comparator_group_size"])
                )
            except ValueError:
                continue
            key = f"PMC{row['pmcid']}"
            sizes[key] = max(sizes.get(key, 0), total)
    exact = near = within20 = none = n = 0
    with lzma.open(folder / "rct_texts_markdown.jsonl.xz", "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            key = doc["file"].removesuffix(".md")
            if key not in sizes:
                continue
            text = doc["markdown"]
            cut = text.find("# Introduction")
            abstract = text[: cut if cut > 0 else 4000]
            _, pred = n_studies_and_participants(sentences_of(abstract))
            gold = sizes[key]
            n += 1
            none += pred is None
            exact += pred == gold
            near += pred is not None and abs(pred - gold) <= 0.05 * gold
            within20 += pred is not None and abs(pred - gold) <= 0.20 * gold
    print(f"\n== yun 2024 RCTs (abstract part): {n} with group sizes (max over outcomes of sum)")
    print(
        f"n_participants == sum {_pct(exact, n)}; within 5% {_pct(near, n)}; "
        f"within 20% {_pct(within20, n)}; none given {none}"
    )
    print("   (informative only: group sizes are per outcome, often the analysed set)")


def speed_report() -> None:
    """Print records per second through both steps on Cochrane sources and dev records."""
    folder = DATA / "cochrane_pls_devaraj2021"
    _speed("Cochrane PLS sources", _lines([folder / "test.source.gz"]))
    dev = DATA / "dev_labels" / "nmda_dev.jsonl"
    _speed("dev records", [json.loads(line)["text"] for line in dev.open()])


def _speed(name: str, texts: list[str]) -> None:
    docs = [sentences_of(t) for t in texts]
    chars = sum(map(len, texts)) // max(1, len(texts))
    n_sent = sum(len(d) for d in docs)
    t0 = time.perf_counter()
    for d in docs:
        n_studies_and_participants(d)
        stated_certainty(d)
    dt = time.perf_counter() - t0
    print(
        f"\n== speed, {name}: {len(docs)} texts (mean {chars} chars, {n_sent} sentences) "
        f"in {dt:.3f}s: "
        f"{len(docs) / dt:,.0f} records/s, {n_sent / dt:,.0f} sentences/s (one core)"
    )


def main() -> None:
    """Print every report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spot", type=int, default=20, help="Cochrane records to print")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    dev_report(DATA / "dev_labels" / "nmda_dev.jsonl")
    cochrane_report(args.spot, args.seed)
    yun_report()
    speed_report()


if __name__ == "__main__":
    main()
