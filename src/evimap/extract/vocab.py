"""The vocabularies: interventions, conditions, adverse effects, routes and doses as data.

Each kind lives in `vocab/<kind>.yaml` (hand-curated core) and, for the broad kinds,
`vocab/<kind>_generated.yaml` (made by `scripts/build_vocab.py` from maintained lexicons;
never edit it by hand). A generated file adds new `entries` and may add `extra_synonyms`
to curated entries, but cannot change a curated entry's class, group or parents.
`vocab/<kind>_<language>.yaml` (`LANGUAGES`) add, by hand, the names of curated entries in
another language as `extra_synonyms`: a Chinese abstract names the same ketamine.

Files are read once (`functools.cache`) and validated into frozen dataclasses; any defect
(an unknown key, an empty name, a term that maps to two entries, a parent that does not
exist, a cycle of parents) raises `VocabularyError` naming the file and the entry.

Matching (`find_*`) is multi-pattern: one Aho-Corasick automaton holds the terms of all four
kinds (see `_automaton_of`) and reads the text once for all of them; a match is checked on a
same-length normalized copy of the text (lowercase; dashes, underscores and whitespace read
as a space; curly apostrophes straight), so offsets index the original text. Only whole
words match ("ketamine" is not found inside "esketamine"), the longest match
wins ("magnesium sulfate" over "magnesium"), and `abbreviations` match case-sensitively
("MDD", "IV"), which keeps "iv" in "phase iv" out. Conditions and adverse effects also
match their plural ("hallucinations"). Terms in Chinese, Japanese or Korean characters,
whose words have no spaces between them, are found by a second automaton that only runs
on text holding such characters (see `_ideographic_automaton_of`).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from re import _parser as _sre  # type: ignore[attr-defined]
from typing import Any, Final, NamedTuple, final

import ahocorasick_rs
import yaml

from evimap.errors import EvimapError
from evimap.extract.skeleton import beyond_ascii, skeleton
from evimap.extract.values import Value

KINDS = ("interventions", "conditions", "adverse_effects", "routes")
"""The term vocabularies; doses are patterns, not terms (see `find_doses`)."""
LANGUAGES = ("zh",)
"""Languages with hand-written names for the curated entries (`vocab/<kind>_<language>.yaml`)."""

_MATCH_KIND = {
    "interventions": "intervention",
    "conditions": "condition",
    "adverse_effects": "adverse_effect",
    "routes": "route",
}
_GROUP_KEY = {"interventions": "class", "adverse_effects": "group"}
_ENTRY_KEYS = {
    "interventions": {"name", "class", "synonyms", "abbreviations", "is_class"},
    "conditions": {"name", "synonyms", "abbreviations", "parents", "is_population"},
    "adverse_effects": {"name", "group", "synonyms", "abbreviations"},
    "routes": {"name", "synonyms", "abbreviations"},
}
_FILE_KEYS = {"kind", "source", "entries", "extra_synonyms", "ignore"}
_PLURAL_KINDS = {"conditions", "adverse_effects"}
_SPACE_LIKE = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_\t\n\r\f\v\u00a0"
_REPLACEMENTS = (*((c, " ") for c in _SPACE_LIKE), ("\u2019", "'"), ("\u2018", "'"))
_SPACES = re.compile(r" +")


class VocabularyError(EvimapError):
    """A vocabulary file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One vocabulary entry: a canonical name and everything that maps to it.

    `group` is the intervention class or the adverse-effect group (None for the others);
    `is_class` marks an intervention entry that names a whole class ("antidepressants"),
    which a record often names only as background to a specific drug; `is_population`
    marks a condition entry that names who was studied rather than a disease ("healthy
    volunteers"), which stands for the condition only where no disease is named beside it.
    """

    name: str
    group: str | None = None
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    is_class: bool = False
    is_population: bool = False


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """All entries of one kind, by canonical name, in file order.

    `ignored` are phrases that contain a term but name nothing of this kind ("N-methyl-D-
    aspartate" holds "D-aspartate"): they take part in longest-match and are then dropped.
    """

    kind: str
    entries: Mapping[str, Entry]
    ignored: tuple[str, ...] = ()


@final
class TermMatch(Value):
    """A vocabulary term found in a text: `text == source[start:end]`, as written."""

    FIELDS = ("start", "end", "text", "canonical", "kind", "group_or_class")
    __slots__ = FIELDS

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        canonical: str,
        kind: str,
        group_or_class: str | None,
    ) -> None:
        self.start: Final = start
        self.end: Final = end
        self.text: Final = text
        self.canonical: Final = canonical
        self.kind: Final = kind
        self.group_or_class: Final = group_or_class


def normalized(text: str) -> str:
    """Return `text` lowercased with dashes and whitespace as spaces, at the same length.

    The same length is what lets a match in the normalized copy index the original; the
    rare characters whose lowercase is longer ("İ") are left as they are.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return _spaced(lowered)


def _spaced(text: str) -> str:
    for old, new in _REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    return text


@functools.lru_cache(maxsize=16)
def _prepared(text: str) -> tuple[str, str]:
    """The folded and the exact-case normalized copies of `text`.

    Cached: `intervention_names` folds the same field texts again (`field_folded`), and
    folding a text with characters beyond ASCII costs about ten microseconds.
    """
    return normalized(text), _spaced(text)


def field_folded_copy(text: str) -> str:
    """`normalized(text)` of a field's text, from the copies the vocabulary pass made."""
    return _prepared(text)[0]


def term_key(term: str, *, is_case_sensitive: bool = False) -> str:
    """Return the key a term is matched by: normalized, single-spaced and stripped."""
    text = _spaced(term) if is_case_sensitive else normalized(term)
    return _SPACES.sub(" ", text).strip()


def parse_vocabulary(kind: str, documents: Sequence[tuple[str, Any]]) -> Vocabulary:
    """Validate the loaded YAML `documents` (file label, data) of one kind into a Vocabulary.

    Later documents add entries and `extra_synonyms`; every check names the offending file
    and entry, so a broken data change fails loudly at load time.
    """
    entries: dict[str, Entry] = {}
    where: dict[str, str] = {}
    ignored: list[str] = []
    for label, data in documents:
        if not isinstance(data, dict):
            raise VocabularyError("expected a mapping with `entries`", file=label)
        unknown = set(data) - _FILE_KEYS
        if unknown:
            raise VocabularyError(f"unknown top-level keys {sorted(unknown)}", file=label)
        if data.get("kind") != kind:
            raise VocabularyError(f"`kind` is {data.get('kind')!r}, expected {kind!r}", file=label)
        ignored.extend(_strings(label, "(file)", "ignore", data.get("ignore")))
        for raw in data.get("entries") or ():
            entry = _parse_entry(kind, label, raw)
            if entry.name in entries:
                raise VocabularyError(
                    f"entry {entry.name!r} is defined twice (also in {where[entry.name]})",
                    file=label,
                )
            entries[entry.name] = entry
            where[entry.name] = label
        for name, extra in (data.get("extra_synonyms") or {}).items():
            if name not in entries:
                raise VocabularyError(f"extra_synonyms for unknown entry {name!r}", file=label)
            old = entries[name]
            added = tuple(_strings(label, name, "extra_synonyms", extra))
            entries[name] = dataclasses.replace(old, synonyms=old.synonyms + added)
    vocabulary = Vocabulary(kind, entries, tuple(ignored))
    _check_terms(vocabulary, where)
    _check_parents(vocabulary, where)
    return vocabulary


def _parse_entry(kind: str, label: str, raw: Any) -> Entry:
    if not isinstance(raw, dict):
        raise VocabularyError(f"entry {raw!r} is not a mapping", file=label)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise VocabularyError(f"an entry has an empty or missing name: {raw!r}", file=label)
    unknown = set(raw) - _ENTRY_KEYS[kind]
    if unknown:
        raise VocabularyError(
            f"entry {name!r} has unknown keys {sorted(unknown)}",
            file=label,
            hint=f"allowed: {sorted(_ENTRY_KEYS[kind])}",
        )
    if name != name.strip().lower():
        raise VocabularyError(f"entry {name!r}: names are lowercase and stripped", file=label)
    group = raw.get(_GROUP_KEY.get(kind, ""))
    if group is not None and (not isinstance(group, str) or not group):
        raise VocabularyError(f"entry {name!r} has an invalid class or group", file=label)
    flags = {key: raw.get(key, False) for key in ("is_class", "is_population")}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise VocabularyError(f"entry {name!r}: {key} must be true or false", file=label)
    return Entry(
        is_class=flags["is_class"],
        is_population=flags["is_population"],
        name=name,
        group=group,
        synonyms=tuple(_strings(label, name, "synonyms", raw.get("synonyms"))),
        abbreviations=tuple(_strings(label, name, "abbreviations", raw.get("abbreviations"))),
        parents=tuple(_strings(label, name, "parents", raw.get("parents"))),
    )


def _strings(label: str, name: str, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise VocabularyError(
            f"entry {name!r}: `{key}` must be a list of non-empty strings", file=label
        )
    return [str(v) for v in value]


def _check_terms(vocabulary: Vocabulary, where: Mapping[str, str]) -> None:
    owner: dict[tuple[str, bool], str] = {}
    for entry in vocabulary.entries.values():
        for term, is_exact in _terms(entry):
            key = (term_key(term, is_case_sensitive=is_exact), is_exact)
            other = owner.setdefault(key, entry.name)
            if other != entry.name:
                raise VocabularyError(
                    f"term {term!r} maps to two entries, {other!r} and {entry.name!r}",
                    file=where[entry.name],
                    hint="keep it on one entry",
                )
    for phrase in vocabulary.ignored:
        if (term_key(phrase), False) in owner:
            raise VocabularyError(
                f"ignored phrase {phrase!r} is also the term of {owner[term_key(phrase), False]!r}",
                file=where[owner[term_key(phrase), False]],
            )


def _check_parents(vocabulary: Vocabulary, where: Mapping[str, str]) -> None:
    entries = vocabulary.entries
    for entry in entries.values():
        for parent in entry.parents:
            if parent not in entries:
                raise VocabularyError(
                    f"entry {entry.name!r} has parent {parent!r}, which is not an entry",
                    file=where[entry.name],
                )
    state: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " → ".join((*path[path.index(name) :], name))
            raise VocabularyError(f"parents form a cycle: {cycle}", file=where[name])
        state[name] = 1
        for parent in entries[name].parents:
            visit(parent, (*path, name))
        state[name] = 2

    for name in entries:
        visit(name, ())


def _terms(entry: Entry) -> Iterable[tuple[str, bool]]:
    yield entry.name, False
    for synonym in entry.synonyms:
        yield synonym, False
    for abbreviation in entry.abbreviations:
        yield abbreviation, True


def _read_yaml(name: str) -> Any | None:
    resource = resources.files("evimap.extract").joinpath("vocab", name)
    if not resource.is_file():
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(resource.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as error:
        raise VocabularyError(f"not valid YAML: {error}", file=f"vocab/{name}") from error


def read_vocab_file(name: str) -> Any:
    """The parsed `vocab/<name>`, which must exist: one reader for every data file of the
    extraction steps (the vocabularies, the design and direction rules)."""
    data = _read_yaml(name)
    if data is None:
        raise VocabularyError("the file is missing", file=f"vocab/{name}")
    return data


@functools.cache
def vocabulary(kind: str) -> Vocabulary:
    """Return the validated vocabulary of `kind` (curated file, then generated file)."""
    if kind not in KINDS:
        raise VocabularyError(f"unknown vocabulary {kind!r}", hint=f"one of {KINDS}")
    documents = []
    names = (f"{kind}.yaml", f"{kind}_generated.yaml", *(f"{kind}_{x}.yaml" for x in LANGUAGES))
    for name in names:
        data = _read_yaml(name)
        if data is not None:
            documents.append((f"vocab/{name}", data))
    return parse_vocabulary(kind, documents)


def _plurals(key: str) -> tuple[str, ...]:
    if key.endswith("sis"):
        return (key[:-2] + "es",)
    if key.endswith("s") or not key[-1:].isalpha():
        return ()
    if key.endswith("y") and key[-2:-1] not in "aeiou":
        return (key[:-1] + "ies",)
    if key.endswith(("ch", "sh", "x")):
        return (key + "es",)
    return (key + "s",)


_Candidate = tuple[int, int, str, str | None]
"""(start, end, canonical name or "" for an ignored phrase, group or class)."""

_IDEOGRAPHIC = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
"""Chinese, Japanese and Korean characters: their words are not set apart by spaces."""
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Chinese characters: text holding one may carry Chinese cues (`vocab.LANGUAGES`)."""


def _keys(vocab: Vocabulary) -> tuple[dict[str, tuple[str, str | None]], ...]:
    """The folded and the exact-case keys of one vocabulary, each with (name, group).

    Where two sources give one key, the first term wins, then a derived plural, and an
    ignored phrase replaces either (its name is "").
    """
    folded: dict[str, tuple[str, str | None]] = {}
    exact: dict[str, tuple[str, str | None]] = {}
    derived: list[tuple[str, Entry]] = []
    for entry in vocab.entries.values():
        for term, is_exact in _terms(entry):
            key = term_key(term, is_case_sensitive=is_exact)
            (exact if is_exact else folded)[key] = (entry.name, entry.group)
            if vocab.kind in _PLURAL_KINDS and not is_exact:
                derived.extend((plural, entry) for plural in _plurals(key))
    for key, entry in derived:
        folded.setdefault(key, (entry.name, entry.group))
    for phrase in vocab.ignored:
        folded[term_key(phrase)] = ("", None)
    return folded, exact


_Term = tuple[str, bool, str, str, str | None]
"""(key, is_exact, kind, name, group): one term an automaton key stands for."""
_IdeographicTerm = tuple[str, str, str | None]
"""(kind, name, group): one entry an ideographic key stands for."""


class _Automaton(NamedTuple):
    """The automaton of `_automaton_of` and, by pattern index, what each of its keys means."""

    search: ahocorasick_rs.BytesAhoCorasick
    terms: tuple[tuple[_Term, ...], ...]


class _IdeographicAutomaton(NamedTuple):
    """The automaton of `_ideographic_automaton_of` and, by pattern index, its keys' entries."""

    search: ahocorasick_rs.AhoCorasick
    terms: tuple[tuple[_IdeographicTerm, ...], ...]


_IMPLEMENTATION = ahocorasick_rs.Implementation.ContiguousNFA
"""How `ahocorasick_rs` lays out the main automaton (see `_automaton_of`)."""


def _automaton_of(vocabularies: Iterable[Vocabulary]) -> _Automaton:
    """One Aho-Corasick automaton (`ahocorasick_rs`) for the terms and abbreviations of
    every kind, read over the bytes of `b" " + skeleton(folded copy) + b" "`.

    Each key is the skeleton of a term (of its lowercase, for an abbreviation) with a space
    on either side. A key can then only match from the edge of one word to the edge of
    another, which is what keeps the pass fast: an automaton of the bare terms has to track
    every piece of a word that some term begins with and report every term ending inside
    a word, where the anchored one idles through each word that begins no term. The
    search reports overlapping matches, as a key may sit inside a longer one.

    The skeleton hides case, punctuation and letters beyond ASCII, so each match is then
    checked on the text's copies: the folded one (the exact-case one for an abbreviation)
    must hold the term as written, between non-alphanumeric characters. Terms of all kinds
    share one automaton so a text is read once, not once per kind and case (up to eight).

    Several terms can share a key; `terms[i]` lists those of pattern i, the case-folded
    terms before the abbreviations, so that a term beats an abbreviation of the same span.
    Empty terms match nothing.

    The automaton is a contiguous NFA (`_IMPLEMENTATION`): the library builds it from the
    keys in about 0.15 s, into some 20 MB. A DFA reads an abstract a few microseconds
    sooner on its own, but takes 0.5 s and 200 MB to build, and inside the pipeline, where
    other steps compete for the CPU caches, the two measured the same.
    """
    terms: dict[bytes, list[_Term]] = {}
    keys = [(vocab.kind, _keys(vocab)) for vocab in vocabularies]
    for is_exact in (False, True):
        for kind, by_case in keys:
            for key, (name, group) in by_case[is_exact].items():
                if not key or _IDEOGRAPHIC.search(key):
                    continue
                form = normalized(key) if is_exact else key
                terms.setdefault(b" " + skeleton(form) + b" ", []).append(
                    (key, is_exact, kind, name, group)
                )
    search = ahocorasick_rs.BytesAhoCorasick(list(terms), implementation=_IMPLEMENTATION)
    return _Automaton(search, tuple(tuple(t) for t in terms.values()))


@functools.cache
def _automaton() -> _Automaton:
    return _automaton_of(vocabulary(kind) for kind in KINDS)


def _ideographic_automaton_of(vocabularies: Iterable[Vocabulary]) -> _IdeographicAutomaton:
    """One automaton for the terms written in Chinese, Japanese or Korean characters.

    Such text has no spaces between words, so the skeleton anchors of `_automaton_of`
    cannot apply: these terms are searched as they are, in the folded copy (a `str`
    automaton, whose matches are character offsets), and only where a term's end and its
    neighbour are both ASCII letters or digits is the match refused ("K粉" in "K粉" but not
    in "OK粉").
    """
    terms: dict[str, list[_IdeographicTerm]] = {}
    for vocab in vocabularies:
        for key, (name, group) in _keys(vocab)[0].items():
            if _IDEOGRAPHIC.search(key):
                terms.setdefault(key, []).append((vocab.kind, name, group))
    search = ahocorasick_rs.AhoCorasick(list(terms))
    return _IdeographicAutomaton(search, tuple(tuple(t) for t in terms.values()))


@functools.cache
def _ideographic_automaton() -> _IdeographicAutomaton:
    return _ideographic_automaton_of(vocabulary(kind) for kind in KINDS)


def _is_ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _found_ideographic(
    automaton: _IdeographicAutomaton, folded: str, found: dict[str, list[_Candidate]]
) -> None:
    """Add to `found` the ideographic terms in a text's folded copy."""
    search, terms = automaton
    if not terms:
        return
    size = len(folded)
    for index, start, end in search.find_matches_as_indexes(folded, overlapping=True):
        if (start > 0 and _is_ascii_word(folded[start]) and _is_ascii_word(folded[start - 1])) or (
            end < size and _is_ascii_word(folded[end - 1]) and _is_ascii_word(folded[end])
        ):
            continue
        for kind, name, group in terms[index]:
            found[kind].append((start, end, name, group))


def _found(automaton: _Automaton, folded: str, exact: str) -> dict[str, list[_Candidate]]:
    """The whole-word terms of every kind in a text, from its folded and exact copies."""
    found: dict[str, list[_Candidate]] = {kind: [] for kind in KINDS}
    search, terms = automaton
    if not terms:
        return found
    size = len(folded)
    haystack = b" " + skeleton(folded) + b" "
    # A match covers a key with its two anchors. The leading space of the haystack shifts
    # the text one byte right, so the match starts where the term does in the text, and
    # ends two bytes after it (the term's last character, then its trailing anchor).
    for index, start, anchor in search.find_matches_as_indexes(haystack, overlapping=True):
        end = anchor - 2
        for key, is_exact, kind, name, group in terms[index]:
            text = exact if is_exact else folded
            if (
                text[start:end] == key
                and (start == 0 or not text[start - 1].isalnum())
                and (end == size or not text[end].isalnum())
            ):
                found[kind].append((start, end, name, group))
    return found


@functools.lru_cache(maxsize=32)
def _candidates(text: str) -> dict[str, list[_Candidate]]:
    """Every whole-word key of every kind in `text`: one pass, as the pipeline wants all four."""
    folded, exact = _prepared(text)
    found = _found(_automaton(), folded, exact)
    if _IDEOGRAPHIC.search(beyond_ascii(text)):
        _found_ideographic(_ideographic_automaton(), folded, found)
    return found


def find_terms(kind: str, text: str) -> list[TermMatch]:
    """Return the terms of vocabulary `kind` in `text`: whole words, longest first, in order."""
    taken = _taken(kind, text)
    found = _MATCH_KIND[kind]
    return [TermMatch(s, e, text[s:e], name, found, group) for s, e, name, group in taken if name]


@functools.lru_cache(maxsize=64)
def _taken(kind: str, text: str) -> list[_Candidate]:
    """The longest whole-word matches in text order, ignored phrases (name "") kept.

    Cached by text so that the steps which search the same field text (pairs, harms,
    direction) pay for it once per record, not once per step.
    """
    if kind not in _MATCH_KIND:
        vocabulary(kind)  # raises the error that lists the kinds
    candidates = sorted(_candidates(text)[kind], key=lambda c: (c[0] - c[1], c[0]))
    taken: list[_Candidate] = []
    # The spans taken so far, disjoint and in order: a candidate can only overlap the
    # last of them that starts before it ends, found by bisection (no pass over them all).
    starts: list[int] = []
    ends: list[int] = []
    for candidate in candidates:
        start, end = candidate[0], candidate[1]
        at = bisect.bisect_left(starts, end)
        if at and ends[at - 1] > start:
            continue
        starts.insert(at, start)
        ends.insert(at, end)
        taken.append(candidate)
    taken.sort()
    return taken


def find_terms_in_spans(
    kind: str, text: str, spans: Sequence[tuple[int, int]]
) -> tuple[tuple[TermMatch, ...], ...] | None:
    """`find_terms(kind, text[start:end])` for every span, offsets relative to the span.

    One pass over `text` (a field's sentences with the gaps between them) costs far less
    than one pass per sentence. The answer is the same when every span is bordered by
    non-word characters and no match (ignored phrases included) crosses a span's edge;
    when that cannot be guaranteed (or lowercasing is not character by character: "Σ",
    "İ"), None, and the caller searches each span itself. `spans` are sorted and disjoint.
    Cached: pairs and harms ask it the same of a field, and share the (frozen) matches.
    """
    return _in_spans(kind, text, tuple(spans))


@functools.lru_cache(maxsize=64)
def _in_spans(
    kind: str, text: str, spans: tuple[tuple[int, int], ...]
) -> tuple[tuple[TermMatch, ...], ...] | None:
    """`find_terms_in_spans`, cached by its arguments."""
    if not _spans_apart(text, spans):
        return None
    taken = _taken(kind, text)
    if not taken:
        return ((),) * len(spans)
    found = _MATCH_KIND[kind]
    # Most spans (sentences) hold no match: they keep the one empty tuple, and the few
    # matches are found their span by bisection on the spans themselves.
    out: list[tuple[TermMatch, ...]] = [()] * len(spans)
    for s, e, name, group in taken:
        # (s, inf) sorts after every span that starts at or before s, before the others.
        slot = bisect.bisect_right(spans, (s, math.inf)) - 1
        if slot < 0 or e > spans[slot][1]:
            return None
        if name:
            offset = spans[slot][0]
            match = TermMatch(s - offset, e - offset, text[s:e], name, found, group)
            out[slot] += (match,)
    return tuple(out)


@functools.lru_cache(maxsize=16)
def _spans_apart(text: str, spans: tuple[tuple[int, int], ...]) -> bool:
    """Whether each span of `text` is bordered by non-word characters and lowercasing the
    text is character by character (no "Σ" or "İ"): what `find_terms_in_spans` needs.

    Cached: every kind asks it of the same field.
    """
    if "\u03a3" in text or "\u0130" in text:
        return False
    size = len(text)
    # Neither copy of the text changes whether a character is alphanumeric (a test checks
    # every code point), so the text's own borders are theirs.
    for start, end in spans:
        if (start > 0 and text[start - 1].isalnum()) or (end < size and text[end].isalnum()):
            return False
    return True


def find_interventions(text: str) -> list[TermMatch]:
    """Return the interventions named in `text`, each mapped to its generic name and class."""
    return find_terms("interventions", text)


def find_conditions(text: str) -> list[TermMatch]:
    """Return the conditions named in `text` (see `condition_ancestors` for the hierarchy)."""
    return find_terms("conditions", text)


def find_adverse_effects(text: str) -> list[TermMatch]:
    """Return the adverse effects named in `text`, each with its group."""
    return find_terms("adverse_effects", text)


def find_routes(text: str) -> list[TermMatch]:
    """Return the routes of administration named in `text`."""
    return find_terms("routes", text)


@dataclass(frozen=True, slots=True)
class DosePatterns:
    """The dose regex built from `vocab/doses.yaml`, with the examples it must (not) match."""

    pattern: re.Pattern[str]
    examples: tuple[str, ...]
    non_examples: tuple[str, ...]


def parse_dose_patterns(label: str, data: Any) -> DosePatterns:
    """Build the one dose alternation from the YAML `data`; errors name `label`."""
    if not isinstance(data, dict) or set(data) - {
        "kind",
        "source",
        "parts",
        "patterns",
        "examples",
        "non_examples",
    }:
        raise VocabularyError("expected keys kind, source, parts, patterns, examples", file=label)
    try:
        alternatives = [template.format(**data["parts"]) for template in data["patterns"].values()]
        pattern = re.compile(_dose_regex(alternatives), re.IGNORECASE)
    except (KeyError, AttributeError, IndexError, re.error) as error:
        raise VocabularyError(f"dose patterns do not compile: {error!r}", file=label) from error
    return DosePatterns(
        pattern,
        tuple(str(e) for e in data.get("examples") or ()),
        tuple(str(e) for e in data.get("non_examples") or ()),
    )


_LEADING_DIGITS = re.compile(r"\\d\+(?![?+*{])")
"""An alternative's opening `\\d+` (greedy, not `\\d+?`, `\\d++` or `\\d+{2}`)."""


def _dose_regex(alternatives: Sequence[str]) -> str:
    r"""The one regex of the dose `alternatives`: each whole, not inside a word or number.

    Plainly `(?<![\w.,])(?:a|b|c)(?![\w])`. When every alternative opens with `\d+` and
    has no `|` of its own outside parentheses (all of `vocab/doses.yaml`'s), the same
    regex is written to open with one digit, `\d(?<![\w.,]\d)(?:a'|b'|c')`, a' being a
    with `\d*` for its `\d+`. It finds the same matches, but a regex that opens with a
    character class lets `re` skip in C to the next digit, where one that opens with a
    lookbehind tries every position of the text (99 -> 61 µs an abstract).

    When the alternatives open with the same regex (`_shared_head`: the number and the
    unit of every dose pattern), a lookahead for it follows the digit: most digits of an
    abstract start no dose, and the engine then gives up after one try of the shared head
    instead of one per alternative (61 -> 37 µs an abstract). A lookahead only refuses
    positions where no alternative can match, so the matches stay the same.
    """
    if all(_LEADING_DIGITS.match(a) and not _has_top_level_bar(a) for a in alternatives):
        rests = [r"\d*" + a[len(r"\d+") :] for a in alternatives]
        head = _shared_head(rests)
        guard = f"(?={head})" if head else ""
        body = "|".join(f"(?:{r})" for r in rests)
        return r"\d(?<![\w.,]\d)" + guard + "(?:" + body + r")(?![\w])"
    return r"(?<![\w.,])(?:" + "|".join(f"(?:{a})" for a in alternatives) + r")(?![\w])"


def _shared_head(regexes: Sequence[str]) -> str:
    """The longest start of `regexes[0]` that every one of `regexes` opens with, read as
    parsed regex items (so "a" is not the head of "a*"), when it holds more than one item
    and there is more than one regex; else "". Also "" when a regex captures a group,
    whose number a copy of the head in a lookahead would shift."""
    if len(regexes) < 2:
        return ""
    try:
        if any(re.compile(r).groups for r in regexes):
            return ""
        parsed = [_items(r) for r in regexes]
    except re.error:
        return ""
    first = regexes[0]
    for size in range(len(first), 0, -1):
        try:
            head = _items(first[:size])
        except (re.error, OverflowError):  # cut short: "(?", "[a", an unclosed group
            continue
        if len(head) > 1 and all(items[: len(head)] == head for items in parsed):
            return first[:size]
    return ""


def _items(regex: str) -> tuple[Any, ...]:
    """The items of `regex` as the standard library's parser reads them, as nested tuples
    (its sub-patterns do not compare by value)."""
    return _frozen(_sre.parse(regex))  # type: ignore[no-any-return]


def _frozen(value: Any) -> Any:
    if isinstance(value, _sre.SubPattern):
        value = value.data
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _has_top_level_bar(regex: str) -> bool:
    """Whether `regex` has a `|` outside every group and character class."""
    depth = 0
    class_at: int | None = None  # where the open character class's members begin
    escaped = False
    for index, char in enumerate(regex):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif class_at is not None:
            if char == "^" and index == class_at:
                class_at += 1
            elif char == "]" and index > class_at:  # a first "]" is a member
                class_at = None
        elif char == "[":
            class_at = index + 1
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
    return False


@functools.cache
def dose_patterns() -> DosePatterns:
    """Return the validated dose patterns of `vocab/doses.yaml`."""
    return parse_dose_patterns("vocab/doses.yaml", _read_yaml("doses.yaml"))


def find_doses(text: str) -> list[TermMatch]:
    """Return the doses in `text` ("0.5 mg/kg", "56 mg", "0.15 mg kg-1") as written."""
    return [
        TermMatch(m.start(), m.end(), m.group(), m.group(), "dose", None)
        for m in dose_patterns().pattern.finditer(text)
    ]


@functools.lru_cache(maxsize=4096)
def condition_ancestors(name: str) -> tuple[str, ...]:
    """Return the more general conditions of `name`, nearest first, up to the roots.

    An unknown name has no ancestors; the result never contains `name` itself. Cached:
    pairs and direction ask it of a record's few conditions again and again (for every
    pair of them, for every sentence about a pair), and the vocabulary never changes.
    """
    entries = vocabulary("conditions").entries
    seen: dict[str, None] = {}
    frontier = list(entries[name].parents) if name in entries else []
    while frontier:
        parent = frontier.pop(0)
        if parent not in seen:
            seen[parent] = None
            frontier.extend(entries[parent].parents)
    return tuple(seen)


def canonical_name(kind: str, text: str) -> str | None:
    """The canonical name of the entry of vocabulary `kind` that `text` is a term of, if any.

    `text` must be a whole term ("magnesium sulphate" gives "magnesium"); a phrase that
    merely contains one gives None.
    """
    matches = find_terms(kind, text)
    if len(matches) == 1 and (matches[0].start, matches[0].end) == (0, len(text)):
        return matches[0].canonical
    return None


def is_class_term(name: str) -> bool:
    """Whether intervention `name` names a whole class of drugs ("antidepressants")."""
    entry = vocabulary("interventions").entries.get(name)
    return bool(entry and entry.is_class)


def is_population_term(name: str) -> bool:
    """Whether condition `name` names a population (healthy volunteers), not a disease."""
    entry = vocabulary("conditions").entries.get(name)
    return bool(entry and entry.is_population)


@functools.cache
def _adverse_effect_names() -> frozenset[str]:
    entries = vocabulary("adverse_effects").entries.values()
    return frozenset(term_key(t) for e in entries for t in (e.name, *e.synonyms))


@functools.lru_cache(maxsize=4096)
def is_adverse_effect_name(name: str) -> bool:
    """Whether a condition's name is also an adverse-effect term (nausea, hypotension).

    Such a condition is usually an outcome or a harm of the record, not what it treats.
    Cached: pairs asks it of every condition mention, and a record names few conditions.
    """
    return term_key(name) in _adverse_effect_names()


def intervention_class(name: str) -> str | None:
    """Return the class of intervention `name` ("nmda_antagonist", "opioid"), or None."""
    entry = vocabulary("interventions").entries.get(name)
    return entry.group if entry else None
