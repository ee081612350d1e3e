"""Cue alternations rebuilt as tries: the same matches as the plain alternation, found faster.

A plain alternation of cue phrases, `(?<!\\w)(?:(?P<g0>cue|cue…)|(?P<g1>…)|…)TAIL`, makes
the engine try every cue at every word start. Rewritten as a trie,
`\\W(?:r(?:a(?:...)|c(?:...))|m(?:...)|...)`, the engine's cheap first-character test on each
branch rejects all but one bucket. The buckets are Brzozowski derivatives (Brzozowski
1964, doi:10.1145/321239.321249) of the parsed patterns: `_derivative(p, c)` is what `p`
must match after the character `c`, kept as the ordered list of ways the backtracking
engine would try, so the first cue that matches at a position, and its end, are those of
the plain alternation. A construct the derivative does not handle raises ValueError when
the rules load, naming the pattern.

The design step (`design.py`, cues matched case-insensitively on word boundaries) and the
direction step (`direction.py`, cues between characters that are neither word characters
nor hyphens) both scan their cues this way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from re import _parser as _sre  # type: ignore[attr-defined]
from typing import Any

import ahocorasick_rs

from evimap.extract.skeleton import ascii_view, beyond_ascii, skeleton


@dataclass(frozen=True, slots=True)
class CueTrie:
    """A cue alternation rebuilt for speed (see `cue_trie` for the alternation it stands for).

    `trie` (`ascii_trie` for ASCII text, whose characters before a cue it lists) finds
    every cue one character after a character it consumes, which may not be a word
    character: the engine then skips word characters without trying a match, and tries
    one branch per first character instead of every cue. It has no capture groups, which
    cost the plain alternation most of its time (the engine clears a slot for every group
    numbered below the one it enters), so the cue group is found afterwards: the first of
    `groups` (each group's patterns and the tail) that matches at the cue's start, as the
    alternation chooses; `by_prefix` narrows the groups to try by the first two characters
    (all when unlisted).

    `openings` finds, in a text's `skeleton` (digits alike), where a cue may open
    (`matches`); `opens_beyond` is whether a cue may open with a character beyond ASCII,
    which the skeleton hides.
    """

    trie: re.Pattern[str]
    ascii_trie: re.Pattern[str]
    groups: tuple[re.Pattern[str], ...]
    by_prefix: dict[str, tuple[int, ...]]
    openings: ahocorasick_rs.BytesAhoCorasick
    opens_beyond: bool

    def matches(self, text: str) -> list[re.Match[str]]:
        """The trie's matches in `text`, each searched for from the last character of the
        one before (the cue's last character may be the one before the next cue).

        The same as searching with the trie from each such position, found faster: `re`
        would try the trie at every character that is not a word character, a few hundred
        in an abstract, at a cost of one test per branch of its first level, where few of
        those places open a cue at all. The places where one may are found instead by
        `openings` (ahocorasick_rs), which reads the text's skeleton for the opening
        characters of every cue with a space before them (see `_openings`), and, when a
        cue may open beyond ASCII, before every character that is not ASCII. The trie is
        then tried at each of those places only. The openings read `\\d` as an ASCII digit,
        so a text with a decimal digit beyond ASCII is searched as `re` would.
        """
        trie = self.ascii_trie if text.isascii() else self.trie
        if trie is self.trie and any(c.isdecimal() for c in beyond_ascii(text)):
            return _searched(trie, text)
        view = ascii_view(text)
        places = {
            start
            for _, start, _ in self.openings.find_matches_as_indexes(
                skeleton(text, view, digits_alike=True), overlapping=True
            )
        }
        if self.opens_beyond and trie is self.trie:
            at = view.find(b"?", 1)
            while at >= 0:
                places.add(at - 1)
                at = view.find(b"?", at + 1)
        found: list[re.Match[str]] = []
        pos = 0
        for place in sorted(places):
            if place < pos:
                continue
            hit = trie.match(text, place)
            if hit is not None:
                found.append(hit)
                pos = hit.end() - 1
        return found

    def group_at(self, text: str, start: int) -> int:
        """The group of the cue the trie found at `start` of `text`."""
        for index in self.by_prefix.get(text[start : start + 2], range(len(self.groups))):
            if self.groups[index].match(text, start):
                return index
        raise RuntimeError(f"cue trie found a cue at {text[start : start + 20]!r} but no group")


def alternation(patterns: Sequence[str]) -> str:
    """Regex source matching any of `patterns`, tried in order, each in its own group."""
    return "|".join(f"(?:{p})" for p in patterns)


def _searched(trie: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """`CueTrie.matches`, searched for with `re` from each position on."""
    found: list[re.Match[str]] = []
    pos = 0
    while (hit := trie.search(text, pos)) is not None:
        found.append(hit)
        pos = hit.end() - 1
    return found


def cue_trie(
    groups: Sequence[Sequence[str]],
    *,
    tail: str,
    not_before: str = "",
    flags: int = 0,
    newline_free: bool = False,
) -> CueTrie:
    """The `CueTrie` of the alternation `(?<![\\w{not_before}])(?:G0|G1|…)` + `tail`, where
    `Gi` is `(?:p|q|…)` of the patterns of `groups[i]`, compiled with `flags`.

    A cue that can begin with anything but a word character is never found there (the
    trie tries cues at word starts only): callers refuse such cues, or have the alternation
    require a word character too. When `newline_free`, no cue may match a newline (so that
    texts joined by newlines can be scanned as one). ValueError names a pattern the trie
    cannot be built for.
    """
    entries: list[tuple[int, list[_Seq]]] = []
    by_prefix: dict[str, tuple[int, ...]] = {}
    multiline = bool(flags & re.MULTILINE)
    for index, patterns in enumerate(groups):
        for pattern in patterns:
            seq = _seq(_sre.parse(pattern, flags))
            try:
                _check_cue(seq, newline_free=newline_free, multiline=multiline)
                if _min_width(seq) == 0:
                    raise _NoDerivative("it can match nothing")
            except _NoDerivative as error:
                raise ValueError(f"cue {pattern!r}: {error}") from None
            entries.append((index, [seq]))
    try:
        for char, after in _split(entries, None).items():
            # A cue may end after its first character: then the second is not its own.
            ends = {i for i, ways in after if any(_min_width(w) == 0 for w in ways)}
            for second, sub in _split(after, char).items():
                takes = ends | {i for i, _ in sub}
                by_prefix[char + second] = tuple(dict.fromkeys(i for i, _ in after if i in takes))
        body = _trie(entries, None, _TRIE_DEPTH, tail)
    except _NoDerivative as error:
        raise ValueError(f"cues: {error} (see cue_trie._derivative)") from None
    excluded = "".join(re.escape(c) for c in not_before)
    ascii_before = "".join(
        f"\\x{ord(c):02x}" for c in map(chr, range(128)) if not (_is_word(c) or c in not_before)
    )
    return CueTrie(
        trie=re.compile(rf"[^\w{excluded}](?:{body})", flags),
        ascii_trie=re.compile(rf"[{ascii_before}](?:{body})", flags),
        groups=tuple(
            re.compile("(?:" + "|".join(f"(?:{p})" for p in g) + f"){tail}", flags) for g in groups
        ),
        by_prefix=by_prefix,
        openings=ahocorasick_rs.BytesAhoCorasick(
            sorted(
                {
                    b" " + skeleton(opening, digits_alike=True)
                    for opening in _openings(entries, None, _OPENING_DEPTH)
                }
            )
        ),
        opens_beyond=any(_may_start_beyond_ascii(way) for _, ways in entries for way in ways),
    )


def ending_reversed(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern`, which matches only at the end of a text, reversed: `.match(text[::-1])`
    finds a match just when `pattern.search(text)` does, in one try where the search tries
    every position of the text; None when `pattern` does not end with `$` (a line's end
    under MULTILINE does not count) or holds what reversal cannot keep (a lookaround, an
    anchor, a backreference, inline flags).

    Only whether there is a match is kept: not where it is, nor which branch took it,
    nor laziness (a lazy repeat is reversed as a greedy one).
    """
    seq = _seq(_sre.parse(pattern.pattern, pattern.flags))
    if pattern.flags & re.MULTILINE or not seq or seq[-1] != (_sre.AT, _sre.AT_END):
        return None
    try:
        body = _reversed_source(seq[:-1])
    except _NoDerivative:
        return None
    # `$` also matches before a newline that ends the text: the first of the reversed one.
    return re.compile(rf"\n?{body}", pattern.flags)


def _reversed_source(seq: _Seq) -> str:
    """Regex source matching the reverse of each text `seq` matches."""
    out: list[str] = []
    for item in reversed(seq):
        op, arg = item
        if op in _ONE_CHAR:
            out.append(_source((item,)))
        elif op is _sre.BRANCH:
            out.append("(?:" + "|".join(_reversed_source(_seq(a)) for a in arg[1]) + ")")
        elif op is _sre.SUBPATTERN and arg[1:3] == (0, 0):
            out.append(f"(?:{_reversed_source(_seq(arg[3]))})")
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, high, body = arg
            top = "" if high == _sre.MAXREPEAT else str(high)
            out.append(f"(?:{_reversed_source(_seq(body))}){{{low},{top}}}")
        elif op is _sre.AT and arg in (_sre.AT_BOUNDARY, _sre.AT_NON_BOUNDARY):
            out.append(_ATS[arg])
        else:
            raise _NoDerivative(f"{op} {arg}")
    return "".join(out)


_OPENING_DEPTH = 6
"""Characters of a cue's opening that `openings` reads, at most."""
_OPENING_FANOUT = 12
"""After its first character, an opening ends where the cues can go on with more than
this many characters (a `\\w`): each would be a key of its own."""


def _openings(entries: list[tuple[int, list[_Seq]]], before: str | None, depth: int) -> set[str]:
    """ASCII strings, one of which every match of `entries` at a word start opens with,
    when its first character is ASCII (`CueTrie.opens_beyond` covers the others), with
    every digit a "0" and `\\d` read as an ASCII digit (`CueTrie.matches` searches a
    text with other decimal digits as `re` would).

    Read off the derivatives (`_split`) to `depth` characters, shorter where a cue may
    end, go on beyond ASCII, or go on in too many ways (`_OPENING_FANOUT`), or where the
    derivative is not known. `before` is None at a word start.
    """
    if depth == 0:
        return {""}
    ways = [way for _, group in entries for way in group]
    if before is not None and any(
        _min_width(w) == 0 or _may_start_beyond_ascii(w, digits=False) for w in ways
    ):
        return {""}
    try:
        split = _split(entries, before)
    except _NoDerivative:
        return {""}
    # The skeleton the openings are searched in has every digit a "0" (`digits_alike`):
    # the ways on after any digit, each once (after `\\d` they are the same for all ten).
    alike: dict[str, dict[str, tuple[int, list[_Seq]]]] = {}
    for char, sub in split.items():
        ways_on = alike.setdefault("0" if char.isdigit() else char, {})
        for index, group in sub:
            for way in group:
                ways_on.setdefault(f"{index} {way!r}", (index, [way]))
    if before is not None and len(alike) > _OPENING_FANOUT:
        return {""}
    return {
        char + rest
        for char, ways_on in alike.items()
        for rest in _openings(list(ways_on.values()), char, depth - 1)
    }


def _trie(entries: list[tuple[int, list[_Seq]]], before: str | None, depth: int, tail: str) -> str:
    """Regex source trying `entries` (cue group index, ways to match) in order, as a trie.

    Each branch starts with a literal character, which the engine tests before entering it;
    cues that may start with a non-ASCII character also go, whole, into a last branch for
    such characters. `before` is None at a word start.
    """
    if depth == 0 or any(_min_width(w) == 0 for _, ways in entries for w in ways):
        return "(?:" + "|".join(_source(w) for _, ways in entries for w in ways) + ")" + tail
    chars_of: dict[str, list[str]] = {}  # characters by what must follow them
    for char, sub in _split(entries, before).items():
        chars_of.setdefault(_trie(sub, char, depth - 1, tail), []).append(re.escape(char))
    branches = [
        f"{chars[0] if len(chars) == 1 else '[' + ''.join(chars) + ']'}(?:{rest})"
        for rest, chars in chars_of.items()
    ]
    beyond = [(i, ways) for i, ways in entries if any(map(_may_start_beyond_ascii, ways))]
    if beyond:
        # Every ASCII character was tried above; at a word start it must be a word character.
        guard = r"(?=[^\x00-\x7f])" + (r"(?=\w)" if before is None else "")
        branches.append(f"{guard}{_trie(beyond, before, 0, tail)}")
    return "|".join(branches)


def _split(
    entries: list[tuple[int, list[_Seq]]], before: str | None
) -> dict[str, list[tuple[int, list[_Seq]]]]:
    """The derivatives of `entries` by each ASCII character (a word character at a word
    start, `before` None) that one of them can take, in character order."""
    split: dict[str, list[tuple[int, list[_Seq]]]] = {}
    for i, ways in entries:
        after: dict[str, list[_Seq]] = {}
        for way in ways:
            first = way[0] if way else None
            if first is not None and first[0] is _sre.LITERAL:
                chars: Iterable[str] = (chr(first[1]),) if first[1] < 128 else ()
            else:
                chars = map(chr, range(128))
            for char in chars:
                if before is None and not _is_word(char):
                    continue
                if ways_after := _derivative(way, char, before):
                    after.setdefault(char, []).extend(ways_after)
        for char, ways_after in after.items():
            split.setdefault(char, []).append((i, ways_after))
    return dict(sorted(split.items()))


_Item = tuple[Any, Any]
"""One `(opcode, argument)` of a pattern parsed by the standard library's `re` parser."""
_Seq = tuple[_Item, ...]

_ONE_CHAR = (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN)
_CATEGORIES = {
    _sre.CATEGORY_DIGIT: r"\d",
    _sre.CATEGORY_NOT_DIGIT: r"\D",
    _sre.CATEGORY_WORD: r"\w",
    _sre.CATEGORY_NOT_WORD: r"\W",
    _sre.CATEGORY_SPACE: r"\s",
    _sre.CATEGORY_NOT_SPACE: r"\S",
}
_ATS = {_sre.AT_BOUNDARY: r"\b", _sre.AT_NON_BOUNDARY: r"\B", _sre.AT_END: "$"}
_WORD_CHAR = re.compile(r"\w")
_UNROLL = 4
"""Repeats of a group up to this many times are written out as branches (see `_source`)."""
_TRIE_DEPTH = 2
"""Characters the trie branches on: two leave a handful of cues per bucket (issue 3, speed)."""


class _NoDerivative(ValueError):
    """A construct at the start of a cue that `_derivative` does not handle."""


def _seq(part: Any) -> _Seq:
    return tuple(part.data if hasattr(part, "data") else part)


def _source(seq: _Seq) -> str:
    """Regex source for `seq` (every group non-capturing; `$` means end of line)."""
    out: list[str] = []
    for op, arg in seq:
        if op is _sre.LITERAL:
            out.append(re.escape(chr(arg)))
        elif op is _sre.NOT_LITERAL:
            out.append(f"[^{re.escape(chr(arg))}]")
        elif op is _sre.ANY:
            out.append(".")
        elif op is _sre.IN:
            out.append("[" + "".join(_class_part(o, a) for o, a in arg) + "]")
        elif op is _sre.BRANCH:
            out.append("(?:" + "|".join(_source(_seq(a)) for a in arg[1]) + ")")
        elif op is _sre.SUBPATTERN and arg[:3] == (None, 0, 0):
            out.append(f"(?:{_source(_seq(arg[3]))})")
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, high, body = arg
            inner, lazy = _source(_seq(body)), op is _sre.MIN_REPEAT
            if high <= _UNROLL and _min_width(_seq(body)) > 0 and not _is_one_char(_seq(body)):
                # The engine's REPEAT opcode costs several branches: `(?:x){0,2}` is tried
                # in the same order as `(?:x(?:x|)|)`.
                out.append(f"(?:{inner})" * low + _optional(inner, high - low, lazy))
            else:
                top = "" if high == _sre.MAXREPEAT else str(high)
                out.append(f"(?:{inner}){{{low},{top}}}{'?' if lazy else ''}")
        elif op is _sre.AT and arg in _ATS:
            out.append(_ATS[arg])
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT) and arg[0] == 1:
            out.append(f"(?{'=' if op is _sre.ASSERT else '!'}{_source(_seq(arg[1]))})")
        else:
            raise _NoDerivative(f"{op} {arg}")
    return "".join(out)


def _is_one_char(seq: _Seq) -> bool:
    return len(seq) == 1 and seq[0][0] in _ONE_CHAR


def _optional(source: str, times: int, lazy: bool) -> str:
    """Up to `times` more of `source`, as nested branches (greedy: more first)."""
    if times == 0:
        return ""
    more = source + _optional(source, times - 1, lazy)
    return f"(?:|{more})" if lazy else f"(?:{more}|)"


def _class_part(op: Any, arg: Any) -> str:
    if op is _sre.NEGATE:
        return "^"
    if op is _sre.LITERAL:
        return re.escape(chr(arg))
    if op is _sre.RANGE:
        return f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}"
    if op is _sre.CATEGORY and arg in _CATEGORIES:
        return _CATEGORIES[arg]
    raise _NoDerivative(f"{op} {arg} in a character class")


def _min_width(seq: _Seq) -> int:
    width = 0
    for op, arg in seq:
        if op in _ONE_CHAR:
            width += 1
        elif op is _sre.SUBPATTERN:
            width += _min_width(_seq(arg[3]))
        elif op is _sre.BRANCH:
            width += min(_min_width(_seq(a)) for a in arg[1])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            width += arg[0] * _min_width(_seq(arg[2]))
    return width


def _derivative(seq: _Seq, char: str, before: str | None) -> list[_Seq]:
    """How `seq` goes on after matching `char`, in the engine's order of trying.

    `before` is the character before `char` (None at a word start: no word character).
    """
    if not seq:
        return []
    (op, arg), rest = seq[0], seq[1:]
    if op is _sre.LITERAL:
        return [rest] if chr(arg) == char else []
    if op in _ONE_CHAR:
        return [rest] if char in _ascii_matches(_source(seq[:1])) else []
    if op is _sre.SUBPATTERN and arg[:3] == (None, 0, 0):
        return _derivative(_seq(arg[3]) + rest, char, before)
    if op is _sre.BRANCH:
        options = [_seq(a) for a in arg[1]]
        if any(_min_width(o) == 0 for o in options):
            return [d for o in options for d in _derivative(o + rest, char, before)]
        # (A|B)R after c is (dA|dB)R when neither A nor B can match nothing.
        heads = [d for o in options for d in _derivative(o, char, before)]
        if len(heads) > 1:
            return [((_sre.BRANCH, (None, heads)), *rest)]
        return [heads[0] + rest] if heads else []
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, high, body = arg[0], arg[1], _seq(arg[2])
        if _min_width(body) == 0:
            raise _NoDerivative("a repeat that can match nothing")
        left = high if high == _sre.MAXREPEAT else high - 1
        more: _Seq = ((op, (max(low - 1, 0), left, body)),) if left else ()
        take = _derivative(body + more + rest, char, before)
        if low:
            return take
        skip = _derivative(rest, char, before)
        return take + skip if op is _sre.MAX_REPEAT else skip + take
    if op is _sre.AT and arg in (_sre.AT_BOUNDARY, _sre.AT_NON_BOUNDARY):
        boundary = _is_word(before) != _is_word(char)
        return _derivative(rest, char, before) if boundary == (arg is _sre.AT_BOUNDARY) else []
    if op is _sre.AT and arg is _sre.AT_END:  # `$` under re.MULTILINE
        return _derivative(rest, char, before) if char == "\n" else []
    if op in (_sre.ASSERT, _sre.ASSERT_NOT) and arg[0] == 1 and _min_width(_seq(arg[1])) > 0:
        inner = _derivative(_seq(arg[1]), char, before)
        follow = _derivative(rest, char, before)
        if not inner:
            return follow if op is _sre.ASSERT_NOT else []
        look: _Item = (op, (1, ((_sre.BRANCH, (None, inner)),)))
        return [(look, *f) for f in follow]
    raise _NoDerivative(f"{op} {arg} at the start")


def _check_cue(seq: _Seq, *, newline_free: bool, multiline: bool) -> None:
    """Raise `_NoDerivative` unless `seq` only uses what `_source` writes and `_derivative`
    follows; when `newline_free`, with nothing that can match a newline; `$` only under
    re.MULTILINE (where it means the end of a line, as `_derivative` reads it)."""
    for op, arg in seq:
        if op in _ONE_CHAR:
            if newline_free and re.fullmatch(_source(((op, arg),)), "\n"):
                raise _NoDerivative("a cue that can match a newline")
        elif op is _sre.SUBPATTERN and arg[:3] == (None, 0, 0):
            _check_cue(_seq(arg[3]), newline_free=newline_free, multiline=multiline)
        elif op is _sre.BRANCH:
            for option in arg[1]:
                _check_cue(_seq(option), newline_free=newline_free, multiline=multiline)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            _check_cue(_seq(arg[2]), newline_free=newline_free, multiline=multiline)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT) and arg[0] == 1:
            _check_cue(_seq(arg[1]), newline_free=newline_free, multiline=multiline)
        elif op is _sre.AT and arg is _sre.AT_END and not multiline:
            raise _NoDerivative("`$` without re.MULTILINE")
        elif not (op is _sre.AT and arg in _ATS):
            raise _NoDerivative(f"{op} {arg}, which the trie does not handle")


@cache
def _ascii_matches(source: str) -> frozenset[str]:
    """The ASCII characters that `source`, a one-character pattern, matches."""
    pattern = re.compile(source)
    return frozenset(c for c in map(chr, range(128)) if pattern.fullmatch(c))


def _is_word(char: str | None) -> bool:
    return char is not None and _WORD_CHAR.match(char) is not None


def _may_start_beyond_ascii(seq: _Seq, *, digits: bool = True) -> bool:
    """Whether `seq` may match a non-ASCII first character (an over-estimate); with
    `digits` False, a decimal digit beyond ASCII (`\\d`) does not count."""
    if not seq:
        return False
    (op, arg), rest = seq[0], seq[1:]
    if op is _sre.LITERAL:
        return bool(arg >= 128)
    if op is _sre.IN:
        return any(
            o is _sre.NEGATE
            or (o is _sre.CATEGORY and (digits or a is not _sre.CATEGORY_DIGIT))
            or (o is _sre.LITERAL and a >= 128)
            or (o is _sre.RANGE and a[1] >= 128)
            for o, a in arg
        )
    if op in _ONE_CHAR:
        return True
    if op is _sre.SUBPATTERN:
        return _may_start_beyond_ascii(_seq(arg[3]) + rest, digits=digits)
    if op is _sre.BRANCH:
        return any(_may_start_beyond_ascii(_seq(a) + rest, digits=digits) for a in arg[1])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        return _may_start_beyond_ascii(_seq(arg[2]) + rest, digits=digits) or (
            arg[0] == 0 and _may_start_beyond_ascii(rest, digits=digits)
        )
    return _may_start_beyond_ascii(rest, digits=digits)
