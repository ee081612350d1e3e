"""News stories copied from a web page as plain text.

The shape every news site shares, whatever its wording: a masthead, the headline
(often printed twice, as page title and as heading), a standfirst, bylines and share
bars, the story, a source line, then newsletter prompts and a list of other stories.
The reader keeps the headline as `title`, the standfirst as the abstract, the story as
`body`, and the source line's link as `cites_url`; `_page_chrome` says which lines are
furniture.
"""

from __future__ import annotations

from dataclasses import dataclass

from evimap.errors import MalformedRecord
from evimap.records import Record, Section, content_sha1
from evimap.sources._fields import printed_date
from evimap.sources._page_chrome import (
    attribution_link,
    is_chrome,
    is_end_marker,
    is_header_marker,
    is_prompt,
    is_rule,
    is_tail_heading,
)
from evimap.sources._page_lines import (
    is_heading,
    is_prose,
    page_blocks,
    same_text,
    sentence_count,
    unwrapped,
    word_count,
)

TITLE_SEARCH_LINES = 12
"""How far down a repeated headline is looked for: below the masthead and menus."""

MASTHEAD_MAX_WORDS = 6
"""Masthead lines (site name, tagline, section) are this short."""

STORY_LIST_LOOKAHEAD = 12
"""Lines read after a "Related" heading to tell a list of other stories from more story."""

HEADER_PARAGRAPHS = 2
"""Bylines and datelines are looked for above the story's second paragraph only."""

TITLE_MAX_WORDS = 60
"""A headline alone on its first line may be this long: press-release headlines run to
34 words in FakeHealth."""


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    block: int


@dataclass(frozen=True, slots=True)
class _Kept:
    text: str
    is_marker: bool


@dataclass(frozen=True, slots=True)
class Story:
    """A story's text without its page furniture."""

    standfirst: str | None
    paragraphs: tuple[str, ...]
    links: tuple[str, ...]
    """Links of the story's source lines, first first: the study or original it reports."""


def parse_news_page(text: str, *, origin: str) -> Record:
    """The Record of a news story copied as text: title, standfirst, body, source link."""
    lines = [
        _Line(line, number)
        for number, block in enumerate(page_blocks(text))
        for line in unwrapped(block)
    ]
    start = _title_index(lines)
    title = lines[start].text if start is not None else None
    rest = lines[start + 1 :] if start is not None else lines
    story = find_story([line.text for line in rest if not (title and same_text(line.text, title))])
    if not story.paragraphs:
        raise MalformedRecord(
            "the page has no story text besides its title and page furniture",
            file=origin,
            hint="copy the whole article text into the file",
        )
    body = "\n\n".join(story.paragraphs)
    return Record(
        id=content_sha1(title, story.standfirst, body),
        source="page",
        title=title,
        abstract=(Section(None, story.standfirst),) if story.standfirst else (),
        body=body,
        cites_url=story.links[0] if story.links else None,
        kind="news",
    )


def find_story(lines: list[str]) -> Story:
    """The standfirst, paragraphs and source links among the lines below a headline."""
    kept, links = _story_lines(lines)
    first = _standfirst_index(kept)
    paragraphs = [k.text for i, k in enumerate(kept) if not k.is_marker and i != first]
    if first is None or not paragraphs:
        paragraphs = [k.text for k in kept if not k.is_marker]
        return Story(None, tuple(paragraphs), tuple(links))
    return Story(kept[first].text, tuple(paragraphs), tuple(links))


def _title_index(lines: list[_Line]) -> int | None:
    """The headline's line: a heading printed twice near the top, else the first heading
    after the masthead."""
    top = lines[:TITLE_SEARCH_LINES]
    for i, line in enumerate(top):
        furniture = is_chrome(line.text) or is_header_marker(line.text)
        if (
            _is_headline(line.text)
            and not furniture
            and any(same_text(line.text, later.text) for later in top[i + 1 : i + 8])
        ):
            return i
    i = 0
    while i < len(lines) - 1 and (
        is_chrome(lines[i].text) or is_prompt(lines[i].text) or _is_masthead(lines, i)
    ):
        i += 1
    if i < len(lines) and _is_title_line(lines, i):
        return i
    return None


def _is_title_line(lines: list[_Line], i: int) -> bool:
    """A heading, or a line alone in its block that does not read as a paragraph."""
    line = lines[i].text
    if is_heading(line):
        return True
    alone = sum(1 for other in lines if other.block == lines[i].block) == 1
    paragraph = line[-1] == "." and sentence_count(line) >= 2
    return alone and word_count(line) <= TITLE_MAX_WORDS and not paragraph


def _is_masthead(lines: list[_Line], i: int) -> bool:
    """Whether line `i` belongs to a leading block of several short label lines."""
    block = [line for line in lines if line.block == lines[i].block]
    leading = all(line.block == lines[i].block for line in lines[:i])
    return (
        leading
        and len(block) >= 2
        and all(word_count(line.text) <= MASTHEAD_MAX_WORDS for line in block)
        and not any(line.text[-1] in ".!?" for line in block)
    )


def _story_lines(lines: list[str]) -> tuple[list[_Kept], list[str]]:
    """The story's lines (with header markers flagged) and the links of source lines.

    Stops at the heading of the related-stories list once some prose has been seen;
    drops chrome, prompts and the short lines of a prompt's form. Bylines and datelines
    count as markers only above the story's second paragraph: lower down, "Published in
    JAMA." is a sentence of the story.
    """
    kept: list[_Kept] = []
    links: list[str] = []
    in_prompt = False
    paragraphs = 0
    for number, line in enumerate(lines):
        if paragraphs and is_end_marker(line):
            break
        if is_rule(line):
            continue
        if paragraphs and is_tail_heading(line):
            if _is_story_list(lines[number + 1 :]):
                break
            continue
        if in_prompt and not is_prose(line):
            continue
        in_prompt = False
        link = attribution_link(line)
        if link is not None:
            if link:
                links.append(link)
            continue
        if is_prompt(line):
            in_prompt = True
            continue
        if paragraphs < HEADER_PARAGRAPHS and (is_header_marker(line) or _is_dateline(line)):
            kept.append(_Kept(line, is_marker=True))
            continue
        if is_chrome(line) or (not paragraphs and _is_header_label(line)):
            continue
        paragraphs += 1
        kept.append(_Kept(line, is_marker=False))
    return kept, links


def _is_headline(line: str) -> bool:
    return is_heading(line) and word_count(line) >= 3 and line[-1] != "."


def _is_story_list(lines: list[str]) -> bool:
    """Whether the lines after a "Related" heading list other stories (headlines, maybe
    with blurbs) rather than continue this one: a widget heading left inside an article
    is followed by its paragraphs, a related list by headlines."""
    following: list[str] = []
    for line in lines:
        if is_tail_heading(line) or len(following) == STORY_LIST_LOOKAHEAD:
            break
        if not is_chrome(line):
            following.append(line)
    headlines = sum(1 for line in following if _is_headline(line))
    return headlines >= min(2, len(following)) and headlines >= 0.4 * len(following)


def _is_dateline(line: str) -> bool:
    return word_count(line) <= 6 and printed_date(line.split(" at ")[0].rstrip(",")) is not None


def _is_header_label(line: str) -> bool:
    """A short label above the story (a section name, a reporter's name)."""
    return word_count(line) <= MASTHEAD_MAX_WORDS and line[-1] not in '.!?"”'


def _standfirst_index(kept: list[_Kept]) -> int | None:
    """Where the standfirst is: the first paragraph, when a byline, dateline, reading time
    or share bar separates it from the story below; it is the site's summary of the
    story, not part of it."""
    texts = [i for i, k in enumerate(kept) if not k.is_marker]
    if len(texts) < 2:
        return None
    first, second = texts[0], texts[1]
    candidate = kept[first].text
    if not (is_prose(candidate) or candidate[-1] in ".!?"):
        return None
    if any(k.is_marker for k in kept[first + 1 : second]):
        return first
    return None
