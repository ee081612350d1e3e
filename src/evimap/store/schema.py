"""The store's tables, in SQLAlchemy Core: one schema for SQLite and PostgreSQL.

These are the tables as they stand after every migration in `migrations.py`; queries use
them. Only portable Core types are used here; the full-text index, whose form depends on
the database, lives with the dialect (`sqlite.py`).

A record is stored whole, as the JSON of `record_to_dict` in `records.data`, so it reads back
exactly as written; the other columns of `records` are projections of it for filtering and
listing, never read back into a Record.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, Table, Text

from evimap.claims import Claim
from evimap.records import Record, record_from_dict, record_to_dict

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("id", Text, primary_key=True, comment="canonical id: pmid:…, doi:…, nct:…, sha1:…"),
    Column("source", Text, nullable=False),
    Column("kind", Text),
    Column("language", Text),
    Column("title", Text),
    Column("published", Text, comment="ISO date as precise as known"),
    Column("year", Integer),
    Column("doi", Text),
    Column("pmid", Text),
    Column("pmcid", Text),
    Column("nct_id", Text),
    Column("content_hash", Text, nullable=False, comment="sha256 of data"),
    Column("data", Text, nullable=False, comment="record_to_dict JSON, sorted keys"),
)
Index("ix_records_year", records.c.year)

record_ids = Table(
    "record_ids",
    metadata,
    Column("alias", Text, primary_key=True, comment="an identifier the record is known by"),
    Column("record_id", Text, ForeignKey("records.id"), nullable=False),
)
Index("ix_record_ids_record_id", record_ids.c.record_id)

record_keys = Table(
    "record_keys",
    metadata,
    Column("key", Text, primary_key=True, comment="a duplicate key of evimap.merge"),
    Column("record_id", Text, ForeignKey("records.id"), primary_key=True),
)
Index("ix_record_keys_record_id", record_keys.c.record_id)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Text, ForeignKey("records.id"), nullable=False),
    Column("position", Integer, nullable=False, comment="order of the claim in its record"),
    Column("intervention", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("design", Text, nullable=False),
    Column("direction", Text, nullable=False),
    Column("certainty", Text),
    Column("data", Text, nullable=False, comment="Claim.to_dict JSON, sorted keys"),
)
Index("ix_claims_intervention_condition", claims.c.intervention, claims.c.condition)
Index("ix_claims_record_id", claims.c.record_id)

migrations_table = Table(
    "evimap_migrations",
    metadata,
    Column("name", Text, primary_key=True),
    Column("applied_at", Text, nullable=False, comment="UTC, ISO 8601"),
)

CORE_TABLES = (records, record_ids, record_keys, claims)
"""The tables of migration 0001, in creation order."""

# --- synthesis: the evidence map's cells, their history, and record concepts ----------
# Materialized by evimap.synthesis (evidence_map.refresh_cells, fingerprint.refresh_concepts)
# after records are written, so pages read a row instead of grading claims per request.
# No foreign keys to `records`: write_batch deletes and renames records before the cells
# that cite them are refreshed, in a later transaction.

cells = Table(
    "cells",
    metadata,
    Column("intervention", Text, primary_key=True),
    Column("condition", Text, primary_key=True),
    Column("intervention_class", Text),
    Column("condition_group", Text, nullable=False, comment="the condition's root ancestor"),
    Column("verdict", Text, nullable=False, comment="a Direction value"),
    Column("certainty", Text, comment="as the best source states it; null: not stated"),
    Column("certainty_upper", Text),
    Column("best_design", Text, nullable=False),
    Column("best_tier", Integer, nullable=False, comment="1 is best (synthesis.grade.TIERS)"),
    Column("n_records", Integer, nullable=False),
    Column("n_claims", Integer, nullable=False),
    Column("n_studies", Integer),
    Column("n_participants", Integer),
    Column("n_conflicts", Integer, nullable=False),
    Column("year_first", Integer),
    Column("year_last", Integer),
    Column("last_change", Integer, comment="cell_changes.id of the latest change"),
    Column("content_hash", Text, nullable=False, comment="sha256 of data and the claims"),
    Column("data", Text, nullable=False, comment="the cell's texts and reasons, JSON"),
)
Index("ix_cells_condition", cells.c.condition)
Index("ix_cells_condition_group", cells.c.condition_group)
Index("ix_cells_intervention_class", cells.c.intervention_class)

cell_claims = Table(
    "cell_claims",
    metadata,
    Column("intervention", Text, primary_key=True),
    Column("condition", Text, primary_key=True),
    Column("rank", Integer, primary_key=True, comment="0 is the best-ranked claim"),
    Column("record_id", Text, nullable=False),
    Column("design", Text, nullable=False),
    Column("year", Integer),
    Column("data", Text, nullable=False, comment="CellClaim JSON"),
)
Index("ix_cell_claims_record_id", cell_claims.c.record_id)
Index("ix_cell_claims_design_year", cell_claims.c.design, cell_claims.c.year)

cell_changes = Table(
    "cell_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False, comment="UTC, ISO 8601"),
    Column("intervention", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("field", Text, nullable=False, comment="verdict or certainty"),
    Column("old", Text, comment="null: the cell is new"),
    Column("new", Text, comment="null: the cell is gone"),
    Column("record_id", Text, comment="the record whose ingest changed it"),
    Column("record_title", Text),
)
Index("ix_cell_changes_cell", cell_changes.c.intervention, cell_changes.c.condition)
Index("ix_cell_changes_at", cell_changes.c.at)

record_concepts = Table(
    "record_concepts",
    metadata,
    Column("record_id", Text, primary_key=True),
    Column("kind", Text, primary_key=True, comment="intervention, condition, adverse_effect…"),
    Column("concept", Text, primary_key=True),
    Column("count", Integer, nullable=False, comment="mentions in the record"),
)
Index("ix_record_concepts_concept", record_concepts.c.kind, record_concepts.c.concept)

concept_frequencies = Table(
    "concept_frequencies",
    metadata,
    Column("kind", Text, primary_key=True),
    Column("concept", Text, primary_key=True),
    Column("records", Integer, nullable=False, comment="records that mention it"),
)

SYNTHESIS_TABLES = (cells, cell_claims, cell_changes, record_concepts, concept_frequencies)
"""The tables of migration 0003, in creation order."""

_YEAR = re.compile(r"^(\d{4})")


def record_data(record: Record) -> str:
    """The record as stored in `records.data`: JSON with sorted keys, text as is (not escaped).

    The form is canonical (same record, same string), so `content_hash` of it tells whether
    a write would change anything.
    """
    return json.dumps(
        record_to_dict(record), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def record_from_data(data: str) -> Record:
    """The Record stored as `data`: the inverse of `record_data`."""
    return record_from_dict(json.loads(data))


def content_hash(data: str) -> str:
    """SHA-256 of the stored JSON, hex."""
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def claim_rows(record_id: str, claims: Sequence[Claim]) -> list[dict[str, Any]]:
    """The `claims` rows of one record, in the order the extractor gave them."""
    return [
        {
            "record_id": record_id,
            "position": position,
            "intervention": claim.intervention,
            "condition": claim.condition,
            "design": claim.design.value,
            "direction": claim.direction.value,
            "certainty": claim.certainty.value if claim.certainty else None,
            "data": json.dumps(claim.to_dict(), sort_keys=True, ensure_ascii=False),
        }
        for position, claim in enumerate(claims)
    ]


def record_row(record: Record, data: str) -> dict[str, Any]:
    """The `records` row for a record whose `record_data` is `data`.

    The projected text columns drop NUL characters, which PostgreSQL's text type refuses;
    `data` keeps them (JSON escapes them), and only `data` is ever read back.
    """
    year = _YEAR.match(record.published or "")
    return {
        "id": record.id,
        "source": _text(record.source),
        "kind": _text(record.kind),
        "language": _text(record.language),
        "title": _text(record.title),
        "published": _text(record.published),
        "year": int(year.group(1)) if year else None,
        "doi": _text(record.doi),
        "pmid": _text(record.pmid),
        "pmcid": _text(record.pmcid),
        "nct_id": _text(record.nct_id),
        "content_hash": content_hash(data),
        "data": data,
    }


def _text(value: str | None) -> str | None:
    return value.replace("\x00", "") if value is not None else None


__all__ = [
    "CORE_TABLES",
    "SYNTHESIS_TABLES",
    "cell_changes",
    "cell_claims",
    "cells",
    "claims",
    "concept_frequencies",
    "content_hash",
    "metadata",
    "migrations_table",
    "record_concepts",
    "record_data",
    "record_from_data",
    "record_ids",
    "record_keys",
    "record_row",
    "records",
]
