"""Web pages, as HTML or as the text copied from them: news stories, PubMed-style abstract
pages and research-portal (Pure/Scopus) records.

HTML goes to `_page_html` (trafilatura plus the head's meta tags). Copied text is sorted
into a family by its structure, tried in `TEXT_FAMILIES` order: a Pure record prints its
own field labels, an abstract page prints PubMed's citation line, and anything else that
reads as prose is a news story. Each page gives exactly one Record.

The sniffer is the catch-all for prose, so it must say no to every other text format:
XML, JSON, tables, RIS, MEDLINE/nbib, BibTeX and Markdown notes are rejected by their
first lines.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator

from evimap.errors import EmptyInput, EvimapError
from evimap.records import Item, Record
from evimap.sources._io import HEAD_BYTES, Data, decoded_text, origin_of, read_all
from evimap.sources._page_abstract import find_citation_line, page_lines, parse_abstract_page
from evimap.sources._page_html import parse_html_page
from evimap.sources._page_lines import letters, word_count
from evimap.sources._page_news import parse_news_page
from evimap.sources._page_portal import is_portal_page, parse_portal_page

_HTML_START = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG = re.compile(rb"<html[\s>]", re.IGNORECASE)
HTML_TAG_WITHIN = 1024
"""An `<html` tag this close to the start makes a page HTML even after junk (a saved
page's leading comment block or a server banner)."""

OTHER_FORMATS = re.compile(
    r"^(?:TY  - |PMID- |\s*@[A-Za-z]+\s*[{(]|%0 \w|FN (?:Thomson|Clarivate))",
    re.MULTILINE,
)
"""First-line marks of the tagged formats other readers own: RIS, MEDLINE/nbib, BibTeX,
EndNote (Refer) and Web of Science."""

MARKDOWN = re.compile(r"\A\s*#{1,6} [^\W_]|^\|?\s*:?-{3,}:?\s*\|[\s|:-]*$|^```", re.MULTILINE)
"""A Markdown document (a heading on the first line, a table rule, a code fence) is a
note about data, such as a folder's PROVENANCE.md, not a copied web page."""

TAGGED_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3}\s{0,3}- ", re.MULTILINE)
TAGGED_MIN_LINES = 3
"""Three `XX  - value` lines make text a tagged export (RIS or MEDLINE) even when its
first record mark is missing or hidden behind a byte-order mark."""

MIN_WORDS = 8
"""Fewest words in a text page: less is a label ("404 Not Found"), not a page."""

MIN_LETTER_SHARE = 0.6
"""Share of letters among the visible characters of prose (the seeds: 0.94 to 0.97);
tables of numbers and code fall below it."""

MAX_BAD_BYTE_SHARE = 0.01
"""Prose with a few bytes that are not UTF-8 is still a text page, so that reading it
reports the bad byte (`EncodingError`) instead of "unknown format"."""

TABLE_MIN_ROWS = 3
TABLE_ROW_SHARE = 0.8
"""A table: at least 3 lines, 80 % of them splitting into the same number (3 or more)
of fields on one delimiter."""

TEXT_FAMILIES: tuple[tuple[str, Callable[[list[str]], bool], Callable[..., Record]], ...] = (
    ("portal", is_portal_page, parse_portal_page),
    ("abstract", lambda lines: find_citation_line(lines) is not None, parse_abstract_page),
)
"""Families of copied pages, tried in order; a page that is none of them is news."""


def sniff(head: bytes) -> bool:
    """Whether `head` is an HTML page or text that reads as prose."""
    return is_html(head) or is_prose_text(head)


def is_html(head: bytes) -> bool:
    """Whether `head` starts (after a BOM, space or comments) like an HTML document."""
    head = _utf8(head)
    return bool(_HTML_START.match(head) or _HTML_TAG.search(head[:HTML_TAG_WITHIN]))


def is_prose_text(head: bytes) -> bool:
    """Whether `head` is text made of words and sentences rather than data or markup."""
    text = _head_text(head)
    if text is None or not text.strip() or text.lstrip()[0] in "<{[":
        return False
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text) or OTHER_FORMATS.search(text):
        return False
    if len(TAGGED_LINE.findall(text)) >= TAGGED_MIN_LINES or MARKDOWN.search(text):
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    if _is_table(lines):
        return False
    visible = sum(1 for c in text if not c.isspace())
    return (
        letters(text) >= MIN_LETTER_SHARE * visible
        and word_count(text) >= MIN_WORDS
        and any(word_count(line) >= 5 for line in lines)
    )


def read(
    data: Data,
    *,
    origin: str | None = None,
    on_error: Callable[[EvimapError], None] | None = None,
) -> Iterator[Item]:
    """The one Record of a page file (HTML or copied text).

    A page is a single record, so a problem with it is a problem with the file: it is
    raised as an `InputError` naming the file, never passed to `on_error`.
    """
    name = origin_of(data, origin)
    content = read_all(data, origin=origin)
    if is_html(content[:HEAD_BYTES]):
        yield parse_html_page(content, origin=name)
        return
    text = decoded_text(content, origin=name)
    if not text.strip():
        raise EmptyInput("the page has no text", file=name)
    yield parse_text_page(text, origin=name)


def parse_text_page(text: str, *, origin: str) -> Record:
    """The Record of a page copied as text, read as the family its structure shows."""
    lines = page_lines(text)
    for _name, recognizes, parse in TEXT_FAMILIES:
        if recognizes(lines):
            return parse(text, origin=origin)
    return parse_news_page(text, origin=origin)


def _utf8(head: bytes) -> bytes:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def _head_text(head: bytes) -> str | None:
    """`head` as text; None for bytes that are not (mostly) UTF-8 or UTF-16 text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="replace").lstrip("\ufeff")
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    bad = text.count("\ufffd")
    if text.endswith("\ufffd") and len(head) == HEAD_BYTES:
        bad -= len(text) - len(text.rstrip("\ufffd"))
    return text if bad <= MAX_BAD_BYTE_SHARE * len(text) else None


def _is_table(lines: list[str]) -> bool:
    sample = lines[:30]
    if len(sample) < TABLE_MIN_ROWS:
        return False
    for delimiter in "\t,;|":
        widths = Counter(len(row) for row in csv.reader(sample, delimiter=delimiter))
        width, rows = widths.most_common(1)[0]
        if width >= 3 and rows >= TABLE_ROW_SHARE * len(sample):
            return True
    return False
