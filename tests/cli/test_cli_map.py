"""`evimap map` on the seeds: the cells as a table and as JSON, filtered and rolled up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evimap.cli import app

from ..conftest import REPO

SEEDS = REPO / "data" / "seeds"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "EVIMAP_DB": None})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, runner: CliRunner) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('map') / 'store.db'}"
    result = runner.invoke(app, ["ingest", "--db", url, str(SEEDS)])
    assert result.exit_code == 0, result.output
    return url


def test_cli_map_json_prints_every_cell_with_its_sentences(runner: CliRunner, db: str) -> None:
    result = runner.invoke(app, ["map", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    cells = {(c["intervention"], c["condition"]): c for c in json.loads(result.stdout)}
    pain = cells["ketamine", "chronic pain"]
    assert pain["certainty_text"] == "low to very low"
    assert pain["claims"][0]["evidence_text"]
    assert cells["ketamine", "alcohol use disorder"]["certainty"] is None
    assert cells["ketamine", "major depressive disorder"]["verdict"] == "benefit"


def test_cli_map_table_has_one_row_per_cell(runner: CliRunner, db: str) -> None:
    result = runner.invoke(app, ["map", "--db", db, "--intervention", "ketamine"])
    assert result.exit_code == 0, result.output
    assert "chronic pain" in result.stdout
    assert "low to very low" in result.stdout
    assert "not stated" in result.stdout


def test_cli_map_rollup_adds_the_parent_conditions(runner: CliRunner, db: str) -> None:
    result = runner.invoke(
        app, ["map", "--db", db, "--format", "json", "--rollup", "--condition", "depression"]
    )
    assert result.exit_code == 0, result.output
    conditions = {c["condition"]: c for c in json.loads(result.stdout)}
    assert conditions["depression"]["is_rollup"]
    assert "major depressive disorder" in conditions["depression"]["conditions"]


def test_cli_map_on_an_empty_store_says_how_to_fill_it(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["map", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert result.exit_code == 0, result.output
    assert "evimap ingest" in result.stdout


def test_cli_map_refresh_recomputes_and_changes_nothing(runner: CliRunner, db: str) -> None:
    before = runner.invoke(app, ["map", "--db", db, "--format", "json"]).stdout
    after = runner.invoke(app, ["map", "--db", db, "--format", "json", "--refresh"]).stdout
    assert json.loads(after) == json.loads(before)
