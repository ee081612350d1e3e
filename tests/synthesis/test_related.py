"""Related records on a store of real records: the two trials of one question find each other."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from evimap.ingest import ingest_into, input_files
from evimap.store import open_store, record_by_id
from evimap.synthesis.related import query_terms, related_records

from ..conftest import DATA, REPO

BENEFIT_TRIAL = "pmcid:PMC3172326"
NO_BENEFIT_TRIAL = "pmcid:PMC3897026"
NEWS = "sha1:bbe61fa5c4434eb72a5c1999f55fc8e897168397"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('related') / 'r.db'}")
    ingest_into(engine, input_files([REPO / "data" / "seeds", DATA / "synthesis"]))
    return engine


def test_related_records_put_the_other_trial_of_the_same_question_first(store: Engine) -> None:
    related = related_records(store, BENEFIT_TRIAL)
    assert related[0][0] == NO_BENEFIT_TRIAL
    assert [score for _, score in related] == sorted((s for _, s in related), reverse=True)
    assert all(0 < score <= 1 for _, score in related)


def test_related_records_never_include_the_record_itself(store: Engine) -> None:
    for record_id in (BENEFIT_TRIAL, NO_BENEFIT_TRIAL, NEWS):
        assert record_id not in {other for other, _ in related_records(store, record_id)}


def test_related_records_respect_the_limit_and_unknown_ids(store: Engine) -> None:
    assert len(related_records(store, NEWS, limit=2)) == 2
    assert related_records(store, NEWS, limit=0) == []
    assert related_records(store, "pmid:0") == []


def test_related_query_terms_are_words_shared_with_other_records(store: Engine) -> None:
    record = record_by_id(store, BENEFIT_TRIAL)
    assert record is not None
    with store.connect() as connection:
        terms = query_terms(connection, record)
    words = [word for word, _ in terms]
    assert "preemptive" in words
    assert "the" not in words
    assert [w for _, w in terms] == sorted((w for _, w in terms), reverse=True)
