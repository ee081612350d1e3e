"""`evimap show` and `evimap search`: reading the store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evimap.claims import Claim
from evimap.cli._options import DbOption, fail, out, settings_for
from evimap.errors import EvimapError
from evimap.records import Record, record_json
from evimap.store import MATCH_END, MATCH_START, open_store
from evimap.store.queries import claims_of_record, record_by_id, search_records


class ShowFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="pmid:…, doi:…, a PMID or DOI.")],
    db: DbOption = None,
    format: Annotated[ShowFormat, typer.Option("--format")] = ShowFormat.TEXT,
) -> None:
    """Print one record with every field it has."""
    settings = settings_for(db=db)
    try:
        engine = open_store(settings.db)
        record = record_by_id(engine, record_id)
    except EvimapError as error:
        fail(error)
    if record is None:
        out.print(f"no record {record_id!r} in {settings.db}", style="red")
        raise typer.Exit(1)
    claims = claims_of_record(engine, record.id)
    if format is ShowFormat.JSON:
        shown = {"record": record_json(record), "claims": [c.to_dict() for c in claims]}
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        print_record(record, claims)


def metadata_rows(record: Record) -> list[tuple[str, str]]:
    """The record's metadata as (label, value) rows, only fields it has."""
    journal = record.journal
    citation = record.citation_count
    rows = [
        ("id", record.id),
        ("also known as", ", ".join(i for i in record.ids if i != record.id)),
        ("kind", record.kind or ""),
        ("language", record.language or ""),
        ("sources", ", ".join(record.sources)),
        ("authors", "; ".join(a.name for a in record.authors)),
        ("affiliations", "; ".join(record.affiliations)),
        ("journal", journal.title or "" if journal else ""),
        ("volume", journal.volume or "" if journal else ""),
        ("issue", journal.issue or "" if journal else ""),
        ("pages", journal.pages or "" if journal else ""),
        ("published", record.published or ""),
        ("epublished", record.epublished or ""),
        ("doi", record.doi or ""),
        ("pmid", record.pmid or ""),
        ("pmcid", record.pmcid or ""),
        ("nct id", record.nct_id or ""),
        ("publication types", "; ".join(record.publication_types)),
        ("peer reviewed", "" if record.peer_reviewed is None else str(record.peer_reviewed)),
        (
            "citations",
            f"{citation.count} ({citation.source or 'source unknown'})" if citation else "",
        ),
        ("keywords", "; ".join(record.keywords)),
        ("subject areas", "; ".join(record.subject_areas)),
        ("MeSH", "; ".join(record.mesh_terms)),
        ("url", record.url or ""),
        ("cites", record.cites_url or ""),
    ]
    return [(label, value) for label, value in rows if value]


def print_record(record: Record, claims: Sequence[Claim] = ()) -> None:
    """The record for a reader: title, metadata, its claims, then each text with the
    claims' evidence sentences highlighted (and numbered as the claims are)."""
    out.print(f"[bold]{escape(record.title or '(untitled)')}[/]")
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column(overflow="fold")
    for label, value in metadata_rows(record):
        table.add_row(label, escape(value))
    out.print(table)
    if claims:
        out.print(f"\n[bold underline]claims[/] ({len(claims)})")
    for number, claim in enumerate(claims, 1):
        out.print(f"  [bold]\\[{number}][/] {escape(claim_summary(claim))}")
    for field, text in record.texts().items():
        if field == "title":
            continue
        out.print(f"\n[bold underline]{field}[/]")
        out.print(
            highlighted_text(
                text, [(n, c) for n, c in enumerate(claims, 1) if c.evidence.field == field]
            )
        )


def claim_summary(claim: Claim) -> str:
    """One line: intervention x condition, direction, certainty, design and numbers."""
    certainty = claim.certainty.value if claim.certainty else "certainty not stated"
    if claim.certainty_upper:
        certainty += f" to {claim.certainty_upper.value}"
    parts = [
        f"{claim.intervention} x {claim.condition}: {claim.direction.value}",
        certainty,
        claim.design.value,
    ]
    if claim.n_studies:
        parts.append(f"{claim.n_studies} studies")
    if claim.n_participants:
        parts.append(f"{claim.n_participants} participants")
    if claim.adverse_effects:
        parts.append("harms: " + ", ".join(claim.adverse_effects))
    if claim.routes:
        parts.append("route: " + ", ".join(claim.routes))
    return "; ".join(parts)


def highlighted_text(text: str, claims: Sequence[tuple[int, Claim]]) -> str:
    """Rich markup for `text` with each claim's evidence span highlighted and numbered."""
    numbers: dict[tuple[int, int], list[str]] = {}
    for number, claim in claims:
        numbers.setdefault((claim.evidence.start, claim.evidence.end), []).append(str(number))
    pieces, position = [], 0
    for (start, end), labels in sorted(numbers.items()):
        if start < position:
            continue
        pieces.append(escape(text[position:start]))
        marker = ",".join(labels)
        pieces.append(f"[reverse]{escape(text[start:end])}[/reverse][bold]\\[{marker}][/]")
        position = end
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def search(
    query: Annotated[str, typer.Argument(help="Words to find in titles and abstracts.")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
) -> None:
    """Full-text search over titles and abstracts, in every language in the store."""
    settings = settings_for(db=db)
    try:
        hits = search_records(open_store(settings.db), query, limit=limit)
    except EvimapError as error:
        fail(error)
    if not hits:
        out.print(f"no records match {query!r}")
        return
    table = Table("id", "title", "match", title=f"{len(hits)} record(s)", title_justify="left")
    for hit in hits:
        table.add_row(hit.id, escape(hit.title or ""), highlighted(hit.snippet or ""))
    out.print(table)


def highlighted(snippet: str) -> str:
    """Rich markup for a search snippet: the text escaped, the matched words in bold."""
    text = escape(snippet)
    return text.replace(MATCH_START, "[bold yellow]").replace(MATCH_END, "[/]")


def register(app: typer.Typer) -> None:
    app.command()(show)
    app.command()(search)
