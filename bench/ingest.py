"""Benchmark: reading a 30,000-article PubMed file, against pubmed_parser, and ingesting it.

    .venv/bin/python bench/ingest.py              # build bench/out/ once, then measure
    .venv/bin/python bench/ingest.py --file F.xml.gz   # measure another file (e.g. an NLM baseline)

The input is built from real records: the real PubmedArticle fixtures in
tests/data/sources/pubmed/ are the templates (their structure, authors, journals and
reference lists), and the titles, abstracts, years and MeSH terms come from real
abstracts in the shared data folder (PubMedQA's 1,000 PubMed abstracts with their PMIDs,
then the Evidence Inference abstracts), cycled until there are 30,000 articles. Every
article gets a distinct PMID: the real one on the first pass, offset by 50,000,000 per
later pass. DOIs get the PMID appended so that no two articles share an identifier, and
PMC ids are dropped for the same reason.

Three phases run on the same file, each in a fresh interpreter so that its peak RSS
(`ru_maxrss`) is its own:

- `pubmed_parser`: `pubmed_parser.parse_medline_xml(path)`, consumed fully;
- `evimap-reader`: `evimap.sources.pubmed.read(path)`, consumed fully;
- `evimap-ingest`: `evimap.ingest.ingest_files([path], db_url=…)` into a new SQLite file.

The evimap reader must be at least 1.5 times as fast as pubmed_parser, and no evimap
phase may peak above 300 MB.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import lzma
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
TEMPLATES = REPO / "tests" / "data" / "sources" / "pubmed"
SHARED = REPO.parent / "shared" / "data"
ARTICLES = 30_000
PASS_OFFSET = 50_000_000
REQUIRED_RATIO = 1.5
RSS_LIMIT_MB = 300
PHASES = ("pubmed_parser", "evimap-reader", "evimap-ingest")


# --- building the input -------------------------------------------------------------------


def real_abstracts() -> Iterator[dict[str, Any]]:
    """Title, labelled sections, PMID (when known), year and MeSH of real abstracts."""
    with gzip.open(SHARED / "pubmedqa" / "ori_pqal.json.gz", "rt", encoding="utf-8") as f:
        pubmedqa = json.load(f)
    for pmid, entry in pubmedqa.items():
        sections = list(zip(entry["LABELS"], entry["CONTEXTS"], strict=False))
        sections.append(("CONCLUSIONS", entry["LONG_ANSWER"]))
        yield {
            "pmid": int(pmid),
            "title": entry["QUESTION"],
            "sections": sections,
            "year": entry.get("YEAR"),
            "mesh": entry.get("MESHES") or [],
        }
    articles = SHARED / "evidence_inference" / "articles.jsonl.xz"
    with lzma.open(articles, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f):
            article = json.loads(line)
            sections = [(s.get("label"), s["text"]) for s in article.get("abstract_sections", [])]
            if article.get("title") and sections:
                yield {
                    "pmid": 45_000_000 + number,
                    "title": article["title"],
                    "sections": sections,
                    "year": None,
                    "mesh": [],
                }


def templates() -> list[etree._Element]:
    """Every real PubmedArticle with an abstract among the fixtures."""
    found = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in sorted(TEMPLATES.glob("pubmed-*.xml*")):
        if path.name.endswith(".jsonl"):
            continue
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        root = etree.fromstring(data, parser)
        for article in root.iter("PubmedArticle"):
            if article.find("MedlineCitation/Article/Abstract") is not None:
                found.append(article)
    return found


def generated_article(template: etree._Element, text: dict[str, Any], pmid: int) -> bytes:
    article = copy.deepcopy(template)
    citation = article.find("MedlineCitation")
    assert citation is not None
    citation.findall("PMID")[0].text = str(pmid)
    body = citation.find("Article")
    assert body is not None
    title = body.find("ArticleTitle")
    if title is not None:
        title.clear()
        title.text = text["title"]
    abstract = body.find("Abstract")
    if abstract is not None:
        for old in abstract.findall("AbstractText"):
            abstract.remove(old)
        for position, (label, section) in enumerate(text["sections"]):
            part = etree.Element("AbstractText")
            if label:
                part.set("Label", label)
            part.text = section
            abstract.insert(position, part)
    year = body.find("Journal/JournalIssue/PubDate/Year")
    if year is not None and text["year"]:
        year.text = text["year"]
    headings = citation.find("MeshHeadingList")
    if headings is not None and text["mesh"]:
        for old in list(headings):
            headings.remove(old)
        for term in text["mesh"]:
            heading = etree.SubElement(headings, "MeshHeading")
            etree.SubElement(heading, "DescriptorName", MajorTopicYN="N").text = term
    for location in body.iterfind("ELocationID"):
        location.text = f"{location.text}.{pmid}"
    for article_id in article.iterfind("PubmedData/ArticleIdList/ArticleId"):
        kind = article_id.get("IdType")
        if kind == "pubmed":
            article_id.text = str(pmid)
        elif kind == "doi":
            article_id.text = f"{article_id.text}.{pmid}"
        elif kind in ("pmc", "pmcid"):
            article_id.getparent().remove(article_id)  # type: ignore[union-attr]
    article.tail = "\n"
    return etree.tostring(article, encoding="utf-8")


def build_input(path: Path, count: int) -> None:
    """Write `count` articles as a gzipped efetch-style PubmedArticleSet."""
    shapes = templates()
    texts = list(real_abstracts())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with gzip.open(partial, "wb", compresslevel=6) as out:
        out.write(
            b'<?xml version="1.0" encoding="utf-8"?>\n'
            b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January '
            b'2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
            b"<PubmedArticleSet>\n"
        )
        for n in range(count):
            text = texts[n % len(texts)]
            pmid = text["pmid"] + PASS_OFFSET * (n // len(texts))
            out.write(generated_article(shapes[n % len(shapes)], text, pmid))
        out.write(b"</PubmedArticleSet>\n")
    partial.replace(path)
    print(
        f"built {path} ({count:,} articles from {len(shapes)} templates and "
        f"{len(texts):,} real abstracts; {path.stat().st_size / 2**20:.1f} MB gzipped)"
    )


# --- the phases, each run in its own process ----------------------------------------------


def run_phase(phase: str, path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    if phase == "pubmed_parser":
        import pubmed_parser

        records = sum(1 for _ in pubmed_parser.parse_medline_xml(str(path)))
    elif phase == "evimap-reader":
        from evimap.sources import pubmed

        records = sum(1 for _ in pubmed.read(path))
    else:
        from evimap.ingest import ingest_files

        database = OUT / "ingest.db"
        for stale in OUT.glob("ingest.db*"):
            stale.unlink()
        summary = ingest_files([path], db_url=f"sqlite:///{database}")
        records = summary.read
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "records": records,
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }


def run_in_fresh_process(phase: str, path: Path) -> dict[str, Any] | str:
    """One run of `phase` in a new interpreter, or the last line of its error."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--phase", phase, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(path: Path, repeat: int) -> int:
    """Run the phases `repeat` times, interleaved, and print the best run of each.

    Interleaving and taking the best run keep a busy machine from favouring whichever
    phase happened to run while it was quiet; CPU seconds are shown beside wall seconds
    for the same reason. Peak RSS is the largest over the runs.
    """
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in PHASES}
    errors: dict[str, str] = {}
    for _ in range(repeat):
        for phase in PHASES:
            result = run_in_fresh_process(phase, path)
            if isinstance(result, str):
                errors[phase] = result
            else:
                runs[phase].append(result)
                print(f"  {phase}: {result['seconds']:.1f} s", file=sys.stderr, flush=True)
    best: dict[str, dict[str, Any]] = {}
    for phase, done in runs.items():
        if done:
            fastest = min(done, key=lambda run: float(run["seconds"]))
            best[phase] = {**fastest, "peak_mb": max(run["peak_mb"] for run in done)}
    print(f"\n{path} (best of {repeat} interleaved fresh-process runs per phase)")
    print(
        f"{'phase':<15} {'records':>8} {'wall s':>7} {'cpu s':>7} {'records/s':>10} {'peak RSS':>9}"
    )
    for phase in PHASES:
        if phase not in best:
            print(f"{phase:<15} not run: {errors.get(phase, 'no result')}")
            continue
        result = best[phase]
        rate = result["records"] / result["seconds"]
        print(
            f"{phase:<15} {result['records']:>8,} {result['seconds']:>7.2f} {result['cpu']:>7.2f} "
            f"{rate:>10,.0f} {result['peak_mb']:>6.0f} MB"
        )
    failures = []
    peer, ours = best.get("pubmed_parser"), best.get("evimap-reader")
    if peer and ours:
        ratio = (ours["records"] / ours["seconds"]) / (peer["records"] / peer["seconds"])
        cpu_ratio = (ours["records"] / ours["cpu"]) / (peer["records"] / peer["cpu"])
        print(
            f"\nevimap reader / pubmed_parser: {ratio:.2f}x records/s "
            f"({cpu_ratio:.2f}x per CPU second; required >= {REQUIRED_RATIO})"
        )
        if ratio < REQUIRED_RATIO:
            failures.append(f"reader ratio {ratio:.2f} < {REQUIRED_RATIO}")
    for phase in ("evimap-reader", "evimap-ingest"):
        if phase in best and best[phase]["peak_mb"] >= RSS_LIMIT_MB:
            failures.append(f"{phase} peaked at {best[phase]['peak_mb']:.0f} MB")
        if phase not in best:
            failures.append(f"{phase} did not run")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--file", type=Path, help="measure this .xml.gz instead")
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--rebuild", action="store_true", help="build the input again")
    parser.add_argument("--repeat", type=int, default=1, help="runs per phase; best counts")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.path)))
        return 0
    path = args.file or OUT / f"pubmed-bench-{args.articles}.xml.gz"
    if not args.file and (args.rebuild or not path.exists()):
        build_input(path, args.articles)
    return report(path, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
