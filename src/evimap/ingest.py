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

from evimap.claims import Claim
from evimap.config import DEFAULT_LANGUAGES
from evimap.errors import EvimapError
from evimap.extract.pipeline import extract_claims
from evimap.records import Item, Record
from evimap.sources import read_any
from evimap.store import ClaimsOf, WriteSummary, open_store, write_batch
from evimap.synthesis.evidence_map import refresh_cells
from evimap.synthesis.fingerprint import refresh_concepts

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
    claims_of: ClaimsOf | None = extract_claims,
) -> IngestSummary:
    """Read every file under `paths` into the store at `db_url`; never stops on bad input.

    Each stored record's claims are extracted with `claims_of` (None stores records only).
    """
    engine = open_store(db_url)
    try:
        return ingest_into(
            engine,
            input_files(paths),
            batch_size=batch_size,
            languages=languages,
            on_file_done=on_file_done,
            claims_of=claims_of,
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
    claims_of: ClaimsOf | None = extract_claims,
) -> IngestSummary:
    """Ingest `files` into an open store (see `ingest_files`)."""
    summary = IngestSummary()
    batch: list[tuple[str, Item]] = []
    touched: set[str] = set()
    for path in files:
        name = str(path)
        summary.files += 1
        count = 0
        for item in _items_of(path, languages, summary.problems):
            batch.append((name, item))
            touched.add(item.id)
            count += 1
            if len(batch) >= batch_size:
                _flush(engine, batch, summary, claims_of)
        summary.read += count
        if on_file_done:
            on_file_done(path, count)
    _flush(engine, batch, summary, claims_of)
    refresh_cells(engine, record_ids=touched)
    refresh_concepts(engine, record_ids=touched)
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


def _reporting(
    claims_of: ClaimsOf, batch: Sequence[tuple[str, Item]], problems: list[Problem]
) -> ClaimsOf:
    """`claims_of` that reports an extraction failure as a problem and stores no claims.

    A bug in one extraction step must cost one record's claims, never the batch.
    """
    files = {item.id: name for name, item in batch}

    def claims(record: Record) -> Sequence[Claim]:
        try:
            return claims_of(record)
        except Exception as error:  # reported, not hidden: see the docstring
            file = next((files[i] for i in record.ids if i in files), files.get(record.id, ""))
            problems.append(
                Problem(
                    file,
                    record.id,
                    "extract",
                    f"claim extraction failed: {type(error).__name__}: {error}",
                    "the record was stored without claims; please report this",
                )
            )
            return []

    return claims


def _flush(
    engine: Engine,
    batch: list[tuple[str, Item]],
    summary: IngestSummary,
    claims_of: ClaimsOf | None,
) -> None:
    if not batch:
        return
    if claims_of is not None:
        claims_of = _reporting(claims_of, batch, summary.problems)
    try:
        summary.count(write_batch(engine, [item for _, item in batch], claims_of=claims_of))
    except EvimapError:
        for name, item in batch:
            try:
                summary.count(write_batch(engine, [item], claims_of=claims_of))
            except EvimapError as error:
                summary.problems.append(Problem.from_error(error, file=name, stage="store"))
    batch.clear()
