"""A sample string for a cue pattern, so that a test can show every cue is reachable."""

from __future__ import annotations

import importlib
from typing import Any

_parser: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")


def shortest_sample(pattern: str) -> str:
    """The shortest string `pattern` matches, taking the first branch everywhere."""
    return _sample(_parser.parse(pattern))


def _sample(items: Any) -> str:
    out = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.IN:
            kind, value = av[0]
            if kind is sre.NEGATE:
                out.append("x")
            elif kind is sre.CATEGORY:
                out.append("1" if value is sre.CATEGORY_DIGIT else " ")
            else:
                out.append(chr(value if kind is sre.LITERAL else value[0]))
        elif op is sre.SUBPATTERN:
            out.append(_sample(av[3]))
        elif op is sre.BRANCH:
            out.append(_sample(av[1][0]))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            out.append(_sample(av[2]) * av[0])
        elif op is sre.NOT_LITERAL:
            out.append("x")
    return "".join(out)
