"""Direction of a finding: what the record says an intervention did for a condition.

Two halves, as STYLE 3.3 asks. `find_direction_cues` and `sentence_direction` read one
sentence: the cue phrases of `vocab/direction.yaml` are compiled into ONE alternation with
a named group per kind, so a sentence is scanned once, and the few hits are then combined:

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

`direction_of` picks the sentence the direction rests on: sentences with a cue, ranked by
being a conclusion (a "CONCLUSION(S):"/"Authors' conclusions"/"Interpretation" section,
"In conclusion", "Our findings", "the review found", the last sentences of the abstract),
then by naming the intervention as subject (or a pronoun right after it; a mention after
"compared with"/"than"/"versus" names a comparator and does not count), then by naming
the condition, then by the cue's strength; ties go to the earlier sentence.

Why rules and not a model (figures from `bench/direction.py`): on the dev set the rules
reach 0.682 direction accuracy (0.819 without the claims flagged unsure about direction),
and agree with 82% of the Evidence Inference spans they read a direction in. No labelled
set of *our* directions exists to train on outside the dev set: PubMedQA's yes/no/maybe
answers a question rather than stating a treatment's direction (the rules score 0.586 on
its 500 test conclusions, where a bag-of-words model trained on the other 500 would learn
question-specific wording), and Evidence Inference labels compare one outcome between
arms, not the record's conclusion. Rules stay explainable cue by cue and cost about
0.35 ms for a 2,000-character record (the cue scan tries, at each word start, only the
cues that can begin with its first three characters).
"""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Protocol

import yaml

from evimap.claims import Direction
from evimap.extract.pipeline import Findings, Sentence, Step
from evimap.extract.vocab import (
    condition_ancestors,
    find_conditions,
    normalized,
    term_key,
    vocabulary,
)
from evimap.records import Record

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

OUTCOME_WINDOW = 60
"""Characters between a change word and the outcome it changes ("reduced the total amount
of fentanyl consumption" is 40)."""

_CLAUSE_BREAK = re.compile(r"[;:,(]|\b(?:but|however|whereas|although|while)\b", re.IGNORECASE)
_COMPARATOR_BEFORE = re.compile(
    r"(?:compared\s+(?:with|to)|than|versus|vs\.?|relative\s+to|over|instead\s+of|"
    r"unlike|rather\s+than)\s+(?:(?:the|a|an|with|iv|intravenous|oral|[\d.,]+\s*\S*)\s+){0,4}$",
    re.IGNORECASE,
)
_SECTION_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z' ]{2,40}):")
_CONCLUSION_LABELS = frozenset(
    {
        "conclusion",
        "conclusions",
        "authors' conclusions",
        "author's conclusions",
        "interpretation",
        "conclusions and relevance",
        "implications for practice",
        "discussion",
        "summary",
    }
)


class InterventionLike(Protocol):
    """Anything with a canonical intervention name, such as a `vocab.TermMatch`."""

    @property
    def canonical(self) -> str: ...


@dataclass(frozen=True, slots=True)
class DirectionCue:
    """One direction cue in a sentence, after negation and outcome polarity.

    `strong` is False for a call for more research, which decides only on its own;
    `explicit` is False for a direction read from outcome polarity ("more side effects").
    """

    direction: Direction
    start: int
    end: int
    strong: bool
    explicit: bool = True


@dataclass(frozen=True, slots=True)
class SentenceDirection:
    """The direction one sentence states, whether it is hedged, and how firmly (`strong`)."""

    direction: Direction
    hedged: bool
    strong: bool


@dataclass(frozen=True)
class DirectionRules:
    """The compiled `direction.yaml`.

    `cues` is the whole alternation (one named group per kind); `by_prefix` holds, for
    every two-character start a cue can have, the alternation of just the cues that can
    start so, in the same order, so a scan tries a handful of cues per word instead of all.
    """

    cues: re.Pattern[str]
    by_prefix: Mapping[str, re.Pattern[str]]
    word_start: re.Pattern[str]
    conclusion_start: re.Pattern[str]
    pronoun_start: re.Pattern[str]
    raw: Mapping[str, Any]


PREFIX = 3
"""Characters of a cue's start used to dispatch ("no ", "not", "eff", ...): three halve the
match attempts of two on the dev abstracts."""


def _alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


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


def _gate(starts: Sequence[str]) -> re.Pattern[str]:
    """A word start whose first characters begin some cue: `starts` as a trie regex."""
    return re.compile(r"(?<![\w-])(?=" + _trie_regex(sorted(starts)) + ")")


def _trie_regex(words: Sequence[str]) -> str:
    """An alternation matching exactly `words`, factored on common prefixes."""
    by_first: dict[str, list[str]] = {}
    ends = False
    for word in words:
        if word:
            by_first.setdefault(word[0], []).append(word[1:])
        else:
            ends = True
    if not by_first:
        return ""
    singles = [c for c, rest in by_first.items() if rest == [""]]
    branches = [re.escape(c) + _trie_regex(rest) for c, rest in by_first.items() if rest != [""]]
    if singles:
        branches.append("[" + "".join(re.escape(c) for c in singles) + "]")
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def compile_rules(raw: Mapping[str, Any]) -> DirectionRules:
    """Compile the parsed YAML `raw`; raises ValueError naming a bad group or cue."""
    cues, outcomes = raw.get("cues"), raw.get("outcomes")
    if not isinstance(cues, dict) or not isinstance(outcomes, dict):
        raise ValueError("vocab/direction.yaml: expected mappings `cues` and `outcomes`")
    kinds = [*((k, cues) for k in CUE_KINDS), *((k, outcomes) for k in OUTCOME_KINDS)]
    groups = []
    by_start: dict[str, dict[str, list[str]]] = {}
    try:
        for kind, source in kinds:
            patterns = source.get(kind)
            if not patterns or not all(isinstance(p, str) for p in patterns):
                raise ValueError(f"vocab/direction.yaml: group {kind!r} needs a list of patterns")
            groups.append(f"(?P<{kind}>{_alternation(patterns)})")
            for pattern in patterns:
                starts = _starts(_parser.parse(pattern), {""})
                if starts is None or "" in starts:
                    raise ValueError(
                        f"vocab/direction.yaml: cue {pattern!r} in {kind!r} must begin with "
                        "literal text (no leading \\w, . or negated class)"
                    )
                for start in starts:
                    if len(start) < PREFIX - 1:
                        raise ValueError(f"vocab/direction.yaml: cue {pattern!r} is too short")
                    key = start.ljust(PREFIX)
                    by_start.setdefault(key, {}).setdefault(kind, []).append(pattern)
        return DirectionRules(
            re.compile(r"(?<![\w-])(?:" + "|".join(groups) + r")(?![\w-])"),
            {
                start: re.compile(
                    r"(?:"
                    + "|".join(f"(?P<{k}>{_alternation(ps)})" for k, ps in chosen.items())
                    + r")(?![\w-])"
                )
                for start, chosen in by_start.items()
            },
            _gate(list(by_start)),
            re.compile(r"^\W*(?:" + _alternation(raw["conclusion_starts"]) + r")\b", re.IGNORECASE),
            re.compile(r"^\W*(?:" + _alternation(raw["pronouns"]) + r")\b", re.IGNORECASE),
            raw,
        )
    except (KeyError, re.error) as error:
        raise ValueError(f"vocab/direction.yaml does not compile: {error!r}") from error


@cache
def direction_rules() -> DirectionRules:
    """The direction rules, read from `vocab/direction.yaml` once per process."""
    text = resources.files("evimap.extract").joinpath("vocab/direction.yaml").read_text("utf-8")
    return compile_rules(yaml.safe_load(text))


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    return normalized(text)


_NOT_WORD = re.compile(r"[^\w ]")


def _hits(folded: str) -> list[tuple[str, int, int]]:
    """`(kind, start, end)` of the cues in lower-cased `folded`, leftmost first.

    The same matches as `DirectionRules.cues.finditer`, found by trying at each word start
    only the cues that can begin with its first `PREFIX` characters (a cue that ends sooner
    is keyed with a space, and other punctuation reads as a space in the key).
    """
    rules = direction_rules()
    table = rules.by_prefix
    hits: list[tuple[str, int, int]] = []
    free_from = 0
    keyed = _NOT_WORD.sub(" ", folded) + " " * PREFIX
    for word in rules.word_start.finditer(keyed):
        at = word.start()
        if at < free_from:
            continue
        pattern = table.get(keyed[at : at + PREFIX])
        if pattern is None:
            continue
        hit = pattern.match(folded, at)
        if hit is not None:
            hits.append((hit.lastgroup or "", at, hit.end()))
            free_from = hit.end()
    return hits


def find_direction_cues(text: str) -> list[DirectionCue]:
    """The direction cues of one sentence, with negation and outcome polarity applied."""
    return list(_scan(text)[0])


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[tuple[DirectionCue, ...], bool]:
    """The cues of `text` and whether it is hedged, from one pass of the alternation.

    The pattern is matched on `vocab.normalized(text)` (lower case, dashes as spaces, same
    length) without IGNORECASE, which is three times faster; offsets index `text`.
    """
    hits = _hits(_folded(text))
    hedged = any(kind == "hedge" for kind, _, _ in hits)
    out: list[DirectionCue] = []
    negated_until = -1
    for index, (kind, start, end) in enumerate(hits):
        if kind == "negation":
            negated_until = end + NEGATION_WINDOW
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
    _folded.cache_clear()


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
    folded = _folded(text)
    tests: list[Any] = []
    if names:
        terms = _name_terms(names)
        tests.append(lambda clause: bool(_name_starts(clause, terms)))
    if condition:
        words = _condition_words(condition)
        tests.append(lambda clause: any(word in clause for word in words))
    for test in tests:
        decided: set[Direction] = set()
        for start, end in clauses:
            if test(folded[start:end]):
                decided.update(c.direction for c in cues if start <= c.start < end)
        if len(decided) == 1:
            return decided.pop()
    return None


def _condition_words(condition: str) -> tuple[str, ...]:
    head = condition.split(" (")[0].lower()
    return (head, head.split()[-1]) if head.split() else (head,)


def _intervention_names(intervention: str | InterventionLike | None) -> tuple[str, ...]:
    if intervention is None:
        return ()
    name = intervention if isinstance(intervention, str) else intervention.canonical
    parts = [p.strip().lower() for p in name.split("+")]
    return tuple(p for p in (name.lower(), *parts) if p)


@lru_cache(maxsize=4096)
def _name_terms(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` and their vocabulary synonyms, brands and abbreviations, longest first.

    Searched with `str.find` by `_name_starts`, not compiled into one regex: the names
    differ from record to record, and compiling a pattern per set of names cost more than
    every search it was used for.
    """
    entries = vocabulary("interventions").entries
    terms = set(names)
    for name in names:
        entry = entries.get(name)
        if entry is not None:
            terms.update(term_key(t) for t in (*entry.synonyms, *entry.abbreviations))
    return tuple(t for t in sorted(terms, key=len, reverse=True) if t)


def _is_word(char: str) -> bool:
    """Regex `\\w` for one character (letters, digits, numerics and the underscore)."""
    return char.isalnum() or char == "_"


def _name_starts(folded: str, terms: tuple[str, ...]) -> list[int]:
    """Where `terms` occur in `folded` as whole words, as `re.finditer` would find them.

    That is: the leftmost start first, the longest term at a start, and no match inside
    an earlier one (the same starts as the alternation `(?<!\\w)(?:t1|t2|…)(?!\\w)`).
    """
    longest: dict[int, int] = {}
    size = len(folded)
    for term in terms:
        at = folded.find(term)
        while at >= 0:
            end = at + len(term)
            if (
                (at == 0 or not _is_word(folded[at - 1]))
                and (end == size or not _is_word(folded[end]))
                and end > longest.get(at, -1)
            ):
                longest[at] = end
            at = folded.find(term, at + 1)
    starts: list[int] = []
    free_from = 0
    for start in sorted(longest):
        if start >= free_from:
            starts.append(start)
            free_from = longest[start]
    return starts


def names_intervention(text: str, names: tuple[str, ...]) -> int:
    """2 when `text` names one of `names` as subject, 1 only as a comparator, else 0.

    A name is matched as written or through the intervention vocabulary (synonyms, brands,
    salts, abbreviations), on the normalized text.
    """
    if not names:
        return 0
    starts = _name_starts(_folded(text), _name_terms(names))
    if not starts:
        return 0
    if all(_COMPARATOR_BEFORE.search(text[max(0, s - 60) : s]) for s in starts):
        return 1
    return 2


def _names_condition(text: str, condition: str | None) -> bool:
    if not condition:
        return False
    if any(word in text.lower() for word in _condition_words(condition)):
        return True
    for match in find_conditions(text):
        name = match.canonical
        if name == condition or condition in condition_ancestors(name):
            return True
        if name in condition_ancestors(condition):
            return True
    return False


def _conclusion_flags(sentences: Sequence[Sentence]) -> list[int]:
    """Per sentence: 2 in a conclusion section or opening like one, 1 last of its text."""
    rules = direction_rules()
    flags = [0] * len(sentences)
    in_conclusion = False
    last_field = None
    for i, sentence in enumerate(sentences):
        if sentence.field != last_field:
            in_conclusion, last_field = False, sentence.field
        label = _SECTION_LABEL.match(sentence.text)
        if label:
            in_conclusion = label.group(1).strip().lower() in _CONCLUSION_LABELS
        if in_conclusion or rules.conclusion_start.match(sentence.text):
            flags[i] = 2
    by_field: dict[str, list[int]] = {}
    for i, sentence in enumerate(sentences):
        by_field.setdefault(sentence.field, []).append(i)
    for field, indexes in by_field.items():
        if field == "title":
            continue
        for i in indexes[-2:]:
            flags[i] = max(flags[i], 1)
    return flags


def direction_of(
    sentences: Sequence[Sentence],
    *,
    intervention: str | InterventionLike | None,
    condition: str | None = None,
) -> tuple[Direction, Sentence] | None:
    """The direction the record states for `intervention` in `condition`, and its sentence.

    None when no sentence states a direction. Sentences are a record's, in text order
    (as `sentences.record_sentences` gives them).
    """
    names = _intervention_names(intervention)
    conclusion = _conclusion_flags(sentences)
    mentions = [names_intervention(s.text, names) for s in sentences] if names else None
    pronoun = direction_rules().pronoun_start
    best: tuple[float, int, SentenceDirection] | None = None
    for pass_ in ("candidates", "rest"):
        for i, sentence in enumerate(sentences):
            text = sentence.text
            mention = mentions[i] if mentions else 0
            carried = (
                mentions is not None
                and mention == 0
                and i > 0
                and mentions[i - 1] == 2
                and pronoun.match(text) is not None
            )
            is_candidate = bool(conclusion[i] or mention or carried)
            if is_candidate != (pass_ == "candidates"):
                continue
            stated = sentence_direction(text, condition=condition, names=names)
            if stated is None:
                continue
            subject = 2.0 if mention == 2 else 1.5 if carried else 0.5 if mention == 1 else 0.0
            score = (
                3.0 * conclusion[i]
                + 2.5 * subject
                + 1.0 * _names_condition(text, condition)
                + 2.0 * stated.strong
                - 0.5 * stated.hedged
                - 2.0 * (sentence.field == "title")
            )
            if best is None or score > best[0]:
                best = (score, i, stated)
        if best is not None:
            break
    if best is None:
        return None
    return best[2].direction, sentences[best[1]]


def _direction_step(record: Record, found: Findings) -> dict[str, Any]:
    sentences: Sequence[Sentence] = found["sentences"]
    directions: dict[tuple[str, str | None], tuple[Direction, Sentence]] = {}
    for intervention, condition in found.get("pairs", ()):
        result = direction_of(sentences, intervention=intervention, condition=condition)
        if result is not None:
            directions[(intervention, condition)] = result
    return {"directions": directions}


DIRECTION = Step(
    "direction", 1, _direction_step, needs=("sentences", "pairs"), gives=("directions",)
)
"""Gives `directions`: `{(intervention, condition): (Direction, Sentence)}` for each pair of
`found["pairs"]` whose record states a direction."""
