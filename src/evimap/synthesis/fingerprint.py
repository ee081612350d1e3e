"""Topic fingerprint: a record's concepts, weighted against the whole store.

A record's concepts are the vocabulary terms its texts name (interventions, their classes,
conditions, adverse effects, routes) and what its claims say (the same kinds plus the
record's design), each counted. `refresh_concepts`, run by ingest for the records it wrote,
keeps them in `record_concepts` and keeps `concept_frequencies` (how many records name each
concept) up to date by difference, so weighting never scans the store.

The weight is TF-IDF in its common logarithmic form (Manning, Raghavan & Schütze,
*Introduction to Information Retrieval*, 2008, §6.4, "lnc"): (1 + ln count) x
ln(1 + N / df), with N the records in the store and df those naming the concept; a concept
every record names weighs little, one few records name weighs much. Weights are divided by
the record's largest, so the strongest concept is 1 and the bars of a fingerprint compare.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select, update

from evimap.claims import Claim, claim_from_dict
from evimap.extract.vocab import find_terms
from evimap.records import Record
from evimap.store import schema, sqlite
from evimap.store.plan import chunks
from evimap.store.queries import count_records, stored_id
from evimap.synthesis.refresh import current_ids, record_identifiers

KINDS = ("intervention", "class", "condition", "adverse_effect", "route", "design")
"""The kinds of concept, in the order a fingerprint lists ties."""

EVERY_RECORD = ("*", "*")
"""The (kind, concept) every processed record has: its frequency is N, the records counted."""

_VOCABULARIES = (
    ("interventions", "intervention"),
    ("conditions", "condition"),
    ("adverse_effects", "adverse_effect"),
    ("routes", "route"),
)

ConceptKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept of a record: `kind` is one of `KINDS`; `weight` is in (0, 1], the
    record's strongest concept weighing 1 (see the module docstring)."""

    name: str
    kind: str
    weight: float


def record_concepts(record: Record, claims: Sequence[Claim]) -> Counter[ConceptKey]:
    """How often the record names each concept, in its texts and in its claims.

    Texts are searched with the vocabularies (every field, translations included, since a
    term in any language the vocabulary knows counts). Each claim adds its intervention,
    condition, adverse effects and routes once more, and the design of the record once.
    """
    counts: Counter[ConceptKey] = Counter()
    for text in record.texts().values():
        for vocabulary, kind in _VOCABULARIES:
            for match in find_terms(vocabulary, text):
                counts[kind, match.canonical] += 1
                if kind == "intervention" and match.group_or_class:
                    counts["class", match.group_or_class] += 1
    for claim in claims:
        counts["intervention", claim.intervention] += 1
        if claim.intervention_class:
            counts["class", claim.intervention_class] += 1
        counts["condition", claim.condition] += 1
        for effect in claim.adverse_effects:
            counts["adverse_effect", _canonical("adverse_effects", effect)] += 1
        for route in claim.routes:
            counts["route", _canonical("routes", route)] += 1
    for design in dict.fromkeys(c.design.value for c in claims):
        counts["design", design] += 1
    return counts


def _canonical(vocabulary: str, name: str) -> str:
    """The vocabulary's name for a term a claim lists as written ("delusions" -> "delusion")."""
    matches = find_terms(vocabulary, name)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(name):
        return matches[0].canonical
    return name


def concept_weights(
    counts: Counter[ConceptKey], frequencies: dict[ConceptKey, int], n_records: int
) -> list[Concept]:
    """The concepts weighted by TF-IDF and scaled to the largest, heaviest first.

    A concept missing from `frequencies` counts as named by one record (this one).
    """
    raw: dict[ConceptKey, float] = {}
    total = max(n_records, 1)
    for key, count in counts.items():
        if key == EVERY_RECORD or count <= 0:
            continue
        df = max(frequencies.get(key, 1), 1)
        raw[key] = (1 + math.log(count)) * math.log(1 + total / df)
    top = max(raw.values(), default=0.0)
    if top <= 0:
        return []
    concepts = [Concept(name, kind, round(w / top, 6)) for (kind, name), w in raw.items()]
    return sorted(concepts, key=lambda c: (-c.weight, KINDS.index(c.kind), c.name))


def fingerprint(engine: Engine, record_id: str) -> list[Concept]:
    """The record's concepts, heaviest first, weighted across the store (empty if unknown).

    Reads the concepts `refresh_concepts` stored; a record stored before they existed has
    its concepts found now, from its text and claims.
    """
    rc = schema.record_concepts
    with engine.connect() as connection:
        found = stored_id(connection, record_id)
        if found is None:
            return []
        rows = connection.execute(
            select(rc.c.kind, rc.c.concept, rc.c.count).where(rc.c.record_id == found)
        ).all()
        if rows:
            counts: Counter[ConceptKey] = Counter({(k, c): n for k, c, n in rows})
        else:
            record, claims = _record_and_claims(connection, [found])[found]
            counts = record_concepts(record, claims)
        frequencies = _frequencies(connection, [*counts, EVERY_RECORD])
    n_records = frequencies.get(EVERY_RECORD) or count_records(engine)
    return concept_weights(counts, frequencies, n_records)


def refresh_concepts(engine: Engine, *, record_ids: Iterable[str] | None = None) -> int:
    """Recompute the stored concepts of these records (all when None); the records changed.

    Ids may be any identifier a record is known by; a record deleted or renamed since loses
    its old rows. Concept frequencies change by the difference between each record's old
    and new concepts, in the same transaction.
    """
    writer = engine.connect().execution_options(**{sqlite.WRITER_OPTION: True})
    with writer as connection, connection.begin():
        if record_ids is None:
            stale = set(connection.scalars(select(schema.record_concepts.c.record_id).distinct()))
            current = set(connection.scalars(select(schema.records.c.id)))
            ids = stale | current
        else:
            ids = record_identifiers(connection, set(record_ids))
            current = current_ids(connection, ids)
        changed = 0
        for chunk in chunks(sorted(ids)):
            changed += _refresh_chunk(connection, chunk, current)
    return changed


def _refresh_chunk(connection: Connection, ids: Sequence[str], current: set[str]) -> int:
    rc = schema.record_concepts
    old: dict[str, Counter[ConceptKey]] = {}
    for record_id, kind, concept, count in connection.execute(
        select(rc.c.record_id, rc.c.kind, rc.c.concept, rc.c.count).where(rc.c.record_id.in_(ids))
    ):
        old.setdefault(record_id, Counter())[kind, concept] = count
    new: dict[str, Counter[ConceptKey]] = {}
    for record_id, (record, claims) in _record_and_claims(
        connection, [i for i in ids if i in current]
    ).items():
        counts = record_concepts(record, claims)
        counts[EVERY_RECORD] = 1
        new[record_id] = counts
    delta: Counter[ConceptKey] = Counter()
    changed = 0
    for record_id in ids:
        before, after = old.get(record_id, Counter()), new.get(record_id, Counter())
        if before == after:
            continue
        changed += 1
        delta.update(dict.fromkeys(after, 1))
        delta.subtract(dict.fromkeys(before, 1))
        connection.execute(delete(rc).where(rc.c.record_id == record_id))
        if after:
            connection.execute(
                insert(rc),
                [
                    {"record_id": record_id, "kind": k, "concept": c, "count": n}
                    for (k, c), n in sorted(after.items())
                ],
            )
    _apply_frequency_delta(connection, {k: d for k, d in delta.items() if d})
    return changed


def _apply_frequency_delta(connection: Connection, delta: dict[ConceptKey, int]) -> None:
    cf = schema.concept_frequencies
    stored = _frequencies(connection, list(delta))
    for (kind, concept), change in sorted(delta.items()):
        where = and_(cf.c.kind == kind, cf.c.concept == concept)
        total = stored.get((kind, concept), 0) + change
        if (kind, concept) not in stored:
            if total > 0:
                connection.execute(insert(cf).values(kind=kind, concept=concept, records=total))
        elif total > 0:
            connection.execute(update(cf).where(where).values(records=total))
        else:
            connection.execute(delete(cf).where(where))


def _frequencies(connection: Connection, keys: Sequence[ConceptKey]) -> dict[ConceptKey, int]:
    cf = schema.concept_frequencies
    out: dict[ConceptKey, int] = {}
    for chunk in chunks(sorted(set(keys))):
        condition = or_(*(and_(cf.c.kind == k, cf.c.concept == c) for k, c in chunk))
        for kind, concept, records in connection.execute(
            select(cf.c.kind, cf.c.concept, cf.c.records).where(condition)
        ):
            out[kind, concept] = records
    return out


def _record_and_claims(
    connection: Connection, ids: Sequence[str]
) -> dict[str, tuple[Record, list[Claim]]]:
    r, c = schema.records, schema.claims
    out: dict[str, tuple[Record, list[Claim]]] = {}
    if not ids:
        return out
    for record_id, data in connection.execute(select(r.c.id, r.c.data).where(r.c.id.in_(ids))):
        out[record_id] = (schema.record_from_data(data), [])
    for record_id, data in connection.execute(
        select(c.c.record_id, c.c.data).where(c.c.record_id.in_(ids)).order_by(c.c.position)
    ):
        out[record_id][1].append(claim_from_dict(json.loads(data)))
    return out


__all__ = [
    "EVERY_RECORD",
    "KINDS",
    "Concept",
    "concept_weights",
    "fingerprint",
    "record_concepts",
    "refresh_concepts",
]
