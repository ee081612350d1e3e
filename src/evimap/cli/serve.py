"""`evimap serve`: the web app (map, cells, records, search, API, feeds) over a store."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from evimap.cli._options import DbOption, err, fail, settings_for
from evimap.errors import EvimapError


def serve(db_url: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the web app over the store at `db_url` until interrupted (uvicorn, one process).

    `evimap demo` calls this after building its store. Raises `StoreError` when the store
    cannot be opened, before anything listens.
    """
    from evimap.serve.web.app import create_app

    app = create_app(db_url)
    uvicorn.run(app, host=host, port=port, log_level="info", ws="none")


def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
) -> None:
    """Serve the map, cells, records, search, JSON API (/api/) and Atom feeds (/feeds/)."""
    settings = settings_for(db=db)
    err.print(f"serving {settings.db} at http://{host}:{port}/")
    try:
        serve(settings.db, host, port)
    except EvimapError as error:
        fail(error)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
