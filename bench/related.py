"""Benchmark: related records, topic fingerprints and the map's reads on stores of 10k-1M records.

    .venv/bin/python bench/related.py                       # 10,000 and 100,000 records
    .venv/bin/python bench/related.py --sizes 1000000       # a million (about 10 min, 7 GB)

The stores are built from real records: the bundled corpus (data/corpus-all: 3,291
Evidence Inference trial abstracts; data/corpus: the NMDA-drug records; data/seeds) is
ingested once, claims, cells and concepts included, into bench/out/related-base.db. Each
store of N records is a copy of it plus replicas of its records under new ids
(`sha1:` of the original id and the copy number) until N are stored: each replica gets
its record row, its full-text row and its concept rows, and the concept frequencies are
scaled to match, so the index, the term statistics and the posting lists grow as in a
store of N real records. (Replicas duplicate text, so every record has exact twins: the
posting lists are as long as in a real store of N records, the top results are not.)

For each store it times, over 200 records drawn at random (seed 4): `related_records`
(limit 10), `fingerprint`, and the map's two reads, `cells` (the whole map) and `cell`
(the largest cell, with its claims); it prints the median, 95th percentile and mean
in milliseconds. The peer is the page budget of issue 4: 100 ms at p95 for a page; the
ratio printed is p95 / 100 ms (below 1 is within budget).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from evimap.ingest import ingest_into, input_files  # noqa: E402
from evimap.store import open_store, schema, sqlite  # noqa: E402
from evimap.synthesis.evidence_map import cell, cells, refresh_cells  # noqa: E402
from evimap.synthesis.fingerprint import fingerprint  # noqa: E402
from evimap.synthesis.related import related_records  # noqa: E402

OUT = REPO / "bench" / "out"
BASE = OUT / "related-base.db"
INPUTS = [REPO / "data" / "corpus-all", REPO / "data" / "corpus", REPO / "data" / "seeds"]
SAMPLES = 200
BUDGET_MS = 100.0
BATCH = 2_000


def base_store() -> Path:
    """The ingested corpus, built once (claims, cells and concepts included)."""
    if not BASE.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        partial = BASE.with_suffix(".partial")
        for leftover in OUT.glob(partial.name + "*"):
            leftover.unlink()
        engine = open_store(f"sqlite:///{partial}")
        started = time.perf_counter()
        summary = ingest_into(engine, input_files(INPUTS))
        engine.dispose()
        partial.rename(BASE)
        print(
            f"base: {summary.read} records ingested in {time.perf_counter() - started:.0f} s "
            f"({len(summary.problems)} problems)"
        )
    return BASE


def replicated_store(size: int) -> Engine:
    """A store of `size` records: the base plus replicas of its records under new ids."""
    path = OUT / f"related-{size}.db"
    if path.exists():
        return open_store(f"sqlite:///{path}")
    for leftover in OUT.glob(path.name + "*"):
        leftover.unlink()
    shutil.copyfile(base_store(), path)
    engine = open_store(f"sqlite:///{path}")
    started = time.perf_counter()
    with engine.connect() as connection:
        base_rows = connection.execute(select(schema.records.c.id, schema.records.c.data)).all()
        concept_rows = connection.execute(select(schema.record_concepts)).all()
        claim_rows = connection.execute(select(schema.claims)).all()
    concepts: dict[str, list[Any]] = {}
    for row in concept_rows:
        concepts.setdefault(row.record_id, []).append(row)
    claims: dict[str, list[Any]] = {}
    for row in claim_rows:
        claims.setdefault(row.record_id, []).append(row)
    n_base = len(base_rows)
    copies = -(-size // n_base) - 1
    pending: list[tuple[str, str]] = []
    written = n_base
    for copy in range(1, copies + 1):
        for record_id, _data in base_rows:
            if written >= size:
                break
            new_id = "sha1:" + hashlib.sha1(f"{record_id}#{copy}".encode()).hexdigest()
            pending.append((new_id, record_id))
            written += 1
            if len(pending) >= BATCH:
                _write_replicas(engine, pending, dict(base_rows), concepts, claims)
                pending = []
    _write_replicas(engine, pending, dict(base_rows), concepts, claims)
    _scale_frequencies(engine)
    print(f"store of {size:,}: {size - n_base:,} replicas in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    summary = refresh_cells(engine)
    elapsed = time.perf_counter() - started
    print(f"  refresh_cells (all): {summary.written:,} cells written in {elapsed:.0f} s")
    return engine


def _write_replicas(
    engine: Engine,
    pending: list[tuple[str, str]],
    data_of: dict[str, str],
    concepts: dict[str, list[Any]],
    claims: dict[str, list[Any]],
) -> None:
    if not pending:
        return
    writer = engine.connect().execution_options(**{sqlite.WRITER_OPTION: True})
    with writer as connection, connection.begin():
        records = []
        rows = []
        concept_rows = []
        claim_rows = []
        for new_id, original in pending:
            record = dataclasses.replace(schema.record_from_data(data_of[original]), id=new_id)
            records.append(record)
            data = schema.record_data(record)
            rows.append(schema.record_row(record, data))
            concept_rows += [
                {"record_id": new_id, "kind": c.kind, "concept": c.concept, "count": c.count}
                for c in concepts.get(original, ())
            ]
            claim_rows += [
                {**c._asdict(), "id": None, "record_id": new_id} for c in claims.get(original, ())
            ]
        connection.execute(insert(schema.records), rows)
        if claim_rows:
            connection.execute(insert(schema.claims), claim_rows)
        if concept_rows:
            connection.execute(insert(schema.record_concepts), concept_rows)
        sqlite.replace_full_text_rows(connection, records)


def _scale_frequencies(engine: Engine) -> None:
    """Concept frequencies recounted from the concept rows (one GROUP BY, once)."""
    rc, cf = schema.record_concepts, schema.concept_frequencies
    writer = engine.connect().execution_options(**{sqlite.WRITER_OPTION: True})
    with writer as connection, connection.begin():
        counted = connection.execute(
            select(rc.c.kind, rc.c.concept, func.count()).group_by(rc.c.kind, rc.c.concept)
        ).all()
        for kind, concept, n in counted:
            connection.execute(
                update(cf).where(cf.c.kind == kind, cf.c.concept == concept).values(records=n)
            )


def timed(label: str, calls: list[Callable[[], object]]) -> float:
    """Run every call once (after one warm-up); print wall median and p95, and CPU mean.

    CPU time (this process's) is printed beside wall time because the machine may be
    shared: wall time then includes waiting for a core, CPU time does not.
    """
    calls[0]()
    times = []
    cpu_started = time.process_time()
    for call in calls:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_started) * 1000 / len(calls)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(
        f"  {label:<36} wall median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
        f"cpu mean {cpu:6.1f} ms  p95/budget {p95 / BUDGET_MS:4.2f}"
    )
    return p95


def measure(size: int) -> None:
    engine = replicated_store(size)
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(schema.records))
        ids = list(connection.scalars(select(schema.records.c.id)))
        biggest = connection.execute(
            select(schema.cells.c.intervention, schema.cells.c.condition)
            .order_by(schema.cells.c.n_claims.desc())
            .limit(1)
        ).one()
        n_cells = connection.scalar(select(func.count()).select_from(schema.cells))
    sample = random.Random(4).sample(ids, min(SAMPLES, len(ids)))
    print(f"store of {total:,} records ({n_cells:,} cells):")
    timed("related_records", [functools.partial(related_records, engine, i) for i in sample])
    timed("fingerprint", [functools.partial(fingerprint, engine, i) for i in sample])
    timed("cells (whole map)", [lambda: cells(engine) for _ in range(50)])
    timed(
        f"cell ({biggest[0]} x {biggest[1]})",
        [lambda: cell(engine, biggest[0], biggest[1]) for _ in range(50)],
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        measure(size)


if __name__ == "__main__":
    main()
