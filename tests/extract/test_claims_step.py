"""The assembled extractor: claims are built only from findings, always sourced."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.extract.pipeline import check_order, default_steps, extract_claims
from evimap.records import Record, Section
from evimap.sources import read_any

from ..conftest import DATA, REPO

SEEDS = sorted((REPO / "data" / "seeds").glob("*.txt"))
FIXTURES = sorted(
    p
    for p in (DATA / "sources").glob("*/*")
    if p.is_file() and not p.name.endswith((".md", ".jsonl")) and not p.name.startswith("LICENSE")
)


def test_claims_default_steps_are_in_a_valid_order() -> None:
    check_order(default_steps())
    names = [s.name for s in default_steps()]
    assert (names[0], names[-1]) == ("sentences", "claims")


@pytest.mark.parametrize("path", SEEDS + FIXTURES, ids=lambda p: p.name)
def test_claims_evidence_is_verbatim_at_its_offsets(path: Path) -> None:
    for record in read_any(path):
        if not isinstance(record, Record):
            continue
        texts = record.texts()
        for claim in extract_claims(record):
            assert claim.evidence.holds_in(texts)
            assert claim.steps[0] == ("sentences", 1)


def test_claims_a_news_page_claims_nothing_from_its_related_articles() -> None:
    (news,) = read_any(REPO / "data" / "seeds" / "news-page.txt")
    assert isinstance(news, Record)
    conditions = {c.condition for c in extract_claims(news)}
    assert not conditions & {"frailty", "carotid stenosis", "dementia", "bacterial infections"}


def test_claims_a_record_in_spanish_only_yields_none() -> None:
    record = Record(
        id="x",
        source="page",
        language="es",
        title="Ketamina para la depresión resistente al tratamiento",
        abstract=(Section(None, "La ketamina redujo los síntomas depresivos en 40 adultos."),),
    )
    assert extract_claims(record) == []


def test_claims_a_protocol_states_no_finding() -> None:
    record = Record(
        id="x",
        source="page",
        language="en",
        title="Ketamine for chronic pain: protocol for a randomised controlled trial",
        abstract=(
            Section(
                None,
                "This protocol describes a trial in which 200 adults will be randomised to "
                "ketamine or placebo. The primary outcome will be chronic pain intensity.",
            ),
        ),
    )
    assert extract_claims(record) == []
