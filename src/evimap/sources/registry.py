"""The registry of source readers: built-ins in a literal tuple, plugins by entry point.

A `SourceSpec` names a reader and says how to recognize its input. Recognition reads the
content (`sniff(head)` over the first few kilobytes); the file suffix only breaks ties
between readers that both accept the content. Third-party readers are loaded, once and
lazily, from the `evimap.sources` entry-point group and go through the same code path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from evimap.errors import EmptyInput, UnknownFormat
from evimap.records import Item
from evimap.sources import (
    bibtex,
    ctgov,
    europepmc,
    jats,
    jsonl,
    medline,
    page,
    pubmed,
    ris,
)
from evimap.sources._io import Data, head, origin_of

Reader = Callable[..., Iterator[Item]]
"""`read(data: Path | bytes, *, origin: str | None, on_error: Callable | None)`.

Yields Records (and Deletions); `on_error` receives per-record problems (None: raise).
"""


@dataclass(frozen=True)
class SourceSpec:
    """A registered source: its short stable name, reader, sniffer and hints."""

    name: str
    read: Reader
    sniff: Callable[[bytes], bool]
    suffixes: tuple[str, ...]
    media_types: tuple[str, ...]
    description: str


BUILTIN_SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "pubmed",
        pubmed.read,
        pubmed.sniff,
        (".xml", ".xml.gz"),
        ("application/xml",),
        "PubMed/MEDLINE XML: efetch output and baseline/update files, plain or gzip",
    ),
    SourceSpec(
        "jats",
        jats.read,
        jats.sniff,
        (".nxml", ".xml"),
        ("application/jats+xml",),
        "PMC JATS full-text XML (one article, or a pmc-articleset from efetch)",
    ),
    SourceSpec(
        "europepmc",
        europepmc.read,
        europepmc.sniff,
        (".json",),
        ("application/json",),
        "Europe PMC REST search results (resultType core or lite)",
    ),
    SourceSpec(
        "ctgov",
        ctgov.read,
        ctgov.sniff,
        (".json",),
        ("application/json",),
        "ClinicalTrials.gov API v2: one study, or a page of studies",
    ),
    SourceSpec(
        "jsonl",
        jsonl.read,
        jsonl.sniff,
        (".jsonl", ".ndjson"),
        ("application/jsonl",),
        "JSON Lines of evimap records (also the output of `evimap extract`)",
    ),
    SourceSpec(
        "medline",
        medline.read,
        medline.sniff,
        (".nbib", ".txt", ".medline"),
        ("application/nbib",),
        "MEDLINE/nbib tagged text, as PubMed's 'Save as PubMed format' exports it",
    ),
    SourceSpec(
        "ris",
        ris.read,
        ris.sniff,
        (".ris", ".txt"),
        ("application/x-research-info-systems",),
        "RIS exports (Zotero, EndNote, Scopus, Embase, Web of Science)",
    ),
    SourceSpec(
        "bibtex",
        bibtex.read,
        bibtex.sniff,
        (".bib", ".bibtex"),
        ("application/x-bibtex",),
        "BibTeX databases",
    ),
    SourceSpec(
        "page",
        page.read,
        page.sniff,
        (".html", ".htm", ".txt"),
        ("text/html", "text/plain"),
        "Web pages as HTML or copied text: news stories, PubMed-style abstract pages, "
        "research-portal (Pure/Scopus) records",
    ),
)


@cache
def all_sources() -> tuple[SourceSpec, ...]:
    """Built-ins first, then plugins from the `evimap.sources` entry-point group."""
    plugins = []
    for ep in entry_points(group="evimap.sources"):
        spec = ep.load()
        if not isinstance(spec, SourceSpec):
            raise TypeError(f"entry point {ep.name!r} must name a SourceSpec, not {spec!r}")
        plugins.append(spec)
    return BUILTIN_SOURCES + tuple(plugins)


def known_names() -> list[str]:
    """Registered source names, in sniffing order."""
    return [spec.name for spec in all_sources()]


def source_named(name: str) -> SourceSpec:
    """The spec registered as `name`; `UnknownFormat` lists the others."""
    for spec in all_sources():
        if spec.name == name:
            return spec
    raise UnknownFormat(
        f"no source named {name!r}", hint=f"known formats: {', '.join(known_names())}"
    )


def detect_source(data: Data, *, origin: str | None = None) -> SourceSpec:
    """The source whose sniffer accepts the content; the suffix breaks ties.

    Raises `EmptyInput` for an empty file and `UnknownFormat`, listing every known
    format, when nothing recognizes it.
    """
    name = origin_of(data, origin)
    start = head(data, origin=origin)
    if not start.strip():
        raise EmptyInput("the file is empty", file=name)
    accepting = [spec for spec in all_sources() if spec.sniff(start)]
    if not accepting:
        raise UnknownFormat(
            "no reader recognizes this content",
            file=name,
            hint=f"known formats: {', '.join(known_names())}",
        )
    suffix = "".join(Path(name).suffixes[-2:]).lower()
    for spec in accepting:
        if any(suffix.endswith(s) for s in spec.suffixes):
            return spec
    return accepting[0]
