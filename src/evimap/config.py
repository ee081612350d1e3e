"""Every setting of evimap, declared once: name, default, environment variable, help.

Precedence is CLI flag > environment variable > `evimap.toml` > default. It is resolved
once, at the edge (the CLI, or the web app factory), and the values are then passed down
as plain arguments: this is the only module that reads `os.environ`, which keeps the
pipeline stages free of global state and safe to map over a Dask cluster.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evimap.errors import ConfigError

CONFIG_FILE = "evimap.toml"

DEFAULT_LANGUAGES = (
    "en zh es fr de pt it ja ko ru nl pl tr ar fa he sv da nb fi cs hu el uk ro hr id vi th"
)


def _setting(default: Any, env: str, help: str) -> Any:
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Field metadata carries the environment variable and the help."""

    db: str = _setting(
        "sqlite:///evimap.db",
        "EVIMAP_DB",
        "SQLAlchemy URL of the store: sqlite:///path.db or postgresql+psycopg://…",
    )
    batch_size: int = _setting(
        500,
        "EVIMAP_BATCH_SIZE",
        "Records written per transaction during ingest; a crash loses at most one batch.",
    )
    languages: str = _setting(
        DEFAULT_LANGUAGES,
        "EVIMAP_LANGUAGES",
        "ISO 639-1 codes the language detector chooses among (space separated). Fewer "
        "languages load faster and use less memory; 28 cover nearly all of PubMed.",
    )


def setting_fields() -> tuple[dataclasses.Field[Any], ...]:
    """The declared settings, for documentation and `evimap config`."""
    return dataclasses.fields(Settings)


def resolve_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> tuple[Settings, dict[str, str]]:
    """The settings and, for each, where its value came from (flag, env, file, default)."""
    env = os.environ if environ is None else environ
    path = config_path or Path(CONFIG_FILE)
    from_file = _read_config_file(path) if path.is_file() else {}
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for f in setting_fields():
        if overrides and overrides.get(f.name) is not None:
            values[f.name], origin[f.name] = overrides[f.name], "flag"
        elif f.metadata["env"] in env:
            values[f.name], origin[f.name] = env[f.metadata["env"]], f"env {f.metadata['env']}"
        elif f.name in from_file:
            values[f.name], origin[f.name] = from_file[f.name], f"file {path}"
        else:
            values[f.name], origin[f.name] = f.default, "default"
        values[f.name] = _coerce(f, values[f.name])
    return Settings(**values), origin


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(exc), file=str(path), hint="fix the TOML syntax") from exc
    known = {f.name for f in setting_fields()}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"unknown settings {', '.join(unknown)}",
            file=str(path),
            hint=f"known settings: {', '.join(sorted(known))}",
        )
    return data


def _coerce(f: dataclasses.Field[Any], value: Any) -> Any:
    if isinstance(f.default, int) and not isinstance(value, int):
        try:
            return int(value)
        except ValueError as exc:
            raise ConfigError(
                f"{f.name} must be an integer, not {value!r}",
                hint=f"set {f.metadata['env']} to a number",
            ) from exc
    return value
