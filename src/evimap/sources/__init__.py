"""Reading literature files of every supported kind into Records.

`read_any` is the one door: it sniffs the content to choose a reader (or takes the
format it is told), streams the reader's items, and finishes each Record the same way
whatever its source: canonical id and identifiers, then language detection.
"""

from __future__ import annotations

from collections.abc import Iterator

from evimap.config import DEFAULT_LANGUAGES
from evimap.errors import ErrorHandler
from evimap.records import Deletion, Item, with_identity
from evimap.sources._io import Data, origin_of
from evimap.sources._language import detect_language, with_language
from evimap.sources.registry import (
    BUILTIN_SOURCES,
    SourceSpec,
    all_sources,
    detect_source,
    known_names,
    source_named,
)


def read_any(
    data: Data,
    *,
    format: str | None = None,
    origin: str | None = None,
    languages: str = DEFAULT_LANGUAGES,
    on_error: ErrorHandler | None = None,
) -> Iterator[Item]:
    """Records (and deletion notices) from one file, in file order, streamed.

    Errors in the file as a whole (unknown format, bad encoding, broken XML) are raised
    as `InputError`s naming the file; records already yielded before a late error stay
    valid, so a caller that stores as it reads loses nothing that was readable. Problems
    with one record (a PubMed article without a PMID, a bad JSON line) go to `on_error`
    and the rest of the file is still read; without a handler they are raised.
    """
    name = origin_of(data, origin)
    spec = source_named(format) if format else detect_source(data, origin=name)
    for item in spec.read(data, origin=name, on_error=on_error):
        if isinstance(item, Deletion):
            yield item
        else:
            yield with_language(with_identity(item), languages=languages)


__all__ = [
    "BUILTIN_SOURCES",
    "SourceSpec",
    "all_sources",
    "detect_language",
    "detect_source",
    "known_names",
    "read_any",
    "source_named",
]
