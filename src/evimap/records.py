"""Record and its parts: one work of literature, whatever source it came from.

A Record is a frozen value. Sources build it, `merge.py` combines two of them, the store
writes it and reads it back unchanged. Lists are tuples so a Record is hashable and can be
compared with `==`, which is what makes "ingesting twice changes nothing" checkable.

The record's *texts* (`Record.texts()`) are the strings that claim evidence offsets point
into: `title`, `abstract` (the sections joined as described in `joined_abstract`), `body`,
and for each translation `title:<lang>` and `abstract:<lang>`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ID_SCHEMES = ("pmid", "doi", "nct", "pmcid", "sha1")
"""Identifier schemes, in the order that picks a record's canonical `id`."""

ABSTRACT_SECTION_SEPARATOR = "\n"

KINDS = (
    "research_article",
    "review",
    "trial_registration",
    "news",
    "commentary",
    "case_report",
    "correction",
    "retraction",
    "preprint",
    "guideline",
    "protocol",
    "book",
    "book_chapter",
    "conference_paper",
    "thesis",
    "report",
    "web_page",
    "other",
)
"""What a work is: the values `Record.kind` takes (or None when the source does not say).

`commentary` covers editorials, letters, replies and comments; a meeting abstract is a
`conference_paper`; anything no other kind fits is `other`."""


@dataclass(frozen=True, slots=True)
class Section:
    """One section of an abstract; unstructured text is one section with label None."""

    label: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Author:
    """An author as printed, with the affiliations printed for them."""

    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Journal:
    """Where the work appeared; any part may be unknown."""

    title: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None


@dataclass(frozen=True, slots=True)
class Translation:
    """The title and abstract of the same work in another language."""

    language: str
    title: str | None = None
    abstract: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class CitationCount:
    """A citation count is meaningless without the index that counted it."""

    count: int
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One work of literature, normalized.

    `id` is the canonical identifier (see `canonical_id`); `ids` keeps every identifier the
    work has been known by, so a record merged from PubMed and a news page can still be
    found by the page's `sha1:` id. `sources` lists every source that contributed.
    `affiliations` holds affiliations printed without author names (a PubMed-style page
    often shows only those); `body` is the main text of pages and full texts.
    """

    id: str
    source: str
    title: str | None = None
    abstract: tuple[Section, ...] = ()
    body: str | None = None
    language: str | None = None
    translations: tuple[Translation, ...] = ()
    authors: tuple[Author, ...] = ()
    affiliations: tuple[str, ...] = ()
    journal: Journal | None = None
    published: str | None = None
    epublished: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    nct_id: str | None = None
    publication_types: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    subject_areas: tuple[str, ...] = ()
    citation_count: CitationCount | None = None
    url: str | None = None
    cites_url: str | None = None
    kind: str | None = None
    peer_reviewed: bool | None = None
    sources: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    def texts(self) -> dict[str, str]:
        """The record's texts by field name: what claim evidence offsets index into."""
        out: dict[str, str] = {}
        if self.title:
            out["title"] = self.title
        if self.abstract:
            out["abstract"] = joined_abstract(self.abstract)
        if self.body:
            out["body"] = self.body
        for tr in self.translations:
            if tr.title:
                out[f"title:{tr.language}"] = tr.title
            if tr.abstract:
                out[f"abstract:{tr.language}"] = joined_abstract(tr.abstract)
        return out

    def identifiers(self) -> tuple[str, ...]:
        """Every prefixed identifier of this record, canonical first, without repeats."""
        found = [f"{p}:{v}" for p, v in _identifier_values(self) if v]
        return tuple(dict.fromkeys([self.id, *found, *self.ids]))


def joined_abstract(sections: Iterable[Section]) -> str:
    """The abstract as one string: `LABEL: text` per labelled section, one per line.

    Labels are kept in the text because readers (and the extractor) rely on them to find
    conclusions; the format is fixed because claim offsets point into it.
    """
    parts = [f"{s.label}: {s.text}" if s.label else s.text for s in sections]
    return ABSTRACT_SECTION_SEPARATOR.join(parts)


def _identifier_values(record: Record) -> list[tuple[str, str | None]]:
    return [
        ("pmid", record.pmid),
        ("doi", record.doi.lower() if record.doi else None),
        ("nct", record.nct_id),
        ("pmcid", record.pmcid),
    ]


def normalized_text(text: str) -> str:
    """Case-folded, accent-free text with single spaces: the key for hashing and titles."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip().casefold()


def content_sha1(*texts: str | None) -> str:
    """A stable id for a record with no bibliographic identifier (pages)."""
    joined = "\n".join(normalized_text(t) for t in texts if t)
    return "sha1:" + hashlib.sha1(joined.encode("utf-8")).hexdigest()


def canonical_id(record: Record) -> str:
    """The identifier that names this record: pmid, then doi, nct, pmcid, else its sha1.

    Taking the strongest scheme present makes the id independent of ingest order: a
    page first stored under `sha1:…` is renamed `pmid:…` once PubMed's copy merges in.
    A record that already has a `sha1:` id keeps it, so a merged record known by two page
    hashes is not renamed by the order its `ids` happen to sort in.
    """
    for prefix, value in _identifier_values(record):
        if value:
            return f"{prefix}:{value}"
    if record.id.startswith("sha1:"):
        return record.id
    for known in record.ids:
        if known.startswith("sha1:"):
            return known
    return content_sha1(record.title, joined_abstract(record.abstract), record.body)


def with_identity(record: Record) -> Record:
    """The record with its canonical `id`, complete `ids` and `sources` filled in.

    `ids` keeps only identifiers of the known schemes (a reader's local key such as
    `ris:1`, or an empty id, is not an identifier of the work), DOIs lower-cased.
    """
    new_id = canonical_id(record)
    known = {_normalized_identifier(i) for i in record.identifiers() if _is_scheme_id(i)}
    ids = tuple(sorted(known | {new_id}, key=_id_order))
    sources = record.sources or (record.source,)
    return dataclasses.replace(record, id=new_id, ids=ids, sources=sources)


def _is_scheme_id(identifier: str) -> bool:
    prefix, _, value = identifier.partition(":")
    return prefix in ID_SCHEMES and bool(value)


def _normalized_identifier(identifier: str) -> str:
    return identifier.lower() if identifier.startswith("doi:") else identifier


def _id_order(identifier: str) -> tuple[int, str]:
    prefix = identifier.split(":", 1)[0]
    rank = ID_SCHEMES.index(prefix) if prefix in ID_SCHEMES else 99
    return rank, identifier


# --- JSON form -------------------------------------------------------------------------


def record_to_dict(record: Record) -> dict[str, Any]:
    """The record as JSON-ready data (tuples become lists); the inverse of `record_from_dict`."""
    data: dict[str, Any] = dataclasses.asdict(record)
    return _lists(data)  # type: ignore[no-any-return]


def record_json(record: Record) -> dict[str, Any]:
    """The record's JSON form plus its `text` object: what `evimap extract` prints.

    The `text` object maps each text field to the exact string that claim offsets index,
    so anyone can check a span without evimap.
    """
    data = record_to_dict(record)
    data["text"] = record.texts()
    return data


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


def record_from_dict(data: Mapping[str, Any]) -> Record:
    """A Record from its JSON form; unknown keys (such as `text`) are ignored."""
    known = {f.name for f in dataclasses.fields(Record)}
    kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
    kwargs["abstract"] = _sections(data.get("abstract"))
    kwargs["translations"] = tuple(
        Translation(
            language=t["language"],
            title=t.get("title"),
            abstract=_sections(t.get("abstract")),
        )
        for t in data.get("translations") or ()
    )
    kwargs["authors"] = tuple(
        Author(name=a["name"], affiliations=tuple(a.get("affiliations") or ()))
        for a in data.get("authors") or ()
    )
    journal = data.get("journal")
    kwargs["journal"] = Journal(**journal) if journal else None
    count = data.get("citation_count")
    kwargs["citation_count"] = CitationCount(**count) if count else None
    for name in (
        "affiliations",
        "publication_types",
        "mesh_terms",
        "keywords",
        "subject_areas",
        "sources",
        "ids",
    ):
        kwargs[name] = tuple(data.get(name) or ())
    return Record(**kwargs)


def _sections(value: Any) -> tuple[Section, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (Section(None, value),)
    return tuple(Section(label=s.get("label"), text=s["text"]) for s in value)


@dataclass(frozen=True, slots=True)
class Deletion:
    """A source's notice that a record was withdrawn (PubMed's `DeleteCitation`)."""

    id: str
    source: str


Item = Record | Deletion
"""What a source reader yields."""

__all__ = [
    "Author",
    "CitationCount",
    "Deletion",
    "Item",
    "Journal",
    "Record",
    "Section",
    "Translation",
    "canonical_id",
    "content_sha1",
    "joined_abstract",
    "normalized_text",
    "record_from_dict",
    "record_json",
    "record_to_dict",
    "with_identity",
]
