"""Ingest: files in, records in the store, and a report of every problem on the way.

The orchestration only; reading is `sources.read_any`, writing is `store.write_batch`.
A bad file or record never stops the batch and never vanishes: it becomes a `Problem`
(file, record, stage, reason, hint) that the CLI prints. Records are written in
transactions of `batch_size`; if one transaction fails, its records are retried one by
one so a single unwritable record costs only itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from evimap.config import DEFAULT_LANGUAGES
from evimap.errors import EvimapError
from evimap.records import Item
from evimap.sources import read_any
from evimap.store import WriteSummary, open_store, write_batch

SKIPPED_IN_FOLDERS = ("README", "PROVENANCE", "LICENSE", "MANIFEST", "CHANGELOG")
"""Documentation files that sit beside data in a folder; ingesting a folder skips them."""


@dataclass(frozen=True)
class Problem:
    """Something that could not be read or stored, and what to do about it."""

    file: str
    record: str | None
    stage: str
    reason: str
    hint: str | None = None

    @classmethod
    def from_error(cls, error: EvimapError, *, file: str, stage: str) -> Problem:
        return cls(error.file or file, error.record, stage, error.reason, error.hint)


@dataclass
class IngestSummary:
    """Counts for one ingest run; `problems` lists everything that was not stored."""

    files: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    deleted: int = 0
    problems: list[Problem] = field(default_factory=list)

    def count(self, written: WriteSummary) -> None:
        self.added += written.added
        self.updated += written.updated
        self.unchanged += written.unchanged
        self.merged += written.merged
        self.deleted += written.deleted


def input_files(paths: Iterable[Path]) -> list[Path]:
    """The files to read: given files as they are, folders walked recursively in name order.

    Hidden files and documentation beside data (README, PROVENANCE, LICENSE…) are skipped
    inside folders, so `evimap ingest data/seeds/` reads the documents and not their notes.
    A path that does not exist is kept, so reading it reports the problem.
    """
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        for candidate in sorted(path.rglob("*")):
            relative = candidate.relative_to(path)
            if not candidate.is_file() or any(p.startswith(".") for p in relative.parts):
                continue
            if candidate.name.upper().startswith(SKIPPED_IN_FOLDERS):
                continue
            files.append(candidate)
    return files


ProgressHook = Callable[[Path, int], None]
"""Called after each file with the file and the number of items read from it."""


def ingest_files(
    paths: Sequence[Path],
    *,
    db_url: str,
    batch_size: int = 500,
    languages: str = DEFAULT_LANGUAGES,
    on_file_done: ProgressHook | None = None,
) -> IngestSummary:
    """Read every file under `paths` into the store at `db_url`; never stops on bad input."""
    engine = open_store(db_url)
    try:
        return ingest_into(
            engine,
            input_files(paths),
            batch_size=batch_size,
            languages=languages,
            on_file_done=on_file_done,
        )
    finally:
        engine.dispose()


def ingest_into(
    engine: Engine,
    files: Sequence[Path],
    *,
    batch_size: int = 500,
    languages: str = DEFAULT_LANGUAGES,
    on_file_done: ProgressHook | None = None,
) -> IngestSummary:
    """Ingest `files` into an open store (see `ingest_files`)."""
    summary = IngestSummary()
    batch: list[tuple[str, Item]] = []
    for path in files:
        name = str(path)
        summary.files += 1
        count = 0
        for item in _items_of(path, languages, summary.problems):
            batch.append((name, item))
            count += 1
            if len(batch) >= batch_size:
                _flush(engine, batch, summary)
        summary.read += count
        if on_file_done:
            on_file_done(path, count)
    _flush(engine, batch, summary)
    return summary


def _items_of(path: Path, languages: str, problems: list[Problem]) -> Iterator[Item]:
    name = str(path)

    def record_problem(error: EvimapError) -> None:
        problems.append(Problem.from_error(error, file=name, stage="read"))

    if not path.is_file():
        problems.append(Problem(name, None, "read", "no such file", "check the path"))
        return
    try:
        yield from read_any(path, origin=name, languages=languages, on_error=record_problem)
    except EvimapError as error:
        record_problem(error)
    except Exception as error:  # a reader bug must not sink the batch: report it instead
        problems.append(
            Problem(
                name,
                None,
                "read",
                f"unexpected {type(error).__name__}: {error}",
                "this is a bug in evimap; please report it with the file",
            )
        )


def _flush(engine: Engine, batch: list[tuple[str, Item]], summary: IngestSummary) -> None:
    if not batch:
        return
    try:
        summary.count(write_batch(engine, [item for _, item in batch]))
    except EvimapError:
        for name, item in batch:
            try:
                summary.count(write_batch(engine, [item]))
            except EvimapError as error:
                summary.problems.append(Problem.from_error(error, file=name, stage="store"))
    batch.clear()
