"""`evimap sources` and `evimap config`: what this installation can read, and its settings."""

from __future__ import annotations

import typer
from rich.table import Table

from evimap.cli._options import out
from evimap.config import resolve_settings, setting_fields
from evimap.sources import all_sources


def sources() -> None:
    """List the formats evimap reads, in the order their sniffers are tried."""
    table = Table("name", "suffixes", "reads")
    for spec in all_sources():
        table.add_row(spec.name, " ".join(spec.suffixes), spec.description)
    out.print(table)


def config() -> None:
    """Show every setting's value and where it came from (flag, env, evimap.toml, default)."""
    settings, origin = resolve_settings()
    table = Table("setting", "value", "from", "environment variable", "meaning")
    for f in setting_fields():
        table.add_row(
            f.name,
            str(getattr(settings, f.name)),
            origin[f.name],
            f.metadata["env"],
            f.metadata["help"],
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(sources)
    app.command()(config)
