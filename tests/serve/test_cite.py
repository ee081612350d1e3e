"""Cite this: the four CSL styles through citeproc-py, and BibTeX, RIS and CSL-JSON files
that the tools which read them can read back."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy

from evimap.records import Author, Journal, Record, Section
from evimap.serve import cite

from .conftest import AppClient

RECORD = Record(
    id="pmid:31234567",
    source="pubmed",
    title="Ketamine for chronic pain: a systematic review",
    abstract=(Section("RESULTS", "Pain fell."), Section("CONCLUSIONS", "Uncertain.")),
    authors=(Author("Cheolmin Shin"), Author("Yong-Ku Kim"), Author("Ludwig van Beethoven")),
    journal=Journal("Psychiatry Investigation", "17", "3", "181-192"),
    published="2020-03-15",
    doi="10.30773/pi.2019.0236",
    pmid="31234567",
    language="en",
    keywords=("ketamine", "pain & mood"),
    kind="review",
)
HOSTILE = Record(
    id="sha1:x",
    source="page",
    title='<script>alert(1)</script> & "quotes" {braces} 100%',
    authors=(Author("<img src=x onerror=alert(2)> Smith"),),
    journal=Journal("<i>Journal</i>"),
    published="2021",
)


def test_cite_apa_reference_is_formatted_by_the_real_style() -> None:
    assert str(cite.formatted_reference(RECORD, "apa")) == (
        "Shin, C., Kim, Y.-K., &amp; van Beethoven, L. (2020). Ketamine for chronic pain: "
        "a systematic review. <i>Psychiatry Investigation</i>, <i>17</i>(3), 181\u2013192. "
        "https://doi.org/10.30773/pi.2019.0236"
    )


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("vancouver", "Shin C, Kim Y-K, van Beethoven L. Ketamine for chronic pain"),
        ("harvard-cite-them-right", "Shin, C., Kim, Y.-K. and van Beethoven, L. (2020)"),
        ("american-medical-association", "Shin C, Kim YK, van Beethoven L. Ketamine"),
    ],
)
def test_cite_each_style_names_authors_its_own_way(style: str, expected: str) -> None:
    assert str(cite.formatted_reference(RECORD, style)).startswith(expected)


@pytest.mark.parametrize("style", [s.name for s in cite.STYLES])
def test_cite_reference_escapes_record_markup(style: str) -> None:
    html = str(cite.formatted_reference(HOSTILE, style))
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_cite_bibtex_reads_back_with_bibtexparser() -> None:
    entries = bibtexparser.loads(cite.bibtex(RECORD)).entries
    assert len(entries) == 1
    entry = entries[0]
    assert entry["ENTRYTYPE"] == "article"
    assert entry["ID"] == "shin2020ketamine"
    assert entry["author"] == "Shin, Cheolmin and Kim, Yong-Ku and van Beethoven, Ludwig"
    assert entry["pages"] == "181--192"
    assert entry["doi"] == "10.30773/pi.2019.0236"
    assert entry["keywords"] == r"ketamine, pain \& mood"


def test_cite_bibtex_escapes_special_characters() -> None:
    text = cite.bibtex(HOSTILE)
    assert r"\{braces\} 100\%" in text
    assert bibtexparser.loads(text).entries[0]["title"].startswith("<script>")


def test_cite_ris_reads_back_with_rispy() -> None:
    (entry,) = rispy.loads(cite.ris(RECORD))
    assert entry["type_of_reference"] == "JOUR"
    assert entry["authors"] == ["Shin, Cheolmin", "Kim, Yong-Ku", "van Beethoven, Ludwig"]
    assert entry["start_page"] == "181"
    assert entry["end_page"] == "192"
    assert entry["doi"] == "10.30773/pi.2019.0236"


def test_cite_csl_json_is_a_list_with_the_item() -> None:
    (item,) = json.loads(cite.csl_json_text(RECORD))
    assert item["issued"] == {"date-parts": [[2020, 3, 15]]}
    assert item["author"][2] == {"family": "van Beethoven", "given": "Ludwig"}
    assert item["container-title"] == "Psychiatry Investigation"


def test_cite_collective_author_is_a_literal_name() -> None:
    record = Record(id="x", source="x", authors=(Author("COVID-19 Study Group"),))
    assert cite.csl_json(record)["author"] == [{"literal": "COVID-19 Study Group"}]


def test_cite_files_download_from_the_record(client: object) -> None:

    assert isinstance(client, AppClient)
    response = client.get("/cite/bibtex/doi:10.1016/j.neuropharm.2018.01.017")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="')
    assert response.text.startswith("@article{")
    assert client.get("/cite/endnote/doi:10.1016/j.neuropharm.2018.01.017").status_code == 404
