"""MEDLINE/nbib tagged text: what PubMed's "Save → PubMed format" and `.nbib` files hold.

Records are parsed with Biopython's `Bio.Medline.parse` and mapped to the same Record
fields as the PubMed XML reader gives, so one article read from either format is the
same Record; the field conventions both share (free-text dates such as "2018 Nov-Dec",
ISO 639-2 language codes, the kind that publication types imply) are in `_fields`.

`Bio.Medline` keeps each tag's values but not the order of the tags, and that order is
what ties an affiliation (`AD`) to its author (`FAU`/`AU`/`CN`): the lines are therefore
also watched on their way into the parser and the author tags recorded in order. An `AD`
before any author (older exports print their one affiliation, the first author's, there)
is kept as a record-level affiliation.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from Bio import Medline

from evimap.errors import ErrorHandler, MalformedRecord, located, report
from evimap.records import Author, Item, Journal, Record, Section, Translation
from evimap.sources._fields import kind_of, language_code, medline_date
from evimap.sources._io import Data, decoded_text, origin_of, read_all

_AUTHOR_TAGS = frozenset({"FAU", "AU", "CN", "AD"})
_CONTINUATION = "      "
_SNIFF_LINES = 8
_LABEL = re.compile(r"(?:^|(?<=[.?!)\]] ))([A-Z][A-Z0-9 ,&/()'-]*[A-Z)]): ")
_DOI = re.compile(r"^(\S+) \[doi\]$")
_EPUB = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def sniff(head: bytes) -> bool:
    """Whether `head` is MEDLINE text: a `PMID- ` line among its first lines."""
    text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    return any(line.startswith("PMID-") for line in lines[:_SNIFF_LINES])


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records of a MEDLINE/nbib file, in file order.

    The file is read whole (exports are small) and must be UTF-8: a bad byte raises an
    `EncodingError` with its line. A record without a PMID goes to `on_error` (raised
    without one) and the rest of the file is read.
    """
    name = origin_of(data, origin)
    text = decoded_text(read_all(data, origin=origin), origin=name)
    author_lines: list[list[str]] = []
    for position, entry in enumerate(_parse_medline(_watched(text, author_lines)), 1):
        ordered, author_lines[:] = list(author_lines), []
        try:
            record = parse_entry(entry, ordered)
        except MalformedRecord as error:
            report(located(error, file=name, record=f"record {position}"), on_error)
        else:
            yield record


_parse_medline: Callable[[Iterator[str]], Iterator[dict[str, Any]]] = Medline.parse
"""Biopython's parser, typed: it yields one dict of tag values per record."""


def _watched(text: str, author_lines: list[list[str]]) -> Iterator[str]:
    """The lines of `text`, noting each author tag and its value (with continuations)."""
    tag = ""
    for line in io.StringIO(text):
        if line.startswith(_CONTINUATION):
            if tag in _AUTHOR_TAGS and author_lines:
                author_lines[-1][1] += " " + line.strip()
        elif line.strip():
            tag = line[:4].rstrip()
            if tag in _AUTHOR_TAGS:
                author_lines.append([tag, line[6:].strip()])
        yield line


def parse_entry(entry: dict[str, Any], author_lines: list[list[str]]) -> Record:
    """The Record of one `Bio.Medline` record; `author_lines` are its author tags in order.

    Raises `MalformedRecord` when the record has no PMID.
    """
    title = _squeezed(entry.get("TI"))
    pmid = (entry.get("PMID") or "").strip()
    if not pmid:
        raise MalformedRecord(
            "the record has no PMID line",
            record=title,
            hint="every PubMed record starts with one; export the records again",
        )
    languages = [code.strip() for code in entry.get("LA", [])]
    publication_types = _squeezed_all(entry.get("PT", []))
    authors, affiliations = _authors(author_lines)
    journal_title = _squeezed(entry.get("JT")) or _squeezed(entry.get("TA"))
    volume, issue, pages = (_squeezed(entry.get(tag)) for tag in ("VI", "IP", "PG"))
    return Record(
        id=f"pmid:{pmid}",
        source="pubmed",
        title=title,
        abstract=parse_abstract(_squeezed(entry.get("AB"))),
        language="en" if languages == ["eng"] else None,
        translations=_translations(_squeezed(entry.get("TT")), languages),
        authors=authors,
        affiliations=affiliations,
        journal=Journal(journal_title, volume, issue, pages)
        if any((journal_title, volume, issue, pages))
        else None,
        published=medline_date(entry.get("DP")),
        epublished=_electronic_date(entry.get("DEP")),
        doi=_doi([entry.get("LID", ""), *entry.get("AID", [])]),
        pmid=pmid,
        pmcid=_squeezed(entry.get("PMC")),
        publication_types=publication_types,
        mesh_terms=tuple(_descriptor(term) for term in entry.get("MH", [])),
        keywords=_squeezed_all(entry.get("OT", [])),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        kind=kind_of(publication_types, default="research_article"),
    )


def parse_abstract(abstract: str | None) -> tuple[Section, ...]:
    """The abstract as sections: split at its labels only when it is clearly structured.

    MEDLINE text flattens a structured abstract into "BACKGROUND: … METHODS: …". It is
    split when it starts with an upper-case label and has at least two, each label
    starting a sentence; anything else stays one unlabelled section, because a wrong
    split would move every claim offset in it.
    """
    if not abstract:
        return ()
    labels = list(_LABEL.finditer(abstract))
    if len(labels) < 2 or labels[0].start() != 0:
        return (Section(None, abstract),)
    sections = []
    for label, following in zip(labels, [*labels[1:], None], strict=True):
        end = following.start() if following else len(abstract)
        text = abstract[label.end() : end].strip()
        if text:
            sections.append(Section(label.group(1), text))
    return tuple(sections)


def _authors(author_lines: list[list[str]]) -> tuple[tuple[Author, ...], tuple[str, ...]]:
    """Authors in order with their affiliations, and affiliations printed before any."""
    named: list[tuple[str, list[str]]] = []
    loose: list[str] = []
    previous = ""
    for tag, value in author_lines:
        text = " ".join(value.split())
        if tag == "FAU" or (tag == "AU" and previous != "FAU") or tag == "CN":
            named.append((_name(tag, text), []))
        elif tag == "AD":
            (named[-1][1] if named else loose).append(text)
        previous = tag
    authors = tuple(Author(name, tuple(affs)) for name, affs in named if name)
    return authors, tuple(loose)


def _name(tag: str, text: str) -> str:
    """The author's name as the XML reader gives it, "ForeName LastName".

    "Bao, Ying" (FAU) becomes "Ying Bao" and "Bao Y" (AU) "Y Bao"; a group (CN) keeps
    its name.
    """
    if tag == "FAU":
        last, _, rest = text.partition(", ")
        first, *suffix = rest.split(", ") if rest else [""]
        return " ".join(p for p in (first, last, *suffix) if p)
    if tag == "AU":
        last, _, initials = text.rpartition(" ")
        return f"{initials} {last}" if last else initials
    return text


def _translations(transliterated: str | None, languages: list[str]) -> tuple[Translation, ...]:
    foreign = [code for code in languages if code != "eng"]
    if not transliterated or not foreign:
        return ()
    return (
        Translation(language=language_code(foreign[0]) or foreign[0].lower(), title=transliterated),
    )


def _descriptor(heading: str) -> str:
    """The MeSH descriptor of an `MH` line: "Sequence Alignment/*methods" → its first part."""
    return " ".join(heading.split("/", 1)[0].lstrip("*").split())


def _doi(ids: list[str]) -> str | None:
    for value in ids:
        if match := _DOI.match(" ".join(value.split())):
            return match.group(1)
    return None


def _electronic_date(text: str | None) -> str | None:
    match = _EPUB.match(text.strip()) if text else None
    return "-".join(match.groups()) if match else None


def _squeezed(text: str | None) -> str | None:
    if not text:
        return None
    return " ".join(text.split()) or None


def _squeezed_all(texts: list[str]) -> tuple[str, ...]:
    return tuple(squeezed for text in texts if (squeezed := _squeezed(text)))
