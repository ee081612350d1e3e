"""Build hook: compile the extraction step modules with mypyc, unless EVIMAP_PURE=1.

Everything else about the package is declared in pyproject.toml. Why compile, and how
the package falls back to the sources when they are newer: docs/speed.md and
`evimap.extract`'s docstring.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from setuptools import setup

UNCOMPILED = {"__init__.py", "score.py"}
"""Kept in sync with `evimap.extract._UNCOMPILED`."""

MYPY_FLAGS = [
    # mypyc type-checks what the compiled modules import; `make typecheck` checks the
    # rest strictly, with every stub installed, which a build environment does not have.
    "--follow-imports=silent",
    "--ignore-missing-imports",
    "--no-warn-unused-ignores",
]


def compiled_modules() -> list[Any]:
    if os.environ.get("EVIMAP_PURE") == "1":
        return []
    from mypyc.build import mypycify

    sources = sorted(
        str(path) for path in Path("src/evimap/extract").glob("*.py") if path.name not in UNCOMPILED
    )
    return mypycify([*MYPY_FLAGS, *sources], opt_level="3", group_name="evimap_compiled")


setup(ext_modules=compiled_modules())
