"""BibTeX databases (PubMed converters, Zotero, JabRef, Mendeley, Google Scholar), via
bibtexparser 1.x.

bibtexparser splits the file into entries and expands `@string` macros (month names
among them); the LaTeX in each value is turned into text here, field by field, because
bibtexparser's own `convert_to_unicode` strips the braces that keep a corporate author
("{ABLE Investigators and the Canadian Critical Care Trials Group}") in one piece, and
leaves `{\\'\\i}` as a dotless i with a loose accent.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.latexenc import latex_to_unicode

from evimap.errors import ErrorHandler, MalformedRecord, report
from evimap.records import Author, Item, Journal, Record, Section, canonical_id
from evimap.sources._fields import (
    clean_doi,
    identified,
    iso_date,
    language_code,
    month_number,
    pmc_id,
    pubmed_id,
)
from evimap.sources._io import Data, decoded_text, origin_of, read_all
from evimap.sources._text import clean_space

SOURCE = "bibtex"

_ENTRY_START = re.compile(
    r"^[ \t]*@(article|inproceedings|conference|book|inbook|incollection|booklet|manual|"
    r"mastersthesis|phdthesis|thesis|techreport|report|misc|online|unpublished|proceedings|"
    r"collection|periodical|dataset|software)[ \t]*[{(]",
    re.IGNORECASE | re.MULTILINE,
)

KIND_BY_ENTRY_TYPE: Mapping[str, str] = {
    "article": "research_article",
    "inproceedings": "conference_paper",
    "conference": "conference_paper",
    "book": "book",
    "inbook": "book_chapter",
    "incollection": "book_chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "unpublished": "preprint",
}
"""BibTeX entry types to record kinds; `@misc` and `@online` say nothing about the work."""

_FORMATTING_COMMAND = re.compile(
    r"\\(?:textit|textbf|textsl|textsc|textrm|textsf|texttt|textup|textmd|emph|mathrm|"
    r"mathit|mathbf|mbox|textsuperscript|textsubscript|textnormal)\s*(?=\{)"
)
_TEXT_SYMBOLS = {
    r"\textless": "<",
    r"\textgreater": ">",
    r"\textendash": "\u2013",
    r"\textemdash": "\u2014",
    r"\textquoteright": "\u2019",
    r"\textquoteleft": "\u2018",
    r"\textquotedblleft": "\u201c",
    r"\textquotedblright": "\u201d",
    r"\textpm": "\u00b1",
    r"\textmu": "\u00b5",
    r"\textdegree": "\u00b0",
    r"\i": "i",
    r"\j": "j",
}
_SYMBOL = re.compile(
    "|".join(re.escape(s) + (r"(?![A-Za-z])" if s[-1].isalpha() else "") for s in _TEXT_SYMBOLS)
)
_ENTRY_KEY = re.compile(_ENTRY_START.pattern + r"\s*([^,\s]*)\s*,", re.IGNORECASE | re.MULTILINE)

_PMID_FIELDS = ("pmid", "pubmedid", "pubmed")
_NOTE_FIELDS = ("note", "annote", "annotation", "extra", "comment")


def sniff(head: bytes) -> bool:
    """Whether `head` holds the start of a BibTeX entry (`@article{`, `@misc (`, …).

    Only entry types count: a file of `@string` macros or `@comment`s has nothing to read.
    """
    return _ENTRY_START.search(head.decode("utf-8", errors="replace")) is not None


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records of one BibTeX file, in file order.

    An entry bibtexparser cannot parse, or one with neither a title nor an identifier,
    goes to `on_error` (raised when there is no handler) and is skipped; the other entries
    still come.
    """
    name = origin_of(data, origin)
    entries = _entries(decoded_text(read_all(data, origin=name), origin=name), name, on_error)
    for entry in entries:
        try:
            yield parse_entry(entry, file=name, record=str(entry.get("ID") or "?"))
        except MalformedRecord as error:
            report(error, on_error)


def _entries(text: str, name: str, on_error: ErrorHandler | None) -> list[dict[str, str]]:
    """bibtexparser's entries; entries it silently dropped are reported by citation key.

    bibtexparser 1.x skips an entry it cannot parse (an unclosed brace swallows it)
    without a word, so the keys written in the file are compared with the keys read.
    """
    with warnings.catch_warnings():
        # pyparsing >= 3.1 warns about bibtexparser 1.x's own grammar on every parse; the
        # warning is about their code, not the file, and pytest's "error" filter would fail.
        warnings.filterwarnings("ignore", message="warn_ungrouped_named_tokens_in_collection")
        parser = BibTexParser(
            common_strings=True, ignore_nonstandard_types=False, homogenize_fields=True
        )
        database = bibtexparser.loads(text, parser)
    entries: list[dict[str, str]] = database.entries
    read_keys = {entry.get("ID") for entry in entries}
    written = [m.group(2).strip() for m in _ENTRY_KEY.finditer(text)]
    for key in dict.fromkeys(k for k in written if k not in read_keys):
        report(
            MalformedRecord(
                "entry could not be parsed and was skipped",
                file=name,
                record=key,
                hint="check that its braces and quotes are balanced",
            ),
            on_error,
        )
    if not entries and not written:
        raise MalformedRecord("no BibTeX entries in this file", file=name)
    return entries


def parse_entry(
    entry: Mapping[str, str], *, file: str | None = None, record: str | None = None
) -> Record:
    """One bibtexparser entry (lowercased field names, plus `ENTRYTYPE` and `ID`) as a Record.

    The citation key (`ID`) is local to the file and is not an identifier. The PMID comes
    from `pmid` (or `pubmedid`), "PMID: …" in notes, `eprint` with `eprinttype = pubmed`,
    or a PubMed link, and only when they agree.
    """
    fields = {key.lower(): value for key, value in entry.items()}
    title = _text(fields.get("title"))
    urls = [fields[key] for key in ("url", "link", "howpublished") if fields.get(key)]
    notes = [fields[key] for key in _NOTE_FIELDS if fields.get(key)]
    doi = clean_doi(fields.get("doi"))
    pmid = pubmed_id(_pmid_candidates(fields), texts=notes, urls=urls)
    pmcid = pmc_id([fields.get("pmcid", "")], texts=notes, urls=urls)
    abstract = _text(fields.get("abstract"))
    parsed = Record(
        id="",
        source=SOURCE,
        title=title,
        abstract=(Section(None, abstract),) if abstract else (),
        language=language_code(_text(fields.get("language") or fields.get("langid"))),
        authors=tuple(Author(name) for name in _names(fields.get("author"))),
        journal=_journal(fields),
        published=_published(fields),
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        keywords=_keywords(fields),
        url=clean_space(urls[0]) if urls and urls[0].startswith("http") else None,
        kind=KIND_BY_ENTRY_TYPE.get(str(fields.get("entrytype", "")).lower()),
    )
    identified(parsed, noun="entry", file=file, record=record)
    return dataclasses.replace(parsed, id=canonical_id(parsed))


def latex_text(value: str | None) -> str | None:
    """Plain Unicode text of a BibTeX value: accents, symbols and case braces resolved.

    `{\\'e}` is "é", `P{\\textless}0.001` is "P<0.001", `\\textit{E. coli}` is "E. coli",
    `{ACEI}` is "ACEI", `37\\%` is "37%"; `~` is a space. Accents are composed (NFC) so the
    text compares equal to the same words from other sources.
    """
    if value is None:
        return None
    text = _FORMATTING_COMMAND.sub("", value)
    text = _SYMBOL.sub(lambda m: _TEXT_SYMBOLS[m.group(0)], text)
    text = latex_to_unicode(text).replace("~", " ").replace("{", "").replace("}", "")
    return clean_space(unicodedata.normalize("NFC", text))


_text = latex_text


def _names(value: str | None) -> tuple[str, ...]:
    """Author names split on " and " outside braces, each as printed ("Last, First")."""
    if not value:
        return ()
    names: list[str] = []
    depth, start = 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    cleaned = (latex_text(name) for name in names)
    return tuple(dict.fromkeys(name for name in cleaned if name and name.lower() != "others"))


def _journal(fields: Mapping[str, str]) -> Journal | None:
    pages = _text(fields.get("pages"))
    journal = Journal(
        title=_text(fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")),
        volume=_text(fields.get("volume")),
        issue=_text(fields.get("number") or fields.get("issue")),
        pages=re.sub(r"\s*(?:--|\u2013|\u2014)\s*", "-", pages) if pages else None,
    )
    return journal if any((journal.title, journal.volume, journal.issue, journal.pages)) else None


def _published(fields: Mapping[str, str]) -> str | None:
    """`date` (biblatex, ISO) when given, else `year` with `month` (a name or a number)."""
    date = _text(fields.get("date"))
    if date and (match := re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", date)):
        return iso_date(*match.groups())
    year = _text(fields.get("year"))
    month = _text(fields.get("month"))
    if not year or not re.fullmatch(r"\d{4}", year):
        return None
    number = month_number(month) if month and not month.isdigit() else month
    return iso_date(year, number, _text(fields.get("day")))


def _keywords(fields: Mapping[str, str]) -> tuple[str, ...]:
    """Keywords split on ";" when the list uses them (MeSH terms hold commas), else ","."""
    raw = fields.get("keywords") or fields.get("keyword") or ""
    return _strings(latex_text(k) for k in raw.split(";" if ";" in raw else ","))


def _pmid_candidates(fields: Mapping[str, str]) -> list[str]:
    candidates = [fields[key] for key in _PMID_FIELDS if fields.get(key)]
    if str(fields.get("eprinttype", "")).lower() in ("pubmed", "pmid") and fields.get("eprint"):
        candidates.append(fields["eprint"])
    return candidates


def _strings(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if isinstance(v, str) and v))
