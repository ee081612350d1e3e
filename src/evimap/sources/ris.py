"""RIS exports (Zotero, EndNote, Scopus, Embase, Lens, Web of Science), via rispy.

Every tool writes RIS a little differently: Zotero puts the journal in `T2`, Embase in
`JF`; EndNote continues keywords and addresses on unlabelled lines; Scopus hides the
PubMed ID in `C2`, EndNote (from PubMed) in `AN`. Records are read into a dict of tag ->
values and mapped from the tags, so the mapping reads like the RIS specification.

Web of Science "plain text" exports (`FN`/`PT … ER`, no `TY  - `) are read too, with
rispy's `WokParser`, and their tags are first translated to RIS tags.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import rispy
import rispy.config

from evimap.errors import ErrorHandler, MalformedRecord, report
from evimap.records import Author, Item, Journal, Record, Section, canonical_id
from evimap.sources._fields import (
    clean_doi,
    identified,
    iso_date,
    kind_of,
    language_code,
    month_number,
    pmc_id,
    pubmed_id,
)
from evimap.sources._io import Data, decoded_text, origin_of, read_all
from evimap.sources._text import clean_space

Fields = Mapping[str, Sequence[str]]

SOURCE = "ris"
SNIFF_LINES = 40
"""Lines looked at for a `TY  - ` start: exports may open with blank lines or a header."""

_RIS_LIST_TAGS = (
    *rispy.config.LIST_TYPE_TAGS,
    *("AD", "AN", "C2", "DO", "L1", "L2", "L3", "L4", "M3", "PM"),
)
_WOK_LIST_TAGS = (*rispy.config.WOK_LIST_TYPE_TAGS, "C1", "DE", "DT", "PM")

WOK_AS_RIS: tuple[tuple[str, str], ...] = (
    ("PT", "TY"),
    ("TI", "TI"),
    ("AB", "AB"),
    ("AF", "AU"),
    ("AU", "AU"),
    ("SO", "JF"),
    ("J9", "J2"),
    ("VL", "VL"),
    ("IS", "IS"),
    ("BP", "SP"),
    ("EP", "EP"),
    ("PY", "PY"),
    ("PD", "DA"),
    ("DI", "DO"),
    ("PM", "PM"),
    ("LA", "LA"),
    ("DE", "KW"),
    ("C1", "AD"),
    ("DT", "M3"),
    ("UT", "AN"),
)
"""Web of Science tags as RIS tags; the first present source of a RIS tag wins (full
author names `AF` before abbreviated `AU`). WoS `DA` is the export date and is not read."""

KIND_BY_TYPE: Mapping[str, str] = {
    "JOUR": "research_article",
    "JFULL": "research_article",
    "EJOUR": "research_article",
    "INPR": "research_article",
    "JOURNAL ARTICLE": "research_article",
    "J": "research_article",
    "MGZN": "news",
    "NEWS": "news",
    "BOOK": "book",
    "EBOOK": "book",
    "B": "book",
    "CHAP": "book_chapter",
    "ECHAP": "book_chapter",
    "CONF": "conference_paper",
    "CPAPER": "conference_paper",
    "THES": "thesis",
    "RPRT": "report",
    "GOVDOC": "report",
    "UNPB": "preprint",
    "ABST": "other",
}
"""RIS `TY` (or Web of Science `PT`) to record kind; a meeting abstract (`ABST` with a
conference named in the record) is a `conference_paper`."""

PUBMED_PUBLICATION_TYPES = frozenset(
    {
        "Journal Article",
        "Review",
        "Systematic Review",
        "Meta-Analysis",
        "Randomized Controlled Trial",
        "Controlled Clinical Trial",
        "Clinical Trial",
        "Clinical Trial, Phase I",
        "Clinical Trial, Phase II",
        "Clinical Trial, Phase III",
        "Clinical Trial, Phase IV",
        "Observational Study",
        "Multicenter Study",
        "Comparative Study",
        "Case Reports",
        "Editorial",
        "Letter",
        "Comment",
        "News",
        "Practice Guideline",
        "Guideline",
        "Published Erratum",
        "Retraction of Publication",
        "Retracted Publication",
        "Validation Study",
        "Evaluation Study",
    }
)
"""PubMed publication types, which EndNote's PubMed import writes as lines of `N1`."""

_PUBMED_DATABASES = frozenset({"nlm", "pubmed", "medline", "pubmed central"})

_WOK_ADDRESS_NAMES = re.compile(r"^\[[^\]]*\]\s*")
_MEETING = re.compile(r"conference|congress|meeting|symposium", re.IGNORECASE)


def sniff(head: bytes) -> bool:
    """Whether `head` is RIS (a `TY  - ` line near the top) or Web of Science plain text.

    The file suffix does not matter: asreview's Web of Science and EndNote exports are RIS
    saved as `.txt`, and a `.txt` MEDLINE file has no `TY  - ` line.
    """
    lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[:SNIFF_LINES]
    if any(line.startswith("TY  - ") for line in lines):
        return True
    tags = [line[:3] for line in lines if line.strip()][:3]
    return bool(tags) and tags[0] == "FN " and ("PT " in tags or "VR " in tags)


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records of one RIS (or Web of Science plain text) file, in file order.

    A record with neither a title nor an identifier, or one cut off without its `ER`
    line, goes to `on_error` (raised when there is no handler); the others still come.
    """
    name = origin_of(data, origin)
    text = decoded_text(read_all(data, origin=name), origin=name)
    is_wok = not any(line.startswith("TY  - ") for line in text.splitlines()[:SNIFF_LINES])
    entries = _entries(text, name, is_wok=is_wok)
    starts = len(re.findall(r"(?m)^PT " if is_wok else r"(?m)^TY  - ", text))
    if not entries and not starts:
        raise MalformedRecord("no RIS records (TY  - … ER  -) in this file", file=name)
    for number, entry in enumerate(entries, start=1):
        fields = wok_as_ris(entry) if is_wok else entry
        try:
            yield parse_fields(fields, file=name, record=f"record {number}")
        except MalformedRecord as error:
            report(error, on_error)
    if starts > len(entries):
        report(
            MalformedRecord(
                "the last record has no ER line and was not read",
                file=name,
                record=f"record {len(entries) + 1}",
                hint="the export may be truncated; export it again",
            ),
            on_error,
        )


def _entries(text: str, name: str, *, is_wok: bool) -> list[dict[str, list[str]]]:
    """rispy's entries with every value a list of strings, keyed by tag."""
    if is_wok:
        implementation: type[rispy.RisParser] = rispy.WokParser
        mapping = {tag: tag for tag in rispy.config.WOK_TAG_KEY_MAPPING}
        list_tags = list(_WOK_LIST_TAGS)
    else:
        implementation = rispy.RisParser
        mapping = {tag: tag for tag in rispy.config.TAG_KEY_MAPPING}
        list_tags = list(_RIS_LIST_TAGS)
    mapping["UK"] = "UK"
    try:
        raw = rispy.loads(
            text,
            implementation=implementation,
            mapping=mapping,
            list_tags=list_tags,
        )
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise MalformedRecord(
            f"RIS structure is broken ({type(exc).__name__}: {exc})",
            file=name,
            hint="check that every record starts with TY  - and ends with ER  -",
        ) from exc
    return [_as_lists(entry) for entry in raw]


def _as_lists(entry: Mapping[str, Any]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for tag, value in entry.items():
        if tag == "UK":
            for unknown, values in value.items():
                if isinstance(unknown, str):
                    fields.setdefault(unknown, []).extend(str(v) for v in values)
        else:
            fields[tag] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return fields


def wok_as_ris(entry: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """A Web of Science plain-text entry with its tags translated by `WOK_AS_RIS`."""
    fields: dict[str, list[str]] = {}
    for wok_tag, ris_tag in WOK_AS_RIS:
        if ris_tag not in fields and entry.get(wok_tag):
            fields[ris_tag] = list(entry[wok_tag])
    if "DE" in entry:
        fields["KW"] = [k for line in entry["DE"] for k in line.split(";")]
    return fields


def parse_fields(fields: Fields, *, file: str | None = None, record: str | None = None) -> Record:
    """One RIS entry (tag -> values) as a Record.

    Titles come from `TI`, else `T1`, `CT` or the short title `ST`; the journal from the
    first of `JF`, `T2`, `JO`, `J2`, `JA`; `AD` addresses, which RIS does not tie to authors,
    become the record's `affiliations`. The PMID is taken only when every PubMed ID in the
    entry agrees (see `pubmed_id`).
    """
    title = _first(fields, "TI", "T1", "CT", "ST")
    doi = clean_doi(_first(fields, "DO"))
    pmid = pubmed_id(_pmid_candidates(fields), texts=_notes(fields), urls=_urls(fields))
    pmcid = pmc_id(texts=_notes(fields), urls=_urls(fields))
    document_types = _document_types(fields)
    abstract = _first(fields, "AB", "N2")
    parsed = Record(
        id="",
        source=SOURCE,
        title=title,
        abstract=(Section(None, abstract),) if abstract else (),
        language=language_code(_first(fields, "LA")),
        authors=tuple(Author(name) for name in _all(fields, "AU", "A1")),
        affiliations=tuple(_WOK_ADDRESS_NAMES.sub("", a) for a in _all(fields, "AD")),
        journal=_journal(fields),
        published=_published(fields),
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        publication_types=document_types,
        keywords=_keywords(fields),
        url=_first(fields, "UR"),
        kind=_kind(fields, document_types),
    )
    identified(parsed, noun="record", file=file, record=record)
    return dataclasses.replace(parsed, id=canonical_id(parsed))


def _journal(fields: Fields) -> Journal | None:
    start, end = _first(fields, "SP"), _first(fields, "EP")
    pages = f"{start}-{end}" if start and end and end != start and "-" not in start else start
    journal = Journal(
        title=_first(fields, "JF", "T2", "JO", "J2", "JA"),
        volume=_first(fields, "VL"),
        issue=_first(fields, "IS"),
        pages=pages,
    )
    return journal if any((journal.title, journal.volume, journal.issue, journal.pages)) else None


def _published(fields: Fields) -> str | None:
    """The date from `DA` (year from `PY`/`Y1` when `DA` is only "Jun"), else `Y1`, `PY`."""
    year = _year(_first(fields, "PY")) or _year(_first(fields, "Y1"))
    for tag in ("DA", "Y1", "PY"):
        value = _first(fields, tag)
        if value:
            parts = ris_date(value)
            if parts[0] or (parts[1] and year):
                return iso_date(parts[0] or year, parts[1], parts[2])
    return None


def ris_date(value: str) -> tuple[str | None, str | None, str | None]:
    """(year, month, day) of a RIS or WoS date: "2019/10//undefined", "Jun", "FEB 2007"."""
    numeric = re.match(r"\s*(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?", value)
    if numeric:
        return numeric.group(1), numeric.group(2), numeric.group(3)
    year = month = day = None
    for token in re.findall(r"[A-Za-z]+|\d+", value):
        if token.isdigit():
            if len(token) == 4:
                year = token
            elif len(token) <= 2:
                day = token
        elif (number := month_number(token)) is not None:
            month = str(number)
    return year, month, day if month else None


def _year(value: str | None) -> str | None:
    match = re.match(r"\s*(\d{4})", value or "")
    return match.group(1) if match else None


def _document_types(fields: Fields) -> tuple[str, ...]:
    stated = [t for value in _all(fields, "M3") for t in value.split(";")]
    if _is_pubmed(fields):
        stated += [note for note in _all(fields, "N1") if note in PUBMED_PUBLICATION_TYPES]
    return _strings(stated)


def _kind(fields: Fields, document_types: Sequence[str]) -> str | None:
    """The kind a stated document type gives (`TY  - JOUR` with `M3  - Review` is a
    review), else the kind `TY` gives."""
    stated = kind_of(document_types)
    if stated is not None and stated != "research_article":
        return stated
    kind = KIND_BY_TYPE.get((_first(fields, "TY") or "").upper()) or stated
    if kind == "other" and _MEETING.search(" ".join(_all(fields, "T2", "T3", "C3", "JF"))):
        return "conference_paper"
    return kind


def _keywords(fields: Fields) -> tuple[str, ...]:
    return _strings(k for value in _all(fields, "KW") for k in value.split(";"))


def _pmid_candidates(fields: Fields) -> list[str]:
    candidates = list(_all(fields, "PM"))
    if _is_pubmed(fields):
        candidates += _all(fields, "AN")
    if (_first(fields, "DB") or "").lower() == "scopus":
        candidates += _all(fields, "C2")
    return candidates


def _is_pubmed(fields: Fields) -> bool:
    databases = {(_first(fields, tag) or "").lower() for tag in ("DB", "DP")}
    return bool(databases & _PUBMED_DATABASES)


def _notes(fields: Fields) -> list[str]:
    return [*_all(fields, "N1"), *_all(fields, "AN")]


def _urls(fields: Fields) -> list[str]:
    return list(_all(fields, "UR", "L1", "L2", "L3", "L4", "LK"))


def _first(fields: Fields, *tags: str) -> str | None:
    return next(iter(_all(fields, *tags)), None)


def _all(fields: Fields, *tags: str) -> tuple[str, ...]:
    return _strings(value for tag in tags for value in fields.get(tag, ()))


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    """Distinct non-empty strings, whitespace cleaned, in first-seen order."""
    cleaned = (clean_space(v) for v in values)
    return tuple(dict.fromkeys(v for v in cleaned if v))
