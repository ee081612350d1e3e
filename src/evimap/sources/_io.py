"""Opening inputs: paths or bytes, plain or gzip, with errors that name the file.

Readers stream, so they open the input themselves through `open_binary`; `head` gives
the first few kilobytes (decompressed) for sniffing; `decoded_text` is for formats that
must be read whole (RIS, BibTeX, pages) and turns a bad byte into an `EncodingError`
that says where it is; `json_document` parses a JSON file read whole.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from evimap.errors import EmptyInput, EncodingError, MalformedRecord

GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 8192

Data = Path | bytes
"""What a reader accepts: a file to open, or its bytes already in memory."""


def origin_of(data: Data, origin: str | None = None) -> str:
    """The name to use for `data` in messages."""
    if origin:
        return origin
    return str(data) if isinstance(data, Path) else "<bytes>"


@contextmanager
def open_binary(data: Data, *, origin: str | None = None) -> Iterator[BinaryIO]:
    """A binary stream over `data`, gunzipped when it starts with the gzip magic."""
    raw: BinaryIO
    if isinstance(data, Path):
        try:
            raw = data.open("rb")
        except OSError as exc:
            raise MalformedRecord(exc.strerror or str(exc), file=origin_of(data, origin)) from exc
    else:
        raw = io.BytesIO(data)
    with raw:
        magic = raw.read(2)
        raw.seek(0)
        if magic == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield raw


def head(data: Data, *, size: int = HEAD_BYTES, origin: str | None = None) -> bytes:
    """The first `size` bytes of the (decompressed) content, for sniffing.

    A truncated gzip file still yields what could be decompressed, so it is sniffed like
    any other; the truncation is reported when the reader reaches it.
    """
    with open_binary(data, origin=origin) as stream:
        try:
            return stream.read(size)
        except (EOFError, OSError, zlib.error):
            return b""


def read_all(data: Data, *, origin: str | None = None) -> bytes:
    """The whole (decompressed) content; raises on an empty or truncated file."""
    name = origin_of(data, origin)
    with open_binary(data, origin=origin) as stream:
        try:
            content = stream.read()
        except (EOFError, OSError, zlib.error) as exc:
            raise MalformedRecord(
                f"compressed stream is damaged or truncated ({exc})",
                file=name,
                hint="download the file again",
            ) from exc
    if not content.strip():
        raise EmptyInput("the file is empty", file=name)
    return content


def decoded_text(content: bytes, *, origin: str) -> str:
    """UTF-8 text (a BOM is honoured, UTF-16 too); a bad byte is an `EncodingError`.

    No silent fallback to Latin-1: guessing would store mojibake that is impossible to
    find later, so the user is told the line and column and asked to re-save the file.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        raise EncodingError(
            f"byte 0x{content[exc.start]:02x} at line {line}, column {column} is not UTF-8",
            file=origin,
            hint="re-save the file as UTF-8",
        ) from exc


def json_document(text: str, *, origin: str, hint: str) -> Any:
    """The value of a whole JSON file; broken JSON is a `MalformedRecord` naming the line
    and column, with the reader's `hint` on what to do (a cut download, usually)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedRecord(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            file=origin,
            hint=hint,
        ) from exc


def nested_value(document: Any, *keys: str) -> Any:
    """`document[k1][k2]…`, or None where a level is missing or not an object.

    JSON APIs leave out empty modules instead of sending them empty, so every lookup
    into a Europe PMC or ClinicalTrials.gov document has to tolerate a missing level.
    """
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document
