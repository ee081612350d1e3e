"""Benchmark: the map and cell pages on a store of 100,000 records, p95 against a 100 ms budget.

    .venv/bin/python bench/web.py                 # build bench/out/web-100k.db once, measure
    .venv/bin/python bench/web.py --records 20000 --rebuild

The store is built from real records: the Evidence Inference abstracts bundled in
data/corpus-all/ and the NMDA demo corpus in data/corpus/ (3,300 PMC and PubMed abstracts),
each read by evimap's JSON Lines reader and run once through the real claim extractor.
They are then replicated with new ids (`pmid:900000000` upwards) and publication years
spread over 1990-2025 until there are `--records` of them, and written with a bulk insert
of the store's own rows (`schema.record_row`, `schema.claim_rows`): ingest would run the
extractor and the duplicate finder 100,000 times (and merge the replicas as duplicates),
which is not what this measures. The full-text index is not filled (search is not timed).
The map's cells are then materialized by the real `refresh_cells`.

Timed, in-process through httpx's ASGI transport (what a server adds is not the app's):

- `/` the map (default axes: 30 drugs x 30 conditions), and `/?condition_group=…`;
- `/cell/{intervention}/{condition}` for the 20 largest cells and 20 others.

Each URL is fetched once to warm up, then `--rounds` times; the p50 and p95 of all the
timings of a page kind are printed with their ratio to the 100 ms budget.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from evimap.claims import Claim
from evimap.extract.pipeline import extract_claims
from evimap.records import Record
from evimap.serve.web.app import cell_url, create_app
from evimap.sources import read_any
from evimap.store import open_store, schema
from evimap.synthesis.evidence_map import refresh_cells

REPO = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((REPO / "data" / "corpus-all").glob("*.jsonl*")), REPO / "data" / "corpus"]
OUT = REPO / "bench" / "out"
BUDGET_MS = 100.0
BATCH = 5_000


def templates() -> list[tuple[Record, list[Claim]]]:
    """The real records with their extracted claims, once each."""
    seen: dict[str, tuple[Record, list[Claim]]] = {}
    for source in SOURCES:
        paths = sorted(source.glob("*.jsonl*")) if source.is_dir() else [source]
        for path in paths:
            for item in read_any(path):
                if isinstance(item, Record) and item.id not in seen:
                    seen[item.id] = (item, extract_claims(item))
    return list(seen.values())


def build(db: Path, n_records: int) -> None:
    """Write `n_records` replicas of the templates to a new store and materialize cells."""
    db.unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{db}")
    started = time.perf_counter()
    base = templates()
    print(
        f"{len(base)} real records, {sum(len(c) for _, c in base)} claims extracted "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    started = time.perf_counter()
    records, aliases, claims = [], [], []
    for number in range(n_records):
        template, found = base[number % len(base)]
        pmid = str(900_000_000 + number)
        record = dataclasses.replace(
            template,
            id=f"pmid:{pmid}",
            pmid=pmid,
            pmcid=None,
            doi=None,
            ids=(f"pmid:{pmid}",),
            published=f"{1990 + number % 36}-{1 + number % 12:02d}",
        )
        records.append(schema.record_row(record, schema.record_data(record)))
        aliases.append({"alias": record.id, "record_id": record.id})
        claims.extend(schema.claim_rows(record.id, found))
        if len(records) >= BATCH or number == n_records - 1:
            with engine.begin() as connection:
                connection.execute(insert(schema.records), records)
                connection.execute(insert(schema.record_ids), aliases)
                if claims:
                    connection.execute(insert(schema.claims), claims)
            records, aliases, claims = [], [], []
    print(f"{n_records} records written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    summary = refresh_cells(engine)
    print(
        f"{summary.written} cells materialized in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    engine.dispose()


def urls(db: Path) -> dict[str, list[str]]:
    """The map URLs and the cell URLs to time."""
    engine = open_store(f"sqlite:///{db}")
    cl = schema.cells
    with engine.connect() as connection:
        largest = connection.execute(
            select(cl.c.intervention, cl.c.condition).order_by(cl.c.n_records.desc()).limit(20)
        ).all()
        others = connection.execute(
            select(cl.c.intervention, cl.c.condition).order_by(func.random()).limit(20)
        ).all()
        group = connection.scalar(
            select(cl.c.condition_group)
            .group_by(cl.c.condition_group)
            .order_by(func.sum(cl.c.n_records).desc())
            .limit(1)
        )
    engine.dispose()
    return {
        "map": ["/", f"/?condition_group={group}", "/?design=rct&year_from=2010"],
        "cell": [cell_url(i, c) for i, c in [*largest, *others]],
    }


async def timings(db: Path, pages: dict[str, list[str]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per request, by page kind."""
    app = create_app(f"sqlite:///{db}")
    out: dict[str, list[float]] = {kind: [] for kind in pages}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for kind, paths in pages.items():
            for path in paths:
                (await client.get(path)).raise_for_status()
                for _ in range(rounds):
                    started = time.perf_counter()
                    response = await client.get(path)
                    out[kind].append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
    app.state.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"web-{args.records // 1000}k.db"
    if args.rebuild or not db.exists():
        build(db, args.records)
    engine = open_store(f"sqlite:///{db}")
    with engine.connect() as connection:
        n_records = connection.scalar(select(func.count()).select_from(schema.records))
        n_cells = connection.scalar(select(func.count()).select_from(schema.cells))
        n_claims = connection.scalar(select(func.count()).select_from(schema.claims))
    engine.dispose()
    print(f"store: {n_records} records, {n_claims} claims, {n_cells} cells ({db.name})")
    measured = asyncio.run(timings(db, urls(db), args.rounds))
    for kind, values in measured.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        p50 = statistics.median(values)
        print(
            f"{kind:5} page: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"({len(values)} requests)  p95/budget {p95 / BUDGET_MS:.2f}"
            f"  {'ok' if p95 < BUDGET_MS else 'OVER BUDGET'}"
        )


if __name__ == "__main__":
    main()
