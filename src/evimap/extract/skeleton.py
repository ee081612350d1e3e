"""ASCII views of a text: one byte per character, so an offset into a view is an offset
into the text, read by C-level byte operations instead of `re`.

`skeleton` is what the byte automata of `vocab` and `cue_trie` search; `beyond_ascii`
gives the few characters beyond ASCII an abstract holds, for the checks that used to scan
the whole text with a regex character class (about ten nanoseconds a character) to find
one (Chinese characters, letters with case). What a view hides (case, punctuation, every
character beyond ASCII, each a `?` in `ascii_view`) the callers check on the text itself.
"""

from __future__ import annotations

_SKELETON = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))
_DIGITS_ALIKE = bytes(48 if 48 <= c <= 57 else b for c, b in enumerate(_SKELETON))
"""`_SKELETON` with every digit a "0"."""


def ascii_view(text: str) -> bytes:
    """`text` encoded as ASCII, a `?` for each character beyond, made once by a caller
    that needs both it and the `skeleton`."""
    return text.encode("ascii", "replace")


def skeleton(text: str, view: bytes | None = None, *, digits_alike: bool = False) -> bytes:
    """`text` as ASCII bytes, every character but an ASCII letter or digit a space (every
    digit a "0" when `digits_alike`); `view` is its `ascii_view`, if made already.

    An automaton over skeletons of keys with a space on either side (`vocab`), or a space
    before (`cue_trie`), finds every place where the text may hold a key at a word's edge.
    Two C-level passes (encode, translate), a few microseconds for an abstract.
    """
    table = _DIGITS_ALIKE if digits_alike else _SKELETON
    return (ascii_view(text) if view is None else view).translate(table)


def beyond_ascii(text: str) -> str:
    """The characters of `text` beyond ASCII, in text order; "" for ASCII text.

    Found where the ASCII encoding put a `?` in their place: an abstract holds a few (a
    "±", a "≥"), so this costs about a microsecond where a regex scan costs twenty.
    """
    if text.isascii():
        return ""
    raw = ascii_view(text)
    found: list[str] = []
    at = raw.find(b"?")
    while at >= 0:
        char = text[at]
        if char != "?":
            found.append(char)
        at = raw.find(b"?", at + 1)
    return "".join(found)
