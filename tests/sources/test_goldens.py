"""Every fixture under tests/data/sources/<format>/ is sniffed as <format> and read into
exactly the records of its `.expected.jsonl` golden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evimap.records import Deletion, Item, record_json
from evimap.sources import detect_source, read_any

from ..conftest import DATA, Golden

SOURCES = DATA / "sources"
NOT_INPUTS = (".expected.jsonl", ".md", ".txt.license")


def fixture_inputs() -> list[Path]:
    return sorted(
        p
        for p in SOURCES.glob("*/*")
        if p.is_file() and not p.name.endswith(NOT_INPUTS) and not p.name.startswith("LICENSE")
    )


def golden_row(item: Item) -> dict[str, Any]:
    if isinstance(item, Deletion):
        return {"deleted": item.id, "source": item.source}
    return record_json(item)


@pytest.mark.parametrize("path", fixture_inputs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_source_fixture_matches_golden(path: Path, golden: Golden) -> None:
    assert detect_source(path).name == path.parent.name
    rows = [golden_row(item) for item in read_any(path)]
    assert rows, "a fixture must yield at least one record"
    golden.check(path.with_name(path.name + ".expected.jsonl"), rows)
