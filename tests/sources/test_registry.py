"""The source registry: the exact built-ins, a fixture for each, and clear lookup errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.errors import EmptyInput, UnknownFormat
from evimap.sources import BUILTIN_SOURCES, detect_source, read_any, source_named

from ..conftest import DATA


def test_registry_builtin_names_are_exactly_these() -> None:
    assert [s.name for s in BUILTIN_SOURCES] == [
        "pubmed",
        "jats",
        "europepmc",
        "ctgov",
        "jsonl",
        "medline",
        "ris",
        "bibtex",
        "page",
    ]


@pytest.mark.parametrize("name", [s.name for s in BUILTIN_SOURCES])
def test_registry_every_source_has_a_fixture_with_a_golden(name: str) -> None:
    folder = DATA / "sources" / name
    goldens = list(folder.glob("*.expected.jsonl"))
    assert goldens, f"tests/data/sources/{name}/ needs a fixture and its golden"
    assert (folder / "PROVENANCE.md").is_file()


def test_registry_unknown_name_lists_the_known_formats() -> None:
    with pytest.raises(UnknownFormat) as caught:
        source_named("endnote-xml")
    for spec in BUILTIN_SOURCES:
        assert spec.name in str(caught.value)


def test_registry_binary_junk_is_an_unknown_format_naming_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "scan.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    with pytest.raises(UnknownFormat) as caught:
        detect_source(junk)
    assert caught.value.file == str(junk)
    assert "known formats: pubmed" in str(caught.value)


def test_registry_empty_file_is_reported_as_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"  \n")
    with pytest.raises(EmptyInput, match="empty"):
        list(read_any(empty))


def test_registry_suffix_breaks_a_tie_but_never_overrides_content(tmp_path: Path) -> None:
    ris = (DATA / "sources" / "ris").glob("*.ris")
    content = next(ris).read_bytes()
    disguised = tmp_path / "export.xml"
    disguised.write_bytes(content)
    assert detect_source(disguised).name == "ris"
