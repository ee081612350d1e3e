"""Europe PMC REST search results (`/search?format=json`), resultType `core` or `lite`.

One page of results is one JSON object: `{"hitCount": …, "request": {…}, "resultList":
{"result": [ … ]}}`. A page holds at most 1,000 results (the API's largest `pageSize`),
which is about 10 MB in `core`, so the page is parsed whole with the standard
library rather than streamed: a file of a few pages' size is fine, a multi-gigabyte dump
is not what this reader is for.

`core` results carry the abstract (as HTML: `<h4>` section headings, `<b>LABEL:</b>`
labels, inline `<i>`, `<sub>`, `<sup>`), per-author affiliations, MeSH headings and
keywords; `lite` results carry only citation fields. Europe PMC does not escape a bare
`<` in text ("p < .001"), so only known tags are treated as markup.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from evimap.errors import ErrorHandler, MalformedRecord, report
from evimap.records import Author, CitationCount, Item, Journal, Record, Section, canonical_id
from evimap.sources._fields import identified, kind_of, language_code, medline_date
from evimap.sources._io import (
    Data,
    decoded_text,
    json_document,
    nested_value,
    origin_of,
    read_all,
)
from evimap.sources._text import clean_space

SOURCE = "europepmc"

_TAG = re.compile(r"<(/?)(h[1-6]|b|strong|i|em|u|sup|sub|p|br|span|div)\b[^>]*?/?>", re.I)
"""Markup Europe PMC puts in titles and abstracts; any other `<` is text."""

_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LABEL_TAGS = _HEADING_TAGS | {"b", "strong"}
_BREAK_TAGS = frozenset({"p", "br", "div"})


def sniff(head: bytes) -> bool:
    """Whether `head` is the start of a Europe PMC search response.

    The envelope keys (`hitCount`, `request`, `resultList`) come before the results, so
    they are always inside the first kilobytes; ClinicalTrials.gov and evimap JSON Lines
    never have them.
    """
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("{"):
        return False
    return '"resultList"' in text or ('"hitCount"' in text and '"request"' in text)


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records of one Europe PMC search response, in result order.

    A result with neither a title nor an identifier is reported to `on_error` (raised
    when there is no handler) and skipped; broken JSON is raised for the whole file.
    """
    name = origin_of(data, origin)
    page = _page(decoded_text(read_all(data, origin=name), origin=name), name)
    for number, result in enumerate(_results(page, name), start=1):
        record_name = _result_name(result, number)
        try:
            yield parse_result(result, file=name, record=record_name)
        except MalformedRecord as error:
            report(error, on_error)


def _page(text: str, name: str) -> Mapping[str, Any]:
    page = json_document(
        text, origin=name, hint="the download may be truncated; fetch the page again"
    )
    if not isinstance(page, dict):
        raise MalformedRecord("a Europe PMC response is a JSON object", file=name)
    return page


def _results(page: Mapping[str, Any], name: str) -> Sequence[Any]:
    result_list = page.get("resultList")
    results = result_list.get("result") if isinstance(result_list, dict) else None
    if not isinstance(results, list):
        raise MalformedRecord(
            "no resultList.result array in this Europe PMC response",
            file=name,
            hint="save the output of the /search endpoint with format=json",
        )
    return results


def _result_name(result: Any, number: int) -> str:
    if isinstance(result, dict) and result.get("id"):
        return f"{result.get('source', '?')}/{result['id']}"
    return f"result {number}"


def parse_result(result: Any, *, file: str | None = None, record: str | None = None) -> Record:
    """One Europe PMC result (core or lite) as a Record.

    Core and lite name the same facts differently (`journalInfo.journal.title` against
    `journalTitle`, `authorList` against `authorString`); each field takes the richer form
    when present. Dates keep the precision Europe PMC prints (`dateOfPublication` "2025
    Aug" is "2025-08"), not the padded `printPublicationDate` ("2025-08-01").
    """
    if not isinstance(result, dict):
        raise MalformedRecord("a result is not a JSON object", file=file, record=record)
    publication_types = _publication_types(result)
    parsed = Record(
        id="",
        source=SOURCE,
        title=clean_space(_strip_markup(result.get("title") or "")),
        abstract=parse_abstract(result.get("abstractText") or ""),
        language=language_code(result.get("language")),
        authors=_authors(result),
        affiliations=_loose_affiliations(result),
        journal=_journal(result),
        published=_published(result),
        epublished=_text(result.get("electronicPublicationDate")),
        doi=_text(result.get("doi")),
        pmid=_text(result.get("pmid")),
        pmcid=_text(result.get("pmcid")),
        publication_types=publication_types,
        mesh_terms=_mesh_terms(result),
        keywords=_strings(nested_value(result, "keywordList", "keyword")),
        citation_count=_citation_count(result),
        url=_europepmc_url(result),
        kind="preprint" if result.get("source") == "PPR" else kind_of(publication_types),
        peer_reviewed=False if result.get("source") == "PPR" else None,
    )
    identified(parsed, noun="result", file=file, record=record)
    return dataclasses.replace(parsed, id=canonical_id(parsed))


def parse_abstract(markup: str) -> tuple[Section, ...]:
    """Sections of a Europe PMC abstract: `<h4>` headings and `<b>LABEL:</b>` labels.

    Text before the first label is an unlabelled section. Inline tags are removed without
    adding or removing spaces ("H<sub>2</sub>S" is "H2S"); a bold run is a label only when
    a colon ends it or follows it, so bold emphasis inside a sentence stays text.
    """
    pieces = _pieces(markup)
    sections: list[Section] = []
    label: str | None = None
    buffer: list[str] = []
    index = 0
    while index < len(pieces):
        kind, value = pieces[index]
        end = _closing(pieces, index) if kind == "open" and value in _LABEL_TAGS else None
        if end is not None:
            inner = "".join(v for k, v in pieces[index + 1 : end] if k == "text").strip()
            after = (
                pieces[end + 1][1] if end + 1 < len(pieces) and pieces[end + 1][0] == "text" else ""
            )
            if value in _HEADING_TAGS or inner.endswith(":") or after.startswith(":"):
                _flush(sections, label, buffer)
                label = clean_space(html.unescape(inner.rstrip(":")))
                if after.startswith(":"):
                    pieces[end + 1] = ("text", after[1:])
                index = end + 1
                continue
        if kind == "text":
            buffer.append(value)
        elif value in _BREAK_TAGS:
            buffer.append(" ")
        index += 1
    _flush(sections, label, buffer)
    return tuple(sections)


def _pieces(markup: str) -> list[tuple[str, str]]:
    """`markup` as ("text", …), ("open", tag) and ("close", tag) pieces."""
    pieces: list[tuple[str, str]] = []
    position = 0
    for tag in _TAG.finditer(markup):
        pieces.append(("text", markup[position : tag.start()]))
        pieces.append(("close" if tag.group(1) else "open", tag.group(2).lower()))
        position = tag.end()
    pieces.append(("text", markup[position:]))
    return pieces


def _closing(pieces: Sequence[tuple[str, str]], opening: int) -> int | None:
    tag = pieces[opening][1]
    for index in range(opening + 1, len(pieces)):
        if pieces[index] == ("close", tag):
            return index
    return None


def _flush(sections: list[Section], label: str | None, buffer: list[str]) -> None:
    text = clean_space(html.unescape("".join(buffer)))
    if text:
        sections.append(Section(label, text))
    buffer.clear()


def _strip_markup(text: str) -> str:
    return html.unescape(_TAG.sub(lambda m: " " if m.group(2).lower() == "br" else "", text))


def _authors(result: Mapping[str, Any]) -> tuple[Author, ...]:
    listed = nested_value(result, "authorList", "author")
    if isinstance(listed, list) and listed:
        return tuple(author for entry in listed if (author := _author(entry)) is not None)
    return tuple(Author(name) for name in _author_string(result.get("authorString")))


def _author(entry: Any) -> Author | None:
    if not isinstance(entry, dict):
        return None
    name = _text(entry.get("fullName")) or _text(entry.get("collectiveName"))
    if name is None:
        first, last = _text(entry.get("firstName")), _text(entry.get("lastName"))
        name = " ".join(part for part in (last, first) if part) or None
    if name is None:
        return None
    details = nested_value(entry, "authorAffiliationDetailsList", "authorAffiliation")
    affiliations = [d.get("affiliation") for d in details or () if isinstance(d, dict)]
    return Author(name, _strings(affiliations))


def _author_string(value: Any) -> tuple[str, ...]:
    """Names from lite's `authorString` ("Kwok C, Xu X."): split on commas.

    Europe PMC prints every personal name as "Surname Initials", without commas, so the
    split is safe for people; a collective name with a comma in it is split too.
    """
    text = _text(value)
    if text is None:
        return ()
    return _strings(part.strip().rstrip(".") for part in text.split(","))


def _loose_affiliations(result: Mapping[str, Any]) -> tuple[str, ...]:
    listed = nested_value(result, "authorList", "author")
    if isinstance(listed, list) and listed:
        return ()
    return _strings([result.get("affiliation")])


def _journal(result: Mapping[str, Any]) -> Journal | None:
    info = result.get("journalInfo")
    if isinstance(info, dict):
        journal = Journal(
            title=_text(nested_value(info, "journal", "title")),
            volume=_text(info.get("volume")),
            issue=_text(info.get("issue")),
            pages=_text(result.get("pageInfo")),
        )
    else:
        journal = Journal(
            title=_text(result.get("journalTitle")),
            volume=_text(result.get("journalVolume")),
            issue=_text(result.get("issue")),
            pages=_text(result.get("pageInfo")),
        )
    return journal if any((journal.title, journal.volume, journal.issue, journal.pages)) else None


def _published(result: Mapping[str, Any]) -> str | None:
    info = result.get("journalInfo")
    if isinstance(info, dict):
        printed = medline_date(_text(info.get("dateOfPublication")))
        if printed:
            return printed
        year, month = info.get("yearOfPublication"), info.get("monthOfPublication")
        if isinstance(year, int):
            return f"{year:04d}-{month:02d}" if isinstance(month, int) and month else str(year)
    return _text(result.get("pubYear"))


def _publication_types(result: Mapping[str, Any]) -> tuple[str, ...]:
    listed = nested_value(result, "pubTypeList", "pubType")
    if isinstance(listed, list):
        return _strings(listed)
    lite = _text(result.get("pubType"))
    return _strings(lite.split(";")) if lite else ()


def _mesh_terms(result: Mapping[str, Any]) -> tuple[str, ...]:
    headings = nested_value(result, "meshHeadingList", "meshHeading")
    return _strings(h.get("descriptorName") for h in headings or () if isinstance(h, dict))


def _citation_count(result: Mapping[str, Any]) -> CitationCount | None:
    count = result.get("citedByCount")
    return CitationCount(count, "Europe PMC") if isinstance(count, int) else None


def _europepmc_url(result: Mapping[str, Any]) -> str | None:
    source, identifier = _text(result.get("source")), _text(result.get("id"))
    if source and identifier:
        return f"https://europepmc.org/article/{source}/{identifier}"
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return clean_space(value) if isinstance(value, str) else None


def _strings(values: Any) -> tuple[str, ...]:
    """Distinct non-empty strings, cleaned, in first-seen order."""
    cleaned = (_text(v) for v in values or ())
    return tuple(dict.fromkeys(v for v in cleaned if v))
