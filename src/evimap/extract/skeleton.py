"""ASCII views of a text, which C-level byte operations read far faster than `re` reads
the text itself.

`re` tests each character of a text against a pattern's opening class (a Unicode table
lookup for `\\d` or `\\w`), then starts a match at each that passes: some 10 ns a
character, 20 µs an abstract, for every pattern scanned over it. `text.encode("ascii",
"replace")` has one byte per character, so an offset into it is an offset into the text;
`bytes.translate` and `bytes.find` then read it at memory speed. What an ASCII view hides
(case, punctuation, every character beyond ASCII, each then a `?`) the callers check on
the text itself, or fall back to `re` where they cannot.
"""

from __future__ import annotations

import functools

_SKELETON = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))
_DIGITS = bytes(48 if 48 <= c <= 57 else 32 for c in range(256))
"""ASCII digits as "0", every other byte a space."""


def ascii_view(text: str) -> bytes:
    """`text` encoded as ASCII, a `?` for each character beyond: what the other functions
    read, which a caller that needs two of them for one text can make once."""
    return text.encode("ascii", "replace")


def skeleton(text: str, view: bytes | None = None) -> bytes:
    """`text` as ASCII bytes, every character but an ASCII letter or digit a space;
    `view` is its `ascii_view`, if made already.

    An automaton over skeletons of keys with a space on either side (`vocab`), or a space
    before (`cue_trie`), finds every place where the text may hold a key at a word's edge.
    Two C-level passes (encode, translate), a few microseconds for an abstract.
    """
    return (ascii_view(text) if view is None else view).translate(_SKELETON)


def beyond_ascii(text: str, view: bytes | None = None) -> str:
    """The characters of `text` beyond ASCII, in text order; "" for ASCII text. `view`
    is its `ascii_view`, if made already.

    Found where the ASCII encoding put a `?` in their place: an abstract holds a few (a
    "±", a "≥"), so this costs about a microsecond where a regex scan costs twenty.
    """
    if text.isascii():
        return ""
    raw = ascii_view(text) if view is None else view
    found: list[str] = []
    at = raw.find(b"?")
    while at >= 0:
        char = text[at]
        if char != "?":
            found.append(char)
        at = raw.find(b"?", at + 1)
    return "".join(found)


def digit_run_starts(text: str) -> list[int] | None:
    """Where each run of ASCII digits in `text` starts, in order; None when `text` holds a
    decimal digit beyond ASCII (which `\\d` matches too: the caller then scans with `re`).

    A pattern that opens with `\\d` and refuses a word character before it can only match
    at these places, so trying it there alone finds what `finditer` finds.
    """
    view = ascii_view(text)
    if any(char.isdecimal() for char in beyond_ascii(text, view)):
        return None
    digits = b" " + view.translate(_DIGITS)
    starts: list[int] = []
    # A run starts where a digit follows a space: one byte on in `digits`, at `at` in text.
    at = digits.find(b" 0")
    while at >= 0:
        starts.append(at)
        at = digits.find(b" 0", at + 2)
    return starts


def char_places(text: str, chars: str) -> list[int]:
    """Where `text` holds one of the ASCII `chars`, a `?` or any character beyond ASCII, in
    order: every place where a pattern that opens with one of `chars` (or with some
    character beyond ASCII) can match, and a few more."""
    marked = ascii_view(text).translate(_marks(chars))
    places: list[int] = []
    at = marked.find(b"!")
    while at >= 0:
        places.append(at)
        at = marked.find(b"!", at + 1)
    return places


@functools.lru_cache(maxsize=16)
def _marks(chars: str) -> bytes:
    """A `bytes.translate` table marking `chars` and `?` (what stands for a character
    beyond ASCII) with "!", every other byte a space."""
    if not chars.isascii():
        raise ValueError(f"char_places reads ASCII characters only, not {chars!r}")
    marked = {ord(c) for c in chars + "?"}
    return bytes(33 if c in marked else 32 for c in range(256))
