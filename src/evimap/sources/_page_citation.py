"""Bibliographic strings printed on pages: dates, DOIs and PubMed's citation line.

Pages print these for people, not machines, so each comes in several spellings: "2018
Nov", "15 Mar 2020", "March 5, 2020", "2007/12/15", "09/14/2007", "2019-10-22T09:30:34".
Dates become ISO strings only as precise as printed ("2018-11", not "2018-11-01"), so
a month is never mistaken for a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
"""English month names and abbreviations: PubMed, Pure and news sites print these."""

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?(?:[t ].*)?$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})(?:/(?P<d>\d{1,2}))?$"),
    re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"),
    re.compile(
        rf"^(?P<y>\d{{4}})(?:\s+(?P<mn>{_MONTH})(?:\s*-\s*{_MONTH})?(?:\s+(?P<d>\d{{1,2}}))?)?$"
    ),
    re.compile(rf"^(?:(?P<d>\d{{1,2}})\s+)?(?P<mn>{_MONTH})\s+(?P<y>\d{{4}})$"),
    re.compile(rf"^(?P<mn>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})$"),
    re.compile(r"^(?P<y>\d{4})\s+(?:spring|summer|autumn|fall|winter)$"),
)
"""Date spellings, tried in order; a season or a month range keeps the year (and the
first month) only, as MEDLINE does."""

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+)")
_DOI_TAIL = ".,;:)]}"


def parse_date(text: str | None) -> str | None:
    """An ISO date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) from a printed date, else None."""
    if not text:
        return None
    cleaned = re.sub(r"\s+", " ", text).strip().rstrip(".").lower()
    for form in _DATE_FORMS:
        match = form.match(cleaned)
        if not match:
            continue
        parts = match.groupdict()
        year = int(parts["y"])
        month = _month_number(parts)
        day = int(parts["d"]) if parts.get("d") else None
        if not 1000 <= year <= 2999 or (month is not None and not 1 <= month <= 12):
            return None
        if month is None:
            return f"{year:04d}"
        if day is None or not 1 <= day <= 31:
            return f"{year:04d}-{month:02d}"
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _month_number(parts: dict[str, str | None]) -> int | None:
    if parts.get("m"):
        return int(parts["m"] or 0)
    name = parts.get("mn")
    if not name:
        return None
    return MONTHS.get(name.rstrip(".")[:3])


def find_doi(text: str | None) -> str | None:
    """The first DOI in `text` (bare, `doi:`-prefixed or a doi.org link), without trailing
    punctuation, else None."""
    if not text:
        return None
    match = _DOI.search(text)
    if not match:
        return None
    doi = match.group(1)
    while doi and doi[-1] in _DOI_TAIL:
        if doi[-1] == ")" and doi.count("(") >= doi.count(")"):
            break
        doi = doi[:-1]
    return doi or None


@dataclass(frozen=True, slots=True)
class Citation:
    """The parts of a PubMed citation line; every part may be missing."""

    journal: str
    published: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    epublished: str | None


_CITATION = re.compile(
    r"^(?P<journal>[^\d;:()](?:[^;:.]|\.(?!\s)){0,150}?)\.\s+"
    rf"(?P<date>\d{{4}}(?:\s+(?:{_MONTH}(?:\s*-\s*{_MONTH})?|spring|summer|autumn|fall|winter)"
    r"(?:\s+\d{1,2})?)?)"
    r"\s*(?:[;:]\s*(?P<volume>[^\s(:;.]+)?\s*(?:\((?P<issue>[^)]*)\))?)?"
    r"\s*(?::\s*(?P<pages>[^\s.;]+(?:\.\d+)?))?"
    r"\s*\.(?P<rest>.*)$",
    re.IGNORECASE,
)
"""PubMed's line `Journal. YYYY Mon DD;Vol(Issue):Pages. doi: … Epub YYYY Mon DD.`; the
day, volume, issue and pages may each be missing, and the new PubMed prints `:` where
the old one printed `;` before the volume. The journal is a name, not a sentence: it
holds no ". ", which keeps a reference list's "Authors. Title. Journal. 2018;…" out."""

_EPUB = re.compile(
    rf"\bEpub\s+(?P<date>\d{{4}}(?:\s+{_MONTH}(?:\s+\d{{1,2}})?)?)",
    re.IGNORECASE,
)


def parse_citation(line: str) -> Citation | None:
    """The journal, date, volume, issue, pages, DOI and Epub date of a PubMed citation
    line, or None when `line` is not one."""
    match = _CITATION.match(line.strip())
    if not match:
        return None
    rest = match.group("rest")
    if rest.strip() and not re.match(r"\s*(doi|epub|pmid|pmcid|print|eCollection)\b", rest, re.I):
        return None
    epub = _EPUB.search(rest)
    return Citation(
        journal=match.group("journal").strip(),
        published=parse_date(match.group("date")),
        volume=match.group("volume") or None,
        issue=(match.group("issue") or "").strip() or None,
        pages=match.group("pages") or None,
        doi=find_doi(rest),
        epublished=parse_date(epub.group("date")) if epub else None,
    )
