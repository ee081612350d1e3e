"""PMC JATS full text: article sets, abstracts, translations, authors, body, safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.errors import EvimapError, MalformedRecord
from evimap.records import Record, Section, Translation
from evimap.sources import jats
from evimap.sources._io import head

from ..conftest import DATA

FOLDER = DATA / "sources" / "jats"
ARTICLESET = FOLDER / "jats-efetch-pmc-articleset-correction.xml"
BMC = FOLDER / "jats-pmc-bmc-microbiology-1471-2180-11-174.nxml"
PLOS = FOLDER / "jats-pmc-plos-one-pone.0046493.nxml"
SCIELO = FOLDER / "jats-scielo-rsp-trans-abstract.xml"


def article(data: Path | bytes) -> Record:
    items = list(jats.read(data))
    assert len(items) == 1
    assert isinstance(items[0], Record)
    return items[0]


def test_jats_reads_the_article_of_an_efetch_articleset() -> None:
    record = article(ARTICLESET)
    assert (record.pmid, record.pmcid, record.doi) == (
        "34527728",
        "PMC8435807",
        "10.1183/23120541.50193-2021",
    )
    assert record.kind == "correction"
    assert record.abstract == ()
    assert record.body is not None
    assert record.body.endswith("has now been corrected to \u221215.1% in the published article.")


def test_jats_keeps_the_spaces_around_italics() -> None:
    record = article(PLOS)
    assert record.title == (
        "MmPPOX Inhibits Mycobacterium tuberculosis Lipolytic Enzymes Belonging to the "
        "Hormone-Sensitive Lipase Family and Alters Mycobacterial Growth"
    )
    assert (
        "the lifetime of Mycobacterium tuberculosis, the causative agent" in record.abstract[0].text
    )


def test_jats_abstract_sections_are_labelled_by_their_titles() -> None:
    assert [s.label for s in article(BMC).abstract] == ["Background", "Results", "Conclusions"]
    assert [s.label for s in article(PLOS).abstract] == [None]


def test_jats_trans_abstract_and_trans_title_are_a_translation() -> None:
    record = article(SCIELO)
    assert record.language == "en"
    (translation,) = record.translations
    assert isinstance(translation, Translation)
    assert translation.language == "pt"
    assert translation.title == (
        "Conhecimento de HIV/Aids entre homens que fazem sexo com homens: "
        "teoria de resposta ao item"
    )
    assert [s.label for s in translation.abstract] == [
        "OBJETIVO",
        "MÉTODOS",
        "RESULTADOS",
        "CONCLUSÕES",
    ]
    assert "abstract:pt" in record.texts()


def test_jats_escaped_less_than_in_an_abstract_is_text() -> None:
    results = article(SCIELO).abstract[2]
    assert results.label == "RESULTS"
    assert "very low discrimination parameter (< 0.34)." in results.text


def test_jats_authors_get_the_affiliations_their_xrefs_point_to() -> None:
    first, second = article(BMC).authors[:2]
    assert first.name == "Dennehy, John J"
    assert len(first.affiliations) == 2
    assert second.affiliations == (
        "Department of Biological Sciences, University at Albany, 1400 Washington Avenue, "
        "Albany, NY 12222, USA",
    )


def test_jats_scielo_affiliation_is_its_original_printed_text() -> None:
    gomes = article(SCIELO).authors[0]
    assert gomes.name == "Gomes, Raquel Regina de Freitas Magalhães"
    assert gomes.affiliations[0] == (
        "Secretaria Municipal de Saúde de Belo Horizonte. Belo Horizonte, MG, Brasil"
    )


def test_jats_editor_is_not_an_author() -> None:
    names = [a.name for a in article(PLOS).authors]
    assert len(names) == 9
    assert not any(name.startswith("Manganelli") for name in names)


def test_jats_dates_identifiers_and_pages() -> None:
    record = article(PLOS)
    assert (record.published, record.epublished) == ("2012", "2012-09-28")
    assert record.pmcid == "PMC3460867"
    assert record.journal is not None
    assert (record.journal.title, record.journal.volume, record.journal.pages) == (
        "PLoS ONE",
        "7",
        "e46493",
    )
    scielo = article(SCIELO)
    assert scielo.published == "2014-04"
    assert scielo.journal is not None
    assert scielo.journal.pages == "206-215"


def test_jats_keywords_are_those_in_the_article_language() -> None:
    assert article(SCIELO).keywords == (
        "Homosexuality, Male",
        "Risk Groups",
        "Health Knowledge, Attitudes, Practice",
        "Acquired Immunodeficiency Syndrome, prevention & control",
        "Multicenter Study",
    )


def test_jats_heading_subject_is_a_publication_type_and_disciplines_are_subject_areas() -> None:
    record = article(PLOS)
    assert record.publication_types == ("Research Article",)
    assert record.subject_areas[:3] == ("Biology", "Biochemistry", "Enzymes")
    assert record.kind == "research_article"


def test_jats_body_has_section_titles_and_one_paragraph_per_line() -> None:
    body = article(BMC).body
    assert body is not None
    lines = body.split("\n")
    assert lines[0] == "Background"
    assert lines[1].startswith("Some phenotypic variation arises from randomness")
    assert "Conclusions" in lines


def test_jats_pretty_printing_does_not_break_body_lines() -> None:
    body = article(SCIELO).body
    assert body is not None
    assert body.split("\n")[1].startswith("Brazil has adopted the Declaration of Commitment")
    assert len(body.split("\n")) == 6


def test_jats_attachments_and_their_empty_section_are_left_out_of_the_body() -> None:
    body = article(PLOS).body
    assert body is not None
    assert "Supporting Information" not in body
    assert body.endswith("M. tuberculosis and M. bovis BCG growth.")


def test_jats_malformed_xml_names_the_file_and_line() -> None:
    cut = BMC.read_bytes()[:3000]
    with pytest.raises(MalformedRecord) as caught:
        list(jats.read(cut, origin="cut.nxml"))
    assert caught.value.file == "cut.nxml"
    assert "line 2" in caught.value.reason


def test_jats_never_expands_an_external_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    text = ARTICLESET.read_text(encoding="utf-8")
    doctype = f'<!DOCTYPE pmc-articleset [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    hostile = text.replace(text[text.index("<!DOCTYPE") : text.index("<pmc-articleset>")], doctype)
    hostile = hostile.replace("<italic>ERJ Open Res</italic>", "&leak;")
    record = article(hostile.encode())
    assert record.title is not None
    assert "TOP-SECRET" not in record.title


def test_jats_billion_laughs_is_refused_not_expanded() -> None:
    laughs = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<!DOCTYPE pmc-articleset [<!ENTITY lol0 "lol">{laughs}]>'
    text = ARTICLESET.read_text(encoding="utf-8")
    hostile = text.replace(text[text.index("<!DOCTYPE") : text.index("<pmc-articleset>")], doctype)
    hostile = hostile.replace("<italic>ERJ Open Res</italic>", "&lol9;")
    with pytest.raises(MalformedRecord) as caught:
        list(jats.read(hostile.encode(), origin="laughs.xml"))
    assert caught.value.file == "laughs.xml"


def test_jats_article_without_title_or_identifier_goes_to_on_error() -> None:
    text = ARTICLESET.read_text(encoding="utf-8")
    start, end = text.index("<article-id"), text.index("<article-version")
    anonymous = text[:start] + text[end:]
    anonymous = (
        anonymous[: anonymous.index("<title-group>")]
        + anonymous[anonymous.index("</title-group>") + len("</title-group>") :]
    )
    problems: list[EvimapError] = []
    assert list(jats.read(anonymous.encode(), origin="set.xml", on_error=problems.append)) == []
    assert isinstance(problems[0], MalformedRecord)
    assert (problems[0].file, problems[0].record) == ("set.xml", "article 1")


def test_jats_parse_abstract_of_plain_text_is_one_section() -> None:
    assert jats.parse_abstract(None) == ()
    from lxml import etree

    node = etree.fromstring(
        b"<abstract><title>Abstract</title>Text <italic>E. coli</italic> kept.</abstract>"
    )
    assert jats.parse_abstract(node) == (Section(None, "Text E. coli kept."),)


def test_jats_sniff_rejects_pubmed_xml(shared: Path) -> None:
    pubmed = shared / "data" / "pubmed_formats" / "biopython_entrez" / "pubmed1.xml"
    assert not jats.sniff(head(pubmed))


def other_format_fixtures() -> list[Path]:
    return sorted(
        p
        for p in (DATA / "sources").glob("*/*")
        if p.parent.name != "jats"
        and p.is_file()
        and not p.name.endswith((".expected.jsonl", ".md"))
        and not p.name.startswith("LICENSE")
    )


@pytest.mark.parametrize("path", other_format_fixtures(), ids=lambda p: p.name)
def test_jats_sniff_rejects_other_formats(path: Path) -> None:
    assert not jats.sniff(head(path))
