"""PMC JATS full text: one `<article>` (a PMC `.nxml`, a SciELO or publisher JATS file) or
a `<pmc-articleset>` of them, as E-utilities `efetch db=pmc` returns.

Articles are streamed with `iterparse` and cleared once read, so a large article set is
read in flat memory. The parser never loads a DTD, resolves an external entity or touches
the network: JATS files name a DTD they do not need, and entity expansion is how XML
files attack their readers.

Text is taken with `element_text`, which keeps the space around inline elements
(`<italic>`, `<sup>`, `<xref>`), so "the <italic>E. coli</italic> strain" reads as printed
and claim offsets into `body` are stable.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from evimap.errors import ErrorHandler, MalformedRecord, report
from evimap.records import Author, Item, Journal, Record, Section, Translation, canonical_id
from evimap.sources._fields import identified, iso_date, kind_of
from evimap.sources._io import Data, open_binary, origin_of
from evimap.sources._text import clean_space, element_text

SOURCE = "jats"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

BODY_BLOCKS = frozenset(
    {"p", "title", "sec", "list-item", "def-item", "disp-quote", "boxed-text", "statement"}
)
"""Body elements that end a line of `body` text."""

BODY_SKIPPED = frozenset(
    {
        "table-wrap",
        "fig",
        "fig-group",
        "disp-formula",
        "supplementary-material",
        "graphic",
        "media",
        "inline-graphic",
        "alternatives",
    }
)
"""Body elements left out of `body`: tables, figures and attachments are not prose."""

_ABSTRACT_BLOCKS = frozenset({"p", "sec", "list", "disp-quote", "boxed-text", "statement"})

SKIPPED_ABSTRACT_TYPES = frozenset({"graphical", "teaser", "toc", "web-summary", "precis"})

PUBLISHED_DATES = ("ppub", "epub-ppub", "collection", "epub")
"""`pub-date` kinds tried for `published`, in order: the print or issue date first."""

_JATS_HINTS = (b"<front", b"JATS", b"NLM//DTD", b"article-type=", b"dtd-version=", b"jats")


def sniff(head: bytes) -> bool:
    """Whether `head` is a JATS article or a PMC article set.

    The root element decides; `<article>` also needs a JATS sign (its DTD, `<front>`,
    `article-type`), since DocBook calls its root `article` too. PubMed's own XML
    (`PubmedArticleSet`) is not JATS and is left to the PubMed reader.
    """
    root = _root_name(head)
    if root == b"pmc-articleset":
        return True
    return root == b"article" and any(hint in head for hint in _JATS_HINTS)


def _root_name(head: bytes) -> bytes | None:
    """The first element name after the XML declaration, DOCTYPE and comments."""
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", b"", head, flags=re.S)
    match = re.search(rb"<([A-Za-z_][\w.:-]*)", text)
    return match.group(1) if match else None


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records of the articles in one JATS file, in file order, streamed.

    Broken XML is raised as `MalformedRecord` with the line it was found on (records
    already yielded stay valid); an article with no title and no identifier goes to
    `on_error` (raised when there is no handler).
    """
    name = origin_of(data, origin)
    number = 0
    with open_binary(data, origin=name) as stream:
        events = etree.iterparse(
            stream,
            events=("end",),
            tag="{*}article",
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
        )
        try:
            for _, article in events:
                parent = article.getparent()
                if parent is not None and etree.QName(parent).localname != "pmc-articleset":
                    continue
                number += 1
                try:
                    yield parse_article(article, file=name, record=f"article {number}")
                except MalformedRecord as error:
                    report(error, on_error)
                _release(article)
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if exc.lineno else "?"
            raise MalformedRecord(
                f"XML is not well-formed at line {line}: {exc.msg}",
                file=name,
                hint="the file may be truncated or not XML; download it again",
            ) from exc
    if number == 0:
        raise MalformedRecord("no <article> in this JATS file", file=name)


def _release(article: etree._Element) -> None:
    """Drop a read article and its earlier siblings so memory stays flat."""
    article.clear()
    while article.getprevious() is not None:
        parent = article.getparent()
        if parent is None:
            break
        del parent[0]


def parse_article(
    article: etree._Element, *, file: str | None = None, record: str | None = None
) -> Record:
    """One `<article>` element as a Record.

    Authors are `contrib-type="author"` contributors with the affiliations their `xref`s
    point to. Translated titles and abstracts (`trans-title-group`, `trans-abstract`)
    become Translations. Keywords are the groups in the article's own language.
    """
    meta = _first(article, "front", "article-meta")
    if meta is None:
        raise MalformedRecord("article has no front/article-meta", file=file, record=record)
    language = _lang(article)
    ids = {
        kind: _text(node)
        for node in _children(meta, "article-id")
        if (kind := node.get("pub-id-type")) in ("pmid", "pmc", "pmcid", "doi")
    }
    pmcid = ids.get("pmcid") or ids.get("pmc")
    title_node = _first(meta, "title-group", "article-title")
    parsed = Record(
        id="",
        source=SOURCE,
        title=clean_space(element_text(title_node)) if title_node is not None else None,
        abstract=parse_abstract(_main_abstract(meta)),
        body=_body(_first(article, "body")),
        language=language,
        translations=_translations(meta),
        authors=_authors(meta),
        affiliations=_unreferenced_affiliations(meta),
        journal=_journal(article, meta),
        published=_published(meta),
        epublished=_pub_date(meta, "epub"),
        doi=ids.get("doi"),
        pmid=ids.get("pmid"),
        pmcid=(pmcid if pmcid.upper().startswith("PMC") else f"PMC{pmcid}") if pmcid else None,
        publication_types=_subjects(meta, heading=True),
        keywords=_keywords(meta, language),
        subject_areas=_subjects(meta, heading=False),
        kind=kind_of([article.get("article-type") or ""]),
    )
    identified(parsed, noun="article", file=file, record=record)
    return dataclasses.replace(parsed, id=canonical_id(parsed))


def _main_abstract(meta: etree._Element) -> etree._Element | None:
    abstracts = [
        a
        for a in _children(meta, "abstract")
        if a.get("abstract-type") not in SKIPPED_ABSTRACT_TYPES
    ]
    untyped = [a for a in abstracts if not a.get("abstract-type")]
    candidates = untyped or abstracts
    return candidates[0] if candidates else None


def parse_abstract(abstract: etree._Element | None) -> tuple[Section, ...]:
    """An abstract's sections: each `<sec>` with its title as label, or one unlabelled one.

    The abstract's own `<title>` ("Abstract") is a heading, not a section label.
    """
    if abstract is None:
        return ()
    sections = _children(abstract, "sec")
    if sections:
        parsed = (
            Section(_label(sec), clean_space(" ".join(_paragraphs(sec))) or "") for sec in sections
        )
        return tuple(s for s in parsed if s.text)
    text = clean_space(" ".join(_paragraphs(abstract)))
    return (Section(None, text),) if text else ()


def _label(sec: etree._Element) -> str | None:
    title = _first(sec, "title")
    text = clean_space(element_text(title)) if title is not None else None
    return clean_space(text.rstrip(":")) if text else None


def _paragraphs(element: etree._Element) -> list[str]:
    """The text blocks of an abstract or section, its own title and label left out."""
    blocks = [c for c in element if isinstance(c.tag, str) and _local(c) in _ABSTRACT_BLOCKS]
    if blocks:
        return [element_text(block) for block in blocks]
    copied = copy.deepcopy(element)
    for heading in [*_children(copied, "title"), *_children(copied, "label")]:
        _remove_keeping_tail(heading)
    return [element_text(copied)]


def _body(body: etree._Element | None) -> str | None:
    """The body as lines: section titles and paragraphs, one per line, tables left out.

    Line breaks inside the XML are indentation (SciELO pretty-prints, PMC does not);
    `element_text` makes them spaces, and only block elements end a line. A section left
    with only its title (its figures or attachments removed) is dropped too.
    """
    if body is None:
        return None
    prose = copy.deepcopy(body)
    for node in [n for n in prose.iter() if isinstance(n.tag, str) and _local(n) in BODY_SKIPPED]:
        _remove_keeping_tail(node)
    for sec in reversed(list(prose.iter("{*}sec"))):
        if all(_local(child) in ("title", "label") for child in sec if isinstance(child.tag, str)):
            _remove_keeping_tail(sec)
    return element_text(prose, blocks=BODY_BLOCKS) or None


def _remove_keeping_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _translations(meta: etree._Element) -> tuple[Translation, ...]:
    titles: dict[str, str] = {}
    for group in meta.iterfind("{*}title-group/{*}trans-title-group"):
        node = _first(group, "trans-title")
        language = _lang(group) or (_lang(node) if node is not None else None)
        if node is not None and language:
            titles.setdefault(language, clean_space(element_text(node)) or "")
    abstracts: dict[str, tuple[Section, ...]] = {}
    for node in _children(meta, "trans-abstract"):
        language = _lang(node)
        if language:
            abstracts.setdefault(language, parse_abstract(node))
    return tuple(
        Translation(language, titles.get(language) or None, abstracts.get(language, ()))
        for language in dict.fromkeys([*titles, *abstracts])
    )


def _authors(meta: etree._Element) -> tuple[Author, ...]:
    affiliations = _affiliations_by_id(meta)
    single = next(iter(affiliations.values())) if len(affiliations) == 1 else None
    authors: list[Author] = []
    for contrib in meta.iterfind("{*}contrib-group/{*}contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        name = _contributor_name(contrib)
        if name is None:
            continue
        linked = [
            affiliations[rid]
            for xref in contrib.iterfind("{*}xref")
            if xref.get("ref-type") == "aff"
            for rid in (xref.get("rid") or "").split()
            if rid in affiliations
        ]
        linked += [text for aff in _children(contrib, "aff") if (text := _affiliation_text(aff))]
        if not linked and single is not None:
            linked = [single]
        authors.append(Author(name, tuple(dict.fromkeys(linked))))
    return tuple(authors)


def _contributor_name(contrib: etree._Element) -> str | None:
    """The name as "Surname, Given names", or the group name of a collaboration."""
    name = _first(contrib, "name")
    if name is None:
        name = _first(contrib, "name-alternatives", "name")
    if name is not None:
        surname, given = _text(_first(name, "surname")), _text(_first(name, "given-names"))
        return ", ".join(part for part in (surname, given) if part) or None
    collab = _first(contrib, "collab")
    return (
        clean_space(element_text(collab))
        if collab is not None
        else _text(_first(contrib, "string-name"))
    )


def _affiliations_by_id(meta: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for aff in [*_children(meta, "aff"), *meta.iterfind("{*}contrib-group/{*}aff")]:
        text = _affiliation_text(aff)
        if text and aff.get("id"):
            found[aff.get("id", "")] = text
    return found


def _unreferenced_affiliations(meta: etree._Element) -> tuple[str, ...]:
    """Affiliations no contributor points to; a lone affiliation is every author's instead."""
    affiliations = _affiliations_by_id(meta)
    referenced = {
        rid
        for xref in meta.iterfind("{*}contrib-group/{*}contrib/{*}xref")
        if xref.get("ref-type") == "aff"
        for rid in (xref.get("rid") or "").split()
    }
    if len(affiliations) == 1:
        return ()
    return tuple(text for key, text in affiliations.items() if key not in referenced)


def _affiliation_text(aff: etree._Element) -> str | None:
    """An affiliation as printed: SciELO's `institution[@content-type="original"]` when
    present (its other children are that same text taken apart), else the text without
    the label."""
    for institution in _children(aff, "institution"):
        if institution.get("content-type") == "original":
            return clean_space(element_text(institution))
    copied = copy.deepcopy(aff)
    for label in _children(copied, "label"):
        _remove_keeping_tail(label)
    return clean_space(element_text(copied))


def _journal(article: etree._Element, meta: etree._Element) -> Journal | None:
    journal_meta = _first(article, "front", "journal-meta")
    title = None
    if journal_meta is not None:
        node = _first(journal_meta, "journal-title-group", "journal-title")
        node = node if node is not None else _first(journal_meta, "journal-title")
        title = clean_space(element_text(node)) if node is not None else None
    first, last = _text(_first(meta, "fpage")), _text(_first(meta, "lpage"))
    pages = f"{first}-{last}" if first and last and last != first else first
    journal = Journal(
        title=title,
        volume=_text(_first(meta, "volume")),
        issue=_text(_first(meta, "issue")),
        pages=pages or _text(_first(meta, "elocation-id")),
    )
    return journal if any((journal.title, journal.volume, journal.issue, journal.pages)) else None


def _published(meta: etree._Element) -> str | None:
    return next(filter(None, (_pub_date(meta, kind) for kind in PUBLISHED_DATES)), None)


def _pub_date(meta: etree._Element, kind: str) -> str | None:
    """The `pub-date` of one kind, JATS 1.0 `@pub-type` or 1.1+ `@date-type`/format."""
    for node in _children(meta, "pub-date"):
        if _pub_date_kind(node) == kind:
            return iso_date(
                _text(_first(node, "year")),
                _text(_first(node, "month")),
                _text(_first(node, "day")),
            )
    return None


def _pub_date_kind(node: etree._Element) -> str | None:
    if node.get("pub-type"):
        return node.get("pub-type")
    date_type, form = node.get("date-type"), node.get("publication-format")
    if date_type == "pub":
        return {"print": "ppub", "electronic": "epub"}.get(form or "", "epub-ppub")
    return date_type


def _keywords(meta: etree._Element, language: str | None) -> tuple[str, ...]:
    keywords: list[str] = []
    for group in _children(meta, "kwd-group"):
        group_language = _lang(group)
        if group_language and language and group_language != language:
            continue
        keywords += [clean_space(element_text(kwd)) or "" for kwd in _children(group, "kwd")]
    return _strings(keywords)


def _subjects(meta: etree._Element, *, heading: bool) -> tuple[str, ...]:
    """`heading` subjects ("Research Article") or the discipline subjects of other groups."""
    subjects: list[str] = []
    for group in meta.iterfind("{*}article-categories/{*}subj-group"):
        if (group.get("subj-group-type") == "heading") == heading:
            subjects += [_text(s) or "" for s in group.iter("{*}subject")]
    return _strings(subjects)


def _lang(node: etree._Element | None) -> str | None:
    value = node.get(XML_LANG) if node is not None else None
    return value.split("-")[0].lower() if value else None


def _first(node: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if node is None:
            return None
        node = node.find(f"{{*}}{name}")
    return node


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return node.findall(f"{{*}}{name}")


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _text(node: Any) -> str | None:
    return clean_space(element_text(node)) if isinstance(node, etree._Element) else None


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
