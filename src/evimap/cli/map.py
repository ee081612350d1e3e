"""`evimap map`: the evidence map's cells, as a table or as JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evimap.cli._options import DbOption, fail, out, settings_for
from evimap.errors import EvimapError
from evimap.store import open_store
from evimap.synthesis.evidence_map import Cell, cell, cells, refresh_cells, rolled_up_cells
from evimap.synthesis.grade import design_name


class MapFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def map_(
    db: DbOption = None,
    format: Annotated[MapFormat, typer.Option("--format", help="Output format.")] = (
        MapFormat.TABLE
    ),
    intervention: Annotated[
        str | None, typer.Option("--intervention", help="Only cells of this intervention.")
    ] = None,
    condition: Annotated[
        str | None,
        typer.Option(
            "--condition",
            help="Only cells of this condition (with --rollup: and of those under it).",
        ),
    ] = None,
    rollup: Annotated[
        bool,
        typer.Option(
            "--rollup",
            help="Add a cell for each parent condition holding its children's claims "
            "(treatment-resistant depression inside major depressive disorder).",
        ),
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Recompute every cell from the stored claims first."),
    ] = False,
) -> None:
    """Print the cells of the evidence map: verdict, certainty and evidence of each
    intervention x condition.

    JSON gives every cell with its claims (the sentences it rests on) and the rules that
    made it (see docs/method.md); the table gives one line per cell.
    """
    settings = settings_for(db=db)
    try:
        engine = open_store(settings.db)
        if refresh:
            refresh_cells(engine)
        if rollup:
            shown = rolled_up_cells(engine, intervention=intervention, condition=condition)
        else:
            shown = cells(engine, intervention=intervention, condition=condition)
            if format is MapFormat.JSON:
                found = (cell(engine, c.intervention, c.condition) for c in shown)
                shown = [c for c in found if c is not None]
    except EvimapError as error:
        fail(error)
    if format is MapFormat.JSON:
        typer.echo(json.dumps([c.to_dict() for c in shown], ensure_ascii=False, indent=2))
        return
    print_cells(shown)


def print_cells(shown: list[Cell]) -> None:
    """The cells as a table: one row per cell, best evidence and counts."""
    if not shown:
        out.print("no cells: ingest records with claims first (evimap ingest)")
        return
    table = Table(
        "intervention",
        "condition",
        "verdict",
        "certainty",
        "best evidence",
        "records",
        "studies",
        "participants",
        "conflicts",
        title=f"{len(shown)} cell(s)",
        title_justify="left",
    )
    for c in shown:
        condition = c.condition + (" (+ children)" if c.is_rollup and len(c.conditions) > 1 else "")
        verdict = c.verdict_text + (" (tiers disagree)" if c.tiers_disagree else "")
        table.add_row(
            escape(c.intervention),
            escape(condition),
            verdict,
            escape(c.certainty_text),
            design_name(c.best_design),
            str(c.n_records),
            _number(c.n_studies),
            _number(c.n_participants),
            str(c.n_conflicts),
        )
    out.print(table)


def _number(value: int | None) -> str:
    return f"{value:,}" if value is not None else ""


def register(app: typer.Typer) -> None:
    app.command("map")(map_)
