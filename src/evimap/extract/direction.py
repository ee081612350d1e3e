"""Direction of a finding: what the record says an intervention did for a condition.

Two halves, as STYLE 3.3 asks. `direction_cues` reads one sentence (`sentence_direction`:
its cues, negation, outcome polarity, hedges, cues that disagree); `direction_of` picks,
for each pair, the sentence the direction rests on: sentences with a cue, ranked by
being a conclusion (a "CONCLUSION(S):"/"Authors' conclusions"/"Interpretation" section,
"In conclusion", "Our findings", "the review found", the last sentences of the abstract),
then by naming the intervention as subject (or a pronoun right after it; a sentence that
names it only after "compared with"/"than"/"versus" names it as the comparator, and is
not read for it at all, see `intervention_names`), then by naming the condition, then by
the cue's strength; ties go to the earlier sentence.

Why rules and not a model (figures from `bench/direction.py`): on the dev set the rules
reach 0.682 direction accuracy (0.819 without the claims flagged unsure about direction),
and agree with 82% of the Evidence Inference spans they read a direction in. No labelled
set of *our* directions exists to train on outside the dev set: PubMedQA's yes/no/maybe
answers a question rather than stating a treatment's direction (the rules score 0.586 on
its 500 test conclusions, where a bag-of-words model trained on the other 500 would learn
question-specific wording), and Evidence Inference labels compare one outcome between
arms, not the record's conclusion. Rules stay explainable cue by cue and cost about
0.2 ms for a 2,000-character record with pairs: what every pair reads (conclusion flags,
the conditions each sentence names, each field's normalized text) is made once per
record, a sentence is read only while it could still outrank the best so far, and the
cues are scanned as a trie (`cue_trie`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, final

from evimap.claims import Direction
from evimap.extract.direction_cues import (
    CUE_KINDS,
    OUTCOME_KINDS,
    DirectionCue,
    DirectionRules,
    SentenceDirection,
    clear_caches,
    compile_rules,
    condition_words,
    direction_rules,
    find_direction_cues,
    sentence_direction,
)
from evimap.extract.intervention_names import (
    InterventionLike,
    field_folded,
    intervention_names,
    mention_levels,
    names_intervention,
)
from evimap.extract.pipeline import Findings, Sentence, Step, field_groups
from evimap.extract.vocab import condition_ancestors, find_conditions
from evimap.records import Record

_SECTION_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z' ]{2,40}|[\u4e00-\u9fff]{2,8})\s*[:\uff1a]")
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
        "\u7ed3\u8bba",  # 结论
        "\u4f5c\u8005\u7ed3\u8bba",  # 作者结论
        "\u8ba8\u8bba",  # 讨论
        "\u603b\u7ed3",  # 总结
    }
)

_BOILERPLATE = re.compile(
    r"\s*(?:to (?:learn|find out|read) more|for more (?:information|details)|(?:please )?visit\b|"
    r"read more|click|sign up|subscribe|follow us|this article is part of)",
    re.I,
)
"""The opening of a page's boilerplate ("To learn more about depression, visit …"), which
states no finding however its words read."""


def _names_condition(text: str, condition: str | None, named: Iterable[str] | None = None) -> bool:
    """Whether `text` names `condition` or a condition of its family; `named` are the
    canonical names of the conditions `vocab.find_conditions(text)` finds, when known."""
    if not condition:
        return False
    if any(word in text.lower() for word in condition_words(condition)):
        return True
    if named is None:
        named = [match.canonical for match in find_conditions(text)]
    for name in named:
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
        text = sentence.text
        label = _SECTION_LABEL.match(text) if ":" in text or "\uff1a" in text else None
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


_MOST_READ = 1.0 + 2.0
"""The most that reading a sentence adds to its score: naming the condition, and stating
a direction strongly (scores are multiples of 0.5, so their sums are exact)."""


@final
class _Sentences:
    """A record's sentences with what `direction_of` reads of them for any pair, made once
    per record: the conclusion flags, the pairs step's `Mentions` of each sentence by
    `id` (what `conditions` reads; a sentence without one is searched), and each field's
    sentences in text order with the field's normalized text (None where one search of it
    cannot stand for a search of each sentence). A plain class, as `values` explains."""

    __slots__ = ("boilerplate", "conclusion", "fields", "mentions", "sentences")

    def __init__(
        self,
        sentences: Sequence[Sentence],
        conclusion: list[int],
        mentions: dict[int, Any],
        fields: list[tuple[list[int], str | None]],
        boilerplate: frozenset[int],
    ) -> None:
        self.sentences: Final = sentences
        self.conclusion: Final = conclusion
        self.mentions: Final = mentions
        self.fields: Final = fields
        self.boilerplate: Final = boilerplate

    def conditions(self, index: int) -> list[str] | None:
        """The canonical names of the conditions sentence `index` names, if known."""
        mention = self.mentions.get(id(self.sentences[index]))
        return None if mention is None else [c.canonical for c in mention.conditions]


def _sentences_of(sentences: Sequence[Sentence], mentions: Iterable[Any] = ()) -> _Sentences:
    """`_Sentences` of `sentences`; `mentions` are the pairs step's `Mentions`."""
    known = {id(mention.sentence): mention for mention in mentions}
    fields = [
        (indexes, field_folded([sentences[i] for i in indexes]))
        for indexes in field_groups(sentences)
    ]
    boilerplate = frozenset(i for i, s in enumerate(sentences) if _BOILERPLATE.match(s.text))
    return _Sentences(sentences, _conclusion_flags(sentences), known, fields, boilerplate)


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
    return _direction_in(_sentences_of(sentences), intervention, condition, {})


def _direction_in(
    record: _Sentences,
    intervention: str | InterventionLike | None,
    condition: str | None,
    levels_of: dict[tuple[str, ...], list[int]],
) -> tuple[Direction, Sentence] | None:
    """`direction_of` over `record`; `levels_of` keeps the mention levels of each set of
    names, for the record's other pairs."""
    sentences = record.sentences
    names = intervention_names(intervention)
    conclusion = record.conclusion
    mentions: list[int] | None = None
    if names:
        mentions = levels_of.get(names)
        if mentions is None:
            mentions = levels_of[names] = mention_levels(sentences, record.fields, names)
    pronoun = direction_rules().pronoun_start
    best: tuple[float, int, SentenceDirection] | None = None
    for pass_ in ("candidates", "rest"):
        # Each sentence's score without what only reading it tells (naming the condition,
        # the strength and hedging of what it states), highest first: once even the best
        # reading could not beat the best so far, no later sentence can either, and the
        # sentence ranks as the plain scan in text order ranks it (ties to the earlier).
        ranked: list[tuple[float, int, float]] = []
        for i, sentence in enumerate(sentences):
            mention = mentions[i] if mentions else 0
            carried = (
                mentions is not None
                and mention == 0
                and i > 0
                and mentions[i - 1] == 2
                and pronoun.match(sentence.text) is not None
            )
            is_candidate = bool(conclusion[i] or mention or carried)
            # A sentence that names the intervention only as the comparator ("X rather than
            # Y reduced seizures") states what the other drug did, not what this one did.
            if is_candidate != (pass_ == "candidates") or i in record.boilerplate or mention == 1:
                continue
            subject = 2.0 if mention == 2 else 1.5 if carried else 0.0
            base = 3.0 * conclusion[i] + 2.5 * subject - 2.0 * (sentence.field == "title")
            ranked.append((-base, i, base))
        ranked.sort()
        for _, i, base in ranked:
            if best is not None:
                most = base + _MOST_READ
                if most < best[0] or (most == best[0] and i > best[1]):
                    break
            text = sentences[i].text
            stated = sentence_direction(text, condition=condition, names=names)
            if stated is None:
                continue
            score = (
                base
                + 1.0 * _names_condition(text, condition, record.conditions(i))
                + 2.0 * stated.strong
                - 0.5 * stated.hedged
            )
            if best is None or score > best[0] or (score == best[0] and i < best[1]):
                best = (score, i, stated)
        if best is not None:
            break
    if best is None:
        return None
    return best[2].direction, sentences[best[1]]


def _direction_step(record: Record, found: Findings) -> dict[str, Any]:
    directions: dict[tuple[str, str | None], tuple[Direction, Sentence]] = {}
    pairs = found.get("pairs", ())
    if not pairs:
        return {"directions": directions}
    sentences = _sentences_of(found["sentences"], found.get("mentions", ()))
    levels_of: dict[tuple[str, ...], list[int]] = {}
    for intervention, condition in pairs:
        result = _direction_in(sentences, intervention, condition, levels_of)
        if result is not None:
            directions[(intervention, condition)] = result
    return {"directions": directions}


DIRECTION = Step(
    "direction",
    3,
    _direction_step,
    needs=("sentences", "pairs", "mentions"),
    gives=("directions",),
)
"""Gives `directions`: `{(intervention, condition): (Direction, Sentence)}` for each pair of
`found["pairs"]` whose record states a direction."""

__all__ = [
    "CUE_KINDS",
    "DIRECTION",
    "OUTCOME_KINDS",
    "DirectionCue",
    "DirectionRules",
    "InterventionLike",
    "SentenceDirection",
    "clear_caches",
    "compile_rules",
    "direction_of",
    "direction_rules",
    "find_direction_cues",
    "names_intervention",
    "sentence_direction",
]
