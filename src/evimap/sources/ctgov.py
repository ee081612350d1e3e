"""ClinicalTrials.gov API v2 study records: one study, or a page of `/studies`.

`GET /api/v2/studies/{nctId}` returns one study (`{"protocolSection": …, "hasResults":
…}`); `GET /api/v2/studies` returns a page (`{"studies": [ … ], "nextPageToken": …}`).
A page holds at most 1,000 studies, so the file is parsed whole.

A registration is not an article: it has no journal and no authors, its "abstract" is the
sponsor's Brief Summary and Detailed Description, and its date is the day it was first
posted. Text fields are Markdown (the API's default `markupFormat`), whose backslash
escapes ("\\>= 18 years") are removed so the text reads as printed on the website.
References listed by the sponsor describe other works and are left out.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from evimap.errors import ErrorHandler, MalformedRecord, report
from evimap.records import Item, Record, Section, canonical_id
from evimap.sources._io import (
    Data,
    decoded_text,
    json_document,
    nested_value,
    origin_of,
    read_all,
)
from evimap.sources._text import clean_space

SOURCE = "ctgov"
STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"

_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")
_TITLE_CASED_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos);", re.IGNORECASE)
_NCT_ID = re.compile(r"NCT\d{8}")

DESCRIPTION_SECTIONS = (
    ("briefSummary", "Brief summary"),
    ("detailedDescription", "Detailed description"),
)
"""descriptionModule fields that make the abstract, with the label each section gets."""


def sniff(head: bytes) -> bool:
    """Whether `head` starts a ClinicalTrials.gov v2 study or page of studies.

    Every v2 study begins with `protocolSection`, so it is inside the first kilobytes of a
    page too; an empty page is recognized by its leading `"studies"` key.
    """
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("{"):
        return False
    return '"protocolSection"' in text or re.match(r'\{\s*"studies"\s*:', text) is not None


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records of one study file or page, in file order.

    A study without an NCT number is reported to `on_error` (raised when there is no
    handler) and skipped; JSON that is not a v2 study or page is raised for the file.
    """
    name = origin_of(data, origin)
    content = json_document(
        decoded_text(read_all(data, origin=name), origin=name),
        origin=name,
        hint="the download may be truncated; fetch it again",
    )
    for number, study in enumerate(_studies(content, name), start=1):
        try:
            yield parse_study(study, file=name, record=f"study {number}")
        except MalformedRecord as error:
            report(error, on_error)


def _studies(content: Any, name: str) -> Sequence[Any]:
    if isinstance(content, dict) and isinstance(content.get("studies"), list):
        return content["studies"]  # type: ignore[no-any-return]
    if isinstance(content, dict) and "protocolSection" in content:
        return [content]
    raise MalformedRecord(
        "neither a ClinicalTrials.gov v2 study nor a page of studies",
        file=name,
        hint="save the JSON of /api/v2/studies or /api/v2/studies/{nctId}",
    )


def parse_study(study: Any, *, file: str | None = None, record: str | None = None) -> Record:
    """One v2 study as a `trial_registration` Record.

    The title is the official title, else the brief one. `keywords` holds the sponsor's
    conditions and keywords as entered; `mesh_terms` holds the MeSH terms the registry
    derived for conditions and interventions. Obsolete NCT numbers (`nctIdAliases`) are
    kept in `ids` so records citing them still merge.
    """
    protocol = study.get("protocolSection") if isinstance(study, dict) else None
    if not isinstance(protocol, dict):
        raise MalformedRecord("study has no protocolSection", file=file, record=record)
    identification = _module(protocol, "identificationModule")
    nct_id = _text(identification.get("nctId"))
    if nct_id is None or not _NCT_ID.fullmatch(nct_id):
        raise MalformedRecord(
            f"study has no valid NCT number ({nct_id!r})",
            file=file,
            record=record,
            hint="a registration is identified by its NCT number; it was skipped",
        )
    conditions = _module(protocol, "conditionsModule")
    derived = study.get("derivedSection") if isinstance(study.get("derivedSection"), dict) else {}
    parsed = Record(
        id="",
        source=SOURCE,
        title=_text(identification.get("officialTitle")) or _text(identification.get("briefTitle")),
        abstract=_abstract(_module(protocol, "descriptionModule")),
        language="en",
        published=_text(nested_value(protocol, "statusModule", "studyFirstPostDateStruct", "date")),
        nct_id=nct_id,
        mesh_terms=_strings(
            [*_mesh(derived, "conditionBrowseModule"), *_mesh(derived, "interventionBrowseModule")]
        ),
        keywords=_strings(
            [*_list(conditions.get("conditions")), *_list(conditions.get("keywords"))]
        ),
        url=STUDY_URL.format(nct_id=nct_id),
        kind="trial_registration",
        peer_reviewed=False,
        ids=tuple(f"nct:{alias}" for alias in _strings(_list(identification.get("nctIdAliases")))),
    )
    return dataclasses.replace(parsed, id=canonical_id(parsed))


def _abstract(description: Mapping[str, Any]) -> tuple[Section, ...]:
    sections = (
        Section(label, text)
        for key, label in DESCRIPTION_SECTIONS
        if (text := plain_text(description.get(key)))
    )
    return tuple(sections)


def plain_text(markdown: Any) -> str | None:
    """Registry Markdown as one line of text: escapes removed, whitespace collapsed.

    Paragraphs and list items become one space apart so every abstract section stays on
    one line of the joined abstract, which is what claim offsets rely on. The registry
    title-cases official titles, entities and all ("RAINBO BLUE &Amp; TAPER"), so the few
    XML entities are decoded whatever their case.
    """
    if not isinstance(markdown, str):
        return None
    text = _MARKDOWN_ESCAPE.sub(r"\1", markdown)
    text = _TITLE_CASED_ENTITY.sub(lambda m: html.unescape(m.group(0).lower()), text)
    return clean_space(text)


def _mesh(derived: Mapping[str, Any], module: str) -> list[Any]:
    meshes = nested_value(derived, module, "meshes")
    return [m.get("term") for m in _list(meshes) if isinstance(m, dict)]


def _module(protocol: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    module = protocol.get(name)
    return module if isinstance(module, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return plain_text(value)


def _strings(values: Sequence[Any]) -> tuple[str, ...]:
    cleaned = (_text(v) for v in values)
    return tuple(dict.fromkeys(v for v in cleaned if v))
