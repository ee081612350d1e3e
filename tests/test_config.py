"""Settings: declared once, resolved with flag > env > evimap.toml > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from evimap.config import Settings, resolve_settings
from evimap.errors import ConfigError


def test_config_precedence_flag_env_file_default(tmp_path: Path) -> None:
    toml = tmp_path / "evimap.toml"
    toml.write_text('db = "sqlite:///file.db"\nbatch_size = 7\n', encoding="utf-8")
    env = {"EVIMAP_DB": "sqlite:///env.db"}
    settings, origin = resolve_settings({"db": None}, environ=env, config_path=toml)
    assert settings.db == "sqlite:///env.db"
    assert origin["db"] == "env EVIMAP_DB"
    assert settings.batch_size == 7
    assert origin["batch_size"].startswith("file")
    flagged, origin = resolve_settings({"db": "sqlite:///flag.db"}, environ=env, config_path=toml)
    assert flagged.db == "sqlite:///flag.db"
    assert origin["db"] == "flag"
    default, origin = resolve_settings({}, environ={}, config_path=tmp_path / "none.toml")
    assert default == Settings()
    assert set(origin.values()) == {"default"}


def test_config_unknown_key_in_file_is_an_error(tmp_path: Path) -> None:
    toml = tmp_path / "evimap.toml"
    toml.write_text('databse = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown settings databse"):
        resolve_settings({}, environ={}, config_path=toml)


def test_config_non_numeric_batch_size_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="batch_size must be an integer"):
        resolve_settings({}, environ={"EVIMAP_BATCH_SIZE": "many"}, config_path=tmp_path / "x")
