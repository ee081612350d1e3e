"""Which (intervention, condition) pairs a record makes claims about.

A record names many drugs and conditions in passing (comparators, background, co-drugs);
a claim is about the ones the record is *about*. The rule, in words:

1. Only English text is read (the title, the abstract, a page's body). A record whose own
   language is not English yields no pairs, so a Spanish or Chinese record without an
   English side cannot produce garbage claims; a bilingual record's English side speaks
   for its translation.
2. Every sentence is scanned once for interventions and conditions (the vocabularies'
   Aho-Corasick finders). A mention weighs `TITLE_WEIGHT` in the title, `LEAD_WEIGHT` in
   the first or last sentences of the abstract (aims and conclusions, a news standfirst)
   and 1 elsewhere.
3. An intervention is a *focus* when its weight reaches `FOCUS_WEIGHT` and a third
   (`FOCUS_SHARE`) of the heaviest one's; at most `MAX_INTERVENTIONS` are kept. A
   substance named inside a condition ("cocaine" in "cocaine use disorder") is the
   condition, not an intervention.
4. A focus intervention is paired with the conditions named in the same sentences as it,
   weighted the same way. A general condition hands its weight to the more specific ones
   of its family named beside it (treatment-resistant depression over depression); those
   within `CONDITION_SHARE` of the best are kept, at most `MAX_CONDITIONS`. With no condition in
   its sentences, the record's heaviest condition is used.

The weights are round numbers chosen for the rule, not fitted: the dev set measures them
(`bench/extraction.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evimap.extract.pipeline import Findings, Sentence, Step, covered_text
from evimap.extract.vocab import (
    TermMatch,
    condition_ancestors,
    find_conditions,
    find_interventions,
    find_terms_in_spans,
)
from evimap.records import Record

ENGLISH_FIELDS = ("title", "abstract", "body")
TITLE_WEIGHT = 3
LEAD_WEIGHT = 2
LEAD_SENTENCES = 2
FOCUS_WEIGHT = 2
FOCUS_SHARE = 0.34
MAX_INTERVENTIONS = 3
MAX_CONDITIONS = 3
CONDITION_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Mentions:
    """The interventions and conditions named in one sentence."""

    sentence: Sentence
    weight: int
    interventions: tuple[TermMatch, ...]
    conditions: tuple[TermMatch, ...]


def is_english_record(record: Record) -> bool:
    """Whether the record's own text is English (or of unknown language)."""
    return record.language in (None, "en")


def sentence_mentions(record: Record, sentences: Sequence[Sentence]) -> list[Mentions]:
    """Every English sentence with what it names, weighted by where it stands."""
    if not is_english_record(record):
        return []
    english = [s for s in sentences if s.field in ENGLISH_FIELDS]
    abstract = [s for s in english if s.field == "abstract"]
    lead = {id(s) for s in abstract[:LEAD_SENTENCES] + abstract[-LEAD_SENTENCES:]}
    terms = _terms_by_sentence(sentences)
    found = []
    for sentence in english:
        drugs, conditions = terms[id(sentence)]
        inside = [(c.start, c.end) for c in conditions]
        interventions = tuple(
            m for m in drugs if not any(start <= m.start and m.end <= end for start, end in inside)
        )
        if sentence.field == "title":
            weight = TITLE_WEIGHT
        elif id(sentence) in lead:
            weight = LEAD_WEIGHT
        else:
            weight = 1
        found.append(Mentions(sentence, weight, interventions, conditions))
    return found


def _terms_by_sentence(
    sentences: Sequence[Sentence],
) -> dict[int, tuple[tuple[TermMatch, ...], tuple[TermMatch, ...]]]:
    """Interventions and conditions of every sentence, by `id(sentence)`.

    Found with one pass per field over the field's sentences joined with their gaps as
    spaces, which is the very text `harms` searches: the vocabulary caches the pass by
    text, so the two steps share it. Exactly what a search of each sentence would find;
    where one pass cannot promise that, each sentence is searched on its own.
    """
    out: dict[int, tuple[tuple[TermMatch, ...], tuple[TermMatch, ...]]] = {}
    by_field: dict[str, list[Sentence]] = {}
    for sentence in sentences:
        by_field.setdefault(sentence.field, []).append(sentence)
    for group in by_field.values():
        group.sort(key=lambda s: s.start)
        covered = covered_text(group)
        text = covered or ""
        spans = [(s.start, s.end) for s in group]
        drugs = find_terms_in_spans("interventions", text, spans) if covered is not None else None
        conditions = find_terms_in_spans("conditions", text, spans) if covered is not None else None
        for index, sentence in enumerate(group):
            out[id(sentence)] = (
                tuple(drugs[index] if drugs is not None else find_interventions(sentence.text)),
                tuple(
                    conditions[index] if conditions is not None else find_conditions(sentence.text)
                ),
            )
    return out


def _weights(pairs: Sequence[tuple[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for name, weight in pairs:
        totals[name] = totals.get(name, 0) + weight
    return totals


def focus_interventions(mentions: Sequence[Mentions]) -> list[str]:
    """The interventions the record is about, heaviest first."""
    totals = _weights(
        [(m.canonical, s.weight) for s in mentions for m in _distinct(s.interventions)]
    )
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return []
    floor = max(FOCUS_WEIGHT, ranked[0][1] * FOCUS_SHARE)
    return [name for name, weight in ranked if weight >= floor][:MAX_INTERVENTIONS]


def _distinct(matches: Sequence[TermMatch]) -> list[TermMatch]:
    return list({m.canonical: m for m in matches}.values())


def conditions_for(intervention: str, mentions: Sequence[Mentions]) -> list[str]:
    """The conditions the record pairs with `intervention`, most specific kept."""
    beside = [
        (c.canonical, s.weight)
        for s in mentions
        if any(m.canonical == intervention for m in s.interventions)
        for c in _distinct(s.conditions)
    ]
    if not beside:
        beside = [(c.canonical, s.weight) for s in mentions for c in _distinct(s.conditions)]
        totals = _weights(beside)
        return [max(totals, key=lambda name: (totals[name], name))] if totals else []
    totals = _specific(_weights(beside))
    best = max(totals.values())
    kept = [name for name, weight in totals.items() if weight >= best * CONDITION_SHARE]
    return sorted(kept, key=lambda name: (-totals[name], name))[:MAX_CONDITIONS]


def _specific(totals: dict[str, int]) -> dict[str, int]:
    """Weights with each general condition handed to its more specific ones named too.

    A review of "addiction" that names alcohol, opioid and cocaine use disorders makes its
    claims about those; "depression" beside "major depressive disorder" is the same claim.
    """
    below = {
        name: [o for o in totals if o != name and name in condition_ancestors(o)] for name in totals
    }
    out = {name: weight for name, weight in totals.items() if not below[name]}
    for name, weight in totals.items():
        for other in below[name]:
            if other in out:
                out[other] += weight
    return out


def record_pairs(record: Record, sentences: Sequence[Sentence]) -> list[tuple[str, str]]:
    """The (intervention, condition) pairs the record makes claims about."""
    mentions = sentence_mentions(record, sentences)
    return [
        (intervention, condition)
        for intervention in focus_interventions(mentions)
        for condition in conditions_for(intervention, mentions)
    ]


def _pairs_step(record: Record, found: Findings) -> dict[str, Any]:
    return {"pairs": record_pairs(record, found["sentences"])}


PAIRS = Step("pairs", 1, _pairs_step, needs=("sentences",), gives=("pairs",))
