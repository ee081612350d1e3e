"""Duplicate detection and merging (evimap.merge).

The records are written by hand from real works: Ezquerra-Romano et al., "Ketamine for the
treatment of addiction: Evidence and potential mechanisms", Neuropharmacology 2018;142:72-82
(the DOI is the one printed in ../shared/seeds/bilingual-abstract.txt), and Shin & Kim,
"Ketamine in major depressive disorder: Mechanisms and future perspectives", Psychiatry
Investigation 2020 (../shared/seeds/portal-record.txt), each as PubMed, a portal page or an
RIS export would give it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from evimap.merge import (
    duplicate_keys,
    has_conflicting_ids,
    is_duplicate,
    merge_duplicates,
    merged,
    title_key,
)
from evimap.records import (
    Author,
    CitationCount,
    Journal,
    Record,
    Section,
    Translation,
    with_identity,
)

ADDICTION_TITLE = "Ketamine for the treatment of addiction: Evidence and potential mechanisms."
ADDICTION_DOI = "10.1016/j.neuropharm.2018.01.017"
ADDICTION_PMID = "29339294"
ADDICTION_ABSTRACT = (
    "Ketamine is a dissociative anaesthetic drug which acts on the central nervous system "
    "chiefly through antagonism of the n-methyl-d-aspartate (NMDA) receptor."
)
MDD_TITLE = "Ketamine in major depressive disorder: Mechanisms and future perspectives"


def pubmed_addiction(**changes: Any) -> Record:
    record = Record(
        id=f"pmid:{ADDICTION_PMID}",
        source="pubmed",
        title=ADDICTION_TITLE,
        abstract=(Section(None, ADDICTION_ABSTRACT),),
        authors=(Author("Ezquerra-Romano II"), Author("Lawn W")),
        journal=Journal("Neuropharmacology", "142", None, "72-82"),
        published="2018-11",
        doi=ADDICTION_DOI,
        pmid=ADDICTION_PMID,
        language="en",
        publication_types=("Journal Article", "Review"),
    )
    return with_identity(dataclasses.replace(record, **changes))


def ris_addiction(**changes: Any) -> Record:
    record = Record(
        id="ris:1",
        source="ris",
        title="Ketamine for the treatment of addiction: Evidence and potential mechanisms",
        authors=(Author("Ezquerra-Romano II", ("University College London",)),),
        published="2018",
        doi=ADDICTION_DOI.upper(),
        keywords=("Addiction", "Ketamine"),
    )
    return with_identity(dataclasses.replace(record, **changes))


def page_mdd(**changes: Any) -> Record:
    record = Record(
        id="",
        source="page",
        title=MDD_TITLE,
        body="Major depressive disorder (MDD) is a serious psychiatric illness.",
        published="2020-03",
        kind="review",
        url="https://example.org/portal/ketamine-in-mdd",
    )
    return with_identity(dataclasses.replace(record, **changes))


def test_duplicate_keys_lists_identifiers_and_title() -> None:
    keys = duplicate_keys(pubmed_addiction(pmcid="PMC0000001", nct_id="NCT00000001"))
    assert keys == {
        f"pmid:{ADDICTION_PMID}",
        f"doi:{ADDICTION_DOI}",
        "pmcid:PMC0000001",
        "nct:NCT00000001",
        "title:ketamine for the treatment of addiction evidence and potential mechanisms|2018",
    }


def test_merge_by_doi_ignores_case() -> None:
    pubmed, ris = pubmed_addiction(), ris_addiction()
    assert is_duplicate(pubmed, ris)
    assert len(merge_duplicates([ris, pubmed])) == 1


def test_merge_by_pmid() -> None:
    europepmc = pubmed_addiction(source="europepmc", doi=None, title=None, published=None)
    assert duplicate_keys(europepmc) == {f"pmid:{ADDICTION_PMID}"}
    (only,) = merge_duplicates([pubmed_addiction(), europepmc])
    assert only.sources == ("pubmed", "europepmc")


def test_merge_by_title_and_year_of_pubmed_translated_title() -> None:
    pubmed = page_mdd(
        source="pubmed", pmid="32209965", title=f"[{MDD_TITLE}].", body=None, url=None
    )
    page = page_mdd()
    assert title_key(pubmed) == title_key(page)
    assert title_key(page) == (
        "title:ketamine in major depressive disorder mechanisms and future perspectives|2020"
    )
    assert is_duplicate(page, pubmed)


def test_title_key_needs_a_year() -> None:
    assert title_key(page_mdd(published=None)) is None
    assert title_key(page_mdd(published=None, epublished="2020-02-25")) is not None


def test_conflicting_pmids_never_merge() -> None:
    first = page_mdd(pmid="32209965")
    second = page_mdd(pmid="32209966")
    assert title_key(first) == title_key(second)
    assert has_conflicting_ids(first, second)
    assert not is_duplicate(first, second)
    assert len(merge_duplicates([first, second])) == 2


def test_same_pmid_merges_despite_a_corrected_doi() -> None:
    assert is_duplicate(pubmed_addiction(), pubmed_addiction(doi="10.1016/j.other.2018.01.017"))


def test_short_generic_titles_never_merge() -> None:
    editorial_a = page_mdd(title="Editorial.", body="One journal's editorial.")
    editorial_b = page_mdd(title="Editorial", body="Another journal's editorial.")
    assert title_key(editorial_a) is None
    assert not is_duplicate(editorial_a, editorial_b)
    assert len(merge_duplicates([editorial_a, editorial_b])) == 2


def test_trial_registration_never_merges_with_the_article_reporting_it() -> None:
    registration = with_identity(
        Record(id="", source="ctgov", nct_id="NCT02418195", kind="trial_registration")
    )
    article = pubmed_addiction(nct_id="NCT02418195", kind="research_article")
    assert "nct:NCT02418195" in duplicate_keys(registration) & duplicate_keys(article)
    assert not is_duplicate(registration, article)


def test_merged_keeps_identifiers_of_both_sources() -> None:
    page = page_mdd()
    pubmed = page_mdd(source="pubmed", pmid="32209965", doi="10.30773/pi.2019.0236", body=None)
    both = merged(page, pubmed)
    assert set(both.ids) >= {page.id, "pmid:32209965", "doi:10.30773/pi.2019.0236"}
    assert both.sources == ("page", "pubmed")


def test_canonical_id_follows_pmid_whichever_comes_first() -> None:
    page, pubmed = page_mdd(), page_mdd(source="pubmed", pmid="32209965", body=None)
    assert page.id.startswith("sha1:")
    assert merged(page, pubmed).id == "pmid:32209965"
    assert merged(pubmed, page).id == "pmid:32209965"


def test_merged_takes_first_scalars_and_fills_gaps_from_second() -> None:
    both = merged(ris_addiction(), pubmed_addiction())
    assert both.title == ris_addiction().title
    assert both.journal == Journal("Neuropharmacology", "142", None, "72-82")
    assert both.abstract == (Section(None, ADDICTION_ABSTRACT),)
    assert both.published == "2018"


def test_merged_unites_authors_by_name_with_their_affiliations() -> None:
    both = merged(pubmed_addiction(), ris_addiction())
    assert both.authors == (
        Author("Ezquerra-Romano II", ("University College London",)),
        Author("Lawn W"),
    )


def test_merged_keeps_two_authors_who_print_the_same_name() -> None:
    twins = (Author("Wang Y", ("Beijing",)), Author("Wang Y", ("Shanghai",)))
    first = pubmed_addiction(authors=twins)
    assert merged(first, pubmed_addiction(authors=(Author("Wang Y"),))).authors == twins


def test_merged_unites_translations_by_language() -> None:
    chinese = Translation("zh", None, (Section(None, "氯胺酮是一种分离麻醉剂"),))
    both = merged(pubmed_addiction(), ris_addiction(translations=(chinese,)))
    assert both.translations == (chinese,)


def test_merge_duplicates_bridges_groups_and_keeps_first_appearance_order() -> None:
    other = page_mdd()
    by_title = ris_addiction(doi=None)
    by_doi = pubmed_addiction(title=None, pmid=None)
    bridge = pubmed_addiction()
    out = merge_duplicates([by_title, other, by_doi, bridge])
    assert [r.id for r in out] == [f"pmid:{ADDICTION_PMID}", other.id]


# --- the laws the store's idempotence rests on ------------------------------------------

small_text = st.sampled_from(["", "a", "b", "Ketamine", "氯胺酮"]) | st.none()
names = st.sampled_from(["Wang Y", "Smith J", "Li X"])
affiliations = st.lists(st.sampled_from(["UCL", "NeuRA", "UNSW"]), max_size=2).map(tuple)
sections = st.lists(st.builds(Section, small_text, st.sampled_from(["x", "y"])), max_size=2)
records = st.builds(
    Record,
    id=st.sampled_from(["", "ris:1", "sha1:aa", "sha1:bb"]),
    source=st.sampled_from(["pubmed", "page", "ris"]),
    title=small_text,
    abstract=sections.map(tuple),
    body=small_text,
    language=small_text,
    translations=st.lists(
        st.builds(Translation, st.sampled_from(["zh", "es"]), small_text, sections.map(tuple)),
        max_size=3,
    ).map(tuple),
    authors=st.lists(st.builds(Author, names, affiliations), max_size=4).map(tuple),
    affiliations=affiliations,
    journal=st.none() | st.builds(Journal, small_text, small_text, small_text, small_text),
    published=st.sampled_from([None, "", "2018", "2020-03"]),
    doi=st.sampled_from([None, "10.1/A", "10.1/a", "10.2/b"]),
    pmid=st.sampled_from([None, "", "1", "2"]),
    pmcid=st.sampled_from([None, "PMC1"]),
    nct_id=st.sampled_from([None, "NCT1"]),
    keywords=st.lists(st.sampled_from(["k1", "k2", "k3"]), max_size=3).map(tuple),
    citation_count=st.none() | st.builds(CitationCount, st.integers(0, 3), small_text),
    kind=st.sampled_from([None, "news", "trial_registration"]),
    peer_reviewed=st.none() | st.booleans(),
    sources=st.lists(st.sampled_from(["pubmed", "page"]), max_size=2).map(tuple),
    ids=st.lists(st.sampled_from(["sha1:cc", "pmid:9", "doi:10.9/Z"]), max_size=2).map(tuple),
)


@given(records)
def test_merged_with_itself_is_itself(record: Record) -> None:
    identified = with_identity(record)
    assert merged(identified, identified) == identified


@given(records, records)
def test_merging_the_second_again_changes_nothing(first: Record, second: Record) -> None:
    once = merged(first, second)
    assert merged(once, second) == once


@given(records, records)
def test_merging_the_first_again_changes_nothing(first: Record, second: Record) -> None:
    once = merged(first, second)
    assert merged(once, first) == once


@given(st.lists(records, max_size=6))
def test_merge_duplicates_loses_no_identifier(batch: list[Record]) -> None:
    out = merge_duplicates(batch)
    kept = {i for r in out for i in r.ids}
    assert {i for r in batch for i in with_identity(r).identifiers() if ":" in i} <= kept


@given(st.lists(records, max_size=8))
def test_merge_duplicates_of_its_own_output_changes_nothing(batch: list[Record]) -> None:
    once = merge_duplicates(batch)
    assert merge_duplicates(once) == once
