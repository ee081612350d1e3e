"""Measure the sentence splitter and the design step on the labelled dev set (not a test).

Prints (a) design accuracy of `design_of` against the gold design of each claim, overall
and without claims whose `uncertain_label` names design, with a confusion table; (b) the
fraction of gold evidence sentences that coincide with or lie within one sentence span;
(c) sentence-splitting throughput on the dev texts and on 3,000 Evidence Inference
abstracts; (d) design accuracy on the CoronaWhy titles where their classes map cleanly.

    .venv/bin/python bench/extract_parts.py
"""

from __future__ import annotations

import csv
import json
import lzma
import time
from collections import Counter
from pathlib import Path

from evimap.claims import Design
from evimap.extract.design import design_of
from evimap.extract.sentences import record_sentences, sentences
from evimap.records import Journal, Record, Section

DATA = Path("/work/shared/data")
DEV = DATA / "dev_labels" / "nmda_dev.jsonl"
ARTICLES = DATA / "evidence_inference" / "articles.jsonl.xz"
CORONAWHY = DATA / "study_design_coronawhy" / "CoY_newlist_v2.csv"
TITLED = {"pubmedqa", "evidence_inference", "fakehealth_news"}


COCHRANE_JOURNAL = Journal(title="Cochrane Database of Systematic Reviews")


def dev_record(row: dict[str, object], *, with_journal: bool = False) -> Record:
    """A Record from a dev line: title + "\\n\\n" + body where the README says so.

    `with_journal` adds the journal a real Cochrane record carries (its source is known),
    since a conclusions paragraph alone rarely names its design."""
    text = str(row["text"])
    title, body = None, text
    if row["dataset"] in TITLED and "\n\n" in text:
        title, body = text.split("\n\n", 1)
    elif row["dataset"] == "study_design_coronawhy":
        title, body = text, ""
    return Record(
        id=f"{row['dataset']}:{row['id']}",
        source="dev",
        title=title,
        abstract=(Section(None, body),) if body else (),
        journal=COCHRANE_JOURNAL
        if with_journal and str(row["dataset"]).startswith("cochrane")
        else None,
    )


def design_accuracy(rows: list[dict[str, object]], *, with_journal: bool) -> None:
    print(f"-- design, {'with Cochrane journal metadata' if with_journal else 'text only'}")
    pairs_all: list[tuple[str, str]] = []
    pairs_sure: list[tuple[str, str]] = []
    for row in rows:
        record = dev_record(row, with_journal=with_journal)
        predicted = design_of(record, record_sentences(record)).value
        gold = row["gold"]
        assert isinstance(gold, dict)
        for claim in gold["claims"]:
            pairs_all.append((claim["design"], predicted))
            note = str(claim.get("note", "")) if claim.get("uncertain_label") else ""
            if "design" not in note.split("]", 1)[0]:
                pairs_sure.append((claim["design"], predicted))
    for name, pairs in (("all claims", pairs_all), ("without design-flagged", pairs_sure)):
        right = sum(g == p for g, p in pairs)
        print(f"design accuracy, {name}: {right}/{len(pairs)} = {right / len(pairs):.3f}")
    confusion = Counter(pairs_all)
    print("confusion (gold -> predicted: claims), errors only:")
    for (g, p), n in sorted(confusion.items(), key=lambda kv: -kv[1]):
        if g != p:
            print(f"  {g:32s} -> {p:32s} {n}")


def evidence_coincidence(rows: list[dict[str, object]]) -> None:
    inside = exact = total = 0
    for row in rows:
        text = str(row["text"])
        spans = sentences(text)
        gold = row["gold"]
        assert isinstance(gold, dict)
        for claim in gold["claims"]:
            evidence = claim["evidence_sentence"].strip()
            start = text.find(evidence)
            end = start + len(evidence)
            total += 1
            exact += (start, end) in spans
            inside += any(s <= start and end <= e for s, e in spans)
    print(f"evidence sentences equal to a span: {exact}/{total} = {exact / total:.3f}")
    print(f"evidence sentences within a span:   {inside}/{total} = {inside / total:.3f}")


def throughput(label: str, texts: list[str], repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text in texts:
            sentences(text)
        best = min(best, time.perf_counter() - t0)
    chars = sum(map(len, texts)) / len(texts)
    print(
        f"sentences() on {label}: {len(texts) / best:,.0f} records/s "
        f"({best / len(texts) * 1e3:.3f} ms per record of {chars:,.0f} chars)"
    )


def abstracts(limit: int = 3000) -> list[str]:
    out: list[str] = []
    with lzma.open(ARTICLES, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("abstract"):
                out.append(f"{row.get('title') or ''}\n\n{row['abstract']}")
            if len(out) >= limit:
                break
    return out


CORONAWHY_CLASSES = {
    "Experimental - in vitro": Design.PRECLINICAL,
    "Experimental - in vivo": Design.PRECLINICAL,
    "Review": Design.NARRATIVE_REVIEW,
}
"""Only the columns that map onto one design: "Systematic review and/or meta-analysis"
mixes two of ours, and the clinical columns mix trials with observational designs."""


def coronawhy_check() -> None:
    with CORONAWHY.open(encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    right = total = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        marked = {header[i] for i, v in enumerate(row[: len(header)]) if i >= 5 and v == "1"}
        marked.discard("")
        golds = {CORONAWHY_CLASSES[m] for m in marked if m in CORONAWHY_CLASSES}
        if len(marked) != 1 or len(golds) != 1:
            continue
        gold = golds.pop()
        record = Record(id=row[1], source="coronawhy", title=row[3])
        predicted = design_of(record, record_sentences(record))
        total += 1
        right += predicted is gold
        confusion[(gold.value, predicted.value)] += 1
    print(f"CoronaWhy titles, single mappable class: {right}/{total} = {right / total:.3f}")
    for (g, p), n in confusion.most_common(8):
        print(f"  {g:20s} -> {p:32s} {n}")


def main() -> None:
    rows = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    design_accuracy(rows, with_journal=False)
    design_accuracy(rows, with_journal=True)
    evidence_coincidence(rows)
    throughput("dev texts", [str(r["text"]) for r in rows])
    throughput("3,000 Evidence Inference abstracts", abstracts())
    coronawhy_check()


if __name__ == "__main__":
    main()
