"""RIS exports of Zotero, EndNote, Embase, Scopus, Lens and Web of Science."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evimap.errors import EncodingError, EvimapError, MalformedRecord
from evimap.records import Record
from evimap.sources import _fields, detect_source, ris
from evimap.sources._io import head

from ..conftest import DATA

FOLDER = DATA / "sources" / "ris"


def records(path: Path | bytes) -> list[Record]:
    return [r for r in ris.read(path) if isinstance(r, Record)]


def fixture(name: str) -> list[Record]:
    return records(FOLDER / name)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("ris-zotero-pubmed.ris", 3),
        ("ris-endnote-pubmed.txt", 3),
        ("ris-web-of-science.txt", 3),
        ("ris-embase.ris", 2),
        ("ris-scopus.ris", 1),
        ("ris-lens-baseline.ris", 2),
        ("ris-rispy-utf-chars.ris", 1),
        ("ris-wok-plain-text.ris", 2),
    ],
)
def test_ris_reads_every_record_of_each_export(name: str, count: int) -> None:
    assert len(fixture(name)) == count


def test_ris_reads_every_asreview_export_whole(shared: Path) -> None:
    exports = sorted((shared / "data" / "pubmed_formats" / "ris").glob("asreview_*"))
    assert len(exports) == 6
    for export in exports:
        starts = len(re.findall(r"(?m)^TY  - ", export.read_text(encoding="utf-8-sig")))
        problems: list[EvimapError] = []
        assert len(list(ris.read(export, on_error=problems.append))) == starts, export.name
        assert problems == [], export.name


def test_ris_txt_suffix_does_not_decide_the_format() -> None:
    assert detect_source(FOLDER / "ris-endnote-pubmed.txt").name == "ris"
    assert detect_source(FOLDER / "ris-web-of-science.txt").name == "ris"


def test_ris_zotero_journal_comes_from_t2_and_has_no_pmid() -> None:
    first = fixture("ris-zotero-pubmed.ris")[0]
    assert first.journal is not None
    assert first.journal.title == "Przeglad gastroenterologiczny"
    assert first.pmid is None
    assert first.doi == "10.5114/pg.2018.81081"


def test_ris_endnote_pmid_comes_from_the_accession_number() -> None:
    assert [r.pmid for r in fixture("ris-endnote-pubmed.txt")] == [
        "21553931",
        "29459515",
        "27626602",
    ]


def test_ris_scopus_pmid_comes_from_c2() -> None:
    assert fixture("ris-scopus.ris")[0].pmid == "31574429"


def test_ris_pmid_and_pmcid_come_from_links_that_agree() -> None:
    first = fixture("ris-lens-baseline.ris")[0]
    assert (first.pmid, first.pmcid) == ("22752652", "PMC3553406")


def test_ris_links_to_two_different_pubmed_records_give_no_pmid() -> None:
    text = (FOLDER / "ris-lens-baseline.ris").read_text(encoding="utf-8-sig")
    first, rest = text.split("ER  -", 1)
    mixed = first + "L2  - https://pubmed.ncbi.nlm.nih.gov/22752653/\r\nER  -" + rest
    assert records(mixed.encode())[0].pmid is None


def test_ris_endnote_continuation_lines_are_separate_keywords_and_addresses() -> None:
    second = fixture("ris-endnote-pubmed.txt")[1]
    assert second.keywords[:2] == ("Administration, Oral", "Animals")
    assert second.affiliations[:2] == (
        "Health Research Institute, National Institute of Advanced Industrial Science and "
        "Technology (AIST).",
        "Shikoku Research Institute Inc.",
    )


def test_ris_month_only_date_takes_its_year_from_py() -> None:
    assert fixture("ris-endnote-pubmed.txt")[0].published == "2011-06"
    assert fixture("ris-web-of-science.txt")[0].published == "2018-09"


def test_ris_zotero_date_with_empty_day_keeps_the_month() -> None:
    assert [r.published for r in fixture("ris-zotero-pubmed.ris")] == ["2019", "2019-10", "2019-08"]


def test_ris_stated_review_makes_a_review() -> None:
    boswellia = fixture("ris-endnote-pubmed.txt")[0]
    assert boswellia.publication_types == ("Journal Article", "Review")
    assert boswellia.kind == "review"
    assert fixture("ris-scopus.ris")[0].kind == "research_article"


def test_ris_start_and_end_page_are_joined() -> None:
    journal = fixture("ris-embase.ris")[0].journal
    assert journal is not None
    assert journal.pages == "152-160"


def test_ris_short_title_stands_in_when_there_is_no_title() -> None:
    record = fixture("ris-rispy-utf-chars.ris")[0]
    assert record.title is not None
    assert record.title.startswith("Состояние рецепторного аппарата эндометрия")


def test_ris_web_of_science_plain_text_is_read_with_wok_tags() -> None:
    first = fixture("ris-wok-plain-text.ris")[0]
    assert first.title is not None
    assert first.title.startswith("Interactions stabilizing the structure of the core")
    assert first.pmid == "15170338"
    assert first.authors[0].name == "Parkes-Loach, PS"
    assert first.journal is not None
    assert first.journal.title == "BIOCHEMISTRY"


def test_ris_record_cut_before_its_er_line_goes_to_on_error() -> None:
    text = (FOLDER / "ris-zotero-pubmed.ris").read_text(encoding="utf-8")
    cut = text[: text.rindex("ER  -")]
    problems: list[EvimapError] = []
    read = list(ris.read(cut.encode(), origin="cut.ris", on_error=problems.append))
    assert len(read) == 2
    assert isinstance(problems[0], MalformedRecord)
    assert (problems[0].file, problems[0].record) == ("cut.ris", "record 3")


def test_ris_record_without_title_or_identifier_goes_to_on_error() -> None:
    text = (FOLDER / "ris-zotero-pubmed.ris").read_text(encoding="utf-8")
    stripped = re.sub(r"(?m)^(TI|DO)  - .*\n", "", text, count=2)
    problems: list[EvimapError] = []
    read = list(ris.read(stripped.encode(), on_error=problems.append))
    assert len(read) == 2
    assert problems[0].record == "record 1"
    with pytest.raises(MalformedRecord, match="no title"):
        list(ris.read(stripped.encode()))


def test_ris_bytes_that_are_not_utf8_are_an_encoding_error() -> None:
    latin1 = (
        (FOLDER / "ris-embase.ris").read_text(encoding="utf-8-sig").encode("latin-1", "replace")
    )
    latin1 = latin1.replace(b"Huntsman", b"Huntsm\xe4n")
    with pytest.raises(EncodingError, match="line"):
        list(ris.read(latin1, origin="export.ris"))


def test_ris_pubmed_id_ignores_notes_that_disagree() -> None:
    assert _fields.pubmed_id(["31574429"], texts=["PMID: 31574429"]) == "31574429"
    assert _fields.pubmed_id(["31574429"], texts=["PMID: 31574430"]) is None


def other_format_fixtures() -> list[Path]:
    return sorted(
        p
        for p in (DATA / "sources").glob("*/*")
        if p.parent.name != "ris"
        and p.is_file()
        and not p.name.endswith((".expected.jsonl", ".md"))
        and not p.name.startswith("LICENSE")
    )


@pytest.mark.parametrize("path", other_format_fixtures(), ids=lambda p: p.name)
def test_ris_sniff_rejects_other_formats(path: Path) -> None:
    assert not ris.sniff(head(path))
