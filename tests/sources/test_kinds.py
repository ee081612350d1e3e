"""Every reader gives kinds from the one vocabulary, `evimap.records.KINDS`."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.records import KINDS, Record
from evimap.sources import read_any
from evimap.sources._fields import KIND_BY_PUBLICATION_TYPE

from .test_goldens import fixture_inputs


@pytest.mark.parametrize("path", fixture_inputs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_kinds_are_in_the_vocabulary(path: Path) -> None:
    records = [item for item in read_any(path) if isinstance(item, Record)]
    assert all(record.kind is None or record.kind in KINDS for record in records), {
        record.id: record.kind for record in records
    }


def test_publication_type_kinds_are_in_the_vocabulary() -> None:
    assert set(KIND_BY_PUBLICATION_TYPE.values()) <= set(KINDS)
