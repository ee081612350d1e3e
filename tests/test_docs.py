"""The docs name every command, setting and source (datasette's test_docs idea)."""

from __future__ import annotations

import pytest

from evimap.cli import app
from evimap.config import setting_fields
from evimap.sources import known_names

from .conftest import REPO

DOCS = REPO / "docs"


def command_names() -> list[str]:
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)


@pytest.mark.parametrize("name", command_names())
def test_docs_cli_reference_has_every_command(name: str) -> None:
    assert f"## evimap {name}\n" in (DOCS / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [f.name for f in setting_fields()])
def test_docs_settings_page_has_every_setting(name: str) -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    env = next(f.metadata["env"] for f in setting_fields() if f.name == name)
    assert f"`{name}`" in text
    assert f"`{env}`" in text


@pytest.mark.parametrize("name", known_names())
def test_docs_formats_page_has_every_source(name: str) -> None:
    assert f"### `{name}`" in (DOCS / "formats.md").read_text(encoding="utf-8")
