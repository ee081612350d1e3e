"""Bibliographic field values made uniform: dates, months, languages, identifiers, kinds.

Every reader meets the same fields spelled its source's way: "2018 Nov-Dec" and
"March 5, 2020" for dates, "chi" and "Chinese" for languages, "doi: 10.…" and doi.org
links for DOIs, "Editorial" and "article-commentary" for what a work is. The readers
take the values apart; this module turns them into the one form a Record holds, so the
same work read from two sources gives equal fields. `identified` refuses a record that
nothing identifies.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lingua import IsoCode639_1, IsoCode639_3, Language

from evimap.errors import MalformedRecord
from evimap.records import Record

# --- dates --------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
"""English month names and abbreviations, lowercased, with their numbers."""

MONTH_PATTERN = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
"""A printed month name (match it case-insensitively)."""

_MEDLINE_DATE = re.compile(r"(\d{4})(?:[ -]+([A-Za-z]{3})[a-z]*\.?(?: +(\d{1,2})(?!\d))?)?")

_PRINTED_DATES = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?(?:[t ].*)?$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})(?:/(?P<d>\d{1,2}))?$"),
    re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"),
    re.compile(
        rf"^(?P<y>\d{{4}})(?:\s+(?P<m>{MONTH_PATTERN})(?:\s*-\s*{MONTH_PATTERN})?"
        r"(?:\s+(?P<d>\d{1,2}))?)?$"
    ),
    re.compile(rf"^(?:(?P<d>\d{{1,2}})\s+)?(?P<m>{MONTH_PATTERN})\s+(?P<y>\d{{4}})$"),
    re.compile(rf"^(?P<m>{MONTH_PATTERN})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})$"),
    re.compile(r"^(?P<y>\d{4})\s+(?:spring|summer|autumn|fall|winter)$"),
)
"""Whole-string date spellings pages print, tried in order; a season or a month range
keeps the year (and the first month) only, as MEDLINE does."""


def month_number(text: str | None) -> int | None:
    """1-12 for "1", "01", or an English month name or abbreviation ("Sep", "sept.")."""
    if not text:
        return None
    text = text.strip().rstrip(".").lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return MONTHS.get(text)


def iso_date(
    year: str | int | None, month: str | int | None = None, day: str | int | None = None
) -> str | None:
    """An ISO date, "YYYY", "YYYY-MM" or "YYYY-MM-DD", as precise as the valid parts allow.

    A month outside 1-12 drops the month and day; a day that does not exist in that
    month (30 February) drops the day: a date is never invented or rolled over.
    """
    try:
        year_number = int(year) if year is not None else None
        month_value = int(month) if month is not None and str(month).strip() else None
        day_value = int(day) if day is not None and str(day).strip() else None
    except ValueError:
        return None
    if year_number is None or not 1000 <= year_number <= 9999:
        return None
    if month_value is None or not 1 <= month_value <= 12:
        return f"{year_number:04d}"
    if day_value is not None:
        try:
            return datetime.date(year_number, month_value, day_value).isoformat()
        except ValueError:
            pass
    return f"{year_number:04d}-{month_value:02d}"


def medline_date(text: str | None) -> str | None:
    """An ISO date from a MEDLINE-style date field: "2018 Nov-Dec" is "2018-11".

    PubMed's `MedlineDate` and `DP`, and Europe PMC's `dateOfPublication`, print these:
    "2006 Mar 1" gives "2006-03-01", "1977 Apr 17-21" "1977-04-17"; a season, "2021 3rd
    Quarter" and "1977-1978" give only the year; text without a year gives None.
    """
    match = _MEDLINE_DATE.search(text) if text else None
    if not match:
        return None
    year, month_name, day = match.groups()
    return iso_date(year, month_number(month_name), day)


def printed_date(text: str | None) -> str | None:
    """An ISO date from a string that is nothing but a date, in a spelling pages print
    ("15 Mar 2020", "March 5, 2020", "09/14/2007", "2019-10-22T09:30:34"), else None."""
    if not text:
        return None
    cleaned = re.sub(r"\s+", " ", text).strip().rstrip(".").lower()
    for form in _PRINTED_DATES:
        match = form.match(cleaned)
        if not match:
            continue
        parts = match.groupdict()
        month, number = parts.get("m"), None
        if month:
            number = int(month) if month.isdigit() else MONTHS.get(month.rstrip(".")[:3])
            if number is None or not 1 <= number <= 12:
                return None
        if not 1000 <= int(parts["y"] or 0) <= 2999:
            return None
        return iso_date(parts["y"], number, parts.get("d"))
    return None


# --- languages ----------------------------------------------------------------------

BIBLIOGRAPHIC_LANGUAGES = {
    "afr": "af", "alb": "sq", "amh": "am", "ara": "ar", "arm": "hy", "aze": "az",
    "baq": "eu", "bel": "be", "ben": "bn", "bos": "bs", "bul": "bg", "cat": "ca",
    "chi": "zh", "cze": "cs", "dan": "da", "dut": "nl", "eng": "en", "epo": "eo",
    "est": "et", "fin": "fi", "fre": "fr", "geo": "ka", "ger": "de", "gle": "ga",
    "glg": "gl", "gre": "el", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu",
    "ice": "is", "ind": "id", "ita": "it", "jpn": "ja", "kaz": "kk", "kor": "ko",
    "lat": "la", "lav": "lv", "lit": "lt", "mac": "mk", "mal": "ml", "mao": "mi",
    "may": "ms", "mon": "mn", "nor": "no", "per": "fa", "pol": "pl", "por": "pt",
    "pus": "ps", "rum": "ro", "rus": "ru", "san": "sa", "scc": "sr", "scr": "hr",
    "slo": "sk", "slv": "sl", "spa": "es", "srp": "sr", "swe": "sv", "tha": "th",
    "tur": "tr", "ukr": "uk", "urd": "ur", "uzb": "uz", "vie": "vi", "wel": "cy",
}  # fmt: skip
"""MEDLINE's ISO 639-2/B language codes (PubMed's, so Europe PMC's) as ISO 639-1; `und`
and `mul` are left out. Other codes and names are looked up in lingua's tables."""

_LANGUAGE_PARSERS: tuple[Callable[[str], Language], ...] = (
    lambda t: Language.from_iso_code_639_1(IsoCode639_1.from_str(t)),
    lambda t: Language.from_iso_code_639_3(IsoCode639_3.from_str(t)),
    Language.from_str,
)


def language_code(value: Any) -> str | None:
    """ISO 639-1 for a language given as "en", "eng", "chi" or "English"; None if unknown.

    A language neither table knows stays None and is detected from the text later by
    `read_any`.
    """
    text = value.strip() if isinstance(value, str) else None
    if not text:
        return None
    if known := BIBLIOGRAPHIC_LANGUAGES.get(text.lower()):
        return known
    for parse in _LANGUAGE_PARSERS:
        try:
            return parse(text).iso_code_639_1.name.lower()
        except ValueError:
            continue
    return None


# --- identifiers --------------------------------------------------------------------

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+)")
_DOI_TAIL = ".,;:)]}"
_PUBMED_URL = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|europepmc\.org/(?:abstract|article)/MED/)"
    r"(\d{1,9})(?!\d)",
    re.IGNORECASE,
)
_PMC_URL = re.compile(
    r"(?:ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/|europepmc\.org/articles?/(?:PMC/)?)"
    r"(PMC\d+)",
    re.IGNORECASE,
)
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d{1,9})(?!\d)")
_PMCID_NOTE = re.compile(r"\bPMCID:?\s*(PMC\d+)", re.IGNORECASE)


def clean_doi(value: str | None) -> str | None:
    """A bare DOI ("10.…") from a DOI, a doi.org URL or "doi: …"; None if it is not one."""
    if not value:
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).strip()
    return doi if doi.startswith("10.") and "/" in doi else None


def find_doi(text: str | None) -> str | None:
    """The first DOI in `text` (bare, `doi:`-prefixed or a doi.org link), without trailing
    punctuation, else None."""
    match = _DOI_IN_TEXT.search(text) if text else None
    if not match:
        return None
    doi = match.group(1)
    while doi and doi[-1] in _DOI_TAIL:
        if doi[-1] == ")" and doi.count("(") >= doi.count(")"):
            break
        doi = doi[:-1]
    return doi or None


def pubmed_id(
    candidates: Iterable[str] = (), *, texts: Iterable[str] = (), urls: Iterable[str] = ()
) -> str | None:
    """The PMID when every PubMed ID found agrees; None when there is none or several.

    Candidates are fields that hold a PMID by convention (RIS `PM`, Scopus `C2`, BibTeX
    `pmid`); `texts` are notes searched for "PMID: 123"; `urls` are searched for PubMed
    and Europe PMC links. Two different PMIDs mean the entry mixes works (a comment and
    the article it comments on), so neither is trusted.
    """
    found = {c.strip() for c in candidates if c.strip().isdigit()}
    found |= {m for text in texts for m in _PMID_NOTE.findall(text)}
    found |= {m for url in urls for m in _PUBMED_URL.findall(url)}
    found = {value.lstrip("0") for value in found if value.strip("0")}
    return found.pop() if len(found) == 1 else None


def pmc_id(
    candidates: Iterable[str] = (), *, texts: Iterable[str] = (), urls: Iterable[str] = ()
) -> str | None:
    """The PMCID ("PMC…") when every PubMed Central ID found agrees; see `pubmed_id`."""
    found = {c.strip().upper() for c in candidates if re.fullmatch(r"(?i)PMC\d+", c.strip())}
    found |= {m.upper() for text in texts for m in _PMCID_NOTE.findall(text)}
    found |= {m.upper() for url in urls for m in _PMC_URL.findall(url)}
    return found.pop() if len(found) == 1 else None


def identified(work: Record, *, noun: str, file: str | None, record: str | None) -> Record:
    """`work` itself when a title, DOI, PMID or PMCID names it; else a `MalformedRecord`.

    A record with none of them can neither be shown to a reviewer nor merged with another
    source's copy, so readers refuse it (their `on_error` gets it and it is skipped).
    `noun` is what the format calls a record ("entry", "article", "result").
    """
    if work.title or work.doi or work.pmid or work.pmcid:
        return work
    raise MalformedRecord(
        f"{noun} has no title and no DOI, PMID or PMCID",
        file=file,
        record=record,
        hint="nothing identifies this work; it was skipped",
    )


# --- kinds --------------------------------------------------------------------------

KIND_BY_PUBLICATION_TYPE: Mapping[str, str] = {
    # PubMed and Europe PMC publication types, Scopus/Embase/WoS document types, and
    # JATS `@article-type` values, lowercased.
    "systematic review": "review",
    "systematic-review": "review",
    "meta-analysis": "review",
    "review": "review",
    "review-article": "review",
    "published erratum": "correction",
    "erratum": "correction",
    "correction": "correction",
    "retraction of publication": "retraction",
    "retraction": "retraction",
    "practice guideline": "guideline",
    "practice-guideline": "guideline",
    "guideline": "guideline",
    "clinical trial protocol": "protocol",
    "study-protocol": "protocol",
    "protocol": "protocol",
    "editorial": "commentary",
    "editorial material": "commentary",
    "letter": "commentary",
    "reply": "commentary",
    "comment": "commentary",
    "commentary": "commentary",
    "article-commentary": "commentary",
    "book-review": "commentary",
    "note": "commentary",
    "news": "news",
    "newspaper article": "news",
    "case reports": "case_report",
    "case-report": "case_report",
    "preprint": "preprint",
    "conference paper": "conference_paper",
    "conference abstract": "conference_paper",
    "meeting abstract": "conference_paper",
    "journal article": "research_article",
    "research-article": "research_article",
    "brief-report": "research_article",
    "rapid-communication": "research_article",
}
"""Publication types to record kinds, grouped most specific first: the first kind in
this order that any of a record's types maps to wins, so a "Review; Journal Article" is
a review and a meta-analysis published as a letter is still a review."""

_KIND_ORDER = tuple(dict.fromkeys(KIND_BY_PUBLICATION_TYPE.values()))


def kind_of(publication_types: Iterable[str], *, default: str | None = None) -> str | None:
    """The record kind its publication types imply (see `KIND_BY_PUBLICATION_TYPE`), else
    `default`."""
    found = {KIND_BY_PUBLICATION_TYPE.get(t.strip().lower()) for t in publication_types}
    return next((kind for kind in _KIND_ORDER if kind in found), default)
