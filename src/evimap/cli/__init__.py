"""The `evimap` command line: a thin skin over the library (sqlite-utils' model).

Each command group lives in its own module and registers itself on `app` through
`register(app)`; options shared by commands (the store URL) are declared in `_options`.
"""

from __future__ import annotations

import typer

from evimap.cli import demo, extract, ingest, map, meta, records, serve, sources

app = typer.Typer(
    name="evimap",
    help="A living evidence map for medicine: ingest literature, extract sourced claims, "
    "map drug x condition.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (extract, ingest, records, sources, map, meta, serve, demo):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
