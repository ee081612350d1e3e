"""Measure `extract.direction` on the dev labels, PubMedQA and Evidence Inference.

Run: `.venv/bin/python bench/direction.py [--data /work/shared/data] [--errors]`

(a) nmda_dev.jsonl: `direction_of` on each record's sentences with the gold intervention
    and condition; accuracy overall and without claims whose `uncertain_label` names
    direction; confusion matrix; how the chosen sentence relates to `evidence_sentence`.
(b) PubMedQA reasoning-free, the 500 test PMIDs: LONG_ANSWER -> yes/no/maybe from
    benefit / (no_benefit|harm) / (inconclusive|mixed); no direction counts as "yes"
    (a plain assertion); the subject is the first intervention named in the question.
(c) Evidence Inference v2 labelled evidence spans: the span's sentence direction against
    the label through outcome polarity (informative only: a label compares outcomes).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from evimap.claims import Direction
from evimap.extract.direction import (
    clear_caches,
    direction_of,
    direction_rules,
    sentence_direction,
)
from evimap.extract.pipeline import Sentence
from evimap.extract.score import read_labelled, record_of
from evimap.extract.sentences import record_sentences, sentences
from evimap.extract.vocab import find_interventions

DIRECTIONS = [d.value for d in Direction]


def _confusion(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> str:
    counts = Counter(pairs)
    width = max(len(x) for x in labels) + 2
    lines = ["gold \\ predicted".ljust(width + 4) + "".join(p[:9].rjust(11) for p in labels)]
    for gold in labels:
        lines.append(
            gold.ljust(width + 4) + "".join(str(counts[(gold, p)]).rjust(11) for p in labels)
        )
    return "\n".join(lines)


def _macro_f1(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in pairs)
        fp = sum(p == label and g != label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def dev(path: Path, show_errors: bool) -> None:
    pairs: list[tuple[str, str]] = []
    lenient: list[tuple[str, str]] = []
    spans = Counter[str]()
    for item in read_labelled(path):
        sents = record_sentences(record_of(item))
        for claim in item.claims:
            result = direction_of(
                sents, intervention=claim["intervention"], condition=claim["condition"]
            )
            predicted = result[0].value if result else "none"
            pairs.append((claim["direction"], predicted))
            if not _flags_direction(claim):
                lenient.append((claim["direction"], predicted))
            gold_text = claim["evidence_sentence"]
            chosen = result[1].text if result else ""
            if not chosen:
                spans["no sentence"] += 1
            elif chosen == gold_text:
                spans["equal"] += 1
            elif gold_text in chosen or chosen in gold_text:
                spans["contains/contained"] += 1
            elif _overlaps(chosen, gold_text):
                spans["overlaps"] += 1
            else:
                spans["other sentence"] += 1
            if show_errors and predicted != claim["direction"]:
                print(
                    f"  [{item.dataset}] {claim['intervention']} | {claim['condition']}: "
                    f"gold {claim['direction']} predicted {predicted}\n    {chosen[:160]}"
                )
    n = len(pairs)
    right = sum(g == p for g, p in pairs)
    right_l = sum(g == p for g, p in lenient)
    print(f"(a) dev direction accuracy: {right}/{n} = {right / n:.3f}")
    print(
        f"    without claims flagged [unsure: direction]: {right_l}/{len(lenient)} = "
        f"{right_l / len(lenient):.3f}"
    )
    print(_confusion(pairs, [*DIRECTIONS, "none"]))
    print(
        "    chosen sentence vs gold evidence_sentence:",
        ", ".join(f"{k} {v}" for k, v in spans.most_common()),
    )


def _flags_direction(claim: dict[str, object]) -> bool:
    """Whether a gold claim is flagged unsure about its direction (flag in the note)."""
    flag = claim.get("uncertain_label")
    text = flag if isinstance(flag, str) else str(claim.get("note") or "") if flag else ""
    return "direction" in text.split("]")[0]


def _overlaps(a: str, b: str) -> bool:
    words_a, words_b = set(a.lower().split()), set(b.lower().split())
    return len(words_a & words_b) >= 0.5 * min(len(words_a), len(words_b))


def pubmedqa(root: Path) -> None:
    with gzip.open(root / "pubmedqa" / "ori_pqal.json.gz") as packed:
        data = json.loads(packed.read())
    test = json.loads((root / "pubmedqa" / "test_ground_truth.json").read_text())
    to_answer = {
        Direction.BENEFIT: "yes",
        Direction.NO_BENEFIT: "no",
        Direction.HARM: "no",
        Direction.INCONCLUSIVE: "maybe",
        Direction.MIXED: "maybe",
    }
    pairs = []
    for pmid, gold in test.items():
        row = data[pmid]
        text = row["LONG_ANSWER"]
        sents = [Sentence("abstract", s, e, text[s:e]) for s, e in sentences(text)]
        subject = find_interventions(row["QUESTION"])
        result = direction_of(
            sents, intervention=subject[0].canonical if subject else None, condition=None
        )
        pairs.append((gold, to_answer[result[0]] if result else "yes"))
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    labels = ["yes", "no", "maybe"]
    print(
        f"(b) PubMedQA reasoning-free, {len(pairs)} test PMIDs: accuracy {accuracy:.3f}, "
        f"macro-F1 {_macro_f1(pairs, labels):.3f}  (human 0.904 / 0.8418)"
    )
    print(_confusion(pairs, labels))


def evidence_inference(root: Path) -> None:
    folder = root / "evidence_inference"
    expected = {
        "significantly decreased": {Direction.BENEFIT, Direction.HARM},
        "significantly increased": {Direction.BENEFIT, Direction.HARM},
        "no significant difference": {Direction.NO_BENEFIT, Direction.INCONCLUSIVE},
    }
    pairs = []
    seen = set()
    with (folder / "v2_annotations.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            label, text = row["Label"], " ".join(row["Annotations"].split())
            if label not in expected or not text or (label, text) in seen:
                continue
            seen.add((label, text))
            stated = sentence_direction(text)
            gold = "no_difference" if label == "no significant difference" else "difference"
            if stated is None:
                predicted = "none"
            elif stated.direction in expected["no significant difference"]:
                predicted = "no_difference"
            else:
                predicted = "difference"
            pairs.append((gold, predicted))
    labels = ["difference", "no_difference", "none"]
    covered = [(g, p) for g, p in pairs if p != "none"]
    accuracy = sum(g == p for g, p in covered) / len(covered)
    print(
        f"(c) Evidence Inference v2 evidence spans ({len(pairs)} distinct): a stated "
        f"direction in {len(covered) / len(pairs):.1%}; of those, difference vs no "
        f"difference agrees {accuracy:.3f} (informative)"
    )
    print(_confusion(pairs, labels))


def speed(path: Path) -> None:
    records = [record_sentences(record_of(item)) for item in read_labelled(path)]
    direction_rules()
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        clear_caches()
        for sents in records:
            direction_of(sents, intervention="ketamine", condition="depression")
    per = (time.perf_counter() - start) / (runs * len(records))
    chars = sum(len(s.text) for sents in records for s in sents) / len(records)
    print(
        f"speed: {per * 1e3:.3f} ms per record for its first pair ({1 / per:,.0f}/s; dev "
        f"records, {chars:,.0f} characters on average; caches cleared each run)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--errors", action="store_true", help="print dev disagreements")
    args = parser.parse_args(argv)
    dev_path = args.data / "dev_labels" / "nmda_dev.jsonl"
    dev(dev_path, args.errors)
    pubmedqa(args.data)
    evidence_inference(args.data)
    speed(dev_path)


if __name__ == "__main__":
    main(sys.argv[1:])
