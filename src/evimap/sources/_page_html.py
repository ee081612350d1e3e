"""Web pages as HTML: trafilatura for the main text, the head's meta tags for the rest.

Journal and PubMed pages carry Highwire `citation_*` tags (Google Scholar's convention),
which are the publisher's own metadata and beat anything guessed from the text; news
pages carry Open Graph and Dublin Core tags. trafilatura (Barbaresi 2021,
doi:10.18653/v1/2021.acl-demo.15) finds the main text and the page metadata.

Nothing active survives: script, style, iframe, object and similar elements are removed
from the tree before any text is read, and only http(s) links are kept, so a hostile
page yields plain text and never a `javascript:` URL.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict

import trafilatura
from lxml import etree, html

from evimap.errors import EncodingError, MalformedRecord
from evimap.records import Author, Journal, Record, Section, content_sha1
from evimap.sources._fields import find_doi, printed_date
from evimap.sources._page_chrome import is_chrome, is_rule
from evimap.sources._page_lines import same_text
from evimap.sources._page_news import find_story
from evimap.sources._text import clean_space, element_text

ACTIVE_ELEMENTS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "canvas",
    "form",
    "button",
    "input",
    "select",
    "textarea",
)
"""Elements removed before reading: code, embedded documents and controls, none of
which is article text."""

META_FIELDS = {
    "title": ("citation_title", "dc.title"),
    "journal": ("citation_journal_title", "prism.publicationname", "citation_conference_title"),
    "volume": ("citation_volume", "prism.volume"),
    "issue": ("citation_issue", "prism.number"),
    "first_page": ("citation_firstpage", "prism.startingpage"),
    "last_page": ("citation_lastpage", "prism.endingpage"),
    "published": (
        "citation_publication_date",
        "citation_date",
        "citation_cover_date",
        "prism.publicationdate",
        "dc.date",
        "article:published_time",
    ),
    "epublished": ("citation_online_date",),
    "doi": ("citation_doi", "prism.doi", "doi", "dc.identifier"),
    "pmid": ("citation_pmid",),
    "pmcid": ("citation_pmcid",),
    "abstract": ("citation_abstract", "dc.description.abstract"),
    "language": ("citation_language", "dc.language", "content-language"),
    "keywords": ("citation_keywords",),
    "type": ("citation_article_type", "dc.type", "prism.section"),
}
"""Meta tag names (lower case) for each field, most authoritative first."""

SCHOLARLY_TAGS = ("citation_title", "citation_journal_title", "citation_doi", "citation_pmid")
"""Tags only a scholarly article page carries: their presence makes a page a research
article unless its type says otherwise."""

TYPE_KINDS = (
    ("news", "news"),
    ("systematic review", "review"),
    ("review", "review"),
    ("editorial", "commentary"),
    ("comment", "commentary"),
    ("letter", "commentary"),
    ("correspondence", "commentary"),
)
"""Words in a page's declared type (citation_article_type, dc.type, prism.section) and
the record kind they mean."""

ABSTRACT_XPATH = (
    "//*[self::section or self::div]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' abstract ')"
    " or @id='abstract' or starts-with(@id, 'abstract') or @id='eng-abstract']"
)
"""Where article pages print the abstract (PMC, PubMed, most publishers)."""

_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"(?is)<(script|style)\b.*?(?:</\1\s*>|$)")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*$")


def parse_html_page(content: bytes, *, origin: str) -> Record:
    """The Record of an HTML page: a research article or a news story."""
    tree = _tree(content, origin)
    meta = _meta(tree)
    document = trafilatura.bare_extraction(
        copy.deepcopy(tree), include_comments=False, include_tables=False, with_metadata=True
    )
    for element in tree.xpath("|".join(f"//{tag}" for tag in ACTIVE_ELEMENTS)):
        element.drop_tree()
    language = _language(tree, meta)
    dom_abstract = _dom_abstract(tree)
    doi_link = _doi_link(tree)
    if document is None or not isinstance(document, trafilatura.settings.Document):
        raise MalformedRecord("the HTML page has no readable text", file=origin)
    title = _first(meta, "title") or clean_space(document.title)
    kind = _kind(meta, document.pagetype)
    abstract = _abstract(meta, dom_abstract, document.description, kind)
    paragraphs, links = _body(document.text, title, abstract, kind)
    if not paragraphs and not abstract:
        raise MalformedRecord(
            "the HTML page has no article text", file=origin, hint="save the article page itself"
        )
    body = "\n\n".join(paragraphs) or None
    cites = links[0] if links else (doi_link if kind == "news" else None)
    return Record(
        id=content_sha1(title, "\n".join(s.text for s in abstract), body),
        source="page",
        title=title,
        abstract=abstract,
        body=body,
        language=language,
        authors=_authors(meta, document.author, document.sitename),
        journal=_journal(meta),
        published=_date(meta, "published") or printed_date(document.date),
        epublished=_date(meta, "epublished"),
        doi=find_doi(_first(meta, "doi")),
        pmid=_first(meta, "pmid"),
        pmcid=_pmcid(meta, document.url),
        keywords=_keywords(meta),
        publication_types=tuple(meta.get("citation_article_type", ())),
        url=_http(document.url),
        cites_url=_http(cites),
        kind=kind,
    )


def _body(
    text: str | None, title: str | None, abstract: tuple[Section, ...], kind: str
) -> tuple[list[str], list[str]]:
    """The body's paragraphs and a news story's source links, from trafilatura's main
    text less the title and the abstract it repeats. A news story is cleaned like a
    copied one; an article keeps its section headings and loses only page chrome."""
    lines = [
        line
        for line in (text or "").splitlines()
        if line.strip()
        and not (title and same_text(line, title))
        and not _in(line, abstract)
        and line.strip().lower() != "abstract"
    ]
    if kind == "news":
        story = find_story(lines)
        return list(story.paragraphs), list(story.links)
    return [line for line in lines if not (is_chrome(line) or is_rule(line))], []


def _tree(content: bytes, origin: str) -> html.HtmlElement:
    """The parsed page; trafilatura decodes it, honouring the declared charset."""
    try:
        tree = trafilatura.load_html(content)
    except (UnicodeError, ValueError, etree.ParserError) as exc:
        raise EncodingError(f"the HTML cannot be decoded ({exc})", file=origin) from exc
    if tree is None:
        raise MalformedRecord(
            "the HTML cannot be parsed", file=origin, hint="save the page again as HTML"
        )
    return tree


def _meta(tree: html.HtmlElement) -> dict[str, list[str]]:
    """Meta tag values by lower-cased name or property, in page order, as plain text."""
    found: dict[str, list[str]] = defaultdict(list)
    for element in tree.xpath("//meta[@content]"):
        name = element.get("name") or element.get("property") or element.get("http-equiv")
        value = _plain(element.get("content"))
        if name and value:
            found[name.strip().lower()].append(value)
    return dict(found)


def _plain(value: str | None) -> str | None:
    """Text of a meta value that may itself hold markup: code and tags removed."""
    if value is None:
        return None
    return clean_space(_TAG.sub(" ", _CODE.sub(" ", value)))


def _first(meta: dict[str, list[str]], field: str) -> str | None:
    for name in META_FIELDS[field]:
        if meta.get(name):
            return meta[name][0]
    return None


def _date(meta: dict[str, list[str]], field: str) -> str | None:
    for name in META_FIELDS[field]:
        for value in meta.get(name, ()):
            if parsed := printed_date(value):
                return parsed
    return None


def _kind(meta: dict[str, list[str]], pagetype: str | None) -> str:
    """news, review, commentary or research_article from the page's declared type and
    tags; a page with none of them is a plain `web_page`."""
    declared = " ".join(v.lower() for name in META_FIELDS["type"] for v in meta.get(name, ()))
    for word, kind in TYPE_KINDS:
        if word in declared:
            return kind
    if any(meta.get(tag) for tag in SCHOLARLY_TAGS):
        return "research_article"
    if (pagetype or "").lower() in ("article", "newsarticle", "news"):
        return "news"
    return "web_page"


def _language(tree: html.HtmlElement, meta: dict[str, list[str]]) -> str | None:
    """The language the page declares (`<html lang>`, then meta tags), as ISO 639-1."""
    declared = [tree.get("lang"), tree.get("xml:lang"), _first(meta, "language")]
    for value in declared:
        code = (value or "").strip().lower()[:3].rstrip("-_")
        if len(code) == 2 and code.isalpha():
            return code
    return None


def _dom_abstract(tree: html.HtmlElement) -> tuple[Section, ...]:
    """The abstract printed in the page, one Section per paragraph, labelled when the
    paragraph starts with a bold label or follows a sub-heading."""
    for container in tree.xpath(ABSTRACT_XPATH):
        sections: list[Section] = []
        label: str | None = None
        for element in container.iter("p", "h3", "h4", "h5"):
            text = clean_space(element_text(element))
            if not text:
                continue
            if element.tag != "p":
                label = text.rstrip(":")
                continue
            strong = element.find("strong")
            head = (strong.text or "").strip() if strong is not None else ""
            if head.endswith(":") and text.startswith(head):
                sections.append(Section(head.rstrip(":"), text[len(head) :].strip()))
            else:
                sections.append(Section(label, text))
            label = None
        if sections:
            return tuple(sections)
    return ()


def _abstract(
    meta: dict[str, list[str]],
    dom: tuple[Section, ...],
    description: str | None,
    kind: str,
) -> tuple[Section, ...]:
    if dom:
        return dom
    if text := _first(meta, "abstract"):
        return (Section(None, text),)
    if kind == "news" and description and not _TRUNCATED.search(description):
        return (Section(None, clean_space(description) or description),)
    return ()


def _in(line: str, abstract: tuple[Section, ...]) -> bool:
    """Whether `line` repeats the abstract (trafilatura keeps it in the main text)."""
    return any(same_text(line, s.text) or same_text(line, f"{s.label}: {s.text}") for s in abstract)


def _authors(
    meta: dict[str, list[str]], byline: str | None, site: str | None
) -> tuple[Author, ...]:
    """Authors from citation tags (with their institutions), else the page's byline
    without the site's own name ("by Bob Yirka, Phys.org")."""
    names = meta.get("citation_author") or meta.get("dc.creator")
    if names:
        institutions = meta.get("citation_author_institution", [])
        if len(institutions) == len(names):
            return tuple(Author(n, (i,)) for n, i in zip(names, institutions, strict=True))
        return tuple(Author(name) for name in names)
    site_key = re.sub(r"\W", "", (site or "").lower())
    return tuple(
        Author(name.strip())
        for name in (byline or "").split(";")
        if name.strip() and re.sub(r"\W", "", name.lower()) != site_key
    )


def _journal(meta: dict[str, list[str]]) -> Journal | None:
    title = _first(meta, "journal")
    if not title:
        return None
    first, last = _first(meta, "first_page"), _first(meta, "last_page")
    pages = f"{first}-{last}" if first and last and last != first else first
    return Journal(title, _first(meta, "volume"), _first(meta, "issue"), pages)


def _keywords(meta: dict[str, list[str]]) -> tuple[str, ...]:
    words = [k.strip() for v in meta.get("citation_keywords", ()) for k in re.split(r"[;,]", v)]
    return tuple(dict.fromkeys(w for w in words if w))


def _pmcid(meta: dict[str, list[str]], url: str | None) -> str | None:
    if value := _first(meta, "pmcid"):
        return value if value.upper().startswith("PMC") else f"PMC{value}"
    match = re.search(r"/(PMC\d+)/?", url or "")
    return match.group(1) if match and "ncbi.nlm.nih.gov" in (url or "") else None


def _doi_link(tree: html.HtmlElement) -> str | None:
    """The first doi.org link in the page body: what a news story links to as its study."""
    for href in tree.xpath("//body//a/@href"):
        if "doi.org/" in href and (doi := find_doi(href)):
            return f"https://doi.org/{doi}"
    return None


def _http(url: str | None) -> str | None:
    """`url` if it is an http(s) URL; anything else (javascript:, data:) is dropped."""
    return url if url and re.match(r"^https?://", url, re.IGNORECASE) else None
