"""The page reader: news stories, PubMed-style abstract pages and Pure portal records,
as copied text or saved HTML. One behaviour per test, read through `read_any` as users
read them; the small pages written here are for behaviour only (the goldens are the real
files in tests/data/sources/page/)."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest

from evimap.errors import EmptyInput, EncodingError, InputError, MalformedRecord
from evimap.records import Author, CitationCount, Journal, Record, Section, record_json
from evimap.sources import detect_source, page, read_any
from evimap.sources._fields import printed_date
from evimap.sources._io import head
from evimap.sources._page_citation import parse_citation
from evimap.sources._page_lines import same_text
from evimap.sources._page_portal import parse_output_type

from ..conftest import DATA, REPO

SEEDS = REPO / "data" / "seeds"
NEWS = SEEDS / "news-page.txt"
ABSTRACT = SEEDS / "bilingual-abstract.txt"
PORTAL = SEEDS / "portal-record.txt"
PAGES = DATA / "sources" / "page"
HOSTILE = PAGES / "page-hostile-script-onerror.html"
PHYSORG = PAGES / "page-news-physorg-neanderthal-tar.html"
PMC = PAGES / "page-pmc-article-genbank-nar.html"

RELATED_HEADLINES = (
    "Revolutionary mRNA Vaccine Technology Developed to Combat Antibiotic-Resistant Bacteria",
    "Majority of UK Hospitals Not Screening Older Surgical Patients for Frailty",
    "Potential Risks of Carotid Plaque Progression Over Time",
    "Expanding Definitions of Care: Nontraditional Caregivers Take Center Stage in Dementia "
    "Support",
)


def one(data: Path | bytes, origin: str | None = None) -> Record:
    items = list(read_any(data, origin=origin))
    assert len(items) == 1
    record = items[0]
    assert isinstance(record, Record)
    return record


def read_page(path: Path) -> Record:
    """The page reader's own record, before `read_any` adds identity and language."""
    (record,) = page.read(path)
    assert isinstance(record, Record)
    return record


def all_text(record: Record) -> str:
    return "\n".join(record.texts().values())


# --- the news seed ---------------------------------------------------------------------


def test_page_news_seed_gives_title_standfirst_and_source_link() -> None:
    record = one(NEWS)
    assert record.source == "page"
    assert record.kind == "news"
    assert record.title == (
        "Review Finds Lack of Evidence Supporting Ketamine for Chronic Pain Treatment"
    )
    assert record.abstract == (
        Section(
            None,
            "A new review reveals little scientific support for ketamine's effectiveness in "
            "treating chronic pain and highlights potential risks involved. Experts call for "
            "more high-quality trials to clarify its safety and benefits.",
        ),
    )
    assert record.cites_url == (
        "https://medicalxpress.com/news/2025-08-ketamine-chronic-pain-unsupported-evidence.html"
    )


def test_page_news_seed_body_is_the_six_story_paragraphs() -> None:
    body = one(NEWS).body or ""
    paragraphs = body.split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("Recent research has cast doubt on the effectiveness")
    assert paragraphs[-1].endswith("whether it has any true clinical benefit.")


@pytest.mark.parametrize(
    "chrome",
    [
        "Mia's Feed",
        "Medical News & Research",
        "Share this article",
        "2 min read",
        "Source:",
        "medicalxpress.com",
        "Stay Updated",
        "Get the latest health & wellness insights",
        "How often would you like updates?",
        "We respect your privacy",
        "Related Articles",
        "A new review reveals little scientific support",
    ],
)
def test_page_news_seed_body_has_no_site_chrome(chrome: str) -> None:
    assert chrome not in (one(NEWS).body or "")


def test_page_news_seed_related_headlines_and_blurbs_are_absent() -> None:
    text = all_text(one(NEWS))
    for headline in RELATED_HEADLINES:
        assert headline not in text
    for blurb in ("mRNA vaccine against", "screen older surgical", "carotid artery", "caregivers"):
        assert blurb not in text


def test_page_news_seed_title_is_not_repeated_in_the_body() -> None:
    record = one(NEWS)
    assert record.title
    assert record.title not in (record.body or "")


def test_page_reader_leaves_language_to_detection_unless_the_page_states_it() -> None:
    assert read_page(NEWS).language is None
    assert read_page(PORTAL).language == "en"
    assert one(NEWS).language == "en"


# --- the abstract-page seed ------------------------------------------------------------


def test_page_abstract_seed_gives_affiliations_without_authors() -> None:
    record = one(ABSTRACT)
    assert record.authors == ()
    assert record.affiliations == (
        "Department of Neuroscience, Physiology and Pharmacology, University College London, "
        "Gower Street, London, UK.",
        "Clinical Psychopharmacology Unit, University College London, Gower Street, London, UK.",
    )


def test_page_abstract_seed_parses_the_citation_line() -> None:
    record = one(ABSTRACT)
    assert record.journal == Journal("Neuropharmacology", "142", None, "72-82")
    assert record.published == "2018-11"
    assert record.epublished == "2018-01-12"
    assert record.doi == "10.1016/j.neuropharm.2018.01.017"
    assert record.id == "doi:10.1016/j.neuropharm.2018.01.017"
    assert record.kind == "research_article"


def test_page_abstract_seed_keeps_the_english_abstract_and_its_chinese_translation() -> None:
    record = one(ABSTRACT)
    assert len(record.abstract) == 1
    assert record.abstract[0].label is None
    assert record.abstract[0].text.startswith("Ketamine is a dissociative anaesthetic drug")
    assert record.abstract[0].text.endswith("'Psychedelics: New Doors, Altered Perceptions'.")
    assert [t.language for t in record.translations] == ["zh"]
    (chinese,) = record.translations[0].abstract
    assert chinese.label is None
    assert chinese.text.startswith("氯胺酮是一种分离麻醉剂")
    assert "氯胺酮" not in record.abstract[0].text


# --- the portal seed -------------------------------------------------------------------


def test_page_portal_seed_gives_the_record_fields() -> None:
    record = one(PORTAL)
    assert (
        record.title == "Ketamine in major depressive disorder: Mechanisms and future perspectives"
    )
    assert record.authors == (Author("Cheolmin Shin"), Author("Yong Ku Kim"))
    assert record.kind == "review"
    assert record.peer_reviewed is True
    assert record.citation_count == CitationCount(20, "Scopus")
    assert record.language == "en"
    assert record.journal == Journal("Psychiatry Investigation", None, "3", "181-192")
    assert record.published == "2020-03"


def test_page_portal_seed_separates_keywords_from_subject_areas() -> None:
    record = one(PORTAL)
    assert record.keywords == (
        "Antidepressant",
        "Ketamine",
        "Major depressive disorder",
        "N-Methyl-D-aspartic acid (NMDA) receptor antagonist",
    )
    assert record.subject_areas == ("Psychiatry and Mental health", "Biological Psychiatry")


def test_page_portal_seed_abstract_is_the_paragraph_only() -> None:
    lines = PORTAL.read_text(encoding="utf-8").splitlines()
    paragraph = next(line.strip() for line in lines if "Major depressive disorder (MDD)" in line)
    assert paragraph.endswith("such as dissociative or psychotomimetic effects.")
    record = one(PORTAL)
    assert record.abstract == (Section(None, paragraph),)
    assert record.body is None
    for chrome in ("Bibliographical note", "Publisher Copyright", "©", "fingerprint", "Cite"):
        assert chrome not in all_text(record)


# --- other pages of the same families --------------------------------------------------

OTHER_NEWS_SITE = """\
Skip to main content
HealthWire
Menu

Low-dose lithium slowed memory loss in a small trial

By Jane Doe | Published March 3, 2024

Listen to this article
4 min read

Share
Facebook Twitter Email

Older adults with mild cognitive impairment who took a low dose of lithium for two years \
lost less memory than those given a placebo, according to a trial of 80 people published \
on Monday.

Advertisement

The researchers said larger trials were needed before doctors could recommend the \
treatment, and warned that lithium needs careful monitoring of kidney function.

Read more: Why memory clinics are overwhelmed

Photo: A pharmacist counts tablets. (Getty Images)

"This is encouraging, but it is not yet a reason to prescribe," said a neurologist who \
was not involved in the study.

Original study: https://doi.org/10.5555/example.2024.0001

Sign up for our weekly health newsletter
Email address
Subscribe

Related stories
New blood test spots Alzheimer's years early
Walking 4,000 steps a day linked to longer life
Why sleep matters more as we age

Comments (12)
"""


def test_page_news_from_another_site_drops_its_own_chrome() -> None:
    record = one(OTHER_NEWS_SITE.encode(), origin="healthwire.txt")
    assert record.title == "Low-dose lithium slowed memory loss in a small trial"
    paragraphs = (record.body or "").split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Older adults with mild cognitive impairment")
    assert paragraphs[2].startswith('"This is encouraging')
    assert record.cites_url == "https://doi.org/10.5555/example.2024.0001"
    for chrome in (
        "HealthWire",
        "Jane Doe",
        "min read",
        "Facebook",
        "Advertisement",
        "Read more",
        "Photo:",
        "newsletter",
        "Subscribe",
        "Related",
        "Comments",
        "blood test",
        "4,000 steps",
        "sleep matters",
    ):
        assert chrome not in all_text(record)


def test_page_news_keeps_a_story_that_continues_after_a_widget_heading() -> None:
    text = (
        "Drug slows a blinding eye disease\n\n"
        "An experimental drug slowed the loss of sight in older adults with a common eye "
        "disease, researchers reported on Wednesday in a study of 129 patients.\n\n"
        "You might be interested in...\n\n"
        "Why would an immune gene matter?\n\n"
        "One arm of the immune system helps fight infections by attracting immune cells to "
        "attack bacteria, and it can harm the retina when it runs out of control.\n\n"
        "Normally a barrier keeps those cells away from the retina, but the barrier can "
        "break down with age and expose sensitive eye cells, the researchers explained.\n"
    )
    body = one(text.encode()).body or ""
    assert "Normally a barrier keeps those cells away" in body
    assert "You might be interested in" not in body


def test_page_news_standfirst_is_the_paragraph_above_the_byline() -> None:
    text = (
        "Statins cut heart deaths among men, study shows\n\n"
        "The longest study of its kind says current prescribing guidelines are right and "
        "that statins bring lasting benefits\n\n"
        "By Sarah Boseley, health editor\n\n"
        "Men with high cholesterol who took a statin for five years were 28% less likely to "
        "die of heart disease over the following twenty years, a study has found.\n\n"
        "The researchers followed more than 6,000 men in the west of Scotland from the 1990s "
        "onwards, using health records to track what happened to them.\n"
    )
    record = one(text.encode())
    assert record.abstract == (
        Section(
            None,
            "The longest study of its kind says current prescribing guidelines are right and "
            "that statins bring lasting benefits",
        ),
    )
    assert (record.body or "").startswith("Men with high cholesterol")
    assert "Sarah Boseley" not in (record.body or "")


def test_page_news_press_release_ends_at_its_end_mark() -> None:
    text = (
        "Trial of nasal ketamine meets its main goal\n\n"
        "A phase 3 trial of a nasal ketamine spray met its main goal, reducing depression "
        "scores more than placebo after four weeks, the company said on Tuesday.\n\n"
        "The company plans to file for approval next year after a second trial reads out.\n\n"
        "###\n\n"
        "About Example Pharma\n\n"
        "Example Pharma develops medicines for disorders of the brain and is based in Boston, "
        "with offices in London and Basel and a staff of more than four hundred.\n"
    )
    body = one(text.encode()).body or ""
    assert body.endswith("after a second trial reads out.")
    assert "Example Pharma develops" not in body


OTHER_ABSTRACT_PAGE = """\
Randomized Controlled Trial
J Example Psychiatry. 2020 Mar 5;17(3):181-192. doi: 10.5555/jep.2020.017. Epub 2020 Feb 28.
Ketamine for treatment-resistant depression: a randomized trial
Jane Q Smith 1, Rahul K Gupta 2
Affiliations
1 Department of Psychiatry, Example University Hospital, Seoul, Korea.
2 Institute of Mental Health, Example University, Mumbai, India.
PMID: 99999999
Abstract
Background: Treatment-resistant depression is common and disabling, and few treatments \
help the people who have it.
Methods: We randomly assigned 60 adults to six infusions of ketamine or of midazolam over \
three weeks.
Results: Depression scores fell more with ketamine than with midazolam at three weeks.
Conclusions: Repeated ketamine infusions reduced depressive symptoms over three weeks.
Keywords: depression; ketamine; randomized controlled trial.
Similar articles
Ketamine and esketamine for depression: a review
"""


def test_page_abstract_page_with_day_issue_and_labelled_sections() -> None:
    record = one(OTHER_ABSTRACT_PAGE.encode(), origin="abstract.txt")
    assert record.title == "Ketamine for treatment-resistant depression: a randomized trial"
    assert record.authors == (Author("Jane Q Smith"), Author("Rahul K Gupta"))
    assert record.affiliations == (
        "Department of Psychiatry, Example University Hospital, Seoul, Korea.",
        "Institute of Mental Health, Example University, Mumbai, India.",
    )
    assert record.journal == Journal("J Example Psychiatry", "17", "3", "181-192")
    assert (record.published, record.epublished) == ("2020-03-05", "2020-02-28")
    assert (record.doi, record.pmid) == ("10.5555/jep.2020.017", "99999999")
    assert [s.label for s in record.abstract] == ["Background", "Methods", "Results", "Conclusions"]
    assert record.keywords == ("depression", "ketamine", "randomized controlled trial")
    assert record.publication_types == ("Randomized Controlled Trial",)
    assert record.kind == "research_article"
    assert "esketamine" not in all_text(record)


PUBMED_LAYOUT_PAGE = """\
Review
J Example Pharmacol
. 2018 Nov:142:72-82.
doi: 10.5555/jep.2018.01.017. Epub 2018 Jan 12.
Ketamine for the treatment of addiction: evidence and mechanisms
Ann Example 1, Bo Sample 2
Affiliations
expand
1 Department of Pharmacology, Example University, London, UK.
2 Clinical Psychopharmacology Unit, Example University, London, UK.
PMID: 99999998
DOI: 10.5555/jep.2018.01.017
Abstract
Ketamine is a dissociative anaesthetic that acts on the central nervous system chiefly \
through antagonism of the NMDA receptor, and it has drawn attention as a rapid-acting \
antidepressant.
Keywords: Addiction; Alcohol; Ketamine.
Copyright © 2018 Elsevier Ltd. All rights reserved.
Similar articles
Ketamine for depression. Smith J. Lancet. 2019 Jan;393:1-2.
Publication types
Review
Research Support, Non-U.S. Gov't
MeSH terms
Humans
Ketamine / therapeutic use*
"""


def test_page_abstract_page_in_pubmed_layout_reads_the_lists_after_similar_articles() -> None:
    record = one(PUBMED_LAYOUT_PAGE.encode(), origin="pubmed-layout.txt")
    assert record.journal == Journal("J Example Pharmacol", "142", None, "72-82")
    assert (record.doi, record.pmid, record.epublished) == (
        "10.5555/jep.2018.01.017",
        "99999998",
        "2018-01-12",
    )
    assert record.title == "Ketamine for the treatment of addiction: evidence and mechanisms"
    assert record.authors == (Author("Ann Example"), Author("Bo Sample"))
    assert len(record.affiliations) == 2
    assert record.publication_types == ("Review", "Research Support, Non-U.S. Gov't")
    assert record.mesh_terms == ("Humans", "Ketamine / therapeutic use")
    assert record.keywords == ("Addiction", "Alcohol", "Ketamine")
    assert record.kind == "review"
    assert "Smith J" not in all_text(record)
    assert "Copyright" not in all_text(record)


@pytest.mark.parametrize(
    ("line", "journal", "published", "volume", "issue", "pages", "doi", "epublished"),
    [
        (
            "Neuropharmacology. 2018 Nov;142:72-82. doi: 10.1016/j.neuropharm.2018.01.017. "
            "Epub 2018 Jan 12.",
            "Neuropharmacology",
            "2018-11",
            "142",
            None,
            "72-82",
            "10.1016/j.neuropharm.2018.01.017",
            "2018-01-12",
        ),
        (
            "Neuropharmacology. 2018 Nov:142:72-82.",
            "Neuropharmacology",
            "2018-11",
            "142",
            None,
            "72-82",
            None,
            None,
        ),
        (
            "Psychiatry Investig. 2020 Mar;17(3):181-192. doi: 10.30773/pi.2019.0236. Epub 2020 "
            "Mar 12.",
            "Psychiatry Investig",
            "2020-03",
            "17",
            "3",
            "181-192",
            "10.30773/pi.2019.0236",
            "2020-03-12",
        ),
        (
            "Cochrane Database Syst Rev. 2025 Aug 5;8(8):CD015373.",
            "Cochrane Database Syst Rev",
            "2025-08-05",
            "8",
            "8",
            "CD015373",
            None,
            None,
        ),
        ("BMJ. 2021 Jan 5;372:n71.", "BMJ", "2021-01-05", "372", None, "n71", None, None),
        (
            "Lancet. 2020 Nov-Dec;396(10261):1-2.",
            "Lancet",
            "2020-11",
            "396",
            "10261",
            "1-2",
            None,
            None,
        ),
        (
            "J Clin Psychiatry. 2019;80(2):18m12345.",
            "J Clin Psychiatry",
            "2019",
            "80",
            "2",
            "18m12345",
            None,
            None,
        ),
    ],
)
def test_page_parses_pubmed_citation_line_variants(
    line: str,
    journal: str,
    published: str,
    volume: str,
    issue: str | None,
    pages: str,
    doi: str | None,
    epublished: str | None,
) -> None:
    citation = parse_citation(line)
    assert citation is not None
    assert (citation.journal, citation.published, citation.volume, citation.issue) == (
        journal,
        published,
        volume,
        issue,
    )
    assert (citation.pages, citation.doi, citation.epublished) == (pages, doi, epublished)


@pytest.mark.parametrize(
    "line",
    [
        "Recent research has cast doubt on the effectiveness. 2018 was a year.",
        "Smith AC, Jones E. Impact of cherries on the gut. J Nutr Biochem. 2018;59:160-172.",
        "Source: https://medicalxpress.com/news/2025-08-ketamine.html",
    ],
)
def test_page_citation_pattern_rejects_prose_and_references(line: str) -> None:
    assert parse_citation(line) is None


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("2018 Nov", "2018-11"),
        ("15 Mar 2020", "2020-03-15"),
        ("March 5, 2020", "2020-03-05"),
        ("2007/12/15", "2007-12-15"),
        ("09/14/2007", "2007-09-14"),
        ("2019-10-22T09:30:34-04:00", "2019-10-22"),
        ("2018 Winter", "2018"),
        ("Sept 2019", "2019-09"),
        ("2019-13", None),
        ("next Tuesday", None),
    ],
)
def test_page_dates_are_as_precise_as_printed(printed: str, iso: str | None) -> None:
    assert printed_date(printed) == iso


OTHER_PORTAL_PAGE = """\
Intranasal esketamine for suicidal ideation: a pooled analysis

Ann Example, Bo Sample

Research output: Contribution to journal \u203a Article \u203a Research \u203a peer-review

7 Citations (Web of Science)

Overview

Abstract

Suicidal ideation is common in major depressive disorder and hard to treat quickly, so we \
pooled two trials to see whether esketamine changed it within a day of the first dose.

Original languageEnglish
Article number104321
JournalJournal of Example Psychiatry
Volume52
DOIs
https://doi.org/10.5555/jep.2023.104321
Publication statusE-pub ahead of print - 12 Jan 2023Published - Mar 2023

Keywords

• esketamine
• suicidal ideation

Dive into the research topics of 'Intranasal esketamine'. Together they form a unique fingerprint.

• Esketamine Medicine & Life Sciences 100%
• Suicidal Ideation Medicine & Life Sciences 80%

Cite this
"""


def test_page_portal_with_separated_type_and_web_of_science_count() -> None:
    record = one(OTHER_PORTAL_PAGE.encode(), origin="pure.txt")
    assert record.kind == "research_article"
    assert record.peer_reviewed is True
    assert record.citation_count == CitationCount(7, "Web of Science")
    assert record.journal == Journal("Journal of Example Psychiatry", "52", None, "104321")
    assert (record.published, record.epublished) == ("2023-03", "2023-01-12")
    assert record.keywords == ("esketamine", "suicidal ideation")
    assert record.abstract[0].text.startswith("Suicidal ideation is common")
    assert "Medicine & Life Sciences" not in all_text(record) + " ".join(record.keywords)


@pytest.mark.parametrize(
    ("printed", "kind", "peer_reviewed"),
    [
        ("Contribution to journalReview articlepeer-review", "review", True),
        (
            "Contribution to journal \u203a Article \u203a Research \u203a peer-review",
            "research_article",
            True,
        ),
        ("Contribution to journalArticlepeer-review", "research_article", True),
        ("Contribution to journal \u203a Letter", "commentary", None),
        ("Contribution to journal \u203a Editorial \u203a peer-review", "commentary", True),
        ("Contribution to journal \u203a Comment/debate \u203a peer-review", "commentary", True),
        ("Contribution to conference \u203a Paper", "conference_paper", None),
        (
            "Chapter in Book/Report/Conference proceeding \u203a Conference contribution",
            "conference_paper",
            None,
        ),
        ("Chapter in Book/Report/Conference proceeding \u203a Chapter", "book_chapter", None),
        (
            "Contribution to journal \u203a Article \u203a Non peer-reviewed",
            "research_article",
            False,
        ),
        ("Contribution to journal \u203a Something new", "other", None),
    ],
)
def test_page_maps_pure_output_types_to_kinds(
    printed: str, kind: str, peer_reviewed: bool | None
) -> None:
    assert parse_output_type(printed) == (kind, peer_reviewed)


# --- HTML ------------------------------------------------------------------------------


def test_page_hostile_html_gives_clean_text_without_script() -> None:
    record = one(HOSTILE)
    dumped = json.dumps(record_json(record)).lower()
    for code in (
        "alert",
        "script",
        "javascript",
        "cookie",
        "evil",
        "onerror",
        "onload",
        "iframe",
        "window.location",
        "enable javascript",
        "frames",
    ):
        assert code not in dumped
    paragraphs = (record.body or "").split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("A nasal spray containing esketamine")
    assert record.url is None


def test_page_html_research_article_reads_citation_tags() -> None:
    record = one(PMC)
    assert record.kind == "research_article"
    assert (record.pmid, record.doi, record.pmcid) == (
        "23193287",
        "10.1093/nar/gks1195",
        "PMC3531190",
    )
    assert record.journal == Journal("Nucleic Acids Research", "41", "Database issue", "D36")
    assert record.published == "2012-11-26"
    assert len(record.authors) == 7
    assert record.authors[0].name == "Dennis A Benson"
    assert record.authors[0].affiliations[0].startswith("National Center for Biotechnology")


def test_page_html_research_article_takes_the_abstract_out_of_the_body() -> None:
    record = one(PMC)
    assert record.abstract[0].text.startswith("GenBank® (http://www.ncbi.nlm.nih.gov) is a")
    body = record.body or ""
    assert body.startswith("INTRODUCTION")
    assert "almost 260 000 formally described species" not in body


def test_page_html_news_links_the_study_it_reports() -> None:
    record = one(PHYSORG)
    assert record.kind == "news"
    assert record.cites_url == "https://doi.org/10.1073/pnas.1907828116"
    assert record.url == "https://phys.org/news/2019-10-flint-flake-tool-partially-birch.html"
    assert record.published == "2019-10-22"
    assert record.authors == (Author("Bob Yirka"),)
    body = record.body or ""
    assert body.startswith("Prior work has turned up evidence")
    for chrome in (
        "Science X Network",
        "Explore further",
        "shares",
        "Inverse design",
        "googletag",
        "report",
    ):
        assert chrome not in body


def test_page_html_honours_the_declared_charset() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"><title>Caf\xe9 study</title></head><body>'
        "<article><p>Coffee drinkers in the caf\xe9 study had a lower risk of liver disease "
        "than people who drank none, researchers said after following them for ten years."
        "</p></article></body></html>"
    ).encode("latin-1")
    record = one(html, origin="latin1.html")
    assert "café study" in (record.body or "")


# --- sniffing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b"\xef\xbb\xbf<html lang='en'><head></head></html>",
        b"  \n<!-- saved from url=(0014)about:internet -->\n<html>",
        b"<head><title>t</title></head>",
        b"<BODY><P>Old page</P></BODY>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">\n<html>',
        "<!DOCTYPE html><html></html>".encode("utf-16"),
        b"HTTP/1.1 200 OK\nContent-Type: text/html\n\n<html><body>x</body></html>",
    ],
)
def test_page_sniffs_html(start: bytes) -> None:
    assert page.sniff(start)


def test_page_sniffs_the_three_seed_families() -> None:
    for path in (NEWS, ABSTRACT, PORTAL):
        assert detect_source(path).name == "page", path.name


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Hello there",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        bytes(range(256)) * 8,
        b'{"title": "Ketamine for depression", "abstract": "A long abstract of many words."}',
        b"[1, 2, 3]",
        b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle>text</PubmedArticle>',
        b"<article-set><article>Some prose that is not HTML at all here.</article></article-set>",
        b"TY  - JOUR\nTI  - Ketamine for depression in adults: a review of trials\nER  - \n",
        b"\xef\xbb\xbfTY  - JOUR\nAU  - Smith, J\nTI  - Ketamine and pain\nER  - \n",
        b"PMID- 29339294\nTI  - Ketamine as a treatment for addiction: a review of the evidence.\n",
        b"@article{smith2020,\n  title={Ketamine for depression in adults},\n}\n",
        b"pmid,title,year,journal\n1,Ketamine for pain relief,2019,BMJ\n"
        b"2,Ketamine for depression,2020,Lancet\n3,Esketamine nasal spray,2021,JAMA\n",
        b"pmid\ttitle\tyear\n1\tKetamine for pain relief in adults\t2019\n"
        b"2\tKetamine for depression\t2020\n3\tEsketamine nasal spray\t2021\n",
    ],
)
def test_page_does_not_sniff_other_formats_or_junk(content: bytes) -> None:
    assert not page.sniff(content)


def test_page_does_not_sniff_any_other_readers_fixture() -> None:
    for path in sorted((DATA / "sources").glob("*/*")):
        if path.parent.name == "page" or path.name.endswith((".md", ".expected.jsonl")):
            continue
        if path.name.startswith("LICENSE"):
            continue
        assert not page.sniff(head(path)), path


# --- errors ----------------------------------------------------------------------------


def test_page_empty_file_is_empty_input_naming_it() -> None:
    with pytest.raises(EmptyInput) as caught:
        list(page.read(b"  \n\n", origin="blank.txt"))
    assert caught.value.file == "blank.txt"


def test_page_with_only_a_headline_is_malformed_naming_it() -> None:
    with pytest.raises(MalformedRecord) as caught:
        list(
            read_any(
                b"Using Vegetable Oils to Lower Cholesterol May Not Improve Longevity\n\n"
                b"Using Vegetable Oils to Lower Cholesterol May Not Improve Longevity\n",
                origin="headline-only.txt",
            )
        )
    assert caught.value.file == "headline-only.txt"


def test_page_bad_utf8_byte_is_an_encoding_error_naming_the_file() -> None:
    text = (
        "Coffee and the liver\n\nPeople who drank coffee every day had a lower risk of liver "
        "disease in a caf\xe9 study of ten thousand adults followed for a decade.\n"
    ).encode("latin-1")
    with pytest.raises(EncodingError) as caught:
        list(read_any(text, origin="latin1.txt"))
    assert caught.value.file == "latin1.txt"
    assert "line 3" in str(caught.value)


def test_page_html_with_undecodable_bytes_does_not_crash() -> None:
    html = b"<html><body><p>Caf\xe9 \xff\xfe patients " + b"who drank coffee had less disease. " * 5
    record = one(html + b"</p></body></html>", origin="bad-bytes.html")
    assert "patients who drank coffee" in (record.body or "")


# --- real pages ------------------------------------------------------------------------


@pytest.mark.slow
def test_page_reads_every_fakehealth_story_as_a_text_page(shared: Path) -> None:
    """All 2,237 FakeHealth stories, each rendered as a copied page (title, blank line,
    text): a story with text gives one record with its title and a body; the ones without
    a story (empty, a bare headline, bot-check pages) fail with an InputError naming it."""
    path = shared / "data" / "health_news_fakehealth" / "news_content.jsonl.xz"
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        stories = [json.loads(line) for line in lines]
    assert len(stories) == 2237
    read, failed = 0, []
    for story in stories:
        origin = f"fakehealth/{story['news_id']}"
        data = f"{story['title']}\n\n{story['text']}".encode()
        try:
            records = list(read_any(data, origin=origin))
        except InputError as error:
            failed.append((story, error.file == origin))
            continue
        assert len(records) == 1, origin
        record = records[0]
        assert isinstance(record, Record)
        assert record.body, origin
        if story["title"].strip():
            assert same_text(record.title or "", story["title"]), origin
        read += 1
    assert read >= 2140
    for story, names_the_page in failed:
        assert names_the_page, story["news_id"]
        story_text = story["text"].replace(story["title"], "")
        assert len(story_text.split()) <= 40, story["news_id"]
