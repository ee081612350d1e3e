"""The public API is `evimap.__all__`: sorted, complete, and importable."""

from __future__ import annotations

import evimap


def test_public_api_all_is_sorted() -> None:
    assert evimap.__all__ == sorted(evimap.__all__)


def test_public_api_all_names_every_public_attribute() -> None:
    public = {
        name
        for name in vars(evimap)
        if not name.startswith("_") and not isinstance(getattr(evimap, name), type(evimap))
    }
    assert public == set(evimap.__all__)
