"""What one sentence states: the direction cues of `vocab/direction.yaml`.

`find_direction_cues` and `sentence_direction` read one sentence: the cue phrases are
compiled into one alternation with a named group per kind (scanned as a trie, `cue_trie`),
so a sentence is scanned once, and the few hits are then combined:

- *negation* ("did not", "no", "without") within a short window before a positive cue
  turns it into no_benefit, and before a harm cue drops it ("without increasing adverse
  effects" is no harm) - NegEx's forward scope (Chapman et al. 2001, "A simple algorithm
  for identifying negated findings and diseases in discharge summaries", J Biomed Inform
  34:301-310, doi:10.1006/jbin.2001.1029), cut at a contrast word or clause punctuation;
- *outcome polarity*: a fall ("reduced", "fewer") in a bad outcome (pain, relapse,
  mortality) or a rise in a good one (remission, survival) is benefit, the reverse is
  harm; a fall in an unknown outcome counts as benefit, a rise in one as nothing;
- *inconclusive* wordings ("insufficient evidence", "cannot confirm") win over a stated
  effect, while a bare call for more research ("further trials are needed") only counts
  when the sentence states no effect, so "promising, but more trials are needed" stays
  benefit (DESIGN.md);
- *hedges* ("may", "appears to") keep the direction and mark it `hedged`, which only
  lowers the sentence's rank;
- cues that disagree within one sentence are settled by the clause naming the
  intervention, else the condition ("Although strong evidence supports X, trials of
  regimens are too small" is benefit for X); failing that, benefit with no_benefit or
  harm is `mixed`; a harm cue that a benefit verb acts on ("alleviated ketamine-induced
  impairment") is the outcome improved, not a harm.

Chinese (`vocab/direction_zh.yaml`, issue 3 item 9) has the same groups, read the same
way: Chinese sets no spaces between words, so its cues are one alternation without word
boundaries, run only on sentences that hold Chinese characters (English text never pays
for it), its hits merged with the English ones; a Chinese negation reaches
`IDEOGRAPHIC_NEGATION_WINDOW` characters ("未显著改善", "没有明显降低").

`direction.direction_of` then picks, among a record's sentences, the one its claim rests on.
"""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Final, final

from evimap.claims import Direction
from evimap.extract.cue_trie import CueTrie, alternation, cue_trie
from evimap.extract.intervention_names import folded_sentence, name_starts, name_terms
from evimap.extract.skeleton import beyond_ascii
from evimap.extract.values import Value
from evimap.extract.vocab import HAN, read_vocab_file

# The stdlib's own regex parser reads each cue's possible first characters; typeshed does
# not describe these private modules, and `sre_parse` warns on import since Python 3.11.
_parser: Any = importlib.import_module("re._parser")
_C: Any = importlib.import_module("re._constants")

CUE_KINDS = (
    "inconclusive",
    "weak_inconclusive",
    "no_benefit",
    "harm",
    "benefit",
    "decrease",
    "increase",
    "negation",
    "hedge",
    "contrast",
)
"""Cue groups of `direction.yaml`, in the order the alternation tries them."""

OUTCOME_KINDS = ("bad", "good")

NEGATION_WINDOW = 40
"""Characters after a negation word within which a cue is negated ("did not
significantly reduce" is 25); NegEx uses five words, about the same."""

IDEOGRAPHIC_NEGATION_WINDOW = 8
"""The same for a Chinese negation word: five words of Chinese are about eight characters
("没有明显降低" negates at 2, "未见统计学显著改善" at 6)."""

OUTCOME_WINDOW = 60
"""Characters between a change word and the outcome it changes ("reduced the total amount
of fentanyl consumption" is 40)."""

_WORD = re.compile(r"\w")
_CLAUSE_BREAK = re.compile(
    r"[;:,(\uff0c\uff1b\uff1a\uff08\u3001]|\b(?:but|however|whereas|although|while)\b"
    r"|但|然而|尽管|虽然|不过",
    re.IGNORECASE,
)
"""Where a clause ends: punctuation, or a contrast word (but, however; 但, 然而, 尽管, 虽然,
不过), the Chinese ones without word boundaries."""


@final
class DirectionCue(Value):
    """One direction cue in a sentence, after negation and outcome polarity.

    `strong` is False for a call for more research, which decides only on its own;
    `explicit` is False for a direction read from outcome polarity ("more side effects").
    A value class (`values`), as a sentence has several.
    """

    FIELDS = ("direction", "start", "end", "strong", "explicit")
    __slots__ = FIELDS

    def __init__(
        self, direction: Direction, start: int, end: int, strong: bool, explicit: bool = True
    ) -> None:
        self.direction: Final = direction
        self.start: Final = start
        self.end: Final = end
        self.strong: Final = strong
        self.explicit: Final = explicit


@final
class SentenceDirection(Value):
    """The direction one sentence states, whether it is hedged, and how firmly (`strong`)."""

    FIELDS = ("direction", "hedged", "strong")
    __slots__ = FIELDS

    def __init__(self, direction: Direction, hedged: bool, strong: bool) -> None:
        self.direction: Final = direction
        self.hedged: Final = hedged
        self.strong: Final = strong


@dataclass(frozen=True)
class DirectionRules:
    """The compiled `direction.yaml`.

    `cues` is the whole alternation (one named group per kind); `scan` finds the same
    matches as a trie (`cue_trie`), its groups being the kinds in the same order.
    `ideographic` is the alternation of the Chinese cues (`direction_zh.yaml`, parsed in
    `ideographic_raw`), matched without word boundaries; `conclusion_start` and
    `pronoun_start` hold the Chinese openings too.
    """

    cues: re.Pattern[str]
    scan: CueTrie
    conclusion_start: re.Pattern[str]
    pronoun_start: re.Pattern[str]
    raw: Mapping[str, Any]
    ideographic: IdeographicScan | None = None
    ideographic_raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IdeographicScan:
    """Named cue groups matched without word boundaries (Chinese), found by first character.

    `hits` finds what `re.finditer` of the groups' alternation finds (leftmost first, the
    earlier group at one position), but tries the alternation only where a cue can begin
    (`first`), and there only the cues that can begin with that character (`by_char`, in
    the alternation's order): about five times faster than the plain alternation.
    """

    first: re.Pattern[str]
    by_char: dict[str, re.Pattern[str]]

    def hits(self, text: str) -> list[tuple[str, int, int]]:
        """`(group name, start, end)` of each cue in `text`, leftmost first."""
        found: list[tuple[str, int, int]] = []
        search, by_char = self.first.search, self.by_char
        pos = 0
        while (candidate := search(text, pos)) is not None:
            at = candidate.start()
            match = by_char[text[at]].match(text, at)
            if match is None or match.lastgroup is None:
                pos = at + 1
                continue
            found.append((match.lastgroup, at, match.end()))
            pos = match.end()
        return found


def ideographic_scan(groups: Sequence[tuple[str, Sequence[str]]], source: str) -> IdeographicScan:
    """The `IdeographicScan` of `groups`, `(name, patterns)` in the order they are tried.

    Every cue must begin with literal text (a lookbehind may come first: it is checked
    where the cue begins) and may not name groups; ValueError names `source` otherwise.
    """
    by_char: dict[str, list[tuple[str, str]]] = {}
    for name, patterns in groups:
        for pattern in patterns:
            try:
                starts = _starts(_parser.parse(pattern), {""})
            except re.error as error:
                raise ValueError(f"{source}: cue {pattern!r} does not compile: {error}") from None
            if starts is None or "" in starts or "(?P" in pattern:
                raise ValueError(
                    f"{source}: cue {pattern!r} in {name!r} must begin with literal text "
                    "(no leading \\w, \\d, . or negated class) and name no groups"
                )
            for char in starts:
                by_char.setdefault(char, []).append((name, pattern))
    compiled: dict[str, re.Pattern[str]] = {}
    for char, cues in by_char.items():
        names = list(dict.fromkeys(name for name, _ in cues))
        compiled[char] = re.compile(
            "|".join(
                f"(?P<{name}>{alternation([p for n, p in cues if n == name])})" for name in names
            )
        )
    first = re.compile("[" + "".join(re.escape(char) for char in sorted(by_char)) + "]")
    return IdeographicScan(first, compiled)


_KINDS = (*CUE_KINDS, *OUTCOME_KINDS)
"""The groups of `DirectionRules.scan`, by index."""

PREFIX = 1
"""Characters of a cue's start that `compile_rules` reads: they must be literal text, and
a word character (the trie scan tries cues at word starts)."""


def _starts(items: Any, starts: set[str]) -> set[str] | None:
    """The first `PREFIX` characters the parsed pattern `items` can begin `starts` with.

    None when some start is unbounded (`.`, `\\w`, a negated class): such a cue cannot be
    dispatched and `compile_rules` refuses it.
    """
    current = starts
    for op, av in items:
        todo = {x for x in current if len(x) < PREFIX}
        if not todo:
            break
        done = current - todo
        new: set[str] | None
        if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue
        if op is _C.LITERAL:
            new = {x + chr(av) for x in todo}
        elif op is _C.IN:
            chars: set[str] = set()
            for kind, value in av:
                if kind is _C.LITERAL:
                    chars.add(chr(value))
                elif kind is _C.RANGE:
                    chars.update(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    return None
            new = {x + c for x in todo for c in chars}
        elif op is _C.SUBPATTERN:
            new = _starts(av[3], todo)
        elif op is _C.BRANCH:
            new = set()
            for branch in av[1]:
                more = _starts(branch, todo)
                if more is None:
                    return None
                new |= more
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            low, high, sub = av
            new = set(todo) if low == 0 else set()
            repeated: set[str] | None = todo
            for count in range(1, PREFIX + 1):
                repeated = _starts(sub, repeated) if repeated is not None else None
                if repeated is None:
                    return None
                if count >= low:
                    new |= repeated
                if count >= high:
                    break
        else:
            return None
        if new is None:
            return None
        current = done | new
    return current


def compile_rules(
    raw: Mapping[str, Any], ideographic: Mapping[str, Any] | None = None
) -> DirectionRules:
    """Compile the parsed YAML `raw`, and the Chinese cues `ideographic` when given;
    raises ValueError naming a bad group or cue."""
    cues, outcomes = raw.get("cues"), raw.get("outcomes")
    if not isinstance(cues, dict) or not isinstance(outcomes, dict):
        raise ValueError("vocab/direction.yaml: expected mappings `cues` and `outcomes`")
    kinds = [*((k, cues) for k in CUE_KINDS), *((k, outcomes) for k in OUTCOME_KINDS)]
    groups = []
    by_kind: list[list[str]] = []
    try:
        for kind, source in kinds:
            patterns = source.get(kind)
            if not patterns or not all(isinstance(p, str) for p in patterns):
                raise ValueError(f"vocab/direction.yaml: group {kind!r} needs a list of patterns")
            groups.append(f"(?P<{kind}>{alternation(patterns)})")
            by_kind.append(patterns)
            for pattern in patterns:
                starts = _starts(_parser.parse(pattern), {""})
                if starts is None or "" in starts:
                    raise ValueError(
                        f"vocab/direction.yaml: cue {pattern!r} in {kind!r} must begin with "
                        "literal text (no leading \\w, . or negated class)"
                    )
                if not all(_WORD.match(start) for start in starts):
                    raise ValueError(
                        f"vocab/direction.yaml: cue {pattern!r} in {kind!r} must begin with "
                        "a letter or digit"
                    )
        zh = ideographic or {}
        return DirectionRules(
            re.compile(r"(?<![\w-])(?:" + "|".join(groups) + r")(?![\w-])"),
            cue_trie(by_kind, tail=r"(?![\w-])", not_before="-"),
            _opening(raw["conclusion_starts"], zh.get("conclusion_starts", ())),
            _opening(raw["pronouns"], zh.get("pronouns", ())),
            raw,
            _ideographic_cues(ideographic) if ideographic is not None else None,
            zh,
        )
    except (KeyError, re.error) as error:
        raise ValueError(f"vocab/direction.yaml does not compile: {error!r}") from error
    except ValueError as error:
        if str(error).startswith("vocab/direction.yaml"):
            raise
        raise ValueError(f"vocab/direction.yaml: {error}") from None


def _opening(patterns: Sequence[str], ideographic: Sequence[str]) -> re.Pattern[str]:
    """A sentence opening: one of `patterns` as a whole word, or of the Chinese
    `ideographic` ones, which need no word boundary (no English text can match them)."""
    english = r"(?:" + alternation(patterns) + r")\b"
    if ideographic:
        english += r"|(?:" + alternation(ideographic) + r")"
    return re.compile(r"^\W*(?:" + english + r")", re.IGNORECASE)


def _ideographic_cues(raw: Mapping[str, Any]) -> IdeographicScan:
    """The scan of the Chinese cue groups, tried in `_KINDS` order; a group may be left out."""
    cues, outcomes = raw.get("cues"), raw.get("outcomes")
    if not isinstance(cues, dict) or not isinstance(outcomes, dict):
        raise ValueError("vocab/direction_zh.yaml: expected mappings `cues` and `outcomes`")
    unknown = (set(cues) - set(CUE_KINDS)) | (set(outcomes) - set(OUTCOME_KINDS))
    if unknown:
        raise ValueError(f"vocab/direction_zh.yaml: unknown groups {sorted(unknown)}")
    groups: list[tuple[str, Sequence[str]]] = []
    for kind in _KINDS:
        patterns = (cues if kind in CUE_KINDS else outcomes).get(kind) or []
        if not all(isinstance(p, str) and p for p in patterns):
            raise ValueError(f"vocab/direction_zh.yaml: group {kind!r} needs a list of patterns")
        groups.append((kind, patterns))
    return ideographic_scan(groups, "vocab/direction_zh.yaml")


@cache
def direction_rules() -> DirectionRules:
    """The direction rules, read from `vocab/direction.yaml` and `vocab/direction_zh.yaml`
    once per process."""
    return compile_rules(read_vocab_file("direction.yaml"), read_vocab_file("direction_zh.yaml"))


def _hits(folded: str) -> list[tuple[str, int, int]]:
    """`(kind, start, end)` of the cues in lower-cased `folded`, leftmost first.

    The same matches as `DirectionRules.cues.finditer`, found by its trie (`cue_trie`).
    """
    scan = direction_rules().scan
    text = " " + folded  # the trie consumes the character before a cue
    hits: list[tuple[str, int, int]] = []
    for hit in scan.matches(text):
        start, end = hit.start() + 1, hit.end()
        hits.append((_KINDS[scan.group_at(text, start)], start - 1, end - 1))
    if HAN.search(beyond_ascii(folded)) is None:
        return hits
    return _with_ideographic_hits(hits, folded)


def _with_ideographic_hits(
    hits: list[tuple[str, int, int]], folded: str
) -> list[tuple[str, int, int]]:
    """`hits` and the Chinese cues of `folded`, leftmost first."""
    scan = direction_rules().ideographic
    if scan is None:
        return hits
    found = scan.hits(folded)
    if not found:
        return hits
    return sorted([*hits, *found], key=lambda hit: hit[1])


def find_direction_cues(text: str) -> list[DirectionCue]:
    """The direction cues of one sentence, with negation and outcome polarity applied."""
    return list(_scan(text)[0])


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[tuple[DirectionCue, ...], bool]:
    """The cues of `text` and whether it is hedged, from one pass of the alternation.

    The pattern is matched on `vocab.normalized(text)` (lower case, dashes as spaces, same
    length) without IGNORECASE, which is three times faster; offsets index `text`.
    """
    hits = _hits(folded_sentence(text))
    hedged = any(kind == "hedge" for kind, _, _ in hits)
    out: list[DirectionCue] = []
    negated_until = -1
    for index, (kind, start, end) in enumerate(hits):
        if kind == "negation":
            ideographic = HAN.match(text, start) is not None
            negated_until = end + (IDEOGRAPHIC_NEGATION_WINDOW if ideographic else NEGATION_WINDOW)
            continue
        if kind == "contrast":
            negated_until = -1
            continue
        direction, strong = _cue_direction(kind, index, hits, text)
        if direction is None:
            continue
        if direction is Direction.HARM and _is_object_of_benefit(index, hits):
            continue
        if start <= negated_until and not _CLAUSE_BREAK.search(text, hits[index - 1][2], start):
            negated_until = -1
            if direction is Direction.BENEFIT:
                direction = Direction.NO_BENEFIT
            elif direction is Direction.HARM:
                continue
        out.append(DirectionCue(direction, start, end, strong, explicit=kind != "increase"))
    return tuple(out), hedged


def _cue_direction(
    kind: str, index: int, hits: Sequence[tuple[str, int, int]], text: str
) -> tuple[Direction | None, bool]:
    if kind == "inconclusive":
        return Direction.INCONCLUSIVE, True
    if kind == "weak_inconclusive":
        return Direction.INCONCLUSIVE, False
    if kind == "no_benefit":
        return Direction.NO_BENEFIT, True
    if kind == "harm":
        return Direction.HARM, True
    if kind == "benefit":
        return Direction.BENEFIT, True
    if kind in ("decrease", "increase"):
        outcome = _outcome_of(index, hits)
        if outcome is None:
            return (Direction.BENEFIT, True) if kind == "decrease" else (None, False)
        good = outcome == "good"
        return (Direction.BENEFIT if good == (kind == "increase") else Direction.HARM), True
    return None, False


def _is_object_of_benefit(index: int, hits: Sequence[tuple[str, int, int]]) -> bool:
    """Whether the harm cue at `hits[index]` is what a benefit verb just before acts on
    ("alleviated ketamine-induced impairment", "reversed the deficits")."""
    _, start, _ = hits[index]
    for kind, _, other_end in reversed(hits[:index]):
        if start - other_end > OUTCOME_WINDOW:
            return False
        if kind in ("benefit", "decrease"):
            return True
        if kind not in OUTCOME_KINDS and kind != "hedge":
            return False
    return False


def _outcome_of(index: int, hits: Sequence[tuple[str, int, int]]) -> str | None:
    """The polarity of the outcome a change word at `hits[index]` changes, if any."""
    _, start, end = hits[index]
    for kind, other_start, _ in hits[index + 1 :]:
        if other_start - end > OUTCOME_WINDOW:
            break
        if kind in OUTCOME_KINDS:
            return kind
        if kind in ("decrease", "increase", "benefit", "contrast", "no_benefit", "harm"):
            break
    for kind, _, other_end in reversed(hits[:index]):
        if start - other_end > OUTCOME_WINDOW // 2:
            break
        if kind in OUTCOME_KINDS:
            return kind
        if kind not in ("hedge", "negation"):
            break
    return None


def clear_caches() -> None:
    """Forget the per-sentence scans (for benchmarks; they are keyed by sentence text)."""
    _scan.cache_clear()
    folded_sentence.cache_clear()


def sentence_direction(
    text: str, *, condition: str | None = None, names: tuple[str, ...] = ()
) -> SentenceDirection | None:
    """The direction one sentence states, or None when it states none.

    A sentence whose cues disagree (benefit and no benefit, or an effect and "too small
    to conclude") is decided by the clause that names the intervention (`names`), else the
    one that names `condition`, when that clause agrees with itself; otherwise insufficient
    evidence wins, and benefit with no benefit or harm is `mixed`. A bare call for more
    research decides only when nothing else is stated. No benefit together with an
    explicit harm ("increased mortality") is harm; with a rise in adverse effects only, it
    stays no benefit.
    """
    cues, hedged = _scan(text)
    if not cues:
        return None
    strong = [cue for cue in cues if cue.strong]
    found = {cue.direction for cue in strong}
    if not found:
        return SentenceDirection(Direction.INCONCLUSIVE, hedged, strong=False)
    if len(found) > 1:
        decided = _clause_decides(text, strong, names, condition)
        if decided is not None:
            return SentenceDirection(decided, hedged, strong=True)
    if Direction.INCONCLUSIVE in found:
        return SentenceDirection(Direction.INCONCLUSIVE, hedged, strong=True)
    if Direction.BENEFIT in found and found & {Direction.NO_BENEFIT, Direction.HARM}:
        return SentenceDirection(Direction.MIXED, hedged, strong=True)
    if any(cue.direction is Direction.HARM and cue.explicit for cue in strong):
        return SentenceDirection(Direction.HARM, hedged, strong=True)
    if Direction.NO_BENEFIT in found:
        return SentenceDirection(Direction.NO_BENEFIT, hedged, strong=True)
    return SentenceDirection(found.pop(), hedged, strong=True)


def _clause_decides(
    text: str, cues: Sequence[DirectionCue], names: tuple[str, ...], condition: str | None
) -> Direction | None:
    """The one direction of the clauses naming the intervention (else the condition)."""
    bounds = [0, *(m.start() for m in _CLAUSE_BREAK.finditer(text)), len(text)]
    clauses = list(itertools.pairwise(bounds))
    folded = folded_sentence(text)
    tests: list[Any] = []
    if names:
        terms = name_terms(names)
        tests.append(lambda clause: bool(name_starts(clause, terms)))
    if condition:
        words = condition_words(condition)
        tests.append(lambda clause: any(word in clause for word in words))
    for test in tests:
        decided: set[Direction] = set()
        for start, end in clauses:
            if test(folded[start:end]):
                decided.update(c.direction for c in cues if start <= c.start < end)
        if len(decided) == 1:
            return decided.pop()
    return None


def condition_words(condition: str) -> tuple[str, ...]:
    """Lower-case words that name `condition` in a text: its name without a parenthesis,
    and that name's last word ("depression" for "treatment-resistant depression")."""
    head = condition.split(" (")[0].lower()
    return (head, head.split()[-1]) if head.split() else (head,)
