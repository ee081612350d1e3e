"""PubMed's citation line as pages print it: "Journal. 2018 Nov;12(3):45-67. doi: …".

Its dates and DOI are read with `_fields.printed_date` and `_fields.find_doi`, so they
are ISO strings only as precise as printed ("2018-11", not "2018-11-01").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evimap.sources._fields import MONTH_PATTERN, find_doi, printed_date


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
    rf"(?P<date>\d{{4}}(?:\s+(?:{MONTH_PATTERN}(?:\s*-\s*{MONTH_PATTERN})?|spring|summer|autumn|fall|winter)"
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
    rf"\bEpub\s+(?P<date>\d{{4}}(?:\s+{MONTH_PATTERN}(?:\s+\d{{1,2}})?)?)",
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
        published=printed_date(match.group("date")),
        volume=match.group("volume") or None,
        issue=(match.group("issue") or "").strip() or None,
        pages=match.group("pages") or None,
        doi=find_doi(rest),
        epublished=printed_date(epub.group("date")) if epub else None,
    )
