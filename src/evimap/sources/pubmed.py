"""PubMed/MEDLINE XML: efetch output and the annual baseline and daily update files.

The reader streams: `iterparse` reports each finished article, the article becomes a
Record, and the element is cleared and its finished siblings are dropped, so a 30,000-
article baseline file is read in flat memory. Update files end with `DeleteCitation`
notices; each PMID in them becomes a `Deletion`.

The input is untrusted. The parser never resolves entities, never reads a DTD and never
touches the network, so an external entity (`<!ENTITY x SYSTEM "file:///etc/passwd">`)
is never read, an entity bomb is stopped by libxml2's amplification limit, and a file
that declares entities of its own (PubMed's never do) is refused before anything in it
is yielded. Broken XML ends the file with a `MalformedRecord` naming the line, after every
article before it has been yielded; undecodable bytes end it with an `EncodingError`.
A problem in one article (no PMID) goes to `on_error`, and the rest of the file is read.

Children are looked up among an element's own children by tag (one pass into a dict,
or `iterchildren`), never by XPath or multi-step paths over the tree (a three-step
`iterfind` costs six times as much): that, and the tag filter on `iterparse`, make this
reader about twice as fast as pubmed_parser's `parse_medline_xml` (bench/ingest.py).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from evimap.errors import (
    EmptyInput,
    EncodingError,
    ErrorHandler,
    EvimapError,
    MalformedRecord,
    located,
    report,
)
from evimap.records import Author, Deletion, Item, Journal, Record, Section, Translation
from evimap.sources._fields import iso_date, kind_of, language_code, medline_date, month_number
from evimap.sources._io import Data, open_binary, origin_of
from evimap.sources._text import element_text

ROOT_TAGS = ("PubmedArticleSet", "PubmedArticle", "MedlineCitationSet", "DeleteCitation")
"""Root elements of PubMed XML: efetch sets, single articles, pre-2014 MEDLINE sets."""

_EVENT_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation", "DeleteCitation")

_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w.:-]*)")
_INCOMPLETE = "PubMed always writes this element, so the file may have been edited by hand"
_LXML_WHERE = re.compile(r",? line \d+, column \d+$")
_DOCTYPE_DTD = re.compile(rb"<!DOCTYPE\s+\w+[^>\[]*/pubmed_\d+\.dtd", re.IGNORECASE)


_iterparse: Callable[..., Iterator[tuple[str, etree._Element]]] = etree.iterparse
"""lxml's streaming parser, typed; called with the safe options in `read`."""


def sniff(head: bytes) -> bool:
    """Whether `head` is PubMed XML: its root element, or failing that its DTD, says so.

    PMC JATS (`<article>`, `<pmc-articleset>`) and E-utilities results (`eSearchResult`,
    `eSummaryResult`, `eLinkResult`) are other readers' business and are refused.
    """
    text = head.removeprefix(b"\xef\xbb\xbf")
    position = 0
    while match := _PROLOG.match(text, position):
        position = match.end()
    root = _ROOT.match(text, position)
    if root:
        return root.group(1).decode("ascii", "replace") in ROOT_TAGS
    return bool(_DOCTYPE_DTD.search(text))


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records and deletion notices of a PubMed XML file (plain or gzip), in file order.

    `on_error` receives per-article problems (an article without a PMID) and reading
    goes on; without it they are raised. Errors in the file itself are always raised.
    """
    name = origin_of(data, origin)
    with open_binary(data, origin=origin) as raw:
        stream = _GuardedStream(raw)
        items = _iterparse(
            stream,
            events=("end",),
            tag=_EVENT_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
        position = 0
        checked = False
        try:
            for _, element in items:
                if not checked:
                    _refuse_declared_entities(element, name)
                    checked = True
                tag = element.tag
                if tag == "DeleteCitation":
                    for pmid in element.iterfind("PMID"):
                        if pmid.text and pmid.text.strip():
                            yield Deletion(id=f"pmid:{pmid.text.strip()}", source="pubmed")
                elif tag == "MedlineCitation" and _parent_tag(element) != "MedlineCitationSet":
                    continue
                else:
                    position += 1
                    try:
                        record = parse_article(element)
                    except MalformedRecord as error:
                        where = f"article {position} (line {element.sourceline})"
                        report(located(error, file=name, record=where), on_error)
                    else:
                        yield record
                _release(element)
        except etree.XMLSyntaxError as error:
            raise _file_error(error, name, stream, position) from error
        if stream.failure is not None:
            raise _truncated(name, stream.failure)


class _GuardedStream:
    """A read-only stream that turns a damaged gzip member into end-of-file.

    lxml swallows exceptions from a Python stream's `read` and reports a confusing
    syntax error instead; keeping the failure here lets the reader say what happened.
    `read1` returns what is already decompressed, so the articles before the damage
    still reach the parser (`read` would drop a partly filled buffer with the error).
    """

    def __init__(self, raw: BinaryIO) -> None:
        self.read_some: Callable[[int], bytes] = getattr(raw, "read1", raw.read)
        self.failure: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        if self.failure is not None:
            return b""
        try:
            return self.read_some(size)
        except (EOFError, OSError, zlib.error) as exc:
            self.failure = exc
            return b""


def _refuse_declared_entities(element: etree._Element, name: str) -> None:
    """Refuse a document that declares its own entities, before anything is yielded.

    PubMed's DOCTYPE only names its DTD; a document with entity declarations of its
    own was made by someone else, and its entities exist to read local files (XXE) or
    to expand without limit. They are never resolved here, so the text that uses them
    would silently lose words: better to say so than to store it.
    """
    dtd = element.getroottree().docinfo.internalDTD
    # lxml-stubs 0.5 does not declare DTD.iterentities (lxml has it since 2.3).
    entities = dtd.iterentities() if dtd is not None else ()  # type: ignore[attr-defined]
    declared = [str(entity.name) for entity in entities]
    if declared:
        raise MalformedRecord(
            f"the file declares its own XML entities ({', '.join(declared[:5])})",
            file=name,
            hint="PubMed files never do; such entities read local files or expand without "
            "limit, so the file was not read",
        )


def _parent_tag(element: etree._Element) -> str | None:
    parent = element.getparent()
    return None if parent is None else str(parent.tag)


def _release(element: etree._Element) -> None:
    """Free a finished article and every finished sibling before it: flat memory."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _file_error(
    error: etree.XMLSyntaxError, name: str, stream: _GuardedStream, position: int
) -> EvimapError:
    """The error to raise for a file lxml could not parse, with its line and column."""
    if stream.failure is not None:
        return _truncated(name, stream.failure)
    line, column = error.position
    detail = _LXML_WHERE.sub("", str(error.msg))
    where = f"line {line}, column {column}"
    if "encoding" in detail.lower() or "utf-8" in detail.lower():
        return EncodingError(
            f"{where}: {detail}",
            file=name,
            hint="the bytes are not in the encoding the file declares; re-save it as UTF-8",
        )
    if "amplification" in detail or "entity reference loop" in detail.lower():
        return MalformedRecord(
            f"{where}: {detail}",
            file=name,
            hint="the file declares entities that expand without limit; it is not a PubMed "
            "export and was not read",
        )
    if position == 0 and line <= 1 and detail in ("no element found", "Document is empty"):
        return EmptyInput("the file holds no XML", file=name)
    return MalformedRecord(
        f"broken XML at {where}: {detail}",
        file=name,
        hint=(f"the {position} articles before it were read; " if position else "")
        + "the file is cut short or damaged, so download it again",
    )


def _truncated(name: str, failure: Exception) -> MalformedRecord:
    return MalformedRecord(
        f"compressed stream is damaged or truncated ({failure})",
        file=name,
        hint="the articles before the damage were read; download the file again",
    )


# --- one article ---------------------------------------------------------------------


def parse_article(element: etree._Element) -> Record:
    """The Record of one `PubmedArticle`, `PubmedBookArticle` or bare `MedlineCitation`.

    Raises `MalformedRecord` (with the title as `record`) when the article has no PMID,
    since a PubMed record without its identifier cannot be stored or updated later.
    """
    if element.tag == "PubmedBookArticle":
        return _parse_book_article(element)
    if element.tag == "MedlineCitation":
        citation: etree._Element | None = element
        ids: dict[str, str] = {}
    else:
        parts = _children(element)
        citation = parts.get("MedlineCitation")
        ids = _article_ids(_child(parts.get("PubmedData"), "ArticleIdList"))
    if citation is None:
        raise MalformedRecord("the article has no MedlineCitation", hint=_INCOMPLETE)
    cited = _children(citation)
    article = cited.get("Article")
    if article is None:
        raise MalformedRecord("the article has no Article element", hint=_INCOMPLETE)
    fields = _children(article)
    title = _text(fields.get("ArticleTitle"))
    pmid = _pmid(cited.get("PMID"), title)
    languages = _texts(article.iterchildren("Language"))
    journal = fields.get("Journal")
    issue = _child(journal, "JournalIssue")
    publication_types = _texts(_grandchildren(fields.get("PublicationTypeList")))
    others = list(citation.iterchildren("OtherAbstract"))
    return Record(
        id=f"pmid:{pmid}",
        source="pubmed",
        title=title,
        abstract=_sections(fields.get("Abstract")) or _english_other_abstract(others),
        language="en" if languages == ("eng",) else None,
        translations=_translations(fields.get("VernacularTitle"), languages, others),
        authors=_authors(fields.get("AuthorList")),
        affiliations=_texts(article.iterchildren("Affiliation")),
        journal=_journal(journal, issue, fields.get("Pagination")),
        published=parse_date(_child(issue, "PubDate")),
        epublished=_electronic_date(article),
        doi=_elocation_doi(article) or ids.get("doi"),
        pmid=pmid,
        pmcid=ids.get("pmc"),
        publication_types=publication_types,
        mesh_terms=_texts(_mesh_descriptors(cited.get("MeshHeadingList"))),
        keywords=_texts(
            keyword
            for keywords in citation.iterchildren("KeywordList")
            for keyword in keywords.iterchildren("Keyword")
        ),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        kind=kind_of(publication_types, default="research_article"),
    )


def _parse_book_article(element: etree._Element) -> Record:
    """A Bookshelf book or chapter (GeneReviews, StatPearls): same fields, other paths.

    A chapter has its own ArticleTitle and authors and names the book as its container;
    a whole book has only the BookTitle and the book's authors.
    """
    parts = _children(element)
    document = parts.get("BookDocument")
    if document is None:
        raise MalformedRecord("the book article has no BookDocument", hint=_INCOMPLETE)
    fields = _children(document)
    book = fields.get("Book")
    chapter_title = _text(fields.get("ArticleTitle"))
    book_title = _text(_child(book, "BookTitle"))
    title = chapter_title or book_title
    pmid = _pmid(fields.get("PMID"), title)
    publication_types = _texts(document.iterchildren("PublicationType"))
    ids = {
        **_article_ids(_child(parts.get("PubmedBookData"), "ArticleIdList")),
        **_article_ids(fields.get("ArticleIdList")),
    }
    languages = _texts(document.iterchildren("Language"))
    return Record(
        id=f"pmid:{pmid}",
        source="pubmed",
        title=title,
        abstract=_sections(fields.get("Abstract")),
        language="en" if languages == ("eng",) else None,
        authors=_authors(_first(fields.get("AuthorList"), _child(book, "AuthorList"))),
        journal=Journal(title=book_title) if chapter_title and book_title else None,
        published=parse_date(_child(book, "PubDate")),
        doi=ids.get("doi"),
        pmid=pmid,
        pmcid=ids.get("pmc"),
        publication_types=publication_types,
        keywords=_texts(_grandchildren(fields.get("KeywordList"))),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        kind=kind_of(publication_types, default="research_article"),
    )


def _children(element: etree._Element) -> dict[object, etree._Element]:
    """An element's children by tag, the first of each: one pass instead of many finds."""
    return {child.tag: child for child in reversed(element)}


def _child(element: etree._Element | None, tag: str) -> etree._Element | None:
    return None if element is None else next(element.iterchildren(tag), None)


def _first(*elements: etree._Element | None) -> etree._Element | None:
    """The first element that exists (an element's truth is its length, so no `or`)."""
    return next((element for element in elements if element is not None), None)


def _grandchildren(element: etree._Element | None) -> Iterable[etree._Element]:
    return () if element is None else element


def _pmid(element: etree._Element | None, title: str | None) -> str:
    pmid = (element.text or "").strip() if element is not None else ""
    if not pmid:
        raise MalformedRecord(
            "the article has no PMID",
            record=title,
            hint="every PubMed article has one, so the file may have been edited by hand",
        )
    return pmid


def _text(element: etree._Element | None) -> str | None:
    """Text with inline markup's spacing kept (`element_text`), on one line.

    A childless element, nearly every one, takes the shortcut that gives the same string.
    """
    if element is None:
        return None
    if len(element) == 0:
        text = _one_line(element.text) if element.text else ""
    else:
        text = element_text(element)
    return text or None


def _texts(elements: Iterable[etree._Element]) -> tuple[str, ...]:
    """Single-space text of short fields (names, terms); empty ones are left out."""
    texts = []
    for element in elements:
        raw = element.text if len(element) == 0 else _all_text(element)
        if raw and (text := _one_line(raw)):
            texts.append(text)
    return tuple(texts)


def _one_line(raw: str) -> str:
    """`raw` with each run of whitespace made one space, trimmed: `" ".join(raw.split())`.

    Most PubMed text is already like that, and checking so is several times cheaper than
    splitting a 1,500-character abstract into words; XML forbids the other ASCII
    whitespace controls, and non-ASCII text (no-break and thin spaces) takes the long way.
    """
    if (
        raw.isascii()
        and "  " not in raw
        and "\n" not in raw
        and "\t" not in raw
        and "\r" not in raw
        and raw[:1] != " "
        and raw[-1:] != " "
    ):
        return raw
    return " ".join(raw.split())


def _all_text(element: etree._Element) -> str:
    return "".join(str(piece) for piece in element.itertext())


def _mesh_descriptors(headings: etree._Element | None) -> Iterable[etree._Element]:
    return () if headings is None else headings.iter("DescriptorName")


def _sections(abstract: etree._Element | None) -> tuple[Section, ...]:
    if abstract is None:
        return ()
    sections = []
    for part in abstract.iterchildren("AbstractText"):
        text = _text(part)
        if text:
            label = part.get("Label")
            sections.append(Section(None if label in (None, "", "UNLABELLED") else label, text))
    return tuple(sections)


def _english_other_abstract(others: list[etree._Element]) -> tuple[Section, ...]:
    """An English OtherAbstract (old PIP and KIE abstracts) when there is no Abstract."""
    for other in others:
        if other.get("Language", "eng") == "eng":
            sections = _sections(other)
            if sections:
                return sections
    return ()


def _translations(
    vernacular: etree._Element | None, languages: tuple[str, ...], others: list[etree._Element]
) -> tuple[Translation, ...]:
    """The title and abstracts in the article's other languages, one per language.

    The VernacularTitle is in the article's (first non-English) `<Language>`; an
    OtherAbstract names its own. English OtherAbstracts (plain-language summaries) are
    not translations and are left out.
    """
    if vernacular is None and not others:
        return ()
    titles: dict[str, str] = {}
    abstracts: dict[str, tuple[Section, ...]] = {}
    vernacular_title = _text(vernacular)
    foreign = [code for code in languages if code != "eng"]
    if vernacular_title and foreign:
        titles[language_code(foreign[0]) or foreign[0].lower()] = vernacular_title
    for other in others:
        code = other.get("Language")
        if not code or code == "eng":
            continue
        sections = _sections(other)
        if sections:
            abstracts.setdefault(language_code(code) or code.lower(), sections)
    return tuple(
        Translation(language=lang, title=titles.get(lang), abstract=abstracts.get(lang, ()))
        for lang in dict.fromkeys([*titles, *abstracts])
    )


def _authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    """Authors as printed on the article: "ForeName LastName", or the group's name.

    Large collaborations repeat one long affiliation for every author, so each distinct
    affiliation text is cleaned once per article.
    """
    if author_list is None:
        return ()
    authors = []
    cleaned: dict[str, str] = {}
    for author in author_list.iterchildren("Author"):
        if author.get("ValidYN") == "N":
            continue
        parts = _children(author)
        name = _author_name(parts)
        affiliations: list[str] = []
        if "AffiliationInfo" in parts:
            for info in author.iterchildren("AffiliationInfo"):
                for affiliation in info.iterchildren("Affiliation"):
                    raw = affiliation.text
                    if raw:
                        text = cleaned.get(raw)
                        if text is None:
                            text = cleaned[raw] = _one_line(raw)
                        if text:
                            affiliations.append(text)
        if name:
            authors.append(Author(name=name, affiliations=tuple(affiliations)))
    return tuple(authors)


def _author_name(parts: dict[object, etree._Element]) -> str:
    last = _own_text(parts.get("LastName"))
    if last:
        first = _own_text(parts.get("ForeName")) or _own_text(parts.get("Initials"))
        suffix = _own_text(parts.get("Suffix"))
        return " ".join(part for part in (first, last, suffix) if part)
    group = parts.get("CollectiveName")
    return " ".join(_all_text(group).split()) if group is not None else ""


def _journal(
    journal: etree._Element | None,
    issue: etree._Element | None,
    pagination: etree._Element | None,
) -> Journal | None:
    pages = None
    if pagination is not None:
        parts = _children(pagination)
        pages = _own_text(parts.get("MedlinePgn"))
        if not pages and (start := _own_text(parts.get("StartPage"))):
            end = _own_text(parts.get("EndPage"))
            pages = f"{start}-{end}" if end else start
    if journal is None:
        return Journal(pages=pages) if pages else None
    numbers = _children(issue) if issue is not None else {}
    return Journal(
        title=_text(_child(journal, "Title")),
        volume=_own_text(numbers.get("Volume")),
        issue=_own_text(numbers.get("Issue")),
        pages=pages,
    )


def _own_text(element: etree._Element | None) -> str | None:
    if element is None or not element.text:
        return None
    return element.text.strip() or None


def _article_ids(id_list: etree._Element | None) -> dict[str, str]:
    """The article's own ids by type (the reference list has ArticleIdLists too)."""
    if id_list is None:
        return {}
    ids: dict[str, str] = {}
    for article_id in id_list.iterchildren("ArticleId"):
        kind, value = article_id.get("IdType"), (article_id.text or "").strip()
        if kind and value:
            ids.setdefault(kind, value)
    return ids


def _elocation_doi(article: etree._Element) -> str | None:
    for location in article.iterchildren("ELocationID"):
        if location.get("EIdType") == "doi" and location.get("ValidYN", "Y") == "Y":
            return _own_text(location)
    return None


def _electronic_date(article: etree._Element) -> str | None:
    for date in article.iterchildren("ArticleDate"):
        if date.get("DateType", "Electronic") == "Electronic":
            return parse_date(date)
    return None


def parse_date(date: etree._Element | None) -> str | None:
    """An ISO date ("YYYY", "YYYY-MM" or "YYYY-MM-DD") from a PubDate or ArticleDate.

    A season ("Spring") gives the year only; a MedlineDate range gives its start.
    """
    if date is None:
        return None
    parts = _children(date)
    year = _own_text(parts.get("Year"))
    if not year:
        return medline_date(_own_text(parts.get("MedlineDate")))
    day = _own_text(parts.get("Day"))
    month = month_number(_own_text(parts.get("Month")))
    return iso_date(year, month, day if day and day.isdigit() else None)
