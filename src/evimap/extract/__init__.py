"""Evidence extraction: Records in, sourced Claims out (DESIGN.md, issue 3).

The work is a pipeline of named, versioned steps (`pipeline.py`), each a pure function of
a record and what earlier steps found. Step modules hold pure `find_*` functions that
return spans and values; the pipeline turns findings into Claim fields.

The step modules are compiled with mypyc when the package is built (`setup.py`, as black
ships): the same source, about a fifth faster. Compiled modules call one another natively,
so they are used all together or not at all: when any source is newer than its compiled
copy (edited since the last build) or one is missing, or `EVIMAP_PURE=1` is set, every
module of this package is imported from its source, so that what runs is what the source
says. `COMPILED` tells which it is.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

_HERE = Path(__file__).parent
_UNCOMPILED = frozenset({"__init__", "score"})
"""Modules `setup.py` leaves as Python: this one, and scoring, which no ingest runs."""


def _compiled_copy(source: Path) -> Path | None:
    """The compiled module built from `source`, if there is one."""
    for suffix in EXTENSION_SUFFIXES:
        built = source.with_suffix(suffix)
        if built.exists():
            return built
    return None


def _compiled_is_current() -> bool:
    """Whether every module that `setup.py` compiles has a compiled copy newer than it."""
    if os.environ.get("EVIMAP_PURE") == "1":
        return False
    sources = [p for p in _HERE.glob("*.py") if p.stem not in _UNCOMPILED]
    for source in sources:
        built = _compiled_copy(source)
        if built is None or built.stat().st_mtime < source.stat().st_mtime:
            return False
    return bool(sources)


class _SourceFirst(MetaPathFinder):
    """Imports this package's modules from their `.py` files, passing over compiled ones
    (the default finder tries extension modules first)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != __name__:
            return None
        source = _HERE / f"{name}.py"
        return importlib.util.spec_from_file_location(fullname, source) if source.exists() else None


COMPILED = _compiled_is_current()
if not COMPILED and not any(isinstance(f, _SourceFirst) for f in sys.meta_path):
    sys.meta_path.insert(0, _SourceFirst())
