"""Page chrome: the lines around an article that are not the article.

A copied news page carries the site's furniture along with the story: share buttons,
reading times, bylines, newsletter prompts, image credits, "Related stories" lists.
Left in, they become part of the body, and the extractor then finds claims in the
headlines of other stories. The rules are data: each tuple below is a list of patterns
that must match a whole line (case-insensitive), so adding a site's wording is a one-line
change. Lines longer than `CHROME_MAX_WORDS` are never chrome: a real paragraph that
happens to start with "Share" or "Subscribe" stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evimap.sources._fields import find_doi
from evimap.sources._page_lines import word_count


def _patterns(*sources: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(source, re.IGNORECASE) for source in sources)


CHROME_MAX_WORDS = 40
"""Longest line a chrome rule may remove; article paragraphs are longer."""

_TOOL = (
    r"(?:share|tweet|e-?mail|print|save|facebook|twitter|x|linkedin|whatsapp|reddit|pinterest"
    r"|flipboard|copy(?: the)? link|bookmark|comments?|listen|gift(?: this)? article|pdf)"
)

SHARING = _patterns(
    r"share(?: this| on| via)?(?: article| story| post| page)?(?: on| via)?\s*[:!]?",
    rf"(?:{_TOOL}[\s|·•,/]*){{1,10}}",
    r"[\d.,]+\s*k?\s+(?:shares?|comments?|views?|reads?)",
)
"""Share buttons and page tools."""

READING_TIME = _patterns(
    r"\d+\s*-?\s*min(?:ute)?s?\.?(?: read| reading time| listen)?",
    r"(?:estimated )?reading time:?\s*\d+\s*min(?:ute)?s?",
    r"listen to (?:this|the) (?:article|story)\b.*",
)
"""Reading times and audio players: they sit between a standfirst and the story."""

LINE_CHROME = (
    SHARING
    + READING_TIME
    + _patterns(
        # advertising
        r"(?:(?:advertisement|advertising|sponsored(?: content)?|ad|paid (?:content|post)"
        r"|skip (?:this )?ad(?:vert(?:isement)?)?|story continues below(?: advertisement)?"
        r"|continue reading(?: the)?(?: main)?(?: story| article)?(?: below)?)\s*)+",
        # navigation and page furniture
        r"skip to (?:main )?content|menu|search|home|log ?in|sign ?in|log ?out|sign ?out",
        r"my account|back to top|(?:next|previous) (?:article|story)|top of page|close",
        r"feedback to editors|report (?:an )?(?:error|typo)|corrections? policy",
        r"return to (?:the )?\S.{0,60}|back to (?:previous page|the \S.{0,40})",
        r"see (?:the )?original (?:study|article|story)|enlarge this image\b.*",
        r"this (?:post|article|story) (?:has been|was) updated\b.*",
        # contact lines at the foot of a story
        r"(?:(?:write to|contact|e-?mail|reach)\b.{0,60})?\s*[\w.+-]+@[\w-]+\.[\w.]+\.?",
        r"[\u2014\u2013-]*\s*(?:e-?mail|contact us at|follow)\s*:?\s*\S+@\S+",
        r"@\w{2,30}",
        # pages served to robots instead of the story
        r"why did this happen\?|you are using an (?:older|outdated|unsupported) browser\b.*",
        r"please (?:make sure your browser supports|enable javascript|upgrade your browser)\b.*",
        r"explore further|(?:also|read) (?:read|also)\b.*|see also\b.*|more on this\b.*",
        r"(?:read|see) (?:more|the full story|full article)\b.*|click here\b.*",
        r".{1,200}\bread more",
        r"follow (?:us|me|@\w+)\b.*|download (?:the|our) app\b.*",
        r"(?:tags?|topics?|filed under|categories|related topics|keywords)\s*:.*",
        r"journal information\s*:.*|provided by\b.*",
        r"(?:citation|cite this(?: article)?)\s*:.*",
        # images and credits
        r"(?:image|photo|picture|illustration|graphic|video|photograph)s?(?: credits?)?"
        r"\s*(?::|by\b|via\b|courtesy\b).*",
        r"(?:credits?|courtesy(?: of)?|image source)\s*:.*",
        r"(?:photo|image|video|gallery|getty images|ap photo|toggle caption\b.*)",
        # copyright
        r"(?:©|\(c\)|copyright\b)\s*.*",
        r"this (?:document|article|story|material|content) (?:is subject to|is protected by"
        r"|may not be)\b.*",
    )
)
"""Lines removed wherever they appear."""

PROMPT_CHROME = _patterns(
    r"(?:sign up|subscribe|register|join (?:us|our|now|today|free))\b.*",
    r"(?:stay|keep) (?:updated|informed|up to date|in the loop|in touch)\b.*",
    r"get (?:the latest|our|the best|more|breaking)\b.*",
    r".*\b(?:your inbox|newsletters?|unsubscribe|privacy policy|respect your privacy)\b.*",
    r"(?:don't|do not|never) miss\b.*",
    r"(?:thank you|thanks) for (?:subscribing|signing up|reading)\b.*",
)
"""Newsletter and subscription prompts. A prompt also removes the short lines after it
(the form's questions and buttons, "How often would you like updates?") up to the next
paragraph of prose."""

HEADER_MARKERS = _patterns(
    r"(?:by|written by|reviewed by|medically reviewed by|edited by|reported by|posted by)"
    r"\s+(?-i:[A-Z]).*[^.!?]",
    r"this (?:article|story|page) is (?:more|less) than .{1,20} old",
    r"(?:published|updated|last updated|posted|first published|last modified)\b.*",
    r"special (?:to|for)\b.*",
)
"""Bylines and datelines: between a title and the story, they mark the paragraph above
them as the standfirst."""

END_MARKERS = _patterns(
    r"#\s*#\s*#|-\s*30\s*-|-?\s*ends?\s*-?|end of (?:release|story|article)",
    r"about (?!(?:the|this|a|an|these|our|how|why|what)\b)(?-i:[A-Z])\S*(?:\s+\S+){0,5}\s*:?",
    r"(?:media |press )?contacts?\s*:?|media\s*:|investors?\s*:",
    r"forward[- ]looking statements?\s*:?|safe harbou?r statements?\s*:?",
    r"for (?:further|more) information,? (?:please )?contact\s*:?",
)
"""Lines after which a press release has only boilerplate: the "###" end mark, the
"About <organisation>" paragraph, media contacts and safe-harbour statements. "Notes to
editors" is not one: it often carries the study's reference."""

TAIL_HEADINGS = _patterns(
    r"related(?: articles?| stories| posts| content| coverage| news| reading| topics| links"
    r"| videos?)?\s*:?",
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)\b.*",
    r"(?:more|other) (?:stories|articles|news|from|on|in|like this)\b.*",
    r"recommended(?: for you| reading| articles| stories)?\s*:?",
    r"(?:most|top) (?:read|popular|viewed|shared|stories|news)\b.*",
    r"(?:popular|trending)(?: now| stories| articles| today)?\s*:?",
    r"(?:latest|top) (?:news|stories|headlines|articles)\b.*",
    r"(?:read|what to read|up) next\s*:?",
    r"comments?(?: \(\d+\))?\s*:?|\d+ comments?|leave a (?:comment|reply)",
    r"join the (?:conversation|discussion)|add a comment",
    r"(?:more|further) reading\s*:?|related (?:information|resources|links)\s*:?",
)
"""Headings after which the rest of the page is other stories or comments."""

TAIL_HEADING_MAX_WORDS = 8

ATTRIBUTION = re.compile(
    r"^(?P<label>source|original (?:story|article|source|research|study|paper)|story source|via"
    r"|adapted from|references?|journal reference|more information|read the (?:original|full)"
    r" (?:story|article|study|paper))\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
"""Lines that name where a story comes from; the first URL (or DOI) in them is the link
to the study or original story the page reports (`Record.cites_url`)."""

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_BARE_URL = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>\"')\]]+", re.IGNORECASE)
"""A link printed without its scheme ("SOURCE: bit.ly/2QXSV2K"), as wire stories do."""


def _matches(patterns: Iterable[re.Pattern[str]], line: str) -> bool:
    return any(p.fullmatch(line) for p in patterns)


def is_chrome(line: str) -> bool:
    """Whether `line` is site furniture to drop wherever it appears."""
    return word_count(line) <= CHROME_MAX_WORDS and _matches(LINE_CHROME, line)


def is_prompt(line: str) -> bool:
    """Whether `line` is a newsletter or subscription prompt."""
    return word_count(line) <= CHROME_MAX_WORDS - 5 and _matches(PROMPT_CHROME, line)


def is_header_marker(line: str) -> bool:
    """Whether `line` is a byline, a dateline, a reading time or a share bar."""
    return word_count(line) <= 12 and (
        _matches(HEADER_MARKERS, line) or _matches(READING_TIME, line) or _matches(SHARING, line)
    )


def is_tail_heading(line: str) -> bool:
    """Whether `line` heads the list of other stories (or comments) that ends a page."""
    return word_count(line) <= TAIL_HEADING_MAX_WORDS and _matches(TAIL_HEADINGS, line)


def is_end_marker(line: str) -> bool:
    """Whether `line` ends the story outright (a press release's "###", "About X")."""
    return word_count(line) <= TAIL_HEADING_MAX_WORDS and _matches(END_MARKERS, line)


def is_rule(line: str) -> bool:
    """Whether `line` is a separator drawn with punctuation ("***", "———")."""
    return not any(c.isalnum() for c in line)


def attribution_link(line: str) -> str | None:
    """The URL a "Source: …" line points to (a DOI becomes a doi.org URL), else None.

    Returns "" for an attribution line without a link, so the caller still drops it.
    """
    match = ATTRIBUTION.match(line)
    if not match or word_count(line) > 80:
        return None
    rest = match.group("rest")
    if url := _URL.search(rest):
        return url.group(0).rstrip(".,;:")
    if doi := find_doi(rest):
        return f"https://doi.org/{doi}"
    if bare := _BARE_URL.search(rest):
        return "https://" + bare.group(0).rstrip(".,;:")
    return ""
