"""The compiled/pure switch of `evimap.extract` (docs/speed.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_PROBE = """
import json
import evimap.extract as e
import evimap.extract.pairs as p
import evimap.extract.vocab as v
from evimap.extract.pipeline import Sentence
print(json.dumps({"compiled": e.COMPILED, "files": [p.__file__, v.__file__],
                  "sentence": repr(Sentence("title", 0, 3, "Abc"))}))
"""


def _probe(**env: str) -> tuple[bool, list[str], str]:
    """Import the package in a fresh interpreter with `env`: (COMPILED, module files, repr)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)
    return found["compiled"], found["files"], found["sentence"]


def test_evimap_pure_imports_every_step_module_from_source() -> None:
    compiled, files, sentence = _probe(EVIMAP_PURE="1")
    assert compiled is False
    assert all(f.endswith(".py") for f in files)
    assert sentence == "Sentence(field='title', start=0, end=3, text='Abc')"


def test_compiled_and_pure_modules_agree_on_what_they_are() -> None:
    """Whichever mode the tree is in, every step module is loaded the same way."""
    compiled, files, _ = _probe(EVIMAP_PURE="0")
    assert {f.rsplit(".", 1)[-1] for f in files} == ({"so"} if compiled else {"py"})
