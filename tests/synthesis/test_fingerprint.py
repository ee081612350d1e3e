"""Topic fingerprints of real records: concepts from text and claims, weighted by the store."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Engine, select

from evimap.ingest import ingest_into, input_files
from evimap.records import Deletion
from evimap.store import claims_of_record, open_store, record_by_id, write_batch
from evimap.store.schema import concept_frequencies, record_concepts
from evimap.synthesis.fingerprint import (
    EVERY_RECORD,
    concept_weights,
    fingerprint,
    refresh_concepts,
)
from evimap.synthesis.fingerprint import record_concepts as concepts_of

from ..conftest import DATA, REPO

NEWS = "sha1:bbe61fa5c4434eb72a5c1999f55fc8e897168397"
TRIAL = "pmcid:PMC3172326"


@pytest.fixture
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('fingerprint') / 'f.db'}")
    ingest_into(engine, input_files([REPO / "data" / "seeds", DATA / "synthesis"]))
    return engine


def test_fingerprint_of_the_news_page_leads_with_its_topic(store: Engine) -> None:
    concepts = fingerprint(store, NEWS)
    named = {(c.kind, c.name) for c in concepts}
    assert ("condition", "chronic pain") in named
    assert ("intervention", "ketamine") in named
    assert ("design", "systematic_review_meta_analysis") in named
    assert concepts[0].weight == 1.0
    assert all(0 < c.weight <= 1 for c in concepts)
    assert [c.weight for c in concepts] == sorted((c.weight for c in concepts), reverse=True)


def test_fingerprint_weighs_a_concept_every_record_names_below_a_rare_one() -> None:
    counts = Counter({("intervention", "ketamine"): 1, ("condition", "chronic pain"): 1})
    frequencies = {("intervention", "ketamine"): 100, ("condition", "chronic pain"): 2}
    concepts = concept_weights(counts, frequencies, 100)
    assert [c.name for c in concepts] == ["chronic pain", "ketamine"]
    assert concepts[1].weight < 0.2


def test_fingerprint_counts_concepts_of_text_and_claims(store: Engine) -> None:
    record = record_by_id(store, TRIAL)
    assert record is not None
    counts = concepts_of(record, claims_of_record(store, TRIAL))
    assert counts["intervention", "ketamine"] >= 2
    assert counts["design", "rct"] == 1


def test_fingerprint_frequencies_match_the_stored_concepts(store: Engine) -> None:
    cf = concept_frequencies
    with store.connect() as connection:
        rows = connection.execute(select(record_concepts.c.kind, record_concepts.c.concept))
        expected = Counter((k, c) for k, c in rows)
        stored = {
            (k, c): n
            for k, c, n in connection.execute(select(cf.c.kind, cf.c.concept, cf.c.records))
        }
    assert stored == dict(expected)
    assert stored[EVERY_RECORD] == 5


def test_fingerprint_refresh_after_a_deletion_forgets_the_record(store: Engine) -> None:
    write_batch(store, [Deletion(TRIAL, "jsonl")])
    assert refresh_concepts(store, record_ids=[TRIAL]) == 1
    assert fingerprint(store, TRIAL) == []
    with store.connect() as connection:
        n = connection.scalar(
            select(concept_frequencies.c.records).where(
                concept_frequencies.c.kind == "*", concept_frequencies.c.concept == "*"
            )
        )
    assert n == 4
    assert refresh_concepts(store) == 0
