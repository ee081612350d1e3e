"""`evimap demo`: build the store from the bundled corpus and serve the evidence map.

The bundled corpus is `data/` of the source checkout (see `data/PROVENANCE.md`): the three
seed documents, the openly licensed records about the NMDA-receptor drugs
(`data/corpus/`), and with `--all` every Evidence Inference trial abstract
(`data/corpus-all/`). Ingesting is idempotent, so running the demo again only serves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

import evimap
from evimap.claims import Claim
from evimap.cli._options import DbOption, err, fail, out, print_problems, settings_for
from evimap.cli.ingest import print_summary
from evimap.cli.records import claim_summary
from evimap.cli.serve import serve as serve_map
from evimap.config import Settings
from evimap.errors import ConfigError, EvimapError
from evimap.extract.pipeline import extract_claims
from evimap.ingest import IngestSummary, ingest_into, input_files
from evimap.records import Record
from evimap.sources import read_any
from evimap.sources._io import open_binary
from evimap.store import claims_of_record, count_records, open_store, record_by_id, schema
from evimap.synthesis.evidence_map import cells

DEFAULT_FOLDERS = ("seeds", "corpus")
"""The default corpus: the seed documents and the NMDA-receptor records."""
ALL_FOLDER = "corpus-all"
"""Added by `--all`: every Evidence Inference trial abstract (3,291 records)."""
CROSS = "\N{MULTIPLICATION SIGN}"
SHOWN_INTERVENTION = "ketamine"
"""The cells printed after the build: the drug the seed documents are about."""


def demo(
    all_records: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also ingest all 3,291 Evidence Inference trial abstracts: a map across "
            "hundreds of drugs (the first build takes some 20 s more).",
        ),
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Serve the map when the store is built (--no-serve: build and print only).",
        ),
    ] = True,
    show: Annotated[
        bool,
        typer.Option("--show", help="Print every bundled record with its claims."),
    ] = False,
    host: Annotated[str, typer.Option("--host", help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Build the store from the bundled corpus, print a summary and serve the map.

    The default corpus is the three seed documents plus the openly licensed records about
    the NMDA-receptor drugs in data/corpus/; --all adds every Evidence Inference trial
    abstract. Sources and licences: data/PROVENANCE.md. The exit status is 1 if a
    record could not be read or stored (the map is still served).
    """
    settings = settings_for(db=db)
    try:
        folders = corpus_folders(is_all=all_records)
        engine = open_store(settings.db)
    except EvimapError as error:
        fail(error)
    try:
        summary = _ingest_with_progress(engine, input_files(folders), settings)
        print_summary(summary, settings.db)
        print_problems(summary.problems)
        _print_store(engine)
        if show:
            _print_records(engine, folders, settings.languages)
    finally:
        engine.dispose()
    if serve:
        _serve(settings.db, host, port)
    if summary.problems:
        raise typer.Exit(1)


def bundled_data() -> Path:
    """The `data/` folder of the source checkout that this package was installed from."""
    folder = Path(evimap.__file__).resolve().parents[2] / "data"
    if not (folder / "seeds").is_dir():
        raise ConfigError(
            f"the bundled corpus is not at {folder}",
            hint="run the demo from a source checkout (make demo)",
        )
    return folder


def corpus_folders(*, is_all: bool) -> list[Path]:
    """The folders `evimap demo` ingests: seeds and corpus, and corpus-all with `--all`."""
    data = bundled_data()
    names = (*DEFAULT_FOLDERS, ALL_FOLDER) if is_all else DEFAULT_FOLDERS
    missing = [name for name in names if not (data / name).is_dir()]
    if missing:
        raise ConfigError(
            f"the bundled corpus has no {', '.join(missing)} in {data}",
            hint="run scripts/build_demo_corpus.py, or check out the repository again",
        )
    return [data / name for name in names]


def expected_records(files: Sequence[Path]) -> int:
    """How many records `files` hold, for the progress bar: a line per JSON Lines record,
    one record per other document (the seeds are pages)."""
    total = 0
    for path in files:
        if ".jsonl" not in path.suffixes:
            total += 1
            continue
        with open_binary(path) as stream:
            total += sum(1 for line in stream if line.strip())
    return total


def _ingest_with_progress(engine: Engine, files: list[Path], settings: Settings) -> IngestSummary:
    """Ingest with a bar that counts records, not files: the big corpus is one file."""
    progress = Progress(
        TextColumn("[bold]demo[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records · {task.fields[current]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task("demo", total=expected_records(files), current="")

        def counted_claims(record: Record) -> Sequence[Claim]:
            progress.update(task, advance=1)
            return extract_claims(record)

        def file_done(path: Path, count: int) -> None:
            progress.update(task, current=path.name)

        return ingest_into(
            engine,
            files,
            batch_size=settings.batch_size,
            languages=settings.languages,
            on_file_done=file_done,
            claims_of=counted_claims,
        )


def _print_store(engine: Engine) -> None:
    """Records, claims and cells in the store, and the cells of `SHOWN_INTERVENTION`."""
    with engine.connect() as connection:
        n_claims = connection.scalar(select(func.count()).select_from(schema.claims)) or 0
    on_map = cells(engine)
    out.print(
        f"store: {count_records(engine)} record(s), {n_claims} claim(s), "
        f"{len(on_map)} cell(s) on the map"
    )
    for cell in (c for c in on_map if c.intervention == SHOWN_INTERVENTION):
        out.print(
            f"  {escape(cell.intervention)} {CROSS} {escape(cell.condition)}: "
            f"{cell.verdict_text}, certainty {escape(cell.certainty_text)} "
            f"({cell.n_records} record(s))",
            soft_wrap=True,
        )


def _print_records(engine: Engine, folders: Sequence[Path], languages: str) -> None:
    """Every stored record of the bundled files with its claims (`--show`)."""
    stored = {
        record.id: record
        for path in input_files(folders)
        for item in _records_of(path, languages)
        if (record := record_by_id(engine, item.id)) is not None
    }
    out.print(f"\n[bold]stored records[/] ({len(stored)})")
    for record in stored.values():
        where = record.journal.title if record.journal else record.cites_url or record.url
        out.print(f"\n[bold]{escape(record.title or '(no title)')}[/]")
        out.print(
            f"  {record.id}  ·  {record.kind or 'kind unknown'}  ·  {record.language or '?'}"
            f"  ·  {escape(where or '')}  ·  texts: {', '.join(record.texts())}",
            soft_wrap=True,
        )
        for number, claim in enumerate(claims_of_record(engine, record.id), 1):
            out.print(f"  [{number}] {escape(claim_summary(claim))}", soft_wrap=True)


def _records_of(path: Path, languages: str) -> Iterator[Record]:
    try:
        for item in read_any(path, languages=languages):
            if isinstance(item, Record):
                yield item
    except EvimapError:
        return


def _serve(db_url: str, host: str, port: int) -> None:
    """Serve the map with `evimap serve`'s server until interrupted."""
    out.print(f"\n[bold]the map:[/] http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        serve_map(db_url, host, port)
    except EvimapError as error:
        fail(error)


def register(app: typer.Typer) -> None:
    app.command()(demo)
