"""What a batch of records does to the store, worked out in memory before anything is written.

`MergePlan` loads the stored records that share a duplicate key or an identifier with the
incoming ones (one query per chunk of keys, never one per record) and merges each incoming
record into them with `evimap.merge`. Three rules make the outcome the same on every write
of the same records, which is what "ingesting twice changes nothing" needs:

- A stored record keeps the keys of everything merged into it (`record_keys`), not only the
  keys of its merged form: a PubMed title "[Titre traduit]." and a page's plain title both
  stay findable after the two merged.
- Merging is repeated until the merged record's keys meet nothing new (a title from one
  copy and the year from another make a title key that neither had).
- Candidates are met in a fixed order, and the record the store already knows by the
  incoming record's id comes first and is merged unconditionally: when a record matches two
  stored works that conflict with each other, a rewrite makes the choice made the first time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, literal, select, union_all

from evimap.merge import duplicate_keys, merged_into
from evimap.records import ID_SCHEMES, Record, with_identity
from evimap.store import schema

CHUNK = 400
"""Values per IN (...) list: far below SQLite's and PostgreSQL's limits on bound parameters."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Stored:
    """A record as the store holds it when the batch starts."""

    record: Record
    content_hash: str
    keys: frozenset[str]


class MergePlan:
    """The batch's view of the records it touches, merged in memory.

    `live` holds the current form of every record the batch has seen, by id; `keys_of` the
    duplicate keys each has gathered; `origins` the stored records each absorbed; `retired`
    the stored records merged into another, with what they merged into.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.stored: dict[str, Stored] = {}
        self.live: dict[str, Record] = {}
        self.keys_of: dict[str, frozenset[str]] = {}
        self.origins: dict[str, frozenset[str]] = {}
        self.finals: dict[str, None] = {}
        self.retired: dict[str, str] = {}
        self._key_owners: dict[str, set[str]] = {}
        self._alias_owner: dict[str, str] = {}
        self._fetched: set[str] = set()
        self._successor: dict[str, str] = {}

    def fetch(self, keys: Iterable[str]) -> None:
        """Load the stored records holding any of these keys or aliases not yet looked up."""
        missing = set(keys) - self._fetched
        if not missing:
            return
        self._fetched |= missing
        found = _owners(self.connection, missing)
        for key, record_id, is_alias in found:
            self._key_owners.setdefault(key, set()).add(record_id)
            if is_alias:
                self._alias_owner[key] = record_id
        new = {record_id for _, record_id, _ in found} - set(self.stored)
        for record_id, stored in _stored(self.connection, new).items():
            self.stored[record_id] = stored
            self.live[record_id] = stored.record
            self.keys_of[record_id] = stored.keys
            self.origins[record_id] = frozenset({record_id})

    def add(self, incoming: Record) -> None:
        """Merge one incoming record with the live records that are the same work."""
        record = with_identity(incoming)
        gathered = set(duplicate_keys(record))
        self.fetch(gathered)
        known = self.known_as(record.id)
        final = record
        absorbed: list[str] = []
        seen: set[str] = set()
        while keys := gathered - seen:
            seen |= keys
            self.fetch(keys)
            owners = {i for k in keys for i in self._key_owners.get(k, ())}
            # A retired id may since have been taken by a new record: both may be meant.
            candidates = {self._current(i) for i in owners} | {self.heir(i) for i in owners}
            found = sorted(
                (c for c in candidates - set(absorbed) if c in self.live),
                key=lambda c: (c != known, c != record.id, id_order(c)),
            )
            final, taken = merged_into(
                [self.live[c] for c in found],
                final,
                same_work=[i for i, c in enumerate(found) if c == known],
            )
            for index in taken:
                absorbed.append(found[index])
                gathered |= self.keys_of[found[index]]
            gathered |= duplicate_keys(final)
        self._settle(final, absorbed, frozenset(gathered))

    def _settle(self, final: Record, absorbed: list[str], keys: frozenset[str]) -> None:
        origins: set[str] = set()
        for old in absorbed:
            origins |= self.origins.pop(old)
            del self.live[old]
            del self.keys_of[old]
            self.finals.pop(old, None)
            if old != final.id:
                self._successor[old] = final.id
                if old in self.stored:
                    self.retired[old] = final.id
        self._successor.pop(final.id, None)
        self.live[final.id] = final
        self.keys_of[final.id] = keys
        self.origins[final.id] = frozenset(origins)
        self.finals[final.id] = None
        for key in keys:
            self._key_owners.setdefault(key, set()).add(final.id)
        for alias in final.ids:
            self._alias_owner.setdefault(alias, final.id)

    def known_as(self, identifier: str) -> str | None:
        """The live record the store already knows by this identifier (its alias), if any."""
        owner = self._alias_owner.get(identifier)
        return None if owner is None else self.heir(owner)

    def heir(self, record_id: str) -> str:
        """The live record that now stands for this stored or batch record.

        A retired stored record's heir is what it merged into, even when a new record of the
        batch has since taken its id.
        """
        if record_id in self.retired:
            return self._current(self.retired[record_id])
        return self._current(record_id)

    def alias_rows(self, written: Sequence[Record]) -> list[dict[str, str]]:
        """The `record_ids` rows of the records to write.

        An alias belongs to the record that had it first, or to what that record merged into:
        when two works claim one identifier (two PubMed records printing the same DOI), the
        second is stored but does not take the alias over. The batch decided this as it
        merged; aliases it never looked up (ids of no known scheme) are looked up now.
        """
        unknown = {a for r in written for a in r.ids} - self._fetched
        self._fetched |= unknown
        a = schema.record_ids
        for chunk in chunks(sorted(unknown)):
            query = select(a.c.alias, a.c.record_id).where(a.c.alias.in_(chunk))
            self._alias_owner.update({alias: rid for alias, rid in self.connection.execute(query)})
        rows = []
        for record in written:
            for alias in record.ids:
                holder = self.known_as(alias)
                if holder is None:
                    self._alias_owner[alias] = record.id
                if holder is None or holder == record.id:
                    rows.append({"alias": alias, "record_id": record.id})
        return rows

    def gone(self) -> list[str]:
        """Stored ids merged into another record and not taken by a new one: rows to delete."""
        return sorted(i for i in self.retired if i not in self.live)

    def _current(self, record_id: str) -> str:
        while record_id in self._successor:
            record_id = self._successor[record_id]
        return record_id


def id_order(identifier: str) -> tuple[int, str]:
    """Sort key of ids: strongest scheme first (pmid, doi, nct, pmcid, sha1), then by text."""
    prefix = identifier.split(":", 1)[0]
    return (ID_SCHEMES.index(prefix) if prefix in ID_SCHEMES else len(ID_SCHEMES), identifier)


def chunks(values: Sequence[_T]) -> Iterator[list[_T]]:
    """`values` in lists of at most `CHUNK`, for IN (...) lists."""
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _owners(connection: Connection, keys: set[str]) -> list[tuple[str, str, bool]]:
    """(key, stored record id, whether the key is that record's alias) for these keys."""
    out: list[tuple[str, str, bool]] = []
    k, a = schema.record_keys, schema.record_ids
    for chunk in chunks(sorted(keys)):
        query = union_all(
            select(k.c.key, k.c.record_id, literal(False)).where(k.c.key.in_(chunk)),
            select(a.c.alias, a.c.record_id, literal(True)).where(a.c.alias.in_(chunk)),
        )
        out.extend((key, rid, bool(alias)) for key, rid, alias in connection.execute(query))
    return out


def _stored(connection: Connection, ids: set[str]) -> dict[str, Stored]:
    """The stored records with these ids, with their content hashes and keys."""
    rows: dict[str, tuple[str, str]] = {}
    keys: dict[str, set[str]] = {}
    r, k = schema.records, schema.record_keys
    for chunk in chunks(sorted(ids)):
        query = select(r.c.id, r.c.data, r.c.content_hash).where(r.c.id.in_(chunk))
        rows.update({rid: (data, digest) for rid, data, digest in connection.execute(query)})
        for key, rid in connection.execute(
            select(k.c.key, k.c.record_id).where(k.c.record_id.in_(chunk))
        ):
            keys.setdefault(rid, set()).add(key)
    return {
        rid: Stored(schema.record_from_data(data), digest, frozenset(keys.get(rid, ())))
        for rid, (data, digest) in rows.items()
    }


__all__ = ["CHUNK", "MergePlan", "Stored", "chunks", "id_order"]
