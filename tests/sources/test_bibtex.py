"""BibTeX: PubMed-derived entries, LaTeX text, names, pages, dates and broken entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.errors import EvimapError, MalformedRecord
from evimap.records import Record
from evimap.sources import bibtex, read_any
from evimap.sources._io import head

from ..conftest import DATA

FOLDER = DATA / "sources" / "bibtex"
EXPORT = FOLDER / "bibtex-biomedquery-pubmed-export.bib"


def records(data: Path | bytes) -> list[Record]:
    return [r for r in bibtex.read(data) if isinstance(r, Record)]


def export_text() -> str:
    return EXPORT.read_text(encoding="utf-8")


def test_bibtex_reads_both_pubmed_entries() -> None:
    first, second = records(EXPORT)
    assert first.title == "[Association of obesity in adults with allergic asthma]."
    assert second.journal is not None
    assert (second.journal.title, second.journal.volume, second.journal.issue) == (
        "J Am Assoc Nurse Pract",
        "25",
        "6",
    )
    assert (first.kind, first.published) == ("research_article", "2012")


def test_bibtex_pmid_comes_from_the_pubmed_url_and_the_citation_key_is_no_id() -> None:
    first = next(iter(read_any(EXPORT)))
    assert isinstance(first, Record)
    assert first.pmid == "24008025"
    assert first.ids == ("pmid:24008025",)


def test_bibtex_authors_are_split_on_and_and_kept_as_printed() -> None:
    assert [a.name for a in records(EXPORT)[0].authors] == [
        "Vega-Robledo, GB",
        "Valencia-Zavala, MP",
        "Sánchez-Olivas, M",
        "Velázquez-Sámano, G",
        "Rico-Rosillo, G",
    ]


def test_bibtex_converts_latex_accents_to_unicode() -> None:
    # The fixture's own names, with the accents written the LaTeX way as JabRef and
    # Google Scholar write them; no real biomedical .bib with LaTeX accents and a
    # permissive licence was found (see PROVENANCE.md).
    latex = (
        export_text()
        .replace("Sánchez", "S{\\'a}nchez")
        .replace("Velázquez-Sámano", "Vel\\'azquez-S{\\'{a}}mano")
    )
    names = [a.name for a in records(latex.encode())[0].authors]
    assert names[2:4] == ["Sánchez-Olivas, M", "Velázquez-Sámano, G"]


def test_bibtex_braced_corporate_author_stays_one_name() -> None:
    corporate = export_text().replace(
        "Rogge, MM and Merrill, E", "Rogge, MM and {Merrill and Associates Group}"
    )
    assert [a.name for a in records(corporate.encode())[1].authors] == [
        "Rogge, MM",
        "Merrill and Associates Group",
    ]


def test_bibtex_double_dash_pages_become_one_dash() -> None:
    dashed = export_text().replace("{173-9}", "{173--9}")
    journal = records(dashed.encode())[0].journal
    assert journal is not None
    assert journal.pages == "173-9"


def test_bibtex_month_macro_gives_month_precision() -> None:
    with_month = export_text().replace("year    = {2012},", "year    = {2012},\n  month   = dec,")
    assert records(with_month.encode())[0].published == "2012-12"


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("Garc{\\'\\i}a", "García"),
        ("P{\\textless}0.001 in 37.0\\% of cases", "P<0.001 in 37.0% of cases"),
        ("\\textit{Escherichia coli} strains", "Escherichia coli strains"),
        ("{ACEI} associated angioedema", "ACEI associated angioedema"),
        ('M{\\"u}ller~et al.', "Müller et al."),
    ],
)
def test_bibtex_latex_text_reads_as_printed(latex: str, text: str) -> None:
    assert bibtex.latex_text(latex) == text


def test_bibtex_unparseable_entry_goes_to_on_error_and_the_rest_comes() -> None:
    broken = export_text().replace("allergic asthma].},", "allergic asthma].,", 1)
    problems: list[EvimapError] = []
    read = list(bibtex.read(broken.encode(), origin="refs.bib", on_error=problems.append))
    assert [r.pmid for r in read if isinstance(r, Record)] == ["24170597"]
    assert isinstance(problems[0], MalformedRecord)
    assert (problems[0].file, problems[0].record) == ("refs.bib", "PMID:24008025")


def test_bibtex_entry_without_title_or_identifier_goes_to_on_error() -> None:
    anonymous = (
        export_text()
        .replace(
            "  title   = {Obesity education for nurse practitioners: perspectives from nurse "
            "practitioner faculty.},\n",
            "",
        )
        .replace("url     = {http://www.ncbi.nlm.nih.gov/pubmed/24170597},", "")
    )
    problems: list[EvimapError] = []
    assert len(list(bibtex.read(anonymous.encode(), on_error=problems.append))) == 1
    assert problems[0].record == "PMID:24170597"
    assert problems[0].reason == "entry has no title and no DOI, PMID or PMCID"


def test_bibtex_sniff_accepts_a_space_before_the_brace() -> None:
    assert bibtex.sniff(head(EXPORT))
    assert not bibtex.sniff(b"@string{jama = {JAMA}}\n@comment{nothing to read}\n")


def other_format_fixtures() -> list[Path]:
    return sorted(
        p
        for p in (DATA / "sources").glob("*/*")
        if p.parent.name != "bibtex"
        and p.is_file()
        and not p.name.endswith((".expected.jsonl", ".md"))
        and not p.name.startswith("LICENSE")
    )


@pytest.mark.parametrize("path", other_format_fixtures(), ids=lambda p: p.name)
def test_bibtex_sniff_rejects_other_formats(path: Path) -> None:
    assert not bibtex.sniff(head(path))
