"""Build evimap's bundled demo corpus from the shared data sets; commit its output.

Writes, under `--out` (default `data/`):
- `corpus/nmda.jsonl`: every openly licensed real record about the NMDA-receptor drugs that
  the shared data holds, one evimap Record (see docs/formats.md) per line, sorted by id;
- `corpus-all/evidence_inference.jsonl.gz`: every Evidence Inference trial abstract (the
  `evimap demo --all` corpus), gzip because evimap's readers unpack gzip (not xz);
- `PROVENANCE.md`: origin, commit and licence of each source, the selection rule, what was
  left out and why, and every record id of the default corpus with its source and licence.

Sources (paths relative to `--shared`, default `../shared/data` beside the checkout; their
commits and licences are those of the shared data's MANIFEST.md):
- `evidence_inference/articles.jsonl.xz`: PMC open-access trial reports; title and
  abstract only, never the full text;
- `pubmedqa/ori_pqal.json.gz`: PubMedQA PQA-L; the contexts are the abstract's sections and
  the long answer its conclusion;
- `ebm_nlp/`: EBM-NLP abstracts (CoNLL copy and the difficulty set), PubMed text that the
  data set only holds tokenized, so it is re-joined here (spacing may differ from PubMed);
- `evidencemap_weng/evidencemap_brat.jsonl`: EvidenceMap RCT abstracts, tokenized likewise;
- `nmda_records.jsonl`: the shared topic list. Its records from the sources above are taken
  (rebuilt from the source file); every other data set in it is left out for the reason in
  `LEFT_OUT` (Cochrane text may not be redistributed; single sentences are not records).

A record is about the NMDA-receptor drugs when evimap's own intervention vocabulary
(`extract/vocab/interventions*.yaml`, classes `nmda_antagonist` and `nmda_modulator`) finds
one in its title, or at least twice in its abstract (`nmda_terms`): whole words, brands and
salts mapped to the generic name. So adding a drug to the vocabulary adds its records on the
next build. Three exceptions keep incidental mentions out: an abbreviation alone never counts
(PCP is also Pneumocystis pneumonia, DCS a decompression sickness, Mg a serum level), bare
"magnesium" counts only in a drug context (`MAGNESIUM_AS_DRUG`), as in the shared list, and
nitrous oxide and xenon only in the title (`TITLE_ONLY`). Racemic methadone is an opioid in
the vocabulary and is not taken; esmethadone (REL-1017) is.

Duplicates (same PMID, PMCID, DOI or title) keep the copy of the source listed first in
`SOURCES` (untokenized text, more metadata), with the other copy's identifiers added.

Usage: .venv/bin/python scripts/build_demo_corpus.py [--shared ../shared/data] [--out data]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import gzip
import io
import json
import lzma
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evimap.extract.vocab import find_interventions, vocabulary
from evimap.records import (
    Record,
    Section,
    joined_abstract,
    normalized_text,
    record_to_dict,
    with_identity,
)

REPO = Path(__file__).resolve().parents[1]
NMDA_CLASSES = frozenset({"nmda_antagonist", "nmda_modulator"})

MAGNESIUM_AS_DRUG = re.compile(
    r"\b(?:(?:intravenous|i\.?v\.?|oral|inhaled|nebuli[sz]ed|intrathecal|epidural|"
    r"perioperative|intraoperative|postoperative|prophylactic|adjuvant|supplemental)"
    r"\s+magnesium|magnesium\s+(?:infusion|administration|therapy|treatment|"
    r"supplementation|supplements?|bolus|prophylaxis|loading))\b",
    re.IGNORECASE,
)
"""Magnesium given as a drug, where the vocabulary's salts and phrases do not say it."""

TITLE_ONLY = frozenset({"nitrous oxide", "xenon"})
"""Drugs that count only when the title names them: the abstracts of most general-anaesthesia
trials name nitrous oxide as the background anaesthetic, and xenon-133 is a blood-flow tracer."""


@dataclass(frozen=True)
class Source:
    """A data set records are taken from: the Record `source` it gets, and its terms."""

    name: str
    title: str
    origin: str
    files: str
    licence: str
    record_licence: str


SOURCES = (
    Source(
        "pubmedqa",
        "PubMedQA PQA-L (Jin et al., EMNLP 2019)",
        "github.com/pubmedqa/pubmedqa @ 1cbae8e9",
        "`pubmedqa/ori_pqal.json.gz`",
        "MIT (data set); the abstracts are PubMed text",
        "MIT (PubMedQA); PubMed abstract",
    ),
    Source(
        "evidence_inference",
        "Evidence Inference 1.0/2.0 (Lehman et al., NAACL 2019; DeYoung et al., BioNLP 2020)",
        "github.com/jayded/evidence-inference @ b9831b6c",
        "`evidence_inference/articles.jsonl.xz` (title and abstract only)",
        "annotations MIT; each article is in the PMC Open Access Subset under its own licence "
        "(CC BY, CC BY-NC, CC0 or another licence that allows redistribution); the exact "
        "licence of each article is on its PMC page, linked as the record's `url`",
        "PMC Open Access Subset (article's licence)",
    ),
    Source(
        "ebm_nlp",
        "EBM-NLP (Nye et al., ACL 2018)",
        "github.com/allenai/scibert @ 06793f77 (CoNLL copy); github.com/bepnye/EBM-NLP @ 43a4a1ea",
        "`ebm_nlp/scibert_conll/{dev,test}.txt.gz`, `ebm_nlp/ebm_nlp_difficulty.tar.gz`",
        "none stated upstream (BigBIO lists it as unknown); the texts are PubMed abstracts, "
        "which the project's brief allows to ship. Re-joined from tokens: spacing around "
        "punctuation may differ from PubMed's",
        "PubMed abstract (no data-set licence stated)",
    ),
    Source(
        "evidencemap",
        "EvidenceMap corpus (Kang, Sun, Weng; Columbia)",
        "github.com/WengLab-InformaticsResearch/EvidenceMap_Model @ 719455ee",
        "`evidencemap_weng/evidencemap_brat.jsonl`",
        "none stated upstream; the texts are PubMed abstracts (re-joined from tokens, as EBM-NLP)",
        "PubMed abstract (no data-set licence stated)",
    ),
)
SOURCE_BY_NAME = {source.name: source for source in SOURCES}

TAKEN_FROM_LIST = {
    "evidence_inference": "evidence_inference",
    "rct_numeric_outcomes_yun2024": "evidence_inference",
    "pubmedqa": "pubmedqa",
    "ebm_nlp": "ebm_nlp",
    "ebm_nlp_difficulty": "ebm_nlp",
    "evidencemap_weng": "evidencemap",
}
"""Data sets of `nmda_records.jsonl` whose records are taken, and the source rebuilt from."""

LEFT_OUT = {
    "cochrane_pls_devaraj2021": "Cochrane review text, © Cochrane/Wiley: its licence does "
    "not allow redistribution",
    "cochrane_conclusions_wallace2021": "Cochrane authors' conclusions, © Cochrane/Wiley: "
    "its licence does not allow redistribution",
    "fakehealth_news": "news stories and press releases, © their publishers; no licence stated",
    "phee": "single sentences of case-report abstracts, not whole records (MIT)",
    "ade_corpus_v2": "single sentences of case-report abstracts, not whole records; no "
    "licence stated",
    "ade_corpus_v2_neg": "single sentences of case-report abstracts, not whole records; no "
    "licence stated",
    "claim_strength_yu2019": "a single conclusion sentence without its record (GPL-3.0)",
    "study_design_coronawhy": "a CORD-19 title with no abstract and no PubMed id",
}
"""Data sets of `nmda_records.jsonl` left out of the corpus, with the reason."""

_HEADING_TEXT = """BACKGROUND OBJECTIVE OBJECTIVES AIM AIMS PURPOSE INTRODUCTION CONTEXT RATIONALE
    HYPOTHESIS METHOD METHODS MATERIAL MATERIALS DESIGN SETTING SETTINGS PATIENTS
    PARTICIPANTS SUBJECTS POPULATION INTERVENTION INTERVENTIONS MAIN OUTCOME OUTCOMES
    MEASURE MEASURES MEASUREMENTS RESULTS RESULT FINDINGS CONCLUSION CONCLUSIONS
    INTERPRETATION SUMMARY DISCUSSION LIMITATIONS SIGNIFICANCE IMPLICATIONS CLINICAL
    TRIAL REGISTRATION STUDY PRIMARY SECONDARY EXPERIMENTAL PROCEDURES STATISTICAL
    ANALYSIS ANALYSES DATA SOURCES SELECTION EXTRACTION SYNTHESIS EVIDENCE UNLABELLED
    AND OF THE TO IN FOR"""
HEADING_WORDS = frozenset(_HEADING_TEXT.split())
"""Words of the upper-case section headings that PubMed abstracts carry inline once tokenized."""
_HEADING_KEYS = HEADING_WORDS - {"AND", "OF", "THE", "TO", "IN", "FOR"}
_SENTENCE_END = frozenset({".", "?", "!"})
_ABBREVIATIONS = frozenset({"vs.", "al.", "e.g.", "i.e.", "dr.", "no.", "fig.", "approx.", "ca."})
_GLUED_HEADING = re.compile(r"(?<=[\w)%][.?!])(?=[A-Z]{3,}[A-Z ]*:)")
"""A heading run into the sentence before it ("departments.OBJECTIVE:"), as in EvidenceMap."""
_EMBEDDED_HEADING = re.compile(r"(?:ABSTRACT\.)+([A-Z][A-Za-z0-9 ,/&()-]*?):+\.?\s*")


@dataclass(frozen=True)
class Candidate:
    """A record of the corpus with the source it was taken from and why it was taken."""

    record: Record
    source: str
    terms: tuple[str, ...]
    also_in: tuple[str, ...] = ()


# --- readers of the shared data sets ---------------------------------------------------


def evidence_inference_records(shared: Path) -> Iterator[Record]:
    """Every Evidence Inference article with a title or an abstract, as a Record."""
    with lzma.open(shared / "evidence_inference" / "articles.jsonl.xz", "rt") as lines:
        for line in lines:
            article = json.loads(line)
            sections = tuple(
                part
                for s in article["abstract_sections"]
                for part in embedded_sections(_label(s["label"]), s["text"])
            )
            title = _clean(article["title"] or "") or None
            if not (title or sections):
                continue
            pmcid = f"PMC{article['pmcid']}"
            yield with_identity(
                Record(
                    id=f"pmcid:{pmcid}",
                    source="evidence_inference",
                    title=title,
                    abstract=sections,
                    language="en",
                    pmcid=pmcid,
                    url=f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/",
                    kind="research_article",
                )
            )


def pubmedqa_records(shared: Path) -> Iterator[Record]:
    """Every PubMedQA PQA-L abstract: question as title, contexts and the conclusion.

    PubMedQA strips the conclusion's label when it moves the conclusion into the long
    answer; it is given back as `CONCLUSIONS`, the label the extractor looks for.
    """
    with gzip.open(shared / "pubmedqa" / "ori_pqal.json.gz", "rt") as stream:
        items = json.load(stream)
    for pmid, item in items.items():
        sections = [
            Section(_label(label), _clean(text))
            for label, text in zip(item["LABELS"], item["CONTEXTS"], strict=True)
        ]
        if item.get("LONG_ANSWER", "").strip():
            sections.append(Section("CONCLUSIONS", _clean(item["LONG_ANSWER"])))
        yield with_identity(
            Record(
                id=f"pmid:{pmid}",
                source="pubmedqa",
                title=_clean(item["QUESTION"]),
                abstract=tuple(sections),
                language="en",
                published=item.get("YEAR") or None,
                pmid=pmid,
                mesh_terms=tuple(item.get("MESHES") or ()),
                url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            )
        )


def ebm_nlp_records(shared: Path) -> Iterator[Record]:
    """EBM-NLP abstracts: the CoNLL copy (sentence breaks known) first, then the difficulty set."""
    for part in ("test", "dev"):
        with gzip.open(shared / "ebm_nlp" / "scibert_conll" / f"{part}.txt.gz", "rt") as lines:
            for pmid, sentences in _conll_documents(lines):
                title, rest = title_and_rest([t for s in sentences for t in s])
                yield _tokenized_record("ebm_nlp", pmid, title, rest)
    with tarfile.open(shared / "ebm_nlp" / "ebm_nlp_difficulty.tar.gz") as archive:
        members = sorted(
            (m for m in archive.getmembers() if m.name.endswith(".tokens")), key=lambda m: m.name
        )
        for member in members:
            stream = archive.extractfile(member)
            if stream is None:
                continue
            tokens = [t for t in io.TextIOWrapper(stream, "utf-8").read().split("\n") if t]
            title, rest = title_and_rest(tokens)
            yield _tokenized_record("ebm_nlp", Path(member.name).stem, title, rest)


def evidencemap_records(shared: Path) -> Iterator[Record]:
    """EvidenceMap abstracts (General and COVID-19), their tokenized text re-joined."""
    with (shared / "evidencemap_weng" / "evidencemap_brat.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            text = _GLUED_HEADING.sub(" ", item["text"])
            title, rest = title_and_rest(text.split())
            yield _tokenized_record("evidencemap", item["pmid"], title, rest)


def _conll_documents(lines: Iterable[str]) -> Iterator[tuple[str, list[list[str]]]]:
    pmid: str | None = None
    sentences: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("-DOCSTART-"):
            if pmid is not None:
                yield pmid, [s for s in sentences if s]
            pmid = line.split("(", 1)[1].split(")", 1)[0]
            sentences = [[]]
        elif not line.strip():
            sentences.append([])
        else:
            sentences[-1].append(line.split(" ", 1)[0])
    if pmid is not None:
        yield pmid, [s for s in sentences if s]


def title_and_rest(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The title (to the end of the first sentence) and the rest of an abstract's tokens.

    The data sets hold title and abstract as one token stream, some split at punctuation
    ("surgery ." then "Thirty"), some not ("Trial." then "In"); a leading `TITLE:` marker
    (EvidenceMap's COVID-19 part) is dropped.
    """
    if tokens[:1] == ["TITLE:"]:
        tokens = tokens[1:]
    elif tokens[:2] == ["TITLE", ":"]:
        tokens = tokens[2:]
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if _ends_sentence(token, following):
            return tokens[: index + 1], tokens[index + 1 :]
    return tokens, []


def _ends_sentence(token: str, following: str) -> bool:
    if token in _SENTENCE_END:
        return True
    return (
        token[-1:] in _SENTENCE_END
        and token.lower() not in _ABBREVIATIONS
        and following[:1].isupper()
    )


def _tokenized_record(source: str, pmid: str, title: list[str], tokens: list[str]) -> Record:
    return with_identity(
        Record(
            id=f"pmid:{pmid}",
            source=source,
            title=detokenized(title) or None,
            abstract=tuple(sectioned(tokens)),
            language="en",
            pmid=pmid,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            kind="research_article",
        )
    )


def detokenized(tokens: list[str]) -> str:
    """Tokens joined as prose: no space before closing punctuation or after an opening one,
    nor around a hyphen between two words ("small - dose")."""
    text = " ".join(tokens)
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"(\w) - (?=\w)", r"\1-", text)
    return re.sub(r"([(\[]) ", r"\1", text).strip()


def embedded_sections(label: str | None, text: str) -> list[Section]:
    """A section cut where its text carries PMC's flattened headings ("ABSTRACT.METHODS:.").

    626 sections of Evidence Inference hold several abstract sections run together that
    way; the labels matter to the extractor, which looks for the conclusions.
    """
    parts = _EMBEDDED_HEADING.split(text)
    sections = [Section(label, _clean(parts[0]))] if _clean(parts[0]) else []
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        if _clean(body):
            sections.append(Section(_label(heading), _clean(body)))
    return sections


def sectioned(tokens: list[str]) -> list[Section]:
    """A tokenized abstract cut at its inline upper-case headings ("METHODS", "MAIN OUTCOME
    MEASURES"), which start a sentence and are followed by an ordinary word."""
    sections: list[Section] = []
    label: str | None = None
    start = 0
    index = 0
    while index < len(tokens):
        end = _heading_end(tokens, index)
        if end is not None:
            if text := detokenized(tokens[start:index]):
                sections.append(Section(label, text))
            label = _label(" ".join(tokens[index:end]).rstrip(":"))
            if end < len(tokens) and tokens[end] == ":":
                end += 1
            start = index = end
            continue
        index += 1
    if text := detokenized(tokens[start:]):
        sections.append(Section(label, text))
    return sections


def _heading_end(tokens: list[str], index: int) -> int | None:
    if index > 0 and tokens[index - 1][-1:] not in {*_SENTENCE_END, ":"}:
        return None
    end = index
    while end < len(tokens) and tokens[end].rstrip(":") in HEADING_WORDS:
        end += 1
        if tokens[end - 1].endswith(":"):
            break
    words = [token.rstrip(":") for token in tokens[index:end]]
    if not words or not _HEADING_KEYS.intersection(words) or words[-1] not in _HEADING_KEYS:
        return None
    following = tokens[end] if end < len(tokens) else ""
    is_marked = tokens[end - 1].endswith(":") or following == ":"
    return end if is_marked or not following.isupper() else None


def _label(label: str | None) -> str | None:
    if not label:
        return None
    label = re.sub(r"^ABSTRACT\.", "", label.strip()).strip()
    return None if label.upper() in ("", "UNLABELLED", "ABSTRACT") else label


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- selection ---------------------------------------------------------------------------


def nmda_terms(record: Record) -> tuple[str, ...]:
    """The NMDA-receptor drugs `record` is about: named in its title, or at least twice in
    its abstract (one mention is mostly background: the anaesthetic of an animal study, a
    drug the patients already took); see the module docstring for what counts as named."""
    in_title = set(_nmda_mentions(record.title or ""))
    in_abstract = collections.Counter(_nmda_mentions(joined_abstract(record.abstract)))
    repeated = {term for term, n in in_abstract.items() if n >= 2 and term not in TITLE_ONLY}
    return tuple(sorted(in_title | repeated))


def _nmda_mentions(text: str) -> list[str]:
    entries = vocabulary("interventions").entries
    found = []
    for match in find_interventions(text):
        if match.group_or_class not in NMDA_CLASSES:
            continue
        if match.text in entries[match.canonical].abbreviations:
            continue
        is_bare_magnesium = normalized_text(match.text) == "magnesium"
        if is_bare_magnesium and not MAGNESIUM_AS_DRUG.search(text):
            continue
        found.append(match.canonical)
    return found


def listed_keys(shared: Path) -> tuple[dict[str, set[str]], dict[str, int]]:
    """The shared topic list: record keys to take per source, and counts of what is left out."""
    wanted: dict[str, set[str]] = {source.name: set() for source in SOURCES}
    left_out: dict[str, int] = {}
    with (shared / "nmda_records.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            dataset = item["dataset"]
            if dataset in TAKEN_FROM_LIST:
                wanted[TAKEN_FROM_LIST[dataset]].add(item["id"].split("/")[-1])
            elif dataset in LEFT_OUT:
                left_out[dataset] = left_out.get(dataset, 0) + 1
            else:
                raise SystemExit(
                    f"nmda_records.jsonl: data set {dataset!r} has no policy; add it to "
                    "TAKEN_FROM_LIST or LEFT_OUT in scripts/build_demo_corpus.py"
                )
    return wanted, left_out


def selected(shared: Path, all_trials: list[Record]) -> tuple[list[Candidate], dict[str, int]]:
    """The default corpus, deduplicated, sorted by id; and the list's left-out counts."""
    wanted, left_out = listed_keys(shared)
    readers = {
        "pubmedqa": lambda: pubmedqa_records(shared),
        "evidence_inference": lambda: iter(all_trials),
        "ebm_nlp": lambda: ebm_nlp_records(shared),
        "evidencemap": lambda: evidencemap_records(shared),
    }
    kept: list[Candidate] = []
    found: dict[str, set[str]] = {name: set() for name in readers}
    for source in SOURCES:
        for record in readers[source.name]():
            key = record.pmcid if source.name == "evidence_inference" else record.pmid
            terms = nmda_terms(record)
            if not terms and key not in wanted[source.name]:
                continue
            found[source.name].add(key or "")
            _add(kept, Candidate(record, source.name, terms or ("(listed)",)))
    for name, keys in wanted.items():
        if missing := keys - found[name]:
            raise SystemExit(f"nmda_records.jsonl: {name} records not found: {sorted(missing)}")
    return sorted(kept, key=lambda c: c.record.id), left_out


def _add(kept: list[Candidate], candidate: Candidate) -> None:
    """Keep `candidate` unless it duplicates a kept record; then merge its ids into that one."""
    keys = _dedup_keys(candidate.record)
    for index, other in enumerate(kept):
        if keys & _dedup_keys(other.record):
            kept[index] = dataclasses.replace(
                other,
                record=_with_ids_of(other.record, candidate.record),
                terms=tuple(sorted(set(other.terms) | set(candidate.terms) - {"(listed)"}))
                or other.terms,
                also_in=tuple(sorted({*other.also_in, candidate.source} - {other.source})),
            )
            return
    kept.append(candidate)


def _dedup_keys(record: Record) -> set[str]:
    keys = {i for i in record.ids if not i.startswith("sha1:")}
    if record.title and len(record.title.split()) >= 6:
        keys.add("title:" + re.sub(r"[^a-z0-9]", "", normalized_text(record.title)))
    return keys


def _with_ids_of(kept: Record, other: Record) -> Record:
    return with_identity(
        dataclasses.replace(
            kept,
            pmid=kept.pmid or other.pmid,
            pmcid=kept.pmcid or other.pmcid,
            doi=kept.doi or other.doi,
        )
    )


# --- output ------------------------------------------------------------------------------


def record_line(record: Record) -> str:
    """One JSON line in evimap's record format (fields in Record order: `id` first)."""
    return json.dumps(record_to_dict(record), ensure_ascii=False) + "\n"


def write_jsonl(path: Path, records: Iterable[Record]) -> int:
    """Write `records` as JSON lines (gzip when the name ends .gz, byte-reproducible)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [record_line(record) for record in records]
    data = "".join(lines).encode("utf-8")
    if path.suffix == ".gz":
        with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as stream:
            stream.write(data)
    else:
        path.write_bytes(data)
    return len(lines)


def provenance(
    corpus: list[Candidate], left_out: dict[str, int], all_count: int, corpus_name: str
) -> str:
    """PROVENANCE.md: sources, rule, what was left out, and every record id with its licence."""
    counts = {s.name: sum(c.source == s.name for c in corpus) for s in SOURCES}
    lines = [
        "# Bundled demo corpus: provenance",
        "",
        "Generated by `scripts/build_demo_corpus.py` from the workplace's `shared/data/` (see",
        "its `MANIFEST.md`); do not edit by hand, run the script again. `evimap demo` ingests the",
        "seeds (`seeds/`, described in `seeds/PROVENANCE.md`) and `corpus/`; `evimap demo --all`",
        "adds `corpus-all/`. Every record is title and abstract only, in evimap's record JSON",
        "(docs/formats.md); the texts remain the work of their authors and publishers.",
        "",
        "## Sources",
        "",
        f"| source | data set | origin @ commit | files | licence | records in `{corpus_name}` |",
        "|---|---|---|---|---|---|",
    ]
    for s in SOURCES:
        lines.append(
            f"| `{s.name}` | {s.title} | {s.origin} | {s.files} | {s.licence} | {counts[s.name]} |"
        )
    lines += [
        "",
        "## How records were chosen",
        "",
        "A record is taken when evimap's intervention vocabulary finds an NMDA-receptor drug",
        "(class `nmda_antagonist` or `nmda_modulator`: ketamine, esketamine, arketamine,",
        "memantine, dextromethorphan and its combinations, amantadine, nitrous oxide, xenon,",
        "magnesium given as a drug, lanicemine, rapastinel, esmethadone, traxoprodil, …) as a",
        "whole word in its title, or at least twice in its abstract (a single mention is mostly",
        "background: the anaesthetic of an animal study, a drug the patients already took). An",
        'abbreviation alone never counts, bare "magnesium" counts only in a drug context, and',
        "nitrous oxide and xenon count only in the title (the background anaesthetic of many",
        "trials; xenon-133 is a blood-flow tracer). Racemic methadone is an opioid in the",
        "vocabulary and is not taken. Records listed in the shared `nmda_records.jsonl` from the",
        'sources above are taken too, even when the rule does not match them (marked "listed");',
        "its one `rct_numeric_outcomes_yun2024` record is an Evidence Inference article and is",
        "taken from there. Duplicates (same PMID, PMCID, DOI or title) are kept once, from the",
        "first source in the table above, with the other copy's identifiers.",
        "",
        "Left out of `nmda_records.jsonl` (no record of these is shipped). A single sentence",
        "stored under its article's PMID would also stand in for the whole article: a later",
        "PubMed copy merges into it, and the stored copy's fields win.",
        "",
        "| data set | records | why |",
        "|---|---|---|",
    ]
    for dataset, reason in LEFT_OUT.items():
        lines.append(f"| `{dataset}` | {left_out.get(dataset, 0)} | {reason} |")
    lines += [
        "",
        f"## `corpus-all/evidence_inference.jsonl.gz` ({all_count:,} records)",
        "",
        "Every Evidence Inference article that has a title or an abstract (one of the 3,292",
        "has neither), as title and abstract, source `evidence_inference`, licence: "
        + SOURCE_BY_NAME["evidence_inference"].licence
        + ".",
        "",
        f"## Records of `{corpus_name}` ({len(corpus)})",
        "",
        "| id | source | licence | NMDA drugs named | title |",
        "|---|---|---|---|---|",
    ]
    for c in corpus:
        source = c.source + "".join(f" (also {a})" for a in c.also_in)
        title = (c.record.title or "").replace("|", "/")
        title = title if len(title) <= 90 else title[:89] + "…"
        lines.append(
            f"| `{c.record.id}` | {source} | {SOURCE_BY_NAME[c.source].record_licence} | "
            f"{', '.join(c.terms)} | {title} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "data")
    args = parser.parse_args()
    all_trials = list(evidence_inference_records(args.shared))
    corpus, left_out = selected(args.shared, all_trials)
    corpus_name = "corpus/nmda.jsonl"
    write_jsonl(args.out / corpus_name, (c.record for c in corpus))
    all_count = write_jsonl(
        args.out / "corpus-all" / "evidence_inference.jsonl.gz",
        sorted(all_trials, key=lambda r: r.id),
    )
    (args.out / "PROVENANCE.md").write_text(
        provenance(corpus, left_out, all_count, corpus_name), encoding="utf-8"
    )
    by_source = {s.name: sum(c.source == s.name for c in corpus) for s in SOURCES}
    print(f"{corpus_name}: {len(corpus)} records {by_source}; corpus-all: {all_count} records")


if __name__ == "__main__":
    main()
