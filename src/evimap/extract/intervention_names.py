"""Where a sentence names an intervention, and whether as the subject or the comparator.

The direction step ranks the sentences that name the intervention it judges (DESIGN.md):
`names_intervention` says whether a sentence names it as the subject (2), only after
"compared with", "than" or "versus" as the comparator (1), or not at all (0). A name is
matched as written or through the intervention vocabulary (synonyms, brands, salts,
abbreviations), on the normalized text, as a whole word; `mention_levels` does it for all
sentences of a record with one search of each field's text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from evimap.extract.cue_search import has_match
from evimap.extract.pipeline import Sentence, covered_text
from evimap.extract.vocab import field_folded_copy, normalized, term_key, vocabulary

_COMPARATOR_BEFORE = re.compile(
    r"(?:compared\s+(?:with|to)|than|versus|vs\.?|relative\s+to|over|instead\s+of|"
    r"unlike|rather\s+than)\s+(?:(?:the|a|an|with|iv|intravenous|oral|[\d.,]+\s*\S*)\s+){0,4}$",
    re.IGNORECASE,
)


class InterventionLike(Protocol):
    """Anything with a canonical intervention name, such as a `vocab.TermMatch`."""

    @property
    def canonical(self) -> str: ...


@lru_cache(maxsize=4096)
def folded_sentence(text: str) -> str:
    """`vocab.normalized(text)`, kept for the sentences a record's pairs read again."""
    return normalized(text)


def intervention_names(intervention: str | InterventionLike | None) -> tuple[str, ...]:
    """The lower-case names of `intervention`: its own and, for a combination "a + b",
    each part's (a sentence about one part is about the combination)."""
    if intervention is None:
        return ()
    name = intervention if isinstance(intervention, str) else intervention.canonical
    parts = [p.strip().lower() for p in name.split("+")]
    return tuple(p for p in (name.lower(), *parts) if p)


@lru_cache(maxsize=4096)
def name_terms(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` and their vocabulary synonyms, brands and abbreviations, longest first.

    Searched with `str.find` by `name_starts`, not compiled into one regex: the names
    differ from record to record, and compiling a pattern per set of names cost more than
    every search it was used for.
    """
    terms = set(names)
    for name in names:
        terms.update(_other_terms(name))
    return tuple(t for t in sorted(terms, key=len, reverse=True) if t)


@lru_cache(maxsize=4096)
def _other_terms(name: str) -> tuple[str, ...]:
    """The keys of the synonyms, brands and abbreviations of intervention `name`: some
    drugs have a hundred, and one name comes back in many sets of `names`."""
    entry = vocabulary("interventions").entries.get(name)
    if entry is None:
        return ()
    return tuple(term_key(t) for t in (*entry.synonyms, *entry.abbreviations))


def _is_word(char: str) -> bool:
    """Regex `\\w` for one character (letters, digits, numerics and the underscore)."""
    return char.isalnum() or char == "_"


def name_starts(folded: str, terms: tuple[str, ...]) -> list[int]:
    """Where `terms` occur in `folded` as whole words, as `re.finditer` would find them.

    That is: the leftmost start first, the longest term at a start, and no match inside
    an earlier one (the same starts as the alternation `(?<!\\w)(?:t1|t2|…)(?!\\w)`).
    """
    return [start for start, _ in _name_spans(folded, terms)]


def _name_spans(folded: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """The `(start, end)` of each match `name_starts` gives."""
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
    spans: list[tuple[int, int]] = []
    free_from = 0
    for start in sorted(longest):
        if start >= free_from:
            spans.append((start, longest[start]))
            free_from = longest[start]
    return spans


def names_intervention(text: str, names: tuple[str, ...]) -> int:
    """2 when `text` names one of `names` as subject, 1 only as a comparator, else 0.

    A name is matched as written or through the intervention vocabulary (synonyms, brands,
    salts, abbreviations), on the normalized text.
    """
    if not names:
        return 0
    return _mention_level(text, name_starts(folded_sentence(text), name_terms(names)))


def _mention_level(text: str, starts: Sequence[int]) -> int:
    """`names_intervention` of `text`, given where the names start in it."""
    if not starts:
        return 0
    if all(has_match(_COMPARATOR_BEFORE, text[max(0, s - 60) : s]) for s in starts):
        return 1
    return 2


def field_folded(group: Sequence[Sentence]) -> str | None:
    """The normalized text the sentences of one field cover (`pipeline.covered_text`).

    None unless its slices are the normalized sentences, each between non-word
    characters: lower-casing "Σ" depends on the next letter, and "İ" grows.
    """
    text = covered_text(group)
    if text is None or "\u03a3" in text or "\u0130" in text:
        return None
    folded = field_folded_copy(text)
    size = len(folded)
    for sentence in group:
        if (sentence.start > 0 and _is_word(folded[sentence.start - 1])) or (
            sentence.end < size and _is_word(folded[sentence.end])
        ):
            return None
    return folded


def mention_levels(
    sentences: Sequence[Sentence],
    fields: Sequence[tuple[Sequence[int], str | None]],
    names: tuple[str, ...],
) -> list[int]:
    """`names_intervention(sentence.text, names)` of every sentence, searching each field
    once. `fields` holds, per field, the indexes of its sentences in text order and the
    field's `field_folded` text. Where no match crosses a sentence's edge, the matches in
    the field's text are those in its sentences (`_name_spans` keeps the leftmost, then
    the longest); elsewhere each sentence is searched."""
    terms = name_terms(names)
    levels = [0] * len(sentences)
    for indexes, folded in fields:
        found = _spans_by_sentence(folded, terms, [sentences[i] for i in indexes])
        if found is None:
            for index in indexes:
                levels[index] = names_intervention(sentences[index].text, names)
            continue
        for slot, starts in enumerate(found):
            if starts:  # most sentences name none of the names: their level stays 0
                index = indexes[slot]
                levels[index] = _mention_level(sentences[index].text, starts)
    return levels


def _spans_by_sentence(
    folded: str | None, terms: tuple[str, ...], group: Sequence[Sentence]
) -> list[list[int]] | None:
    """The name starts in each of `group`, relative to it; None when one crosses an edge."""
    if folded is None:
        return None
    starts = [sentence.start for sentence in group]
    out: list[list[int]] = [[] for _ in group]
    for start, end in _name_spans(folded, terms):
        slot = bisect.bisect_right(starts, start) - 1
        if slot < 0 or end > group[slot].end:
            return None
        out[slot].append(start - starts[slot])
    return out
