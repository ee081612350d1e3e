"""Placeholder for the bibtex reader (being written)."""

from __future__ import annotations

from collections.abc import Iterator

from evimap.records import Item
from evimap.sources._io import Data


def sniff(head: bytes) -> bool:
    """Whether `head` looks like bibtex input."""
    return False


def read(data: Data, *, origin: str | None = None) -> Iterator[Item]:
    """Records of a bibtex file."""
    raise NotImplementedError
    yield
