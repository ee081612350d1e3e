"""`evimap ingest`: files and folders into the store, with progress and a problem report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Engine

from evimap.cli._options import DbOption, err, fail, out, print_problems, settings_for
from evimap.errors import EvimapError
from evimap.ingest import IngestSummary, ingest_into, input_files
from evimap.store import open_store


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (read recursively).")],
    db: DbOption = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", help="Records per transaction.")
    ] = None,
) -> None:
    """Add the records of PATHS to the store. Ingesting the same files again changes nothing.

    A file or record that cannot be read is reported (file, record, reason) and the rest of
    the batch goes on; the exit status is 1 if anything was reported.
    """
    settings = settings_for(db=db, batch_size=batch_size)
    files = input_files(paths)
    try:
        engine = open_store(settings.db)
    except EvimapError as error:
        fail(error)
    try:
        summary = _run_with_progress(engine, files, settings.batch_size, settings.languages)
    finally:
        engine.dispose()
    print_summary(summary, settings.db)
    print_problems(summary.problems)
    if summary.problems:
        raise typer.Exit(1)


def _run_with_progress(
    engine: Engine, files: list[Path], batch_size: int, languages: str
) -> IngestSummary:
    progress = Progress(
        TextColumn("[bold]ingest[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[records]} records · {task.fields[current]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    read = 0
    with progress:
        task = progress.add_task("ingest", total=len(files), records=0, current="")

        def advance(path: Path, count: int) -> None:
            nonlocal read
            read += count
            progress.update(task, advance=1, records=read, current=path.name)

        return ingest_into(
            engine,
            files,
            batch_size=batch_size,
            languages=languages,
            on_file_done=advance,
        )


def print_summary(summary: IngestSummary, db: str) -> None:
    """The one-line summary every ingest ends with."""
    out.print(
        f"{summary.files} file(s), {summary.read} record(s) read: {summary.added} added, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.merged} merged as duplicates, {summary.deleted} deleted "
        f"-> {db} ({len(summary.problems)} problem(s))"
    )


def register(app: typer.Typer) -> None:
    app.command()(ingest)
