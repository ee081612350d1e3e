"""`evimap demo`: build the store from the bundled corpus and show what it holds.

Until the map exists (issue 4) the bundled corpus is the three seed documents in
`data/seeds/`; the demo ingests them and prints every stored record's key fields.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

import evimap
from evimap.cli._options import DbOption, err, fail, out, print_problems, settings_for
from evimap.cli.ingest import print_summary
from evimap.cli.records import claim_summary
from evimap.errors import ConfigError, EvimapError
from evimap.ingest import SKIPPED_IN_FOLDERS, ingest_files
from evimap.records import Record
from evimap.sources import read_any
from evimap.store import open_store
from evimap.store.queries import claims_of_record, record_by_id


def bundled_corpus() -> Path:
    """The `data/` folder of the source checkout that this package was installed from."""
    folder = Path(evimap.__file__).resolve().parents[2] / "data" / "seeds"
    if not folder.is_dir():
        raise ConfigError(
            f"the bundled corpus is not at {folder}",
            hint="run the demo from a source checkout (make demo)",
        )
    return folder


def demo(db: DbOption = None) -> None:
    """Ingest the bundled corpus into the store and print what was stored."""
    settings = settings_for(db=db)
    try:
        corpus = bundled_corpus()
        summary = ingest_files([corpus], db_url=settings.db, languages=settings.languages)
        engine = open_store(settings.db)
    except EvimapError as error:
        fail(error)
    err.print(f"bundled corpus: {corpus}")
    print_summary(summary, settings.db)
    print_problems(summary.problems)
    stored = [
        record
        for path in sorted(corpus.iterdir())
        for item in _safe_items(path, settings.languages)
        if (record := record_by_id(engine, item.id)) is not None
    ]
    out.print(f"\n[bold]stored records[/] ({len({r.id for r in stored})})")
    for record in {r.id: r for r in stored}.values():
        where = record.journal.title if record.journal else record.cites_url
        out.print(f"\n[bold]{escape(record.title or '(no title)')}[/]")
        out.print(
            f"  {record.id}  ·  {record.kind or 'kind unknown'}  ·  {record.language or '?'}"
            f"  ·  {escape(where or '')}  ·  texts: {', '.join(record.texts())}",
            soft_wrap=True,
        )
        for number, claim in enumerate(claims_of_record(engine, record.id), 1):
            out.print(f"  [{number}] {escape(claim_summary(claim))}", soft_wrap=True)
    engine.dispose()
    if summary.problems:
        raise typer.Exit(1)


def _safe_items(path: Path, languages: str) -> list[Record]:
    if path.name.upper().startswith(SKIPPED_IN_FOLDERS):
        return []
    try:
        return [i for i in read_any(path, languages=languages) if isinstance(i, Record)]
    except EvimapError:
        return []


def register(app: typer.Typer) -> None:
    app.command()(demo)
