"""The MEDLINE/nbib text reader, one behaviour per test, on Biopython's real exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.errors import EncodingError, EvimapError, MalformedRecord
from evimap.records import Record
from evimap.sources import _fields, medline

from ..conftest import DATA

MEDLINE = DATA / "sources" / "medline"
HOSTILE = DATA / "hostile"
OLD_STYLE = MEDLINE / "medline-affiliation-before-authors.txt"
FOUR_RECORDS = MEDLINE / "medline-four-records-structured-abstracts.txt"
AUTHOR_AFFILIATION = MEDLINE / "medline-author-affiliation-doi.txt"


def records(data: Path | bytes) -> list[Record]:
    return [item for item in medline.read(data) if isinstance(item, Record)]


def test_medline_sniffs_a_pmid_line_near_the_top() -> None:
    for path in (OLD_STYLE, FOUR_RECORDS, AUTHOR_AFFILIATION):
        assert medline.sniff(path.read_bytes()[:8192]), path.name


def test_medline_does_not_sniff_pubmed_xml_or_ris(shared: Path) -> None:
    formats = shared / "data" / "pubmed_formats"
    for path in (
        formats / "biopython_entrez" / "pubmed1.xml",
        formats / "ris" / "asreview_pubmed_zotero.ris",
        formats / "ris" / "asreview_pubmed_endnote.txt",
    ):
        assert not medline.sniff(path.read_bytes()[:8192]), path.name


def test_medline_reads_every_record_of_a_file() -> None:
    assert [r.pmid for r in records(FOUR_RECORDS)] == [
        "16403221",
        "16377612",
        "14871861",
        "14630660",
    ]


def test_medline_splits_a_clearly_labelled_abstract_into_sections() -> None:
    (record,) = records(AUTHOR_AFFILIATION)

    assert [s.label for s in record.abstract] == ["PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert record.abstract[0].text.startswith("High-intensity focused ultrasound is")
    assert record.abstract[1].text.endswith("to simulate the heating procedure.")


def test_medline_keeps_an_abstract_whole_when_it_does_not_start_with_a_label() -> None:
    *_, record = records(FOUR_RECORDS)

    (section,) = record.abstract
    assert section.label is None
    assert "AVAILABILITY: The Biopython distribution" in section.text


def test_medline_ties_each_affiliation_to_the_author_before_it() -> None:
    (record,) = records(AUTHOR_AFFILIATION)

    assert [a.name for a in record.authors] == [
        "Shan Qiao",
        "Guofeng Shen",
        "Jingfeng Bai",
        "Yazhu Chen",
    ]
    assert record.authors[0].affiliations == (
        "School of Biomedical Engineering, Shanghai Jiao Tong University, Shanghai, "
        "People's Republic of China.",
    )
    assert record.authors[1].affiliations == ()
    assert record.affiliations == ()


def test_medline_keeps_an_affiliation_printed_before_the_authors_on_the_record() -> None:
    (record,) = records(OLD_STYLE)

    assert record.affiliations == ("tacg Informatics, Irvine, CA 92612, USA. hjm@tacgi.com",)
    assert record.authors[0].name == "Harry Mangalam"
    assert record.authors[0].affiliations == ()


def test_medline_reads_the_doi_from_lid_or_aid() -> None:
    (from_lid,) = records(AUTHOR_AFFILIATION)
    from_aid = records(FOUR_RECORDS)[0]

    assert from_lid.doi == "10.1118/1.4748329"
    assert from_aid.doi == "10.1186/1471-2105-7-10"


def test_medline_reads_journal_dates_and_ids() -> None:
    scop, diagram, *_ = records(FOUR_RECORDS)

    assert scop.journal is not None
    assert (scop.journal.title, scop.journal.volume, scop.journal.pages) == (
        "BMC bioinformatics",
        "7",
        "10",
    )
    assert scop.published == "2006"
    assert scop.epublished == "2006-01-10"
    assert scop.pmcid == "PMC1373603"
    assert diagram.published == "2006-03-01"
    assert scop.url == "https://pubmed.ncbi.nlm.nih.gov/16403221/"


def test_medline_reads_mesh_descriptors_without_qualifiers_or_stars() -> None:
    (record,) = records(AUTHOR_AFFILIATION)

    assert "High-Intensity Focused Ultrasound Ablation" in record.mesh_terms
    assert record.mesh_terms[0] == "Blood Circulation"
    assert record.publication_types == ("Journal Article", "Research Support, Non-U.S. Gov't")
    assert record.kind == "research_article"
    assert record.language == "en"


def test_medline_bad_byte_raises_encoding_error_with_its_line() -> None:
    path = HOSTILE / "medline-cp1252-apostrophe.txt"

    with pytest.raises(EncodingError) as raised:
        list(medline.read(path))

    assert raised.value.file == str(path)
    assert "line 46" in raised.value.reason


def test_medline_record_without_pmid_goes_to_on_error_and_the_rest_still_comes() -> None:
    data = FOUR_RECORDS.read_bytes().replace(b"PMID- 16403221\n", b"", 1)
    problems: list[EvimapError] = []

    items = list(medline.read(data, origin="four.nbib", on_error=problems.append))

    assert [r.pmid for r in items if isinstance(r, Record)] == [
        "16377612",
        "14871861",
        "14630660",
    ]
    (problem,) = problems
    assert isinstance(problem, MalformedRecord)
    assert problem.file == "four.nbib"
    assert problem.record == "A high level interface to SCOP and ASTRAL implemented in python."


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2018 Nov-Dec", "2018-11"),
        ("2006 Mar 1", "2006-03-01"),
        ("1977 Apr 17-21", "1977-04-17"),
        ("1998 Dec-1999 Jan", "1998-12"),
        ("2021 3rd Quarter", "2021"),
        ("1977-1978", "1977"),
        ("Spring", None),
    ],
)
def test_medline_date_gives_iso_dates(text: str, iso: str | None) -> None:
    # Forms that MedlineDate and DP take; "1977 Apr 17-21", "1977-1978" and "2021 3rd
    # Quarter" occur in the NLM files the fixtures were cut from (see PROVENANCE.md).
    assert _fields.medline_date(text) == iso


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (["Journal Article", "Review"], "review"),
        (["Meta-Analysis", "Letter"], "review"),
        (["Letter", "Comment"], "commentary"),
        (["Randomized Controlled Trial", "Journal Article"], "research_article"),
    ],
)
def test_medline_kind_of_follows_publication_types(types: list[str], kind: str) -> None:
    assert _fields.kind_of(types, default="research_article") == kind
