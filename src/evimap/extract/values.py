"""Value objects that a record makes by the dozen (sentences, mentions, term matches).

Written as plain classes rather than frozen dataclasses because, compiled (see
`evimap.extract`), such a class is made in about a twentieth of the time: a frozen
dataclass sets each field through `object.__setattr__`. Subclasses declare their fields
`Final` in `__init__`, which keeps them immutable (mypy refuses an assignment, and so does
the compiled class at run time) and list them in `FIELDS`, from which `Value` gives what
the dataclass gave: equality, hashing and a readable repr.
"""

from __future__ import annotations

from typing import ClassVar


class Value:
    """Equality, hash and repr of a value object from the fields its `FIELDS` names."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"
