"""The shape of copied page text: blocks of lines, words, prose and headings.

Text copied from a browser keeps the page's layout only as line breaks: a paragraph is
one line, a blank line separates boxes, navigation and lists are runs of short lines.
The page readers work on that shape, so it is decided here once: what counts as a word
(CJK runs too), when a line reads as prose rather than a label, and when two lines are
the same text (a title repeated as the heading).
"""

from __future__ import annotations

import re
from functools import lru_cache

from evimap.records import normalized_text

_WORD = re.compile(r"[^\W_]+(?:['\u2019.-][^\W_]+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*(?:\s|$)")
_LINE_ENDS = '.!?:;"\u201d\u2019)]\u3002\uff01\uff1f'
_UNICODE_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

PROSE_WORDS = 12
"""A line of at least this many words is prose: the news seed's longest chrome line ("Get
the latest health & wellness insights delivered straight to your inbox.") has 11 words,
its shortest paragraph 31."""

HEADING_MAX_WORDS = 30
"""Longest line read as a heading; all but a handful of FakeHealth's 2,237 headlines are
shorter (the longest has 34 words and is caught as the lone first line)."""


def page_blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines, each line stripped; blank lines separate the runs.

    Invisible characters (zero-width spaces, soft hyphens, stray BOMs) are dropped and
    every Unicode space becomes a plain one, since copied text is full of them.
    """
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in text.translate(_INVISIBLE).splitlines():
        line = " ".join(_spaced(raw).split())
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _spaced(line: str) -> str:
    return _UNICODE_SPACE.sub(" ", line)


@lru_cache(maxsize=8192)
def word_count(text: str) -> int:
    """Words in `text`; a run of CJK characters counts one word per two characters."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk // 2


def sentence_count(text: str) -> int:
    """Sentence ends in `text` (a final sentence without its full stop counts too)."""
    ends = len(_SENTENCE_END.findall(text))
    return ends + (0 if _SENTENCE_END.search(text[-2:] + " ") else 1)


def is_prose(line: str) -> bool:
    """Whether `line` reads as running text rather than a label, heading or link."""
    words = word_count(line)
    return words >= PROSE_WORDS or (words >= 8 and sentence_count(line) >= 2)


def is_heading(line: str) -> bool:
    """Whether `line` could be a title or heading: short, not ending like a sentence part."""
    words = word_count(line)
    if not 1 <= words <= HEADING_MAX_WORDS or len(line) > 300:
        return False
    if line.rstrip()[-1] in ",;:" or line[0].islower():
        return False
    return sentence_count(line) <= 2


def same_text(a: str, b: str) -> bool:
    """Whether two lines are the same text, ignoring case, accents and spacing."""
    if abs(len(a) - len(b)) > 2 + max(len(a), len(b)) // 8:
        return False
    return normalized_text(a) == normalized_text(b)


def letters(text: str) -> int:
    """Letters in `text` (any script)."""
    return sum(1 for c in text if c.isalpha())


def unwrapped(block: list[str]) -> list[str]:
    """The lines of a block with hard-wrapped paragraphs joined back into one line.

    A line continues the previous one when that one stops mid-sentence and this one
    starts in lower case, as text re-flowed at 72 columns does; a list of short items
    or a heading followed by a paragraph stays apart.
    """
    lines: list[str] = []
    for line in block:
        if lines and _continues(lines[-1], line):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def _continues(previous: str, line: str) -> bool:
    return previous[-1] not in _LINE_ENDS and line[0].islower() and word_count(previous) >= 5
