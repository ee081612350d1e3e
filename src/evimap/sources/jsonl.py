"""JSON Lines of evimap records: what `evimap extract --format jsonl` prints, or a store
export of bare records.

Each line is either a Record's JSON form (`records.record_to_dict`, or `record_json`
with its extra `text` object) or an extract line `{"file": …, "record": {…}, "claims":
[…]}`, of which the record is taken. A deletion notice as `evimap extract` prints it
(`{"file": …, "deleted": "pmid:…", "source": …}`) is read back as a Deletion.

Lines are read one at a time, so a file of any size streams; a bad line is a problem with
that line only and the lines after it still come.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

from evimap.errors import EncodingError, ErrorHandler, MalformedRecord, report
from evimap.records import Deletion, Item, Record, record_from_dict
from evimap.sources._io import Data, open_binary, origin_of

SOURCE = "jsonl"

_EXTRACT_KEYS = frozenset({"file", "record", "claims", "text", "deleted"})
_RECORD_KEYS = frozenset(field.name for field in dataclasses.fields(Record))


def sniff(head: bytes) -> bool:
    """Whether the first non-empty line is an evimap record or `evimap extract` line.

    That line is a JSON object with a `record` object, or with both `id` and `source`.
    A line longer than the sniffed head cannot be parsed (a record with a full-text body,
    or one written with sorted keys, whose `id` comes after `abstract` and `body`), so
    then its first key must be a Record field or an extract line's key. Pretty-printed
    JSON (Europe PMC, ClinicalTrials.gov) opens with a lone `{` and is never JSON Lines.
    """
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    line = next((candidate.strip() for candidate in text.splitlines() if candidate.strip()), "")
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        cut_by_head = "\n" not in text.strip()
        return cut_by_head and _first_key(line) in _RECORD_KEYS | _EXTRACT_KEYS
    return isinstance(value, dict) and (_record_of(value) is not None or _is_deletion(value))


def _first_key(line: str) -> str | None:
    """The first key of the JSON object a (possibly cut) line starts."""
    if not line.startswith("{"):
        return None
    try:
        key, _ = json.JSONDecoder().raw_decode(line[1:].lstrip())
    except json.JSONDecodeError:
        return None
    return key if isinstance(key, str) else None


def read(
    data: Data, *, origin: str | None = None, on_error: ErrorHandler | None = None
) -> Iterator[Item]:
    """Records (and deletion notices) of a JSON Lines file, one per non-empty line, streamed.

    A line that is not JSON, not UTF-8 or not a record is reported to `on_error` as a
    `MalformedRecord` (or `EncodingError`) naming the file and `line N`, and reading goes
    on; without a handler the first such problem is raised.
    """
    name = origin_of(data, origin)
    with open_binary(data, origin=name) as stream:
        number = 0
        while True:
            try:
                raw = stream.readline()
            except (EOFError, OSError, zlib.error) as exc:
                raise MalformedRecord(
                    f"compressed stream is damaged or truncated after line {number} ({exc})",
                    file=name,
                    hint="download the file again",
                ) from exc
            if not raw:
                break
            number += 1
            if not raw.strip():
                continue
            try:
                yield parse_line(raw, file=name, line=number)
            except (MalformedRecord, EncodingError) as error:
                report(error, on_error)


def parse_line(raw: bytes, *, file: str | None = None, line: int = 0) -> Item:
    """The item of one line: a record's JSON, the `record` of an extract line, or a
    deletion notice."""
    where = f"line {line}"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not UTF-8",
            file=file,
            record=where,
            hint="re-save the file as UTF-8",
        ) from exc
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedRecord(
            f"not valid JSON: {exc.msg} at column {exc.colno}",
            file=file,
            record=where,
            hint="each line must be one complete JSON object",
        ) from exc
    if isinstance(value, dict) and _is_deletion(value):
        return Deletion(id=value["deleted"], source=value["source"])
    data = _record_of(value) if isinstance(value, dict) else None
    if data is None:
        raise MalformedRecord(
            "not an evimap record: expected an object with id and source, or with record",
            file=file,
            record=where,
        )
    try:
        return record_from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedRecord(
            f"record fields do not fit the Record model ({type(exc).__name__}: {exc})",
            file=file,
            record=where,
            hint="the line may come from another program or an incompatible version",
        ) from exc


def _record_of(value: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The record object of a line, or None when the line has neither shape."""
    nested = value.get("record")
    if isinstance(nested, dict):
        return nested if _is_record(nested) else None
    return value if _is_record(value) else None


def _is_deletion(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("deleted"), str) and isinstance(value.get("source"), str)


def _is_record(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("id"), str) and isinstance(value.get("source"), str)
