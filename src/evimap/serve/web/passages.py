"""A record's texts cut into passages for the page: evidence sentences marked, read time.

The record's text is never turned into markup here. A text is cut at the claims' evidence
offsets into `Segment`s, and the template escapes each segment and wraps the marked ones in
`<mark>`: whatever the text holds (`<script>`, quotes, event handlers) stays text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from evimap.claims import Claim
from evimap.records import Record

WORDS_PER_MINUTE = 230
"""Adult silent reading of English non-fiction, rounded down for technical text (Brysbaert
2019, "How many words do we read per minute?", doi:10.1016/j.jml.2019.104047, gives 238)."""

CJK_CHARACTERS_PER_MINUTE = 300
"""An assumed rate for Chinese, Japanese and Korean characters; no figure for these scripts is
as well established as the English one, so read times of CJK texts are rougher."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a text: `claims` are the numbers of the claims whose evidence covers it,
    `starts` those whose evidence begins here and `ends` those whose evidence ends here."""

    text: str
    claims: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()


def segments(text: str, spans: Sequence[tuple[int, int, int]]) -> list[Segment]:
    """`text` cut at every boundary of the `(start, end, number)` spans.

    Overlapping spans are all kept: the text between two boundaries lists every claim that
    covers it. Spans that fall outside the text are clipped to it.
    """
    size = len(text)
    clipped = [(max(0, min(s, size)), max(0, min(e, size)), n) for s, e, n in spans]
    clipped = [(s, e, n) for s, e, n in clipped if s < e]
    cuts = sorted({0, size, *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    out = []
    for left, right in itertools.pairwise(cuts):
        covering = tuple(sorted(n for s, e, n in clipped if s <= left and right <= e))
        starts = tuple(sorted(n for s, _, n in clipped if s == left))
        ends = tuple(sorted(n for _, e, n in clipped if e == right))
        out.append(Segment(text[left:right], covering, starts, ends))
    return out


def claim_segments(text: str, field: str, claims: Sequence[Claim]) -> list[Segment]:
    """The text of one field with the evidence of the claims that point into it marked.

    Claims are numbered from 1 in the order given, so numbers match the page's claim list.
    A claim whose span no longer holds in the text (a record changed since extraction) is
    not marked rather than marking the wrong words.
    """
    spans = [
        (c.evidence.start, c.evidence.end, number)
        for number, c in enumerate(claims, 1)
        if c.evidence.field == field and text[c.evidence.start : c.evidence.end] == c.evidence.text
    ]
    return segments(text, spans)


def read_minutes(record: Record) -> int:
    """Minutes to read the record's title, abstract and body (not its translations), >= 1."""
    texts = record.texts()
    words = characters = 0
    for field in ("title", "abstract", "body"):
        text = texts.get(field, "")
        characters += len(_CJK.findall(text))
        words += len(_WORD.findall(_CJK.sub(" ", text)))
    minutes = words / WORDS_PER_MINUTE + characters / CJK_CHARACTERS_PER_MINUTE
    return max(1, round(minutes))


__all__ = ["Segment", "claim_segments", "read_minutes", "segments"]
