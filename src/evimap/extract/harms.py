"""Harms, routes and doses of one intervention: the Claim fields `adverse_effects`,
`routes` and `doses`.

Find, then build (STYLE 3.3): `analyse` runs each vocabulary finder (adverse effects,
interventions, routes) once per field and gives every sentence its findings, and doses
are found in the sentences that name an intervention; the pure `*_of` functions read
them for one intervention (`analysed` caches the analysis for them); `HARMS` analyses a
record once and reads it for every intervention of `pairs`.
The cue words are data, in `harm_cues`.

An adverse effect counts for an intervention when
- its sentence is about harms (`HARM_CUES`: side effects, adverse events, risks,
  toxicity, "associated with", "caused", "including", "such as", "reported", …), or
  the effect sits right after an occurrence verb;
- the intervention owns it: the nearest intervention named in the effect's clause
  (before it, else after it) is this one, or, when the sentence names no intervention,
  the latest sentence that did named this one (a news story's "risks associated with
  ketamine use. Side effects include …"); a record that names only this intervention
  owns every harm sentence;
- it is not stated as absent (`NEGATION_CUES` a few words before it: "no serious adverse
  events", "without hallucinations", "did not cause"), nor the target of an efficacy verb
  (`EFFICACY_CUES`: "reduced nausea", "for the treatment of agitation"), nor part of the
  condition the claim is about.

Effects are returned as the text names them (lowercase, spaces collapsed): the dev
labels and DESIGN's example list "hallucinations", "increased heart rate", not the
vocabulary's "hallucination", "tachycardia". Two names of one vocabulary entry count
once, first mention kept. `effect_groups` maps them to their vocabulary groups.

Sharp edges: clauses are cut at ";", ":" and contrastive words (but, while, whereas,
although, however), so "propofol caused hypotension while ketamine caused hypertension"
splits; within a clause ownership is by nearest mention, so "patients given propofol or
ketamine had nausea" gives nausea to ketamine only. Effects outside the vocabulary
("feeling woozy", "metallic taste") are not found.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, final

from evimap.extract.cue_search import has_match, match_starts
from evimap.extract.harm_cues import (
    CUE_REACH,
    EFFICACY_CUES,
    FILLER_WORDS,
    HARM_CUES,
    NEGATION_CUES,
    OCCURRENCE_CUES,
)
from evimap.extract.pipeline import Findings, Sentence, Step, covered_text, field_groups
from evimap.extract.values import Value
from evimap.extract.vocab import (
    TermMatch,
    find_adverse_effects,
    find_doses,
    find_interventions,
    find_routes,
    find_terms_in_spans,
    vocabulary,
)
from evimap.records import Record

_CLAUSE_BREAK = re.compile(
    r"[;:]|\b(?:but|while|whereas|although|though|however|except|yet)\b", re.IGNORECASE
)
_COORDINATION = re.compile(r"\s*(?:,|/|&|\+|\band\b|\bor\b|\s)+\s*", re.IGNORECASE)
_ADJACENT = re.compile(r"[\s,]*(?:\w+\s+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _cue_pattern(cues: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(cues) + r")(?![\w-])", re.IGNORECASE)


_HARM = _cue_pattern(HARM_CUES)
_NEGATION = _cue_pattern(NEGATION_CUES)
_EFFICACY = _cue_pattern(EFFICACY_CUES)
_OCCURRENCE = _cue_pattern(OCCURRENCE_CUES)
_DOSE_LIST = re.compile(r"(?:\d+(?:[.,]\d+)?\s*(?:,\s*(?:or\s+|and\s+)?|or\s+|and\s+))+$")


@final
class Analysed(Value):
    """One sentence with every vocabulary finding it holds, found once per record.

    `context` is the interventions this sentence is about: its own, else those of the
    latest sentence that named any. A value class (`values`): one is made for every
    sentence of every record with a claim.
    """

    FIELDS = (
        "sentence",
        "effects",
        "interventions",
        "routes",
        "is_about_harms",
        "clause_breaks",
        "context",
    )
    __slots__ = FIELDS

    def __init__(
        self,
        sentence: Sentence,
        effects: tuple[TermMatch, ...],
        interventions: tuple[TermMatch, ...],
        routes: tuple[TermMatch, ...],
        is_about_harms: bool,
        clause_breaks: tuple[int, ...],
        context: frozenset[str],
    ) -> None:
        self.sentence: Final = sentence
        self.effects: Final = effects
        self.interventions: Final = interventions
        self.routes: Final = routes
        self.is_about_harms: Final = is_about_harms
        self.clause_breaks: Final = clause_breaks
        self.context: Final = context

    def with_interventions(
        self, interventions: tuple[TermMatch, ...], context: frozenset[str]
    ) -> Analysed:
        """This sentence with other interventions and context (`_view`)."""
        return Analysed(
            self.sentence,
            self.effects,
            interventions,
            self.routes,
            self.is_about_harms,
            self.clause_breaks,
            context,
        )


def analyse(sentences: Sequence[Sentence]) -> tuple[Analysed, ...]:
    """Find every term of every sentence; `analysed` caches this per record.

    The finders run once per field over the field's text rebuilt from its sentences (gaps
    as spaces), not once per sentence, which costs a fifth as much; a match that would
    cross a sentence boundary is dropped.
    """
    found = _found_by_sentence(sentences)
    out: list[Analysed] = []
    context: frozenset[str] = frozenset()
    for sentence, (effects, drugs, routes) in zip(sentences, found, strict=True):
        text = sentence.text
        if drugs:
            context = frozenset(d.canonical for d in drugs)
        out.append(
            Analysed(
                sentence,
                effects,
                drugs,
                routes,
                bool(effects) and has_match(_HARM, text),
                tuple(match_starts(_CLAUSE_BREAK, text)) if effects else (),
                context,
            )
        )
    return tuple(out)


_FINDERS = (find_adverse_effects, find_interventions, find_routes)
_KINDS: tuple[tuple[str | None, Callable[[str], list[TermMatch]]], ...] = (
    ("adverse_effects", find_adverse_effects),
    ("interventions", find_interventions),
    ("routes", find_routes),
)
"""`_FINDERS` with the vocabulary kind each searches. Doses are found only in the few
sentences that name an intervention (`_sentence_doses`)."""
Found = tuple[tuple[TermMatch, ...], ...]


def _found_by_sentence(sentences: Sequence[Sentence]) -> list[Found]:
    """The matches of each finder in each sentence, offsets relative to the sentence."""
    out: list[Found] = [((),) * len(_FINDERS)] * len(sentences)
    for indexes in field_groups(sentences):
        group = [sentences[i] for i in indexes]
        text = covered_text(group)
        if text is None:
            for i in indexes:
                out[i] = tuple(tuple(find(sentences[i].text)) for find in _FINDERS)
            continue
        spans = [(sentence.start, sentence.end) for sentence in group]
        by_kind = [_in_sentences(kind, find, text, group, spans) for kind, find in _KINDS]
        for i, found in zip(indexes, zip(*by_kind, strict=True), strict=True):
            out[i] = found
    return out


def _in_sentences(
    kind: str | None,
    find: Callable[[str], list[TermMatch]],
    text: str,
    group: Sequence[Sentence],
    spans: Sequence[tuple[int, int]],
) -> tuple[tuple[TermMatch, ...], ...]:
    """The matches of `find` in `text` (a field's sentences `group`, gaps as spaces) that
    lie inside a sentence, by sentence, offsets relative to it; a match across a sentence's
    edge is dropped. `vocab.find_terms_in_spans` gives exactly that when it can: every
    match then lies inside a sentence, and it makes each relative match only once."""
    if kind is not None:
        found = find_terms_in_spans(kind, text, spans)
        if found is not None:
            return found
    starts = [start for start, _ in spans]
    buckets: list[list[TermMatch]] = [[] for _ in group]
    for match in find(text):
        slot = bisect.bisect_right(starts, match.start) - 1
        if slot < 0:
            continue
        sentence = group[slot]
        if match.end > sentence.end:
            continue
        buckets[slot].append(
            TermMatch(
                match.start - sentence.start,
                match.end - sentence.start,
                match.text,
                match.canonical,
                match.kind,
                match.group_or_class,
            )
        )
    return tuple(map(tuple, buckets))


@functools.lru_cache(maxsize=16)
def analysed(sentences: tuple[Sentence, ...]) -> tuple[Analysed, ...]:
    """`analyse`, cached: the three `*_of` functions and every pair share one pass."""
    return analyse(sentences)


def _analysed(sentences: Sequence[Sentence]) -> tuple[Analysed, ...]:
    return analysed(tuple(sentences))


def _view(items: tuple[Analysed, ...], names: frozenset[str]) -> tuple[Analysed, ...]:
    """`items`, with the intervention's literal name as a mention when no finder knew it.

    An intervention outside the vocabulary ("sage-547", "ginkgo biloba") is still owned
    by its sentences when the text spells it as the claim does.
    """
    if any(d.canonical in names for item in items for d in item.interventions):
        return items
    literal = re.compile(
        r"(?<![\w-])(?:"
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])",
        re.IGNORECASE,
    )
    out: list[Analysed] = []
    context: frozenset[str] = frozenset()
    for item in items:
        hits = [
            TermMatch(m.start(), m.end(), m.group(), m.group().lower(), "intervention", None)
            for m in literal.finditer(item.sentence.text)
        ]
        hits = [h for h in hits if h.canonical in names]
        drugs = tuple(sorted((*item.interventions, *hits), key=lambda d: d.start))
        if drugs:
            context = frozenset(d.canonical for d in drugs)
        out.append(item.with_interventions(drugs, context))
    return tuple(out)


def _names(intervention: str) -> frozenset[str]:
    """The intervention and, for a combination "a + b", each of its parts."""
    parts = {p.strip() for p in intervention.lower().split("+")}
    return frozenset({intervention.lower(), *(p for p in parts if p)})


def _owner(item: Analysed, start: int, end: int) -> frozenset[str]:
    """The interventions a span of `item` belongs to: nearest in its clause, else context.

    The nearest mention before the span wins, else the nearest after it; mentions joined
    to it by "," / "and" / "or" share it ("donepezil, memantine and rivastigmine").
    """
    if not item.interventions:
        return item.context
    text = item.sentence.text
    clause_start = max((b for b in item.clause_breaks if b < start), default=0)
    clause_end = min((b for b in item.clause_breaks if b >= end), default=len(text))
    before = [d for d in item.interventions if clause_start <= d.start and d.end <= start]
    after = [d for d in item.interventions if d.start >= end and d.end <= clause_end]
    if before:
        chain = before[::-1]
    elif after:
        chain = after
    else:
        return frozenset(d.canonical for d in item.interventions)
    owners = {chain[0].canonical}
    for near, far in itertools.pairwise(chain):
        gap = text[far.end : near.start] if far.end <= near.start else text[near.end : far.start]
        if not _COORDINATION.fullmatch(gap):
            break
        owners.add(far.canonical)
    return frozenset(owners)


def _gap_words(text: str, effects: Sequence[TermMatch]) -> int:
    """Words in `text` that are neither fillers nor part of another effect's name."""
    count = 0
    for word in _WORD.findall(text):
        if word.lower() not in FILLER_WORDS:
            count += 1
    for effect in effects:
        count -= sum(1 for w in _WORD.findall(effect.text) if w.lower() not in FILLER_WORDS)
    return count


def _is_excluded(item: Analysed, effect: TermMatch) -> bool:
    """Whether a negation or an efficacy cue governs `effect` in its clause."""
    text = item.sentence.text
    clause_start = max((b for b in item.clause_breaks if b < effect.start), default=0)
    window = text[clause_start : effect.start]
    between = [e for e in item.effects if e.start >= clause_start and e.end <= effect.start]
    for pattern, stoppers in ((_NEGATION, None), (_EFFICACY, _OCCURRENCE)):
        cues = list(pattern.finditer(window))
        if not cues:
            continue
        last = cues[-1]
        rest = window[last.end() :]
        if stoppers is not None and has_match(stoppers, rest):
            continue
        inside = [e for e in between if e.start - clause_start >= last.end()]
        if _gap_words(rest, inside) <= CUE_REACH:
            return True
    return False


def _spoken(match: TermMatch) -> str:
    return " ".join(match.text.lower().split())


def adverse_effects_of(
    sentences: Sequence[Sentence], *, intervention: str, condition: str | None = None
) -> tuple[str, ...]:
    """The adverse effects the record names as occurring with `intervention`, as named.

    Lowercase, in order of first mention, one per vocabulary entry. Effects that are part
    of `condition` (the claim's condition, when given) are left out.
    """
    names = _names(intervention)
    return _effects_in(_view(_analysed(sentences), names), names, condition)


def _effects_in(
    items: Sequence[Analysed], names: frozenset[str], condition: str | None
) -> tuple[str, ...]:
    """`adverse_effects_of` over `items`, the record's `_view` for `names`."""
    sole = all(not d.canonical or d.canonical in names for i in items for d in i.interventions)
    condition_text = condition.lower() if condition else ""
    seen: dict[str, str] = {}
    for item in items:
        if not item.effects or not item.is_about_harms:
            continue
        for effect in item.effects:
            if effect.canonical in seen:
                continue
            owners = _owner(item, effect.start, effect.end)
            if not (owners & names or (sole and not owners)):
                continue
            spoken = _spoken(effect)
            if condition_text and (spoken in condition_text or effect.canonical in condition_text):
                continue
            if _is_excluded(item, effect):
                continue
            seen[effect.canonical] = spoken
    return tuple(seen.values())


def effect_groups(effects: Sequence[str]) -> tuple[str, ...]:
    """The vocabulary groups of `effects` ("hallucinations" → "psychotomimetic effects").

    In order of first appearance; effects the vocabulary does not know add nothing.
    """
    groups: dict[str, None] = {}
    entries = vocabulary("adverse_effects").entries
    for effect in effects:
        for match in find_adverse_effects(effect):
            entry = entries.get(match.canonical)
            group = entry.group if entry else None
            if group:
                groups.setdefault(group, None)
    return tuple(groups)


def routes_of(sentences: Sequence[Sentence], *, intervention: str) -> tuple[str, ...]:
    """The routes by which `intervention` was given: canonical names, first mention first.

    A route counts when it stands right before the intervention ("oral memantine"), or
    the intervention owns it as it owns an effect (nearest in the clause, or the latest
    intervention named before a sentence that names none). Sharp edge: in "esketamine
    plus an oral antidepressant" the route goes to esketamine, the antidepressant being
    no vocabulary term.
    """
    names = _names(intervention)
    return _routes_in(_view(_analysed(sentences), names), names)


def _routes_in(items: Sequence[Analysed], names: frozenset[str]) -> tuple[str, ...]:
    """`routes_of` over `items`, the record's `_view` for `names`."""
    found: dict[str, None] = {}
    for item in items:
        for route in item.routes:
            if route.canonical in found:
                continue
            owners = _modified(item, route) or _owner(item, route.start, route.end)
            if owners & names:
                found[route.canonical] = None
    return tuple(found)


def _modified(item: Analysed, route: TermMatch) -> frozenset[str]:
    """The intervention a route names as an adjective ("oral memantine"), if any."""
    text = item.sentence.text
    for drug in item.interventions:
        if drug.start >= route.end and _ADJACENT.fullmatch(text[route.end : drug.start]):
            return frozenset({drug.canonical})
    return frozenset()


def doses_of(sentences: Sequence[Sentence], *, intervention: str) -> tuple[str, ...]:
    """The doses of `intervention` as written ("0.5 mg/kg", "56 or 84 mg"), in order.

    Only doses in sentences that name the intervention and whose nearest intervention
    is this one; a list of numbers before one unit ("56 or 84 mg") is kept whole.
    """
    names = _names(intervention)
    return _doses_in(_view(_analysed(sentences), names), names)


def _doses_in(items: Sequence[Analysed], names: frozenset[str]) -> tuple[str, ...]:
    """`doses_of` over `items`, the record's `_view` for `names`."""
    found: dict[str, None] = {}
    for item in items:
        if not item.interventions:
            continue
        text = item.sentence.text
        for dose in _sentence_doses(text):
            if not _owner(item, dose.start, dose.end) & names:
                continue
            head = _DOSE_LIST.search(text, max(0, dose.start - 40), dose.start)
            start = head.start() if head and _starts_word(text, head.start()) else dose.start
            written = " ".join(text[start : dose.end].split())
            found.setdefault(written, None)
    return tuple(found)


@functools.lru_cache(maxsize=256)
def _sentence_doses(text: str) -> tuple[TermMatch, ...]:
    """`find_doses` of one sentence, cached: each intervention of a record reads its
    sentences' doses. Searched in the sentences that name an intervention only, as no
    other sentence's dose can be one's: a dose pattern tried at every number of a whole
    abstract cost more than any other step of the harms."""
    return tuple(find_doses(text))


def _starts_word(text: str, index: int) -> bool:
    return index == 0 or not (text[index - 1].isalnum() or text[index - 1] in ".,")


Harms = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
"""(adverse_effects, routes, doses) of one intervention."""


def harms_by_intervention(
    sentences: Sequence[Sentence], pairs: Sequence[tuple[str, str]]
) -> dict[str, Harms]:
    """For each pair's intervention: its adverse effects, routes and doses.

    An intervention in several pairs is scored against the first pair's condition, so
    an effect that is another pair's condition can still be a harm there.
    """
    out: dict[str, Harms] = {}
    analysed = analyse(sentences)
    for intervention, condition in pairs:
        if intervention in out:
            continue
        names = _names(intervention)
        items = _view(analysed, names)
        out[intervention] = (
            _effects_in(items, names, condition),
            _routes_in(items, names),
            _doses_in(items, names),
        )
    return out


def _harms_step(record: Record, found: Findings) -> dict[str, Any]:
    pairs: Sequence[tuple[str, str]] = found["pairs"]
    if not pairs:
        return {"harms": {}}
    sentences: Sequence[Sentence] = found["sentences"]
    return {"harms": harms_by_intervention(sentences, pairs)}


HARMS = Step("harms", 1, _harms_step, needs=("sentences", "pairs"), gives=("harms",))
"""Gives `harms`: {intervention: (adverse_effects, routes, doses)} for `found["pairs"]`."""

__all__ = [
    "HARMS",
    "Analysed",
    "Harms",
    "adverse_effects_of",
    "analyse",
    "analysed",
    "doses_of",
    "effect_groups",
    "harms_by_intervention",
    "routes_of",
]
