"""The record and claim model: identity, texts and the evidence offset invariant."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evimap.claims import Certainty, Claim, Design, Direction, Evidence
from evimap.records import (
    Record,
    Section,
    Translation,
    canonical_id,
    record_from_dict,
    record_json,
    record_to_dict,
    with_identity,
)


def test_records_canonical_id_prefers_pmid_then_doi_then_nct() -> None:
    record = Record(id="x", source="ris", doi="10.1/ABC", nct_id="NCT01", pmcid="PMC9")
    assert canonical_id(record) == "doi:10.1/abc"
    assert canonical_id(Record(id="x", source="ris", nct_id="NCT01")) == "nct:NCT01"
    assert canonical_id(Record(id="x", source="ris", doi="10.1/a", pmid="7")) == "pmid:7"


def test_records_page_without_identifiers_gets_a_stable_sha1() -> None:
    first = with_identity(Record(id="", source="page", title="Ketamine  and PAIN"))
    second = with_identity(Record(id="", source="page", title="ketamine and pain"))
    assert first.id.startswith("sha1:")
    assert first.id == second.id


def test_records_with_identity_keeps_every_identifier() -> None:
    record = with_identity(Record(id="sha1:abc", source="page", pmid="123", doi="10.1/x"))
    assert record.id == "pmid:123"
    assert set(record.ids) == {"pmid:123", "doi:10.1/x", "sha1:abc"}
    assert record.sources == ("page",)


def test_records_texts_join_labelled_sections_and_translations() -> None:
    record = Record(
        id="pmid:1",
        source="pubmed",
        title="T",
        abstract=(Section("BACKGROUND", "Why."), Section(None, "Plain.")),
        translations=(Translation("zh", "标题", (Section(None, "摘要。"),)),),
    )
    assert record.texts() == {
        "title": "T",
        "abstract": "BACKGROUND: Why.\nPlain.",
        "title:zh": "标题",
        "abstract:zh": "摘要。",
    }
    assert record_json(record)["text"] == record.texts()


sections = st.lists(
    st.builds(Section, st.none() | st.text(min_size=1, max_size=20), st.text(max_size=80)),
    max_size=4,
).map(tuple)


@given(title=st.none() | st.text(max_size=60), abstract=sections)
def test_records_json_round_trip(title: str | None, abstract: tuple[Section, ...]) -> None:
    record = Record(id="pmid:1", source="pubmed", title=title, abstract=abstract)
    assert record_from_dict(record_to_dict(record)) == record


@given(text=st.text(min_size=1, max_size=200), data=st.data())
def test_claims_evidence_span_always_matches_its_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    evidence = Evidence.at({"abstract": text}, "abstract", start, end)
    assert evidence.text == text[start:end]
    assert evidence.holds_in({"abstract": text})


def test_claims_evidence_refuses_a_span_that_does_not_fit() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        Evidence("abstract", 0, 5, "abc")
    with pytest.raises(ValueError, match="no text field"):
        Evidence.at({"abstract": "abc"}, "body", 0, 1)


def test_claims_certainty_range_must_go_upwards() -> None:
    evidence = Evidence("title", 0, 1, "K")
    claim = Claim(
        "ketamine",
        "chronic pain",
        Design.SYSTEMATIC_REVIEW,
        Direction.INCONCLUSIVE,
        evidence,
        certainty=Certainty.VERY_LOW,
        certainty_upper=Certainty.LOW,
    )
    assert claim.to_dict()["certainty_upper"] == "low"
    with pytest.raises(ValueError, match="certainty_upper"):
        Claim(
            "ketamine",
            "pain",
            Design.RCT,
            Direction.BENEFIT,
            evidence,
            certainty=Certainty.LOW,
            certainty_upper=Certainty.VERY_LOW,
        )
