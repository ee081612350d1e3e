"""Claims in the store: written with their record, replaced when it changes, kept otherwise."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from evimap.claims import Claim, Design, Direction, Evidence
from evimap.records import Record, Section, with_identity
from evimap.store import claims_of_record, open_store, table_rows, write_batch

RECORD = with_identity(
    Record(
        id="",
        source="pubmed",
        pmid="30600808",
        title="Memantine for agitation",
        abstract=(Section("CONCLUSIONS", "Memantine reduced agitation in 80 adults."),),
    )
)


def one_claim(record: Record) -> Sequence[Claim]:
    texts = record.texts()
    return [
        Claim(
            "memantine",
            "psychomotor agitation",
            Design.RCT,
            Direction.BENEFIT,
            Evidence.at(texts, "abstract", 0, len(texts["abstract"])),
            n_participants=80,
            steps=(("sentences", 1),),
        )
    ]


def test_claims_store_round_trip_with_their_record(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    write_batch(engine, [RECORD], claims_of=one_claim)
    assert claims_of_record(engine, "30600808") == list(one_claim(RECORD))


def test_claims_store_rewriting_an_unchanged_record_keeps_its_claim_rows(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    write_batch(engine, [RECORD], claims_of=one_claim)
    before = table_rows(engine)
    write_batch(engine, [RECORD], claims_of=one_claim)
    assert table_rows(engine) == before


def test_claims_store_a_changed_record_gets_fresh_claims(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    write_batch(engine, [RECORD], claims_of=one_claim)
    richer = dataclasses.replace(RECORD, keywords=("agitation",), source="europepmc", sources=())
    write_batch(engine, [with_identity(richer)], claims_of=lambda r: [])
    assert claims_of_record(engine, RECORD.id) == []


def test_claims_store_deleting_a_record_deletes_its_claims(tmp_path: Path) -> None:
    from evimap.records import Deletion

    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    write_batch(engine, [RECORD], claims_of=one_claim)
    write_batch(engine, [Deletion(RECORD.id, "pubmed")])
    assert claims_of_record(engine, RECORD.id) == []
    assert table_rows(engine)["claims"] == []
