"""Placeholder for the ris reader (being written)."""

from __future__ import annotations

from collections.abc import Iterator

from evimap.records import Item
from evimap.sources._io import Data


def sniff(head: bytes) -> bool:
    """Whether `head` looks like ris input."""
    return False


def read(data: Data, *, origin: str | None = None) -> Iterator[Item]:
    """Records of a ris file."""
    raise NotImplementedError
    yield
