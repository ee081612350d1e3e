"""PubMed-style abstract pages copied as text.

The page is recognised by its citation line (`Journal. 2018 Nov;142:72-82. doi: …`).
Around it: a publication type ("Review"), the title, the authors, the affiliations
(sometimes the only people printed), identifier lines (PMID, PMCID, DOI), the abstract
(plain or in labelled sections), keywords, and after it PubMed's own lists (similar
articles, MeSH terms, publication types). A paragraph in another language than the
abstract is its translation, as PubMed shows for articles with a second abstract.
"""

from __future__ import annotations

import re

from evimap.errors import MalformedRecord
from evimap.records import Author, Journal, Record, Section, Translation, content_sha1
from evimap.sources._fields import find_doi, kind_of
from evimap.sources._language import detect_language
from evimap.sources._page_citation import Citation, parse_citation
from evimap.sources._page_lines import is_prose, page_blocks, word_count
from evimap.sources._page_people import parse_affiliation, parse_authors

CITATION_SEARCH_LINES = 25
"""How far from the top a citation line makes a page an abstract page."""

TITLE_MAX_WORDS = 60
"""Longest line taken as the article title."""

ABSTRACT_MIN_WORDS = 25
"""A paragraph this long below the citation starts the abstract even without an
"Abstract" heading (the seed prints none); titles and author lines are shorter."""

PUBLICATION_TYPES = frozenset(
    {
        "systematic review",
        "meta-analysis",
        "review",
        "practice guideline",
        "guideline",
        "editorial",
        "comment",
        "letter",
        "news",
        "randomized controlled trial",
        "clinical trial",
        "observational study",
        "comparative study",
        "multicenter study",
        "case reports",
        "journal article",
    }
)
"""PubMed publication types a page prints as lines of their own; `_fields.kind_of` gives
the record kind they imply."""

SECTION_HEADINGS = {
    "abstract": "abstract",
    "keywords": "keywords",
    "publication types": "publication_types",
    "mesh terms": "mesh_terms",
    "affiliations": "affiliations",
    "author information": "affiliations",
}
"""Headings that open a part of the page the reader keeps."""

STOP_HEADINGS = (
    "similar articles",
    "cited by",
    "references",
    "substances",
    "related information",
    "linkout - more resources",
    "full text sources",
    "grants and funding",
    "supplementary concepts",
    "conflict of interest statement",
    "comment in",
    "comment on",
    "erratum in",
    "figures",
    "associated data",
    "copyright",
)
"""Headings of PubMed's own lists and notes: what is below them, up to the next heading
in `SECTION_HEADINGS`, is not the article's (similar articles print citation lines and
titles of their own)."""

CHROME = re.compile(
    r"^(?:expand|collapse|free (?:pmc )?article|item in clipboard|full text links|cite|save"
    r"|email|send to|display options|pubmed disclaimer|proceed to details)$",
    re.IGNORECASE,
)
"""PubMed page buttons and labels that copy along with the text."""

_IDENTIFIER = re.compile(r"^(?P<name>PMID|PMCID|DOI)\s*:\s*(?P<value>\S+)", re.IGNORECASE)
_LABELLED = re.compile(r"^(?P<label>[A-Z][A-Za-z /&-]{1,40}?)\s*:\s+(?P<text>\S.*)$")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE)


def find_citation_line(lines: list[str]) -> tuple[int, Citation] | None:
    """The index and parts of the PubMed citation line near the top of `lines`.

    Only front matter may come before it (publication type, journal name, affiliations):
    a citation line below a paragraph of prose is a reference in a story, not the page's
    own citation.
    """
    for i, line in enumerate(lines[:CITATION_SEARCH_LINES]):
        citation = parse_citation(line)
        if citation:
            return i, citation
        if is_prose(line) and not parse_affiliation(line):
            return None
    return None


def page_lines(text: str) -> list[str]:
    """The page's lines, with a citation line that copying split in three put back
    together ("Neuropharmacology" / ". 2018 Nov:142:72-82." / "doi: …")."""
    lines: list[str] = []
    for line in (line for block in page_blocks(text) for line in block):
        if lines and re.match(r"^\.\s*\d{4}\b", line):
            lines[-1] += line
        elif lines and re.match(r"^(?:doi:|epub\b)", line, re.IGNORECASE) and lines[-1][-1:] == ".":
            lines[-1] += " " + line
        else:
            lines.append(line)
    return lines


def parse_abstract_page(text: str, *, origin: str) -> Record:
    """The Record of a PubMed-style abstract page."""
    lines = page_lines(text)
    found = find_citation_line(lines)
    if found is None:
        raise MalformedRecord("no PubMed citation line near the top of the page", file=origin)
    at, citation = found
    page = _Page()
    for line in lines[:at]:
        page.read_front(line)
    for line in lines[at + 1 :]:
        page.read(line)
    abstract, translations = page.abstracts()
    if not abstract and not page.title:
        raise MalformedRecord(
            "the abstract page has neither a title nor an abstract",
            file=origin,
            hint="copy the page from its title down to the end of the abstract",
        )
    kind = kind_of(
        (p for p in page.publication_types if p.lower() in PUBLICATION_TYPES),
        default="research_article",
    )
    return Record(
        id=content_sha1(page.title, "\n".join(s.text for s in abstract)),
        source="page",
        title=page.title,
        abstract=abstract,
        translations=translations,
        authors=page.authors,
        affiliations=tuple(dict.fromkeys(page.affiliations)),
        journal=Journal(citation.journal, citation.volume, citation.issue, citation.pages),
        published=citation.published,
        epublished=citation.epublished,
        doi=citation.doi or page.ids.get("doi"),
        pmid=page.ids.get("pmid"),
        pmcid=page.ids.get("pmcid"),
        publication_types=tuple(dict.fromkeys(page.publication_types)),
        mesh_terms=tuple(page.mesh_terms),
        keywords=tuple(page.keywords),
        kind=kind,
    )


class _Page:
    """What has been read of an abstract page so far, line by line."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.authors: tuple[Author, ...] = ()
        self.affiliations: list[str] = []
        self.publication_types: list[str] = []
        self.ids: dict[str, str] = {}
        self.keywords: list[str] = []
        self.mesh_terms: list[str] = []
        self.paragraphs: list[Section] = []
        self.section = "front"
        self.pending_label: str | None = None

    def read_front(self, line: str) -> None:
        """A line above the citation: a publication type or an affiliation."""
        if _publication_type(line):
            self.publication_types.append(line)
        elif affiliation := parse_affiliation(line):
            self.affiliations.append(affiliation)

    def read(self, line: str) -> None:
        """Take one line below the citation, in the part of the page its heading opened."""
        key = line.lower().rstrip(":").strip()
        if key in SECTION_HEADINGS:
            self.section = SECTION_HEADINGS[key]
        elif key in STOP_HEADINGS or _COPYRIGHT.match(line):
            self.section = "ignored"
        elif self.section == "ignored" or CHROME.match(line):
            return
        elif identifier := _IDENTIFIER.match(line):
            name = identifier.group("name").lower()
            value = identifier.group("value").rstrip(".")
            self.ids[name] = (find_doi(value) or value) if name == "doi" else value
        elif key.startswith("keywords:") or self.section == "keywords":
            words = line.split(":", 1)[1] if key.startswith("keywords:") else line
            self.keywords += [k.strip(" .") for k in re.split(r"[;,]", words) if k.strip(" .")]
        elif self.section == "publication_types":
            self.publication_types.append(line)
        elif self.section == "mesh_terms":
            self.mesh_terms.append(line.rstrip("*").strip())
        elif self.section == "affiliations" and (affiliation := parse_affiliation(line)):
            self.affiliations.append(affiliation)
        elif self.section == "abstract" or (
            is_prose(line) and word_count(line) >= ABSTRACT_MIN_WORDS
        ):
            self._read_abstract(line)
        else:
            self._read_front_matter(line)

    def _read_front_matter(self, line: str) -> None:
        """Title first, then the author line; affiliations wherever they are printed."""
        if affiliation := parse_affiliation(line):
            self.affiliations.append(affiliation)
            return
        authors = () if self.authors else parse_authors(line)
        if authors and (self.title is not None or len(authors) > 1):
            self.authors = authors
        elif self.title is None and not self.paragraphs and word_count(line) <= TITLE_MAX_WORDS:
            self.title = line

    def _read_abstract(self, line: str) -> None:
        self.section = "abstract"
        labelled = _LABELLED.match(line)
        if word_count(line) <= 4 and not line.endswith("."):
            self.pending_label = line.rstrip(":")
        elif labelled and word_count(labelled.group("label")) <= 4:
            self.paragraphs.append(Section(labelled.group("label"), labelled.group("text")))
        else:
            self.paragraphs.append(Section(self.pending_label, line))
            self.pending_label = None

    def abstracts(self) -> tuple[tuple[Section, ...], tuple[Translation, ...]]:
        """The abstract in the page's first language, and the others as translations."""
        if not self.paragraphs:
            return (), ()
        languages = [detect_language(p.text) for p in self.paragraphs]
        main = languages[0]
        abstract = tuple(
            p for p, lang in zip(self.paragraphs, languages, strict=True) if lang == main
        )
        others: dict[str, list[Section]] = {}
        for paragraph, language in zip(self.paragraphs, languages, strict=True):
            if language and language != main:
                others.setdefault(language, []).append(paragraph)
        translations = tuple(
            Translation(language=lang, abstract=tuple(sections))
            for lang, sections in others.items()
        )
        return abstract, translations


def _publication_type(line: str) -> bool:
    return line.lower() in PUBLICATION_TYPES
