"""The design of a record (claims.Design): publication types first, then cues in the text.

MEDLINE publication types are curated by indexers, so when a record has one that names a
design it decides (with one exception: "Review" is narrative unless the text describes a
systematic search, because indexers tag many systematic reviews only as "Review"). Without
them the text decides by weighted cue counting, the approach of rule-based design
classifiers such as RobotReviewer's RCT filter keyword baseline (Marshall et al. 2018,
doi:10.1002/jrsm.1287) and of Kilicoglu et al. (2009, doi:10.1197/jamia.M2996), whose
study-design features are phrases like "randomly assigned" and "cohort":

- every cue is a phrase in `vocab/designs.yaml` with a weight; a sentence counts once per
  cue group, and a title sentence counts `TITLE_WEIGHT` times (a title names the study's
  own design; a passing mention in the background names someone else's);
- self-describing phrases ("randomized, double-blind, placebo-controlled trial",
  "randomly assigned") weigh more than plural mentions ("randomised controlled trials are
  needed"), so a review that talks about trials stays a review;
- review-level language ("67 trials involving 2,300 adults", "insufficient evidence",
  "included studies") speaks for a systematic review, which is how a news story takes
  the design of the review it reports and a Cochrane conclusions paragraph is read;
- a systematic review that shows pooling (a meta-analysis, risk ratios with confidence
  intervals, heterogeneity) becomes `systematic_review_meta_analysis`;
- no cue at all gives `Design.OTHER` (a feature story, a page about something else).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import accumulate
from re import _parser as _sre  # type: ignore[attr-defined]
from typing import Any

import yaml

from evimap.claims import Design
from evimap.extract.pipeline import Findings, Sentence, Step
from evimap.records import Record

TITLE_WEIGHT = 3
"""How many sentences' worth a cue in a title counts: titles state the record's own design."""

_SYSTEMATIC = (Design.SYSTEMATIC_REVIEW, Design.SYSTEMATIC_REVIEW_META_ANALYSIS)
_STRONG_WEIGHT = 5


@dataclass(frozen=True, slots=True)
class CueGroup:
    """Cue phrases for one design with one weight, as written in `designs.yaml`."""

    design: Design
    weight: int
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CueScan:
    """The cue alternation rebuilt for speed: the same matches as `DesignRules.cues`.

    `trie` (`ascii_trie` for ASCII text, whose non-word characters it lists) finds every
    cue in folded text (`_folded`) one character after a non-word character it consumes:
    the engine then skips word characters without trying a match, and tries one branch per
    first character instead of every cue. It has no capture groups, which cost the plain
    alternation most of its time (the engine clears a slot for every group numbered below
    the one it enters), so the cue group is found afterwards: the first of `groups` (each
    group's patterns, case-sensitive) that matches at the cue's start, as the alternation
    chooses; `by_prefix` narrows the groups to try by the first two characters (all when
    unlisted).
    """

    trie: re.Pattern[str]
    ascii_trie: re.Pattern[str]
    groups: tuple[re.Pattern[str], ...]
    by_prefix: dict[str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class DesignRules:
    """The loaded `designs.yaml`, with the cue groups compiled into one alternation.

    `cues` is that alternation, case-insensitive; `scan` finds the same matches faster.
    `order` is each design's first cue group: a tie in scores goes to the earlier design.
    """

    publication_types: tuple[tuple[str, Design], ...]
    kinds: dict[str, Design]
    journals: tuple[tuple[re.Pattern[str], Design], ...]
    groups: tuple[CueGroup, ...]
    cues: re.Pattern[str]
    pooling: re.Pattern[str]
    scan: CueScan | None = None
    order: dict[Design, int] = field(default_factory=dict)
    no_pooling: re.Pattern[str] | None = None


def _alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@cache
def design_rules() -> DesignRules:
    """The design rules, read from `vocab/designs.yaml` once per process."""
    text = resources.files("evimap.extract").joinpath("vocab/designs.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    groups = tuple(
        CueGroup(Design(g["design"]), int(g["weight"]), tuple(g["patterns"])) for g in raw["cues"]
    )
    # One named group per cue group: a single scan of the text finds every cue (issue 3,
    # item 12: one compiled alternation, not a loop of regexes). Every group is
    # `\b(?:...)\b`, so the leading `\b` is factored out of the alternation (the same
    # matches) and a word character must follow it (every cue starts with one): inside a
    # word the scan then fails on one test instead of one per group (issue 3, speed).
    combined = (
        r"\b(?=\w)(?:"
        + "|".join(rf"(?P<g{i}>(?:{_alternation(g.patterns)})\b)" for i, g in enumerate(groups))
        + ")"
    )
    # Case-insensitive matching is slow, so the fast scan runs case-sensitively over folded
    # text, which finds the same spans provided no pattern has an uppercase letter (which
    # would also be an escape such as `\D`, whose meaning folding changes) and every
    # pattern is ASCII; otherwise there is no fast scan.
    foldable = all(p == p.lower() and p.isascii() for g in groups for p in g.patterns)
    return DesignRules(
        publication_types=tuple(
            (p["type"].casefold(), Design(p["design"])) for p in raw["publication_types"]
        ),
        kinds={kind: Design(d) for kind, d in raw["kinds"].items()},
        journals=tuple(
            (re.compile(j["pattern"], re.IGNORECASE), Design(j["design"])) for j in raw["journals"]
        ),
        groups=groups,
        cues=re.compile(combined, re.IGNORECASE | re.MULTILINE),
        pooling=re.compile(rf"\b(?:{_alternation(raw['pooling'])})\b", re.IGNORECASE),
        scan=_cue_scan(groups) if foldable else None,
        order={g.design: i for i, g in reversed(list(enumerate(groups)))},
        no_pooling=re.compile(rf"\b(?:{_alternation(raw['no_pooling'])})\b", re.IGNORECASE),
    )


_FOLD_EXTRA = str.maketrans({"\u0131": "i", "\u017f": "s"})
"""What `str.lower` misses of `re.IGNORECASE`: dotless i and long s equal ASCII letters.

With them, the folded text has an ASCII letter exactly where the case-insensitive pattern
sees one (a test checks every code point; İ, which lowercases to two characters, is why
`_folded` can give None)."""


def _folded(text: str) -> str | None:
    """`text` lower-cased so that case-sensitive cues match where case-insensitive ones do.

    None when that would move offsets (a character that lowercases to two).
    """
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text):
        return None
    if "\u0131" in low or "\u017f" in low:
        return low.translate(_FOLD_EXTRA)
    return low


def _cue_matches(rules: DesignRules, texts: Sequence[str]) -> Iterator[tuple[int, int, int, int]]:
    """`(text index, cue group index, start, end)` of each match of `rules.cues` in `texts`.

    With a `CueScan`, the texts are scanned as one, joined by newlines: no cue can match a
    newline, and a newline reads as a text's end to every construct a cue may use (`\\b`,
    `$` under MULTILINE, lookaheads; `_check_cue` refuses others), so the matches are those
    of scanning each text alone.
    """
    scan = rules.scan
    joined = _folded("\n" + "\n".join(texts)) if scan is not None else None
    if scan is None or joined is None:
        for k, text in enumerate(texts):
            for m in rules.cues.finditer(text):
                if m.lastgroup is not None:
                    yield k, int(m.lastgroup[1:]), m.start(), m.end()
        return
    offsets: list[int] = []
    trie = scan.ascii_trie if joined.isascii() else scan.trie
    every = range(len(scan.groups))
    k = 0
    pos = 0
    while (hit := trie.search(joined, pos)) is not None:
        start, end = hit.start() + 1, hit.end()
        # From the cue's last character: it may be the non-word character before the next.
        pos = end - 1
        for index in scan.by_prefix.get(joined[start : start + 2], every):
            if scan.groups[index].match(joined, start):
                break
        else:
            raise RuntimeError(f"design cue scan found {joined[start:end]!r} but no cue group")
        if not offsets:
            offsets = list(accumulate((len(text) + 1 for text in texts), initial=1))
        while offsets[k + 1] <= start:
            k += 1
        yield k, index, start - offsets[k], end - offsets[k]


def find_design_cues(text: str) -> list[tuple[Design, int, int]]:
    """Every design cue in `text` as `(design, start, end)`, in text order."""
    rules = design_rules()
    return [
        (rules.groups[i].design, start, end) for _, i, start, end in _cue_matches(rules, [text])
    ]


def design_scores(sentences: Sequence[Sentence]) -> dict[Design, int]:
    """Weighted cue counts per design over `sentences` (one count per cue group per sentence)."""
    rules = design_rules()
    scores: dict[Design, int] = defaultdict(int)
    seen: set[tuple[int, int]] = set()
    for k, index, _, _ in _cue_matches(rules, [s.text for s in sentences]):
        if (k, index) in seen:
            continue
        seen.add((k, index))
        sentence, group = sentences[k], rules.groups[index]
        factor = TITLE_WEIGHT if sentence.field.startswith("title") else 1
        scores[_unless_not_pooled(group.design, sentence.text, rules)] += group.weight * factor
    return dict(scores)


def design_of(record: Record, sentences: Sequence[Sentence]) -> Design:
    """The design of `record` itself, from publication types, journal, text and kind."""
    rules = design_rules()
    scores = design_scores(sentences)
    typed = _design_from_publication_types(record, rules)
    if typed is not None and typed is not Design.NARRATIVE_REVIEW:
        return typed
    if typed is Design.NARRATIVE_REVIEW and not _has_systematic_cue(scores):
        return typed
    journal = record.journal.title if record.journal and record.journal.title else ""
    for pattern, design in rules.journals:
        if pattern.search(journal):
            return _with_pooling(design, sentences, rules)
    if scores:
        best = max(scores, key=lambda d: (scores[d], -rules.order[d]))
        return _with_pooling(best, sentences, rules)
    if record.kind in rules.kinds:
        return rules.kinds[record.kind]
    return typed or Design.OTHER


def _design_from_publication_types(record: Record, rules: DesignRules) -> Design | None:
    types = {t.casefold() for t in record.publication_types}
    for name, design in rules.publication_types:
        if name in types:
            return design
    return None


def _has_systematic_cue(scores: dict[Design, int]) -> bool:
    return any(scores.get(d, 0) >= _STRONG_WEIGHT for d in _SYSTEMATIC)


def _not_pooled(text: str, rules: DesignRules) -> bool:
    """Whether `text` says the results were not pooled ("a meta-analysis was not possible")."""
    return rules.no_pooling is not None and rules.no_pooling.search(text) is not None


def _unless_not_pooled(design: Design, text: str, rules: DesignRules) -> Design:
    """A meta-analysis cue in a sentence that denies pooling speaks for a plain review."""
    if design is Design.SYSTEMATIC_REVIEW_META_ANALYSIS and _not_pooled(text, rules):
        return Design.SYSTEMATIC_REVIEW
    return design


def _with_pooling(design: Design, sentences: Sequence[Sentence], rules: DesignRules) -> Design:
    if design is Design.SYSTEMATIC_REVIEW and any(
        rules.pooling.search(s.text) and not _not_pooled(s.text, rules) for s in sentences
    ):
        return Design.SYSTEMATIC_REVIEW_META_ANALYSIS
    return design


# --- The cue scan as a trie -------------------------------------------------------------
#
# The plain alternation tries every cue at every word start (most of the step's time went
# there). Rewritten as a trie, `\W(?:r(?:a(?:...)|c(?:...))|m(?:...)|...)`, the engine's
# cheap first-character test on each branch rejects all but one bucket. The buckets are
# Brzozowski derivatives (Brzozowski 1964, doi:10.1145/321239.321249) of the parsed
# patterns: `_derivative(p, c)` is what `p` must match after the character `c`, kept as the
# ordered list of ways the backtracking engine would try, so the first cue that matches at
# a position, and its end, are those of the plain alternation. A construct the derivative
# does not handle raises ValueError when the rules load, naming the pattern.


def _cue_scan(groups: Sequence[CueGroup]) -> CueScan:
    """The `CueScan` of `groups`; ValueError for a cue the trie cannot be built for."""
    entries: list[tuple[int, list[_Seq]]] = []
    by_prefix: dict[str, tuple[int, ...]] = {}
    for index, group in enumerate(groups):
        for pattern in group.patterns:
            seq = _seq(_sre.parse(pattern, re.MULTILINE))
            try:
                _check_cue(seq)
                if _min_width(seq) == 0:
                    raise _NoDerivative("it can match nothing")
            except _NoDerivative as error:
                raise ValueError(f"design cue {pattern!r}: {error}") from None
            entries.append((index, [seq]))
    try:
        for char, after in _split(entries, None).items():
            # A cue may end after its first character: then the second is not its own.
            ends = {i for i, ways in after if any(_min_width(w) == 0 for w in ways)}
            for second, sub in _split(after, char).items():
                takes = ends | {i for i, _ in sub}
                by_prefix[char + second] = tuple(dict.fromkeys(i for i, _ in after if i in takes))
        body = _trie(entries, None, _TRIE_DEPTH)
    except _NoDerivative as error:
        raise ValueError(f"design cues: {error} (see design._derivative)") from None
    return CueScan(
        trie=re.compile(rf"\W(?:{body})", re.MULTILINE),
        ascii_trie=re.compile(
            rf"[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f](?:{body})", re.MULTILINE
        ),
        groups=tuple(
            re.compile(rf"(?:{_alternation(g.patterns)})\b", re.MULTILINE) for g in groups
        ),
        by_prefix=by_prefix,
    )


def _trie(entries: list[tuple[int, list[_Seq]]], before: str | None, depth: int) -> str:
    """Regex source trying `entries` (cue group index, ways to match) in order, as a trie.

    Each branch starts with a literal character, which the engine tests before entering it;
    cues that may start with a non-ASCII character also go, whole, into a last branch for
    such characters. `before` is None at a word start.
    """
    if depth == 0 or any(_min_width(w) == 0 for _, ways in entries for w in ways):
        return "(?:" + "|".join(_source(w) for _, ways in entries for w in ways) + r")\b"
    chars_of: dict[str, list[str]] = {}  # characters by what must follow them
    for char, sub in _split(entries, before).items():
        chars_of.setdefault(_trie(sub, char, depth - 1), []).append(re.escape(char))
    branches = [
        f"{chars[0] if len(chars) == 1 else '[' + ''.join(chars) + ']'}(?:{rest})"
        for rest, chars in chars_of.items()
    ]
    beyond = [(i, ways) for i, ways in entries if any(map(_may_start_beyond_ascii, ways))]
    if beyond:
        # Every ASCII character was tried above; at a word start it must be a word character.
        guard = r"(?=[^\x00-\x7f])" + (r"(?=\w)" if before is None else "")
        branches.append(f"{guard}{_trie(beyond, before, 0)}")
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


def _check_cue(seq: _Seq) -> None:
    """Raise `_NoDerivative` unless `seq` only uses what `_source` writes and `_derivative`
    follows, with nothing that can match a newline (`_cue_matches` joins texts with them)."""
    for op, arg in seq:
        if op in _ONE_CHAR:
            if re.fullmatch(_source(((op, arg),)), "\n"):
                raise _NoDerivative("a cue that can match a newline")
        elif op is _sre.SUBPATTERN and arg[:3] == (None, 0, 0):
            _check_cue(_seq(arg[3]))
        elif op is _sre.BRANCH:
            for option in arg[1]:
                _check_cue(_seq(option))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            _check_cue(_seq(arg[2]))
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT) and arg[0] == 1:
            _check_cue(_seq(arg[1]))
        elif not (op is _sre.AT and arg in _ATS):
            raise _NoDerivative(f"{op} {arg}, which the trie does not handle")


@cache
def _ascii_matches(source: str) -> frozenset[str]:
    """The ASCII characters that `source`, a one-character pattern, matches."""
    pattern = re.compile(source)
    return frozenset(c for c in map(chr, range(128)) if pattern.fullmatch(c))


def _is_word(char: str | None) -> bool:
    return char is not None and _WORD_CHAR.match(char) is not None


def _may_start_beyond_ascii(seq: _Seq) -> bool:
    """Whether `seq` may match a non-ASCII first character (an over-estimate)."""
    if not seq:
        return False
    (op, arg), rest = seq[0], seq[1:]
    if op is _sre.LITERAL:
        return bool(arg >= 128)
    if op is _sre.IN:
        return any(
            o in (_sre.NEGATE, _sre.CATEGORY)
            or (o is _sre.LITERAL and a >= 128)
            or (o is _sre.RANGE and a[1] >= 128)
            for o, a in arg
        )
    if op in _ONE_CHAR:
        return True
    if op is _sre.SUBPATTERN:
        return _may_start_beyond_ascii(_seq(arg[3]) + rest)
    if op is _sre.BRANCH:
        return any(_may_start_beyond_ascii(_seq(a) + rest) for a in arg[1])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        return _may_start_beyond_ascii(_seq(arg[2]) + rest) or (
            arg[0] == 0 and _may_start_beyond_ascii(rest)
        )
    return _may_start_beyond_ascii(rest)


def _design_step(record: Record, found: Findings) -> dict[str, Any]:
    return {"design": design_of(record, found["sentences"])}


DESIGN = Step("design", 1, _design_step, needs=("sentences",), gives=("design",))
"""Gives `design`, one `claims.Design` for the whole record."""
