"""`evimap extract`: records (and their claims) of files as JSON Lines, store untouched."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from evimap.cli._options import print_problems, settings_for
from evimap.errors import EvimapError
from evimap.extract.pipeline import extract_claims
from evimap.ingest import Problem, input_files
from evimap.records import Deletion, Item, record_json
from evimap.sources import read_any


class OutputFormat(StrEnum):
    JSONL = "jsonl"


def extract_row(file: str, item: Item) -> dict[str, Any]:
    """One output line: `{"file", "record", "claims"}`, or `{"file", "deleted"}`."""
    if isinstance(item, Deletion):
        return {"file": file, "deleted": item.id, "source": item.source}
    claims = [claim.to_dict() for claim in extract_claims(item)]
    return {"file": file, "record": record_json(item), "claims": claims}


def extract(
    files: Annotated[list[Path], typer.Argument(help="Files or folders to read.")],
    format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.JSONL,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Read as this format instead of sniffing the content."),
    ] = None,
) -> None:
    """Print one JSON object per record of FILES (see DESIGN.md); writes nothing to the store.

    Problems are reported on standard error; the exit status is 1 if there were any.
    """
    settings = settings_for()
    problems: list[Problem] = []
    for path in input_files(files):
        name = str(path)

        def on_error(error: EvimapError, name: str = name) -> None:
            problems.append(Problem.from_error(error, file=name, stage="read"))

        try:
            for item in read_any(
                path, format=source, origin=name, languages=settings.languages, on_error=on_error
            ):
                typer.echo(json.dumps(extract_row(name, item), ensure_ascii=False))
        except EvimapError as error:
            on_error(error)
    print_problems(problems)
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(extract)
