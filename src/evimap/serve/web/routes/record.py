"""`/record/{id}`: one record with every field it has, its claims' sentences marked, cite this.

`/cite/{format}/{id}` serves the reference as a BibTeX, RIS or CSL-JSON file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from evimap.claims import Claim
from evimap.records import Record
from evimap.serve import cite
from evimap.serve.web.pages import engine, page
from evimap.serve.web.passages import Segment, claim_segments, read_minutes
from evimap.store.queries import claims_of_record, record_by_id
from evimap.synthesis.fingerprint import fingerprint
from evimap.synthesis.related import related_records

router = APIRouter()

RELATED_LIMIT = 8

LANGUAGE_NAMES = {
    "en": "English", "zh": "Chinese", "es": "Spanish", "fr": "French", "de": "German",
    "pt": "Portuguese", "it": "Italian", "ja": "Japanese", "ko": "Korean", "ru": "Russian",
    "nl": "Dutch", "pl": "Polish", "tr": "Turkish", "ar": "Arabic", "fa": "Persian",
    "he": "Hebrew", "sv": "Swedish", "da": "Danish", "nb": "Norwegian", "fi": "Finnish",
    "cs": "Czech", "hu": "Hungarian", "el": "Greek", "uk": "Ukrainian", "ro": "Romanian",
    "hr": "Croatian", "id": "Indonesian", "vi": "Vietnamese", "th": "Thai",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Field:
    """One row of the metadata table: a label, its text, and a link when it has one."""

    label: str
    value: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """One of the record's texts, cut into segments, with its language for `lang=`."""

    field: str
    label: str
    language: str | None
    segments: list[Segment]


def language_name(code: str | None) -> str:
    """`English (en)` for `en`; the code alone when the name is not known."""
    if not code:
        return ""
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


def metadata_fields(record: Record) -> list[Field]:
    """Every metadata field the record has, in reading order, with links for identifiers."""
    journal = record.journal
    count = record.citation_count
    rows = [
        Field("Type", (record.kind or "").replace("_", " ")),
        Field("Journal", journal.title or "" if journal else ""),
        Field("Volume", journal.volume or "" if journal else ""),
        Field("Issue", journal.issue or "" if journal else ""),
        Field("Pages", journal.pages or "" if journal else ""),
        Field("Published", record.published or ""),
        Field("Published online", record.epublished or ""),
        Field("DOI", record.doi or "", f"https://doi.org/{record.doi}" if record.doi else None),
        Field(
            "PMID",
            record.pmid or "",
            f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/" if record.pmid else None,
        ),
        Field(
            "PMCID",
            record.pmcid or "",
            f"https://www.ncbi.nlm.nih.gov/pmc/articles/{record.pmcid}/" if record.pmcid else None,
        ),
        Field(
            "Trial registration",
            record.nct_id or "",
            f"https://clinicaltrials.gov/study/{record.nct_id}" if record.nct_id else None,
        ),
        Field(
            "Citations",
            f"{count.count} (counted by {count.source or 'an unnamed index'})" if count else "",
        ),
        Field("Publication types", "; ".join(record.publication_types)),
        Field("Keywords", "; ".join(record.keywords)),
        Field("Subject areas", "; ".join(record.subject_areas)),
        Field("MeSH terms", "; ".join(record.mesh_terms)),
        Field("Language", language_name(record.language)),
        Field("Peer reviewed", "" if record.peer_reviewed is None else str(record.peer_reviewed)),
        Field("Source page", record.url or "", record.url),
        Field("Reports on", record.cites_url or "", record.cites_url),
        Field("Sources", ", ".join(record.sources)),
        Field("Also known as", ", ".join(i for i in record.ids if i != record.id)),
        Field("Affiliations", "; ".join(record.affiliations)),
    ]
    return [row for row in rows if row.value]


def passages(record: Record, claims: list[Claim]) -> list[Passage]:
    """The record's texts but the title, translations after the original they translate."""
    out = []
    for field, text in record.texts().items():
        if field == "title":
            continue
        base, _, language = field.partition(":")
        label = base.capitalize() + (f" ({language_name(language)})" if language else "")
        out.append(
            Passage(field, label, language or record.language, claim_segments(text, field, claims))
        )
    return out


def _record_or_404(store: Engine, record_id: str) -> Record:
    found = record_by_id(store, record_id)
    if found is None:
        raise HTTPException(404, f"no record {record_id!r} in this store")
    return found


@router.get("/record/{record_id:path}", response_class=HTMLResponse, include_in_schema=False)
def record_page(
    request: Request, record_id: str, store: Annotated[Engine, Depends(engine)]
) -> HTMLResponse:
    """One record: metadata, claims, marked texts, translations, related, fingerprint, cite."""
    record = _record_or_404(store, record_id)
    claims = claims_of_record(store, record.id)
    texts = record.texts()
    related = [
        (found, score)
        for other, score in related_records(store, record.id, limit=RELATED_LIMIT)
        if (found := record_by_id(store, other)) is not None
    ]
    return page(
        request,
        "record.html",
        record=record,
        claims=claims,
        title_segments=claim_segments(texts.get("title", ""), "title", claims),
        fields=metadata_fields(record),
        passages=passages(record, claims),
        minutes=read_minutes(record),
        related=related,
        concepts=fingerprint(store, record.id),
        references=cite.formatted_references(record),
        files=cite.CITATION_FILES,
        authors=", ".join(a.name for a in record.authors),
    )


@router.get("/cite/{file_format}/{record_id:path}", include_in_schema=False)
def citation_file(
    file_format: str, record_id: str, store: Annotated[Engine, Depends(engine)]
) -> Response:
    """The record's reference as a file: `bibtex`, `ris` or `csl-json`."""
    kind = cite.CITATION_FILE_BY_NAME.get(file_format)
    if kind is None:
        known = ", ".join(cite.CITATION_FILE_BY_NAME)
        raise HTTPException(404, f"no citation format {file_format!r}; known: {known}")
    record = _record_or_404(store, record_id)
    filename = f"{cite.bibtex_key(record)}.{kind.suffix}"
    return Response(
        kind.render(record),
        media_type=f"{kind.media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
