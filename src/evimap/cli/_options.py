"""Options and output helpers shared by the commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from evimap.config import Settings, resolve_settings
from evimap.errors import EvimapError
from evimap.ingest import Problem

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL of the store (default sqlite:///evimap.db; env EVIMAP_DB).",
        show_default=False,
    ),
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def settings_for(**overrides: Any) -> Settings:
    """Settings resolved from flags, environment, evimap.toml and defaults."""
    try:
        settings, _ = resolve_settings(overrides)
    except EvimapError as error:
        fail(error)
    return settings


def fail(error: EvimapError) -> typer.Exit:
    """Print an error the way every command does and exit with status 1."""
    err.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
    raise typer.Exit(1)


def print_problems(problems: Iterable[Problem]) -> None:
    """The problem report on standard error: one line per file or record not read or stored.

    Plain lines rather than a table, so a long path is never folded and the report can be
    searched with grep.
    """
    rows = list(problems)
    if not rows:
        return
    err.print(f"[bold red]{len(rows)} problem(s):[/]")
    for p in rows:
        where = f"{p.file} -> {p.record}" if p.record else p.file
        err.print(f"  {escape(where)} [dim]({p.stage})[/]: {escape(p.reason)}", soft_wrap=True)
        if p.hint:
            err.print(f"    [dim]what to do:[/] {escape(p.hint)}", soft_wrap=True)
