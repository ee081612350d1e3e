"""Duplicate detection and merging: the same work read from several sources becomes one Record.

The idea is asreview's (`identify_record_groups`): every record yields a set of keys, one per
key function, and records that share a key are the same work. Ours are the identifiers of
every scheme (`pmid:…`, `doi:…`, `pmcid:…`, `nct:…`, and the `sha1:…` of a page) and one
title key, `title:<normalized title>|<year>`, for copies that carry no shared identifier (a
news portal's copy of a PubMed abstract, an RIS export without DOI).

Sharing a key is evidence, identifiers are proof: two records that carry *different*
identifiers of the same work scheme (PMID, DOI, PMCID) are never the same work, whatever their
titles say, and the strongest scheme both carry decides (same PMID, different DOIs: one work
whose DOI was corrected). A trial registration never merges with an article that reports the
trial, although both carry its NCT number.

`merged` is a join: it never loses a value, and merging in something already merged changes
nothing. That is what makes ingesting the same file twice a no-op in the store.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from typing import TypeVar

from evimap.records import (
    ID_SCHEMES,
    Author,
    Journal,
    Record,
    Translation,
    canonical_id,
    normalized_text,
    with_identity,
)

TITLE_MIN_WORDS = 6
"""Titles shorter than this never make a title key: "Editorial", "Letter to the editor",
"Ketamine for depression" name many works, and a false merge loses a record silently."""

WORK_SCHEMES = ("pmid", "doi", "pmcid")
"""Identifier schemes that name one work: different values mean different works."""

TRIAL_REGISTRATION = "trial_registration"

_YEAR = re.compile(r"^\s*(\d{4})")
_T = TypeVar("_T")
_K = TypeVar("_K", bound=Hashable)


def duplicate_keys(record: Record) -> frozenset[str]:
    """The keys under which this record meets its duplicates.

    Every identifier of a known scheme (from the fields and from `ids`, DOIs lowercased as in
    `Record.identifiers`) plus the title key when there is one (`title_key`).
    """
    keys = {_folded(i) for i in record.identifiers() if i.split(":", 1)[0] in ID_SCHEMES}
    title = title_key(record)
    if title:
        keys.add(title)
    return frozenset(keys)


def title_key(record: Record) -> str | None:
    """`title:<normalized title>|<year>`, or None when the title is too short or the year unknown.

    Normalization makes PubMed's "[Translated title]." equal to the plain title printed
    elsewhere: case, accents, punctuation (so brackets and the trailing period) and spacing
    are dropped. Words are counted on whitespace, so a title written without spaces (Chinese,
    Japanese) makes no key; PubMed gives such works an English title that does.
    """
    if not record.title:
        return None
    year = published_year(record)
    if year is None:
        return None
    words = normalized_title(record.title).split()
    if len(words) < TITLE_MIN_WORDS:
        return None
    return f"title:{' '.join(words)}|{year}"


@functools.lru_cache(maxsize=4096)
def normalized_title(title: str) -> str:
    """The title folded for comparison: `normalized_text` without punctuation or symbols."""
    folded = normalized_text(title)
    spaced = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in folded)
    return " ".join(spaced.split())


def published_year(record: Record) -> int | None:
    """The year of publication (print date, else electronic), if the record states one."""
    for date in (record.published, record.epublished):
        found = _YEAR.match(date or "")
        if found:
            return int(found.group(1))
    return None


def has_conflicting_ids(first: Record, second: Record) -> bool:
    """Whether the two records provably name different works.

    A trial registration conflicts with a record of another known kind: the article that
    reports a trial carries its NCT number, and sometimes its PMID, but is another work.
    Otherwise the strongest work scheme that both records carry decides: disjoint values are a
    conflict, a shared value settles that they are the same work (a DOI corrected by the
    publisher does not split a PubMed record). Different NCT numbers conflict too.

    The registration rule comes first so that it holds for merged records as well: a merged
    record's kind is its first known kind, so a group that never mixes registrations with
    other kinds keeps the kind it had, and the rule gives the same answer in any order.
    """
    registrations = (first.kind == TRIAL_REGISTRATION, second.kind == TRIAL_REGISTRATION)
    if first.kind and second.kind and registrations[0] != registrations[1]:
        return True
    for scheme in WORK_SCHEMES:
        mine, theirs = _scheme_values(first, scheme), _scheme_values(second, scheme)
        if mine and theirs:
            return mine.isdisjoint(theirs)
    mine, theirs = _scheme_values(first, "nct"), _scheme_values(second, "nct")
    return bool(mine and theirs and mine.isdisjoint(theirs))


def is_duplicate(first: Record, second: Record) -> bool:
    """Whether two records are the same work: same canonical id, or a shared key and no conflict.

    The canonical id settles it alone because the store keys records by it: two records under
    one id are one row whatever else they say.
    """
    if canonical_id(first) == canonical_id(second):
        return True
    shared = not duplicate_keys(first).isdisjoint(duplicate_keys(second))
    return shared and not has_conflicting_ids(first, second)


def merged(first: Record, second: Record) -> Record:
    """One record holding everything `first` and `second` say, `first` winning disagreements.

    Scalars (and each part of the journal, and each field of a translation) take `first`'s
    value when it is set (not None, not ""), else `second`'s. Tuples are unions in first-seen
    order that keep `first`'s tuple as it is and append what only `second` has; authors are
    matched by name (the k-th "Wang Y" of one with the k-th of the other, since two authors
    may share a printed name) and their affiliations united; translations are matched by
    language. Identifiers of both are kept and the canonical id is recomputed, so it follows
    the strongest identifier (pmid > doi > nct > pmcid > sha1) whichever record came first.

    Every value of the result comes from one of the two records and every rule keeps what is
    already there, which gives the laws the store's idempotence rests on:
    `merged(a, a) == a` for a record already `with_identity`, `merged(merged(a, b), b) ==
    merged(a, b)`, and `merged(m, a) == m` for `m = merged(a, b)`: re-ingesting a source
    changes nothing. `merged` does not check `has_conflicting_ids`; callers decide what to merge.
    """
    pick = _pick
    combined = dataclasses.replace(
        first,
        source=pick(first.source, second.source),
        title=pick(first.title, second.title),
        abstract=first.abstract or second.abstract,
        body=pick(first.body, second.body),
        language=pick(first.language, second.language),
        translations=_paired_union(
            first.translations, second.translations, _language_of, _merged_translation
        ),
        authors=_paired_union(first.authors, second.authors, _name_of, _merged_author),
        affiliations=_union(first.affiliations, second.affiliations),
        journal=_merged_journal(first.journal, second.journal),
        published=pick(first.published, second.published),
        epublished=pick(first.epublished, second.epublished),
        doi=pick(first.doi, second.doi),
        pmid=pick(first.pmid, second.pmid),
        pmcid=pick(first.pmcid, second.pmcid),
        nct_id=pick(first.nct_id, second.nct_id),
        publication_types=_union(first.publication_types, second.publication_types),
        mesh_terms=_union(first.mesh_terms, second.mesh_terms),
        keywords=_union(first.keywords, second.keywords),
        subject_areas=_union(first.subject_areas, second.subject_areas),
        citation_count=pick(first.citation_count, second.citation_count),
        url=pick(first.url, second.url),
        cites_url=pick(first.cites_url, second.cites_url),
        kind=pick(first.kind, second.kind),
        peer_reviewed=pick(first.peer_reviewed, second.peer_reviewed),
        sources=_union(_sources_of(first), _sources_of(second)),
        ids=tuple(dict.fromkeys([*first.identifiers(), *second.identifiers()])),
    )
    return with_identity(combined)


def merged_into(
    candidates: Sequence[Record], record: Record, *, same_work: Collection[int] = ()
) -> tuple[Record, tuple[int, ...]]:
    """`record` merged with the candidates that are the same work; and their positions.

    Candidates are records that share a key with `record` (callers find them through keys),
    taken in the order given. One carrying identifiers that conflict with what has been
    merged so far, `record` included, is left out, so the result stays one work; unless it
    has the same canonical id, or its position is in `same_work` (the store passes the
    record it already knows by this record's id: it merged them before, and a rewrite must
    too). One that matches bridges the others (a page with the DOI of one stored record and
    the title of another). Candidates' values come before `record`'s:
    `merged(merged(c1, c2), record)`.
    """
    base: Record | None = None
    result = record
    taken: list[int] = []
    left = list(range(len(candidates)))
    progress = True
    while progress:
        progress = False
        for index in list(left):
            candidate = candidates[index]
            known = index in same_work or candidate.id == result.id
            if not known and has_conflicting_ids(candidate, result):
                continue
            base = candidate if base is None else merged(base, candidate)
            result = merged(base, record)
            taken.append(index)
            left.remove(index)
            progress = True
    return result, tuple(taken)


def merge_duplicates(records: Iterable[Record]) -> list[Record]:
    """The records with duplicates merged, in order of each work's first appearance.

    Union-find over keys: each record meets the groups it shares a key with and joins them
    as `merged_into` decides, earlier groups first, so the first copy's values win; then the
    groups sharing a key the merged group has gained (the keys of every record in it, and a
    title key made of one copy's title and another's year). Every record returned is
    `with_identity`.
    """
    groups: list[Record] = []
    group_keys: list[set[str]] = []
    parent: list[int] = []
    members: dict[str, list[int]] = {}

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for record in records:
        result = with_identity(record)
        gathered = set(duplicate_keys(result))
        joined: list[int] = []
        seen: set[str] = set()
        while keys := gathered - seen:
            seen |= keys
            found = sorted({root(i) for key in keys for i in members.get(key, ())} - set(joined))
            result, taken = merged_into([groups[i] for i in found], result)
            for index in taken:
                joined.append(found[index])
                gathered |= group_keys[found[index]]
            gathered |= duplicate_keys(result)
        if joined:
            target = min(joined)
            for index in joined:
                parent[index] = target
        else:
            target = len(groups)
            groups.append(result)
            group_keys.append(set())
            parent.append(target)
        groups[target] = result
        group_keys[target] = gathered
        for key in gathered:
            members.setdefault(key, []).append(target)
    return [group for index, group in enumerate(groups) if parent[index] == index]


def _pick(mine: _T, theirs: _T) -> _T:
    """`mine` when set, else `theirs` when set, else `mine`: idempotent whatever is unset."""
    if _is_set(mine) or not _is_set(theirs):
        return mine
    return theirs


def _is_set(value: object) -> bool:
    return value is not None and value != ""


def _union(mine: Sequence[_T], theirs: Sequence[_T]) -> tuple[_T, ...]:
    seen = set(mine)
    extra = [v for v in dict.fromkeys(theirs) if v not in seen]
    return (*mine, *extra)


def _paired_union(
    mine: Sequence[_T],
    theirs: Sequence[_T],
    key: Callable[[_T], _K],
    combine: Callable[[_T, _T], _T],
) -> tuple[_T, ...]:
    """`mine` with its k-th item of each key combined with `theirs`' k-th, then `theirs`' rest.

    Pairing by occurrence rather than by key alone keeps two different authors who print the
    same name, and keeps `_paired_union(x, x) == x`.
    """
    by_key: dict[_K, list[_T]] = {}
    for item in theirs:
        by_key.setdefault(key(item), []).append(item)
    in_mine: dict[_K, int] = {}
    out: list[_T] = []
    for item in mine:
        k = key(item)
        n = in_mine.get(k, 0)
        in_mine[k] = n + 1
        matches = by_key.get(k, [])
        out.append(combine(item, matches[n]) if n < len(matches) else item)
    in_theirs: dict[_K, int] = {}
    for item in theirs:
        k = key(item)
        n = in_theirs.get(k, 0)
        in_theirs[k] = n + 1
        if n >= in_mine.get(k, 0):
            out.append(item)
    return tuple(out)


def _name_of(author: Author) -> str:
    return author.name


def _language_of(translation: Translation) -> str:
    return translation.language


def _merged_author(mine: Author, theirs: Author) -> Author:
    return Author(mine.name, _union(mine.affiliations, theirs.affiliations))


def _merged_translation(mine: Translation, theirs: Translation) -> Translation:
    return Translation(
        language=mine.language,
        title=_pick(mine.title, theirs.title),
        abstract=mine.abstract or theirs.abstract,
    )


def _merged_journal(mine: Journal | None, theirs: Journal | None) -> Journal | None:
    if mine is None or theirs is None:
        return mine if theirs is None else theirs
    return Journal(
        title=_pick(mine.title, theirs.title),
        volume=_pick(mine.volume, theirs.volume),
        issue=_pick(mine.issue, theirs.issue),
        pages=_pick(mine.pages, theirs.pages),
    )


def _sources_of(record: Record) -> tuple[str, ...]:
    return record.sources or (record.source,)


def _scheme_values(record: Record, scheme: str) -> set[str]:
    prefix = scheme + ":"
    return {_folded(i)[len(prefix) :] for i in record.identifiers() if i.startswith(prefix)}


def _folded(identifier: str) -> str:
    """DOIs are case-insensitive (DOI Handbook 2.4); other schemes are kept as printed."""
    return identifier.lower() if identifier.startswith("doi:") else identifier


__all__ = [
    "TITLE_MIN_WORDS",
    "WORK_SCHEMES",
    "duplicate_keys",
    "has_conflicting_ids",
    "is_duplicate",
    "merge_duplicates",
    "merged",
    "merged_into",
    "normalized_title",
    "published_year",
    "title_key",
]
