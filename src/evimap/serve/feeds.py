"""Atom feeds (feedgen): new records with their claims, and changes of the map's cells.

Four scopes share one builder: everything, one intervention, one condition, one cell. Entry
ids are tag URIs built from record ids and change ids, so an entry keeps its id however often
the feed is fetched; `updated` comes from the record's publication date or the change's time,
never from the clock, so an unchanged store gives a byte-identical feed.

Record text goes into titles as text and into content as HTML that this module escaped piece
by piece (`type="html"`): feedgen then escapes that HTML once more as XML, which is what
Atom requires. Characters that XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from dataclasses import dataclass
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from sqlalchemy import Engine, select

from evimap.claims import Claim, claim_from_dict
from evimap.records import Record
from evimap.store import schema
from evimap.synthesis.evidence_map import Change, cell_changes_since

TAG_AUTHORITY = "evimap,2025"
"""The authority part of every tag: URI (RFC 4151) evimap mints."""

TIMES = "\u00d7"
"""The multiplication sign between an intervention and a condition."""

ENTRIES = 50
"""Records, and separately changes, per feed."""

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
"""The `updated` of a record with no date at all (Atom requires one; this one never moves)."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True, slots=True)
class FeedScope:
    """Which part of the store a feed covers; None everywhere is the whole store."""

    intervention: str | None = None
    condition: str | None = None

    @property
    def name(self) -> str:
        """The scope in words: "everything", "ketamine", or the cell, joined by a times sign."""
        parts = [p for p in (self.intervention, self.condition) if p]
        return f" {TIMES} ".join(parts) if parts else "everything"

    @property
    def key(self) -> str:
        """The scope as a path: `all`, `intervention/ketamine`, `cell/ketamine/chronic%20pain`."""
        if self.intervention and self.condition:
            return f"cell/{quote(self.intervention)}/{quote(self.condition)}"
        if self.intervention:
            return f"intervention/{quote(self.intervention)}"
        if self.condition:
            return f"condition/{quote(self.condition)}"
        return "all"


def tag_uri(kind: str, name: str) -> str:
    """A stable tag: URI for an entry or a feed (`tag:evimap,2025:record/pmid:123`)."""
    return f"tag:{TAG_AUTHORITY}:{kind}/{quote(name, safe=':/@')}"


def xml_text(text: str | None) -> str:
    """The text without the characters XML 1.0 cannot carry (NUL, most control codes)."""
    return _NOT_XML.sub("", text or "")


def published_at(value: str | None) -> datetime.datetime:
    """The start of an ISO date as precise as known (`2020-05` is 1 May 2020), UTC."""
    found = _DATE.match(value or "")
    if not found:
        return EPOCH
    year, month, day = (int(p) if p else 1 for p in found.groups())
    try:
        return datetime.datetime(year, month or 1, day or 1, tzinfo=datetime.UTC)
    except ValueError:
        return datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)


def changed_at(change: Change) -> datetime.datetime:
    """When a change happened, as an aware datetime."""
    moment = datetime.datetime.fromisoformat(change.at)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def scoped_records(engine: Engine, scope: FeedScope, *, limit: int = ENTRIES) -> list[Record]:
    """The newest records with a claim in the scope (any record for everything), newest first."""
    r, c = schema.records, schema.claims
    query = select(r.c.data)
    if scope.intervention or scope.condition:
        about = select(c.c.record_id)
        if scope.intervention:
            about = about.where(c.c.intervention == scope.intervention)
        if scope.condition:
            about = about.where(c.c.condition == scope.condition)
        query = query.where(r.c.id.in_(about))
    query = query.order_by(r.c.published.desc().nulls_last(), r.c.id).limit(limit)
    with engine.connect() as connection:
        return [schema.record_from_data(data) for (data,) in connection.execute(query)]


def _claims_by_record(engine: Engine, ids: list[str]) -> dict[str, list[Claim]]:
    c = schema.claims
    out: dict[str, list[Claim]] = {i: [] for i in ids}
    if not ids:
        return out
    with engine.connect() as connection:
        rows = connection.execute(
            select(c.c.record_id, c.c.data).where(c.c.record_id.in_(ids)).order_by(c.c.position)
        )
        for record_id, data in rows:
            out[record_id].append(claim_from_dict(json.loads(data)))
    return out


def _in_scope(claim: Claim, scope: FeedScope) -> bool:
    return (scope.intervention in (None, claim.intervention)) and (
        scope.condition in (None, claim.condition)
    )


def record_content(record: Record, claims: list[Claim]) -> str:
    """The entry's HTML: where the record appeared, then each claim with its sentence."""
    e = html.escape
    where = [record.journal.title if record.journal else None, record.published]
    parts = [f"<p>{e(xml_text(' · '.join(w for w in where if w)))}</p>"] if any(where) else []
    if claims:
        items = []
        for claim in claims:
            certainty = claim.certainty.value if claim.certainty else "not stated"
            items.append(
                f"<li>{e(xml_text(claim.intervention))} {TIMES} {e(xml_text(claim.condition))}: "
                f"<strong>{e(claim.direction.value.replace('_', ' '))}</strong> "
                f"({e(claim.design.value.replace('_', ' '))}; "
                f"certainty {e(certainty.replace('_', ' '))})"
                f"<blockquote>{e(xml_text(claim.evidence.text))}</blockquote></li>"
            )
        parts.append("<ul>" + "".join(items) + "</ul>")
    else:
        parts.append("<p>No claims found in this record.</p>")
    return "".join(parts)


def atom_feed(engine: Engine, scope: FeedScope, *, base_url: str) -> bytes:
    """The Atom document of a scope: its newest records and its latest cell changes.

    `base_url` is the site's root (`http://host:8000/`), for the entries' links.
    """
    root = base_url.rstrip("/")
    records = scoped_records(engine, scope)
    claims = _claims_by_record(engine, [r.id for r in records])
    changes = cell_changes_since(
        engine, intervention=scope.intervention, condition=scope.condition, limit=ENTRIES
    )
    feed = FeedGenerator()
    feed.id(tag_uri("feed", scope.key))
    feed.title(xml_text(f"evimap: {scope.name}"))
    feed.subtitle(xml_text(f"New records and changes of the evidence map: {scope.name}"))
    feed.author({"name": "evimap"})
    feed.link(href=f"{root}/feeds/{scope.key}.atom", rel="self", type="application/atom+xml")
    feed.link(href=_page(root, scope), rel="alternate", type="text/html")
    feed.generator("evimap")
    moments = [EPOCH]
    for record in records:
        mine = [c for c in claims.get(record.id, []) if _in_scope(c, scope)]
        updated = published_at(record.published or record.epublished)
        moments.append(updated)
        entry = feed.add_entry(order="append")
        entry.id(tag_uri("record", record.id))
        entry.title(xml_text(record.title or record.id))
        entry.updated(updated)
        entry.link(href=f"{root}/record/{quote(record.id, safe=':/')}", rel="alternate")
        for author in record.authors[:10]:
            entry.author({"name": xml_text(author.name) or "unknown"})
        entry.content(record_content(record, mine), type="html")
        for claim in mine:
            entry.category(term=xml_text(f"{claim.intervention} {TIMES} {claim.condition}"))
    for change in changes:
        updated = changed_at(change)
        moments.append(updated)
        entry = feed.add_entry(order="append")
        entry.id(tag_uri("change", str(change.id)))
        entry.title(xml_text(change.text))
        entry.updated(updated)
        cell = f"/cell/{quote(change.intervention)}/{quote(change.condition, safe='')}"
        entry.link(href=root + cell, rel="alternate")
        entry.content(html.escape(xml_text(change.text)), type="html")
        entry.category(term=xml_text(f"{change.intervention} {TIMES} {change.condition}"))
    feed.updated(max(moments))
    document: bytes = feed.atom_str(pretty=True)
    return document


def _page(root: str, scope: FeedScope) -> str:
    if scope.intervention and scope.condition:
        return f"{root}/cell/{quote(scope.intervention)}/{quote(scope.condition, safe='')}"
    if scope.intervention or scope.condition:
        return f"{root}/search?q={quote(scope.intervention or scope.condition or '')}"
    return f"{root}/"


__all__ = [
    "ENTRIES",
    "EPOCH",
    "TAG_AUTHORITY",
    "FeedScope",
    "atom_feed",
    "changed_at",
    "published_at",
    "record_content",
    "scoped_records",
    "tag_uri",
    "xml_text",
]
