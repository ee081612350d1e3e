"""The one exception tree of evimap.

    EvimapError
    ├── InputError                 a file or record could not be read
    │   ├── UnknownFormat          no reader recognizes the content (lists the known ones)
    │   ├── EmptyInput             the file has no content
    │   ├── EncodingError          the bytes are not in the encoding they claim
    │   └── MalformedRecord        the content is broken (bad XML, JSON, a record without id)
    ├── FetchError                 a live source failed
    │   ├── RateLimited
    │   └── RemoteError
    ├── StoreError                 the store refused or is inconsistent
    │   └── MigrationError
    ├── MetaAnalysisError
    │   ├── InvalidStudyData
    │   └── NoConvergence
    └── ConfigError                a setting has a value that cannot be used

Every error carries what it is about as attributes (`file`, `record`, `hint`) so the CLI can
report it as a problem row and tests can assert on it; `str(error)` is the whole message.

Readers take an `ErrorHandler` for problems with one record and pass them to `report`;
`located` adds the file and a fallback record label to an error raised by a parser that
sees one record only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar


class EvimapError(Exception):
    """Base of every error evimap raises on purpose."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        record: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.record = record
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file and f"file {self.file}",
                self.record and f"record {self.record}",
            )
            if part
        )
        text = f"{where}: {self.reason}" if where else self.reason
        return f"{text} ({self.hint})" if self.hint else text


class InputError(EvimapError):
    """A file or a record in it could not be read."""


class UnknownFormat(InputError):
    """No registered reader recognizes the content."""


class EmptyInput(InputError):
    """The file holds nothing to read."""


class EncodingError(InputError):
    """The bytes are not valid in the encoding the file declares or implies."""


class MalformedRecord(InputError):
    """The content is structurally broken, or a record lacks what every record needs."""


class FetchError(EvimapError):
    """A live source could not be fetched."""


class RateLimited(FetchError):
    """The remote service asked us to slow down."""


class RemoteError(FetchError):
    """The remote service answered with an error."""


class StoreError(EvimapError):
    """The store refused an operation."""


class MigrationError(StoreError):
    """A schema migration failed; the store is left at the last applied migration."""


class MetaAnalysisError(EvimapError):
    """A meta-analysis could not be computed."""


class InvalidStudyData(MetaAnalysisError):
    """Study data that no estimator can use (negative counts, zero group sizes…)."""


class NoConvergence(MetaAnalysisError):
    """An iterative estimator did not converge."""


class ConfigError(EvimapError):
    """A setting has a value that cannot be used."""


ErrorHandler = Callable[[EvimapError], None]
"""What a reader's `on_error` is: it receives each per-record problem."""

_Error = TypeVar("_Error", bound=EvimapError)


def report(error: EvimapError, on_error: ErrorHandler | None) -> None:
    """Hand a per-item problem to the caller's `on_error`; raise it when there is none.

    A stage that reads many items (records of a file) should not decide alone whether one
    bad item stops the run: like spaCy's pipeline error handlers, the problem goes to the
    handler the caller passed (ingest turns it into a problem row and reads on). Without a
    handler the error is raised, so a direct call fails loudly on the first bad item.
    Called inside an `except` block, the raised error keeps the caught one as context.
    """
    if on_error is None:
        raise error
    on_error(error)


def located(error: _Error, *, file: str, record: str) -> _Error:
    """`error` again, naming `file` and, when it names no record, `record`.

    A parser of one record does not know the file or where the record sits in it; the
    reader does. The original error is kept as the new one's `__cause__`.
    """
    where = type(error)(error.reason, file=file, record=error.record or record, hint=error.hint)
    where.__cause__ = error
    return where
