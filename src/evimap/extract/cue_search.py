"""`re.IGNORECASE` cue searches made fast, with the same answers.

Pairs and direction ask, thousands of times a run, whether a cue such as "compared with"
ends right before a drug's name: a case-insensitive regex searched over the 60
characters before it. `re` starts such a search at every position of the window, trying
every alternative, since with IGNORECASE it cannot tell which characters may open a
match (it skips ahead in C only to characters a case-sensitive pattern opens with).
The same pattern without IGNORECASE, over the window lowercased, runs about five times
faster and, for an ASCII window and a pattern that `folds_to_lowercase`, finds a match
exactly when the original does: lowercasing ASCII keeps every offset, every `\\w`, `\\s`,
`\\d` and word boundary, and makes a lowercase letter of the pattern meet the text's
letter in either case, as IGNORECASE does.

The same holds for a text whose other characters have no case ("±", "≥", "°", a thin
space: `folds_alike`), which is most abstracts that are not ASCII: such a character is
its own lowercase, matches only itself with or without IGNORECASE (a pattern's letters
being lowercase), and is a `\\w`, `\\s` or `\\d` alike in either text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from evimap.extract.cue_trie import ending_reversed
from evimap.extract.skeleton import beyond_ascii

_CLASS_ESCAPES = frozenset("sSwWdDbB")
"""Escapes that mean the same on a text and on its ASCII lowercase: `\\s`, `\\w`, `\\d`,
their negations and word boundaries (in a class, `\\b` is a backspace: not a letter)."""
_INLINE_FLAGS = frozenset("aiLmsux-")


@functools.lru_cache(maxsize=256)
def lowered(text: str) -> str:
    """`text` lower-cased character by character, so that offsets stay: a character whose
    lowercase is longer ("İ") is kept as it is.

    Cached: the numbers and certainty steps both read each sentence lower-cased, and
    lower-casing text beyond ASCII goes character by character in CPython.
    """
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low


def has_match(cue: re.Pattern[str], text: str) -> bool:
    """Whether `cue.search(text)` finds a match, searched without IGNORECASE on the
    lowercased text when that gives the same answer (see the module docstring)."""
    if folds_alike(text):
        twin = _twin_of(cue)
        if twin is not None:
            return _found(twin, text.lower())
    return _found(cue, text)


def _found(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `pattern` finds a match in `text`: at the start of the reversed text, when
    the pattern only matches at a text's end (`cue_trie.ending_reversed`), as the cues
    that must end right before a name do."""
    backward = _by_identity(_BACKWARD, pattern, ending_reversed)
    if backward is not None:
        return backward.match(text[::-1]) is not None
    return pattern.search(text) is not None


def match_starts(cue: re.Pattern[str], text: str) -> list[int]:
    """Where the matches of `cue.finditer(text)` start, found as `has_match` finds one:
    on the lowercased text when that gives the same matches (lowercasing keeps every
    offset then, so the twin's matches are the cue's, one for one)."""
    if folds_alike(text):
        twin = _twin_of(cue)
        if twin is not None:
            return [match.start() for match in twin.finditer(text.lower())]
    return [match.start() for match in cue.finditer(text)]


_Derived = dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]]
_TWINS: _Derived = {}
"""`lowercase_twin` of each cue asked about, by `id(cue)`, with the cue (kept alive, so
its id is not reused)."""
_BACKWARD: _Derived = {}
"""`cue_trie.ending_reversed` of each pattern `_found` searched with, kept as `_TWINS`."""


def _by_identity(
    cache: _Derived,
    pattern: re.Pattern[str],
    derive: Callable[[re.Pattern[str]], re.Pattern[str] | None],
) -> re.Pattern[str] | None:
    """`derive(pattern)`, cached by the pattern's identity: hashing a pattern hashes its
    whole compiled code, which cost `has_match` a third of its time on a cache keyed by
    the pattern itself."""
    known = cache.get(id(pattern))
    if known is None or known[0] is not pattern:
        known = cache[id(pattern)] = (pattern, derive(pattern))
    return known[1]


def _twin_of(cue: re.Pattern[str]) -> re.Pattern[str] | None:
    return _by_identity(_TWINS, cue, _lowercase_twin)


def folds_alike(text: str) -> bool:
    """Whether a `lowercase_twin` matches `text.lower()` just where its cue matches `text`:
    true of ASCII text, and of text whose other characters have no case (see the module
    docstring); `text.lower()` then keeps every offset."""
    if text.isascii():
        return True
    return all(map(_caseless, set(beyond_ascii(text))))


@functools.lru_cache(maxsize=4096)
def _caseless(char: str) -> bool:
    """Whether `char` is its own lowercase and uppercase: no case variant exists that
    IGNORECASE could match it to (`re`'s extra equivalences, such as "\u0131" with "i",
    are all between characters with case)."""
    return char.lower() == char == char.upper()


@functools.lru_cache(maxsize=256)
def _lowercase_twin(cue: re.Pattern[str]) -> re.Pattern[str] | None:
    """`cue` compiled without IGNORECASE, when on lowercased ASCII text it matches just
    where `cue` matches the text; None when it may not, or `cue` ignores no case."""
    if not cue.flags & re.IGNORECASE or not folds_to_lowercase(cue.pattern):
        return None
    return re.compile(cue.pattern, cue.flags & ~re.IGNORECASE)


def folds_to_lowercase(pattern: str) -> bool:
    """Whether `pattern` with IGNORECASE matches an ASCII text where, without it, it
    matches the text lowercased.

    Conservative (a False only costs speed): true of a pattern without uppercase letters
    (but in a group's name) or inline flags, whose escapes are `_CLASS_ESCAPES`,
    punctuation or `\\uXXXX`, and whose character classes hold no range (a "-" only first
    or last in a class): a range such as `[@-_]` holds the uppercase letters but not the
    lowercase ones. A non-ASCII character, as itself or as `\\uXXXX` ("µg", a thin space),
    must match no ASCII character even ignoring case (the long s, U+017F, matches "s"):
    then it matches nothing in either search of ASCII text.
    """
    class_start = -1  # where the open character class's members begin; -1: none open
    index = 0
    size = len(pattern)
    while index < size:
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1 : index + 2]
            if escaped == "u" and _matches_no_ascii(_code_point(pattern[index + 2 : index + 6])):
                index += 6
                continue
            if escaped.isalnum() and escaped not in _CLASS_ESCAPES:
                return False
            index += 2
            continue
        if char.isupper() or not (char.isascii() or _matches_no_ascii(char)):
            return False
        if class_start >= 0:
            if char == "]" and index > class_start:
                class_start = -1
            elif char == "-" and index > class_start and pattern[index + 1 : index + 2] != "]":
                return False
        elif char == "[":
            class_start = index + 1
            if pattern[class_start : class_start + 1] == "^":
                class_start += 1
        elif char == "(" and pattern[index + 1 : index + 2] == "?":
            if pattern[index + 2 : index + 3] in _INLINE_FLAGS:
                return False
            if pattern[index + 2 : index + 4] == "P<":  # a group's name matches nothing
                index = pattern.find(">", index)
                if index < 0:
                    return False
        index += 1
    return True


_ASCII = "".join(map(chr, range(128)))


def _code_point(digits: str) -> str:
    """The character of the four hex digits of a `\\u` escape; "" for bad digits."""
    if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return ""
    return chr(int(digits, 16))


@functools.lru_cache(maxsize=256)
def _matches_no_ascii(char: str) -> bool:
    """Whether `char` is non-ASCII and, ignoring case, matches no ASCII character."""
    if not char or char.isascii():
        return False
    return re.search(re.escape(char), _ASCII, re.IGNORECASE) is None


def lowercase_twin(cue: re.Pattern[str]) -> re.Pattern[str] | None:
    """`cue` without IGNORECASE, to match (at any position) the lowercased ASCII text where
    `cue` matches the text; None when `folds_to_lowercase` cannot promise that."""
    return _lowercase_twin(cue)
