"""Author lists and affiliations as abstract pages and research portals print them.

"Ellen Jones 1, Celia J A Morgan 2*" and "Cheolmin Shin, Yong Ku Kim" are author lines;
"1 Department of Neuroscience, University College London, London, UK." is an
affiliation. Footnote marks are dropped; names are kept as printed (no reordering into
family/given), because pages print them in every order.
"""

from __future__ import annotations

import re

from evimap.records import Author

AFFILIATION_WORDS = re.compile(
    r"\b(?:universit\w*|univ\.|department|dept\.?|institut\w*|hospital\w*|college|school"
    r"|faculty|cent(?:er|re)|laborator\w*|clinic\w*|unit|foundation|academy|division"
    r"|programme|program|council|ministry|agency|service|trust|inc\.|ltd\.?|gmbh|corporation"
    r"|hôpital|facultad|universidad|università|universität|klinik\w*)\b",
    re.IGNORECASE,
)
"""Words that make a line an institution's address rather than a sentence or a name."""

_FOOTNOTE = re.compile(r"(?:\s*\d{1,2}|\s*[*†‡§¶#]|\s+[a-h]|\s*,(?=\s*\d))+$")
_LEADING_NUMBER = re.compile(r"^\s*(?:\(?\d{1,2}[).]?|[a-h]\)|[*†‡§])\s+(?=\S)")
_FUNCTION_WORDS = {"of", "and", "for", "the", "in", "at", "on", "de", "du", "des", "la", "y", "e"}
_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "du", "la", "le", "del", "dos", "bin"}
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'\u2019.-]*|[A-Z]\.?)$")


def parse_affiliation(line: str) -> str | None:
    """The affiliation on `line` without its footnote number, or None if it is not one."""
    text = _LEADING_NUMBER.sub("", line).strip()
    if "," not in text or not AFFILIATION_WORDS.search(text) or len(text) > 400:
        return None
    words = [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() not in _FUNCTION_WORDS]
    capitalized = sum(1 for w in words if w[0].isupper())
    return text if capitalized >= 0.6 * len(words) else None


def parse_authors(line: str) -> tuple[Author, ...]:
    """The authors named on `line`, or () when the line is not a list of names."""
    if len(line) > 2000 or line.rstrip()[-1:] in "?!:;" or re.search(r"\d{3}", line):
        return ()
    parts = [p for p in re.split(r",\s*|\s+(?:and|&)\s+|;\s*", line) if p.strip()]
    names = [_FOOTNOTE.sub("", part).strip().rstrip(".") for part in parts]
    if not names or not all(_is_name(name) for name in names):
        return ()
    return tuple(Author(name) for name in names)


def _is_name(text: str) -> bool:
    tokens = text.split()
    if not 2 <= len(tokens) <= 6:
        return False
    capitalized = [t for t in tokens if t.lower() not in _PARTICLES]
    return bool(capitalized) and all(_NAME_TOKEN.match(t) for t in capitalized)
