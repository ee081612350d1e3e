"""Research-portal records (Elsevier Pure, with Scopus data) copied as text.

A Pure page prints a title, the authors, a "Research output:" line (category > type >
peer-review), a citation count with its index, the abstract, then a table of fields.
Copying drops the table's layout, so each label is glued to its value ("Original
languageEnglish", "Pages (from-to)181-192"); the labels are known, so they are split off
by prefix. Bullet lists follow: keywords (printed without a heading), the ASJC subject
areas, and the fingerprint, which is Pure's own topic list and not the authors' words.
"""

from __future__ import annotations

import re

from evimap.errors import MalformedRecord
from evimap.records import Author, CitationCount, Journal, Record, Section, content_sha1
from evimap.sources._fields import find_doi, language_code, printed_date
from evimap.sources._page_lines import is_prose, page_blocks
from evimap.sources._page_people import parse_authors

PORTAL_MARKERS = re.compile(
    r"^(?:research output\s*:|original language|publication status|pages \(from-to\)"
    r"|asjc scopus subject areas|\d[\d,]*\s*citations?\s*\(|dive into the research topics)",
    re.IGNORECASE,
)
"""Line starts that only a Pure research-output page prints; two make a page one."""

PURE_FIELDS = (
    ("Original language", "language"),
    ("Pages (from-to)", "pages"),
    ("Article number", "article_number"),
    ("Number of pages", None),
    ("Journal", "journal"),
    ("Volume", "volume"),
    ("Issue number", "issue"),
    ("Publication status", "status"),
    ("Early online date", "epublished"),
    ("DOIs", "doi"),
    ("State", None),
    ("Publisher", None),
    ("ISSN (Print)", None),
    ("ISSN (Electronic)", None),
    ("ISBN (Print)", None),
    ("ISBN (Electronic)", None),
    ("Host publication title", "host"),
    ("Book title", "host"),
    ("Event", None),
    ("Externally published", None),
    ("Publication date", "date"),
)
"""Labels of the Pure field table and the field each fills (None: read and dropped)."""

PURE_CATEGORIES = (
    "Contribution to journal",
    "Chapter in Book/Report/Conference proceeding",
    "Contribution to book/anthology",
    "Contribution to conference",
    "Contribution to specialist publication",
    "Book/Report",
    "Book/Film/Article review",
    "Thesis",
    "Working paper",
    "Non-textual form",
    "Other contribution",
    "Patent",
)
"""The first level of a Pure output type ("Contribution to journal > Article")."""

PURE_KINDS = (
    ("Review article", "review"),
    ("Systematic review", "review"),
    ("Literature review", "review"),
    ("Short survey", "review"),
    ("Conference article", "conference_paper"),
    ("Conference contribution", "conference_paper"),
    ("Meeting Abstract", "conference_paper"),
    ("Paper", "conference_paper"),
    ("Poster", "conference_paper"),
    ("Abstract", "conference_paper"),
    ("Comment/debate", "commentary"),
    ("Comment", "commentary"),
    ("Letter", "commentary"),
    ("Editorial", "commentary"),
    ("Book/Film/Article review", "commentary"),
    ("Note", "commentary"),
    ("Erratum", "correction"),
    ("Case report", "case_report"),
    ("Article", "research_article"),
    ("Chapter (peer-reviewed)", "book_chapter"),
    ("Chapter", "book_chapter"),
    ("Entry for encyclopedia/dictionary", "book_chapter"),
    ("Commissioned report", "report"),
    ("Report", "report"),
    ("Anthology", "book"),
    ("Book", "book"),
    ("Doctoral Thesis", "thesis"),
    ("Master's Thesis", "thesis"),
)
"""Pure output types (longest spelling first, since copying glues them to what follows)
and the record kind each is; an unknown type leaves the kind `other`."""

BULLET_HEADINGS = {
    "keywords": "keywords",
    "asjc scopus subject areas": "subject_areas",
    "subject areas": "subject_areas",
    "fingerprint": None,
    "dive into the research topics": None,
    "bibliographical note": "keywords",
}
"""Headings that say what the bullets below them are; None: not the article's data.
Keywords are printed without a heading, so bullets after the bibliographical note (which
has none of its own) are keywords too."""

STOP_LINES = re.compile(r"^(?:cite this|access to document|link to publication|other files)", re.I)

_BULLET = re.compile(r"^[•·▪◦‣∙*-]\s*(?P<item>\S.*)$")
_SEP = r"\s*(?:[\u203a>\u00bb|/-]\s*)?"
_TYPE = re.compile(
    rf"^(?P<category>{'|'.join(map(re.escape, PURE_CATEGORIES))})?{_SEP}"
    rf"(?P<type>{'|'.join(re.escape(t) for t, _ in PURE_KINDS)})?{_SEP}"
    rf"(?:(?:research|scientific|professional|academic|other){_SEP})?"
    r"(?P<peer>(?:non[- ]?)?peer[- ]?review(?:ed)?)?\s*$",
    re.IGNORECASE,
)
_CITATIONS = re.compile(r"^(?P<count>\d[\d,]*)\s*citations?\s*\((?P<index>[^)]+)\)", re.I)
_STATUS = re.compile(
    r"(?P<state>published|e-?pub ahead of print|accepted/in press|submitted)\s*-\s*"
    r"(?P<date>.+?)\s*(?=published|e-?pub|accepted|submitted|$)",
    re.IGNORECASE,
)


def is_portal_page(lines: list[str]) -> bool:
    """Whether the page prints at least two of Pure's own labels."""
    return sum(1 for line in lines if PORTAL_MARKERS.match(line)) >= 2


def parse_portal_page(text: str, *, origin: str) -> Record:
    """The Record of a Pure research-portal page."""
    lines = [line for block in page_blocks(text) for line in block]
    if not lines:
        raise MalformedRecord("the portal page is empty", file=origin)
    fields: dict[str, str] = {}
    lists: dict[str, list[str]] = {"keywords": [], "subject_areas": []}
    paragraphs: list[str] = []
    authors: tuple[Author, ...] = ()
    kind, peer_reviewed, count = "other", None, None
    bullets_to: str | None = "keywords"
    in_head = True
    for line in lines[1:]:
        if STOP_LINES.match(line):
            break
        if in_head and not authors and not paragraphs and (found := parse_authors(line)):
            authors = found
        elif line.lower().startswith("research output"):
            kind, peer_reviewed = parse_output_type(line.split(":", 1)[-1])
        elif match := _CITATIONS.match(line):
            count = CitationCount(int(match.group("count").replace(",", "")), match.group("index"))
        elif (heading := _bullet_heading(line)) is not None:
            bullets_to, in_head = BULLET_HEADINGS[heading], False
        elif bullet := _BULLET.match(line):
            if bullets_to:
                lists[bullets_to].append(bullet.group("item").strip())
        elif field := _field(line):
            fields.setdefault(*field)
            in_head = False
        elif in_head and is_prose(line):
            paragraphs.append(line)
    published, epublished = _statuses(fields)
    return Record(
        id=content_sha1(lines[0], "\n".join(paragraphs)),
        source="page",
        title=lines[0],
        abstract=(Section(None, "\n".join(paragraphs)),) if paragraphs else (),
        authors=authors,
        language=language_code(fields.get("language")),
        journal=_journal(fields),
        published=published or printed_date(fields.get("date")),
        epublished=epublished or printed_date(fields.get("epublished")),
        doi=find_doi(fields.get("doi")),
        keywords=tuple(lists["keywords"]),
        subject_areas=tuple(lists["subject_areas"]),
        citation_count=count,
        kind=kind,
        peer_reviewed=peer_reviewed,
    )


def parse_output_type(text: str) -> tuple[str, bool | None]:
    """The record kind and peer-review flag of a Pure output type, glued or separated:
    "Contribution to journalReview articlepeer-review" or "... > Article > peer-review"."""
    match = _TYPE.match(text.strip())
    if not match:
        return "other", None
    output = (match.group("type") or "").lower()
    kind = next((k for t, k in PURE_KINDS if t.lower() == output), "other")
    peer = match.group("peer")
    return kind, (not peer.lower().startswith("non")) if peer else None


def _bullet_heading(line: str) -> str | None:
    """The `BULLET_HEADINGS` key that `line` starts with, if any."""
    key = line.lower().rstrip(":")
    return next((heading for heading in BULLET_HEADINGS if key.startswith(heading)), None)


def _field(line: str) -> tuple[str, str] | None:
    for label, name in PURE_FIELDS:
        if line.lower().startswith(label.lower()):
            value = line[len(label) :].lstrip(" :\t")
            if value and name:
                return name, value
            return ("_", value) if value or not name else None
    return None


def _journal(fields: dict[str, str]) -> Journal | None:
    title = fields.get("journal") or fields.get("host")
    pages = fields.get("pages") or fields.get("article_number")
    if not (title or pages or fields.get("volume") or fields.get("issue")):
        return None
    return Journal(title, fields.get("volume"), fields.get("issue"), pages)


def _statuses(fields: dict[str, str]) -> tuple[str | None, str | None]:
    """Published and e-published dates from "Published - 2020 Mar" style statuses."""
    published = epublished = None
    for match in _STATUS.finditer(fields.get("status", "")):
        state = match.group("state").lower()
        date = printed_date(match.group("date"))
        if state.startswith("published"):
            published = date
        elif state.startswith(("e-pub", "epub")):
            epublished = date
    return published, epublished
