"""Europe PMC search results: core and lite, abstract markup, per-record problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evimap.errors import EvimapError, MalformedRecord
from evimap.records import Record, Section
from evimap.sources import _fields, europepmc
from evimap.sources._io import head

from ..conftest import DATA

FOLDER = DATA / "sources" / "europepmc"
CORE = FOLDER / "europepmc-search-core-cancer.json"
LITE = FOLDER / "europepmc-search-lite-cancer.json"


def by_pmid(path: Path) -> dict[str | None, Record]:
    return {r.pmid: r for r in europepmc.read(path) if isinstance(r, Record)}


def test_europepmc_core_h4_headings_become_section_labels() -> None:
    record = by_pmid(CORE)["40511629"]
    assert [s.label for s in record.abstract] == [
        "Background",
        "Objectives",
        "Methods",
        "Results",
        "Conclusion",
    ]


def test_europepmc_inline_tags_are_dropped_without_adding_spaces() -> None:
    background = by_pmid(CORE)["40511629"].abstract[0].text
    assert "Hydrogen sulfide (H2S) is of particular interest" in background
    assert "<" not in background


def test_europepmc_italic_n_keeps_the_spaces_around_it() -> None:
    methods = by_pmid(CORE)["40518973"].abstract[2]
    assert methods.label == "Methods"
    assert "cancer lay health advisors (n = 10) and civil society members (n = 10)" in methods.text


def test_europepmc_bare_less_than_sign_is_text_not_markup() -> None:
    results = by_pmid(CORE)["39038316"].abstract[2]
    assert results.label == "Results"
    assert results.text.endswith("was a protective factor (P < .05).")


def test_europepmc_bold_label_with_colon_starts_a_section() -> None:
    abstract = by_pmid(CORE)["40476859"].abstract
    assert abstract[0].label is None
    assert abstract[-1] == Section(
        "Keywords",
        "Molecular Imaging, Cancer, MRI, PET/CT, Ultrasound, Muscular, Oncology © RSNA, 2025.",
    )


def test_europepmc_bold_without_colon_is_emphasis_inside_the_text() -> None:
    sentence = "Paclitaxel is a <b>potent</b> agent against ovarian cancer."
    assert europepmc.parse_abstract(sentence) == (
        Section(None, "Paclitaxel is a potent agent against ovarian cancer."),
    )


def test_europepmc_lite_and_core_agree_on_identifiers_and_titles() -> None:
    core, lite = by_pmid(CORE), by_pmid(LITE)
    assert core.keys() == lite.keys() == {"40511629", "40518973", "39038316", "40476859"}
    for pmid, record in core.items():
        assert (lite[pmid].doi, lite[pmid].pmcid, lite[pmid].title) == (
            record.doi,
            record.pmcid,
            record.title,
        )


def test_europepmc_core_carries_what_lite_lacks() -> None:
    core, lite = by_pmid(CORE)["40518973"], by_pmid(LITE)["40518973"]
    assert core.abstract
    assert not lite.abstract
    assert core.authors[0].affiliations
    assert not lite.authors[0].affiliations
    assert core.keywords == (
        "Cancer",
        "Morocco",
        "Community Health",
        "Health Systems",
        "Lay Health Providers",
    )
    assert core.mesh_terms
    assert not lite.mesh_terms
    assert [a.name for a in core.authors] == [a.name for a in lite.authors]


def test_europepmc_lite_authors_come_from_the_author_string() -> None:
    assert [a.name for a in by_pmid(LITE)["40511629"].authors] == [
        "Öztürk Fincan GS",
        "Kibar Güzin AK",
        "Yar Sağlam AS",
    ]


def test_europepmc_dates_keep_the_printed_precision() -> None:
    core, lite = by_pmid(CORE), by_pmid(LITE)
    assert core["40511629"].published == "2025-08"
    assert core["40518973"].epublished == "2025-06-16"
    assert lite["40511629"].published == "2025"


def test_europepmc_citation_count_names_europe_pmc() -> None:
    count = by_pmid(CORE)["40511629"].citation_count
    assert count is not None
    assert count.source == "Europe PMC"


def test_europepmc_review_publication_type_makes_a_review() -> None:
    core = by_pmid(CORE)
    assert core["40476859"].kind == "review"
    assert core["40511629"].kind == "research_article"


def test_europepmc_language_is_iso_639_1() -> None:
    assert by_pmid(CORE)["40511629"].language == "en"
    assert _fields.language_code("chi") == "zh"


def test_europepmc_url_points_at_the_europe_pmc_page() -> None:
    assert by_pmid(LITE)["40518973"].url == "https://europepmc.org/article/MED/40518973"


def test_europepmc_empty_search_yields_no_records(shared: Path) -> None:
    empty = shared / "data" / "pubmed_formats" / "europepmc" / "search_no_results.json"
    assert list(europepmc.read(empty)) == []


def test_europepmc_result_without_title_or_identifier_goes_to_on_error() -> None:
    page = json.loads(CORE.read_text(encoding="utf-8"))
    nameless = page["resultList"]["result"][1]
    for key in ("title", "pmid", "doi", "pmcid"):
        nameless.pop(key, None)
    problems: list[EvimapError] = []
    records = list(
        europepmc.read(json.dumps(page).encode(), origin="cut.json", on_error=problems.append)
    )
    assert len(records) == 3
    assert len(problems) == 1
    assert isinstance(problems[0], MalformedRecord)
    assert (problems[0].file, problems[0].record) == ("cut.json", "MED/40518973")


def test_europepmc_result_problem_without_handler_is_raised() -> None:
    page = json.loads(LITE.read_text(encoding="utf-8"))
    for key in ("title", "pmid", "doi", "pmcid"):
        page["resultList"]["result"][0].pop(key, None)
    with pytest.raises(MalformedRecord, match="no title"):
        list(europepmc.read(json.dumps(page).encode()))


def test_europepmc_truncated_json_names_the_file_and_line() -> None:
    cut = CORE.read_bytes()[:5000]
    with pytest.raises(MalformedRecord) as caught:
        list(europepmc.read(cut, origin="page-1.json"))
    assert caught.value.file == "page-1.json"
    assert "line" in caught.value.reason


def other_format_fixtures() -> list[Path]:
    return sorted(
        p
        for p in (DATA / "sources").glob("*/*")
        if p.parent.name != "europepmc"
        and p.is_file()
        and not p.name.endswith((".expected.jsonl", ".md"))
        and not p.name.startswith("LICENSE")
    )


@pytest.mark.parametrize("path", other_format_fixtures(), ids=lambda p: p.name)
def test_europepmc_sniff_rejects_other_formats(path: Path) -> None:
    assert not europepmc.sniff(head(path))
