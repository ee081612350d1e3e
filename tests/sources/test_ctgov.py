"""ClinicalTrials.gov API v2: pages and single studies as trial registrations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evimap.errors import EvimapError, MalformedRecord
from evimap.records import Record
from evimap.sources import ctgov, detect_source
from evimap.sources._io import head

from ..conftest import DATA

FOLDER = DATA / "sources" / "ctgov"
PAGE = FOLDER / "ctgov-v2-page-aact-nct06388018.json"


def page() -> dict[str, Any]:
    return json.loads(PAGE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def only(items: list[Any]) -> Record:
    assert len(items) == 1
    assert isinstance(items[0], Record)
    return items[0]


@pytest.fixture(scope="module")
def study() -> Record:
    return only(list(ctgov.read(PAGE)))


def test_ctgov_page_yields_a_trial_registration(study: Record) -> None:
    assert study.kind == "trial_registration"
    assert study.nct_id == "NCT06388018"
    assert study.id == "nct:NCT06388018"
    assert study.url == "https://clinicaltrials.gov/study/NCT06388018"


def test_ctgov_single_study_reads_like_the_page(study: Record) -> None:
    single = json.dumps(page()["studies"][0]).encode()
    assert detect_source(single).name == "ctgov"
    assert only(list(ctgov.read(single))) == study


def test_ctgov_official_title_wins_and_title_cased_entities_are_decoded(study: Record) -> None:
    assert study.title is not None
    assert study.title.startswith("A Phase II Study of Tailored Adjuvant Therapy")
    assert study.title.endswith("(RAINBO BLUE & TAPER)")


def test_ctgov_brief_summary_and_detailed_description_are_the_abstract(study: Record) -> None:
    assert [s.label for s in study.abstract] == ["Brief summary", "Detailed description"]
    description = study.abstract[1].text
    assert description.startswith("PRIMARY OBJECTIVE: I. Estimate the rate of pelvic recurrence")
    assert "\n" not in description


def test_ctgov_markdown_escapes_are_removed() -> None:
    assert ctgov.plain_text("Patients' age must be \\>= 18 years \\[sentinel\\]") == (
        "Patients' age must be >= 18 years [sentinel]"
    )


def test_ctgov_conditions_are_keywords_and_derived_meshes_are_mesh_terms(study: Record) -> None:
    assert study.keywords[0] == "Stage I Uterine Corpus Endometrial Stromal Sarcoma AJCC v8"
    assert study.mesh_terms == ("Sarcoma", "Endometrial Neoplasms", "Sarcoma, Endometrial Stromal")


def test_ctgov_published_is_the_first_posted_date(study: Record) -> None:
    assert study.published == "2024-04-29"


def test_ctgov_registration_has_no_authors_journal_or_references(study: Record) -> None:
    assert (study.authors, study.journal, study.doi, study.pmid) == ((), None, None, None)


def test_ctgov_obsolete_nct_numbers_are_kept_as_ids() -> None:
    content = page()
    identification = content["studies"][0]["protocolSection"]["identificationModule"]
    identification["nctIdAliases"] = ["NCT06380000"]
    record = only(list(ctgov.read(json.dumps(content).encode())))
    assert record.ids == ("nct:NCT06380000",)


def test_ctgov_study_without_nct_number_goes_to_on_error_and_the_rest_comes() -> None:
    content = page()
    broken = json.loads(json.dumps(content["studies"][0]))
    del broken["protocolSection"]["identificationModule"]["nctId"]
    content["studies"] = [broken, content["studies"][0]]
    problems: list[EvimapError] = []
    records = list(
        ctgov.read(json.dumps(content).encode(), origin="page.json", on_error=problems.append)
    )
    assert [r.nct_id for r in records if isinstance(r, Record)] == ["NCT06388018"]
    assert isinstance(problems[0], MalformedRecord)
    assert (problems[0].file, problems[0].record) == ("page.json", "study 1")


def test_ctgov_json_that_is_no_study_is_malformed() -> None:
    europepmc_page = DATA / "sources" / "europepmc" / "europepmc-search-lite-cancer.json"
    with pytest.raises(MalformedRecord, match=r"ClinicalTrials\.gov"):
        list(ctgov.read(europepmc_page))


def test_ctgov_empty_page_is_sniffed_and_yields_nothing() -> None:
    empty = b'{"studies": [], "nextPageToken": null}'
    assert ctgov.sniff(empty)
    assert list(ctgov.read(empty)) == []


def other_format_fixtures() -> list[Path]:
    return sorted(
        p
        for p in (DATA / "sources").glob("*/*")
        if p.parent.name != "ctgov"
        and p.is_file()
        and not p.name.endswith((".expected.jsonl", ".md"))
        and not p.name.startswith("LICENSE")
    )


@pytest.mark.parametrize("path", other_format_fixtures(), ids=lambda p: p.name)
def test_ctgov_sniff_rejects_other_formats(path: Path) -> None:
    assert not ctgov.sniff(head(path))
