"""Cite this: a record as formatted references (APA, Vancouver, Harvard, AMA) and as files.

The formatted references come from the real CSL styles in `csl/` (see its PROVENANCE.md)
run through citeproc-py; the files are BibTeX, RIS and CSL-JSON, built here from the record.

Sharp edge: citeproc-py's HTML formatter escapes the style's own terms but not the record's
values, so a title carrying `<script>` would come out as markup. We render through a
formatter that wraps italics and the like in private-use marker characters, escape the whole
string, and only then turn the markers into tags (markers in record text are removed first).
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
)
from citeproc.source.json import CiteProcJSON
from markupsafe import Markup

from evimap.records import Author, Record, joined_abstract

CSL_FOLDER = Path(__file__).parent / "csl"


@dataclass(frozen=True, slots=True)
class CitationStyle:
    """A citation style offered under Cite this: `name` is the CSL file's stem."""

    name: str
    label: str


STYLES = (
    CitationStyle("apa", "APA"),
    CitationStyle("vancouver", "Vancouver"),
    CitationStyle("harvard-cite-them-right", "Harvard"),
    CitationStyle("american-medical-association", "AMA"),
)
"""The styles of the Cite this box, in the order shown."""


@dataclass(frozen=True, slots=True)
class CitationFile:
    """A downloadable form of a reference: what `/cite/{format}/{id}` serves."""

    name: str
    label: str
    media_type: str
    suffix: str
    render: Callable[[Record], str]


_TAGS = {"i": ("\ue000", "\ue001"), "b": ("\ue002", "\ue003"), "sup": ("\ue004", "\ue005")}
_TAGS["sub"] = ("\ue006", "\ue007")
_MARKERS = re.compile("[\ue000-\ue007]")


def _wrapping(tag: str) -> Callable[[str], str]:
    start, end = _TAGS[tag]
    return lambda text: f"{start}{text}{end}"


_MARKED_FORMATTER = SimpleNamespace(
    preformat=lambda text: text,
    Italic=_wrapping("i"),
    Oblique=_wrapping("i"),
    Bold=_wrapping("b"),
    Light=str,
    Underline=str,
    Superscript=_wrapping("sup"),
    Subscript=_wrapping("sub"),
    SmallCaps=str,
)

_CSL_TYPES = {
    "research_article": "article-journal",
    "review": "article-journal",
    "case_report": "article-journal",
    "commentary": "article-journal",
    "correction": "article-journal",
    "retraction": "article-journal",
    "preprint": "article",
    "news": "article-newspaper",
    "web_page": "webpage",
    "trial_registration": "dataset",
    "guideline": "report",
    "report": "report",
    "protocol": "article-journal",
    "book": "book",
    "book_chapter": "chapter",
    "conference_paper": "paper-conference",
    "thesis": "thesis",
}
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "da", "di", "dos", "du"})
_GROUP_WORDS = re.compile(
    r"\b(group|consortium|collaborat\w*|committee|investigators|society|network|team)\b",
    re.IGNORECASE,
)


def csl_json(record: Record) -> dict[str, Any]:
    """The record as a CSL-JSON item (the input citeproc and reference managers read)."""
    item: dict[str, Any] = {
        "id": record.id,
        "type": _CSL_TYPES.get(
            record.kind or "", "article-journal" if record.journal else "webpage"
        ),
        "title": record.title or "",
    }
    authors = [_csl_name(a) for a in record.authors]
    if authors:
        item["author"] = authors
    journal = record.journal
    if journal:
        _put(item, "container-title", journal.title)
        _put(item, "volume", journal.volume)
        _put(item, "issue", journal.issue)
        _put(item, "page", journal.pages)
    issued = date_parts(record.published or record.epublished)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    _put(item, "DOI", record.doi)
    _put(item, "PMID", record.pmid)
    _put(item, "PMCID", record.pmcid)
    _put(item, "URL", record.url or (f"https://doi.org/{record.doi}" if record.doi else None))
    _put(item, "language", record.language)
    if record.abstract:
        item["abstract"] = joined_abstract(record.abstract)
    if record.keywords:
        item["keyword"] = ", ".join(record.keywords)
    return item


def _fallback_type(record: Record) -> str:
    return "article-journal" if record.journal else "webpage"


def _put(item: dict[str, Any], key: str, value: str | None) -> None:
    if value:
        item[key] = value


def _csl_name(author: Author) -> dict[str, str]:
    name = " ".join(author.name.split())
    if _GROUP_WORDS.search(name) or " " not in name.strip(","):
        return {"literal": name} if " " in name else {"family": name}
    if "," in name:
        family, _, given = name.partition(",")
        return {"family": family.strip(), "given": given.strip()}
    words = name.split(" ")
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return {"family": " ".join(words[cut:]), "given": " ".join(words[:cut])}


def date_parts(value: str | None) -> list[int]:
    """`[year, month, day]` of an ISO date as precise as known (`2020`, `2020-05`), or []."""
    found = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value or "")
    if not found:
        return []
    return [int(part) for part in found.groups() if part]


@functools.cache
def _style(name: str) -> tuple[Any, threading.Lock]:
    return CitationStylesStyle(str(CSL_FOLDER / f"{name}.csl"), validate=False), threading.Lock()


def formatted_reference(record: Record, style: str) -> Markup:
    """The record's reference in one CSL style, as safe HTML (values escaped, italics kept)."""
    item = _without_markers(csl_json(record))
    parsed, lock = _style(style)
    with lock:
        bibliography = CitationStylesBibliography(parsed, CiteProcJSON([item]), _MARKED_FORMATTER)
        bibliography.register(Citation([CitationItem(record.id)]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    text = re.sub(r"^1\.\s*", "", " ".join(entries).strip())
    escaped = html.escape(text, quote=False)
    for tag, (start, end) in _TAGS.items():
        escaped = escaped.replace(start, f"<{tag}>").replace(end, f"</{tag}>")
    return Markup(escaped)


def formatted_references(record: Record) -> list[tuple[CitationStyle, Markup]]:
    """The record's reference in every style of `STYLES`, in order."""
    return [(style, formatted_reference(record, style.name)) for style in STYLES]


def _without_markers(value: Any) -> Any:
    if isinstance(value, str):
        return _MARKERS.sub("", value)
    if isinstance(value, dict):
        return {k: _without_markers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_markers(v) for v in value]
    return value


def csl_json_text(record: Record) -> str:
    """The CSL-JSON file: a list holding the record's item."""
    return json.dumps([csl_json(record)], ensure_ascii=False, indent=2) + "\n"


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_~^])")
_BIBTEX_TYPES = {"article-journal": "article", "book": "book", "chapter": "incollection"}


def bibtex(record: Record) -> str:
    """The record as one BibTeX entry (special characters escaped, braces balanced)."""
    item = csl_json(record)
    fields = [
        ("title", record.title),
        ("journal", item.get("container-title")),
        ("volume", item.get("volume")),
        ("number", item.get("issue")),
        ("pages", (item.get("page") or "").replace("-", "--") or None),
        ("year", str(item["issued"]["date-parts"][0][0]) if "issued" in item else None),
        ("doi", record.doi),
        ("pmid", record.pmid),
        ("url", item.get("URL")),
        ("language", record.language),
        ("keywords", ", ".join(record.keywords) or None),
    ]
    authors = " and ".join(_bibtex_name(a) for a in item.get("author", []))
    escaped = [("author", authors)] if authors else []
    escaped += [(name, _bibtex_escaped(value)) for name, value in fields if value]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in escaped)
    kind = _BIBTEX_TYPES.get(item["type"], "misc")
    return f"@{kind}{{{bibtex_key(record)},\n{body}\n}}\n"


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _bibtex_escaped(name["literal"]) + "}"
    family = _bibtex_escaped(name["family"])
    return f"{family}, {_bibtex_escaped(name['given'])}" if name.get("given") else family


_BIBTEX_WORDS = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bibtex_escaped(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(
        lambda m: _BIBTEX_WORDS.get(m.group(1), "\\" + m.group(1)), " ".join(value.split())
    )


def bibtex_key(record: Record) -> str:
    """A citation key: first author's family name, year, first title word (ASCII only)."""
    item = csl_json(record)
    first = item.get("author", [{}])[0]
    family = first.get("family") or first.get("literal") or "anon"
    year = str(item["issued"]["date-parts"][0][0]) if "issued" in item else ""
    word = next((w for w in re.findall(r"\w+", record.title or "") if len(w) > 3), "")
    key = _ascii(family.split()[-1] if family.split() else "anon") + year + _ascii(word)
    return key or "record"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


_RIS_TYPES = {
    "article-journal": "JOUR",
    "article-newspaper": "NEWS",
    "webpage": "ELEC",
    "dataset": "DATA",
    "report": "RPRT",
    "book": "BOOK",
    "chapter": "CHAP",
    "paper-conference": "CPAPER",
    "thesis": "THES",
    "article": "GEN",
}


def ris(record: Record) -> str:
    """The record as one RIS reference (each value on one line)."""
    item = csl_json(record)
    lines = [("TY", _RIS_TYPES.get(item["type"], "GEN"))]
    lines += [("AU", _ris_name(a)) for a in item.get("author", [])]
    lines.append(("TI", record.title or ""))
    if record.journal:
        lines += [
            ("JO", record.journal.title or ""),
            ("VL", record.journal.volume or ""),
            ("IS", record.journal.issue or ""),
        ]
        start, _, end = (record.journal.pages or "").partition("-")
        lines += [("SP", start), ("EP", end)]
    parts = date_parts(record.published or record.epublished)
    if parts:
        lines.append(("PY", str(parts[0])))
        lines.append(("DA", "/".join(f"{p:02d}" for p in parts)))
    lines += [("DO", record.doi or ""), ("AN", record.pmid or ""), ("UR", item.get("URL", ""))]
    lines.append(("LA", record.language or ""))
    if record.abstract:
        lines.append(("AB", joined_abstract(record.abstract)))
    lines += [("KW", keyword) for keyword in record.keywords]
    text = "".join(f"{tag}  - {' '.join(value.split())}\n" for tag, value in lines if value)
    return text + "ER  - \n"


def _ris_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]


CITATION_FILES = (
    CitationFile("bibtex", "BibTeX", "application/x-bibtex", "bib", bibtex),
    CitationFile("ris", "RIS", "application/x-research-info-systems", "ris", ris),
    CitationFile(
        "csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json", "json", csl_json_text
    ),
)
"""The downloadable forms, by the name used in their URL."""

CITATION_FILE_BY_NAME = {f.name: f for f in CITATION_FILES}

__all__ = [
    "CITATION_FILES",
    "CITATION_FILE_BY_NAME",
    "STYLES",
    "CitationFile",
    "CitationStyle",
    "bibtex",
    "bibtex_key",
    "csl_json",
    "csl_json_text",
    "date_parts",
    "formatted_reference",
    "formatted_references",
    "ris",
]
