"""Global fixtures and options, defined once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from evimap.extract.pipeline import Sentence

HERE = Path(__file__).parent
DATA = HERE / "data"
REPO = HERE.parent
SHARED = REPO.parent / "shared"
"""The workplace's shared folder (seeds and real datasets), beside the checkout."""

settings.register_profile(
    "evimap", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60
)
settings.load_profile("evimap")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite golden output files from the current behaviour (review the diff)",
    )
    parser.addoption("--run-network", action="store_true", help="run tests marked network")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-network"):
        return
    skip = pytest.mark.skip(reason="needs the internet: pass --run-network")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


class Golden:
    """Compares JSON Lines output with a golden file, or rewrites it when asked."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, path: Path, rows: Iterable[dict[str, Any]]) -> None:
        text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
        if self.update or not path.exists():
            if not self.update:
                pytest.fail(f"golden file {path.name} is missing: run pytest --update-goldens")
            path.write_text(text, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8").splitlines()
        actual = text.splitlines()
        assert len(actual) == len(expected), f"{path.name}: row count differs"
        for number, (got, want) in enumerate(zip(actual, expected, strict=True), 1):
            assert json.loads(got) == json.loads(want), f"{path.name}: row {number} differs"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-goldens")))


def abstract_sentences(*texts: str) -> list[Sentence]:
    """Sentences of an abstract made of `texts` joined by single spaces, with offsets."""
    out, start = [], 0
    for text in texts:
        out.append(Sentence("abstract", start, start + len(text), text))
        start += len(text) + 1
    return out


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data folder; tests that need it are skipped where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    return SHARED
