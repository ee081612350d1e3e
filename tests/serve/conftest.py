"""Fixtures of the web tests: stores built from real files, the app over them, a live
server in a thread and headless Chromium driving it."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from evimap.ingest import ingest_files
from evimap.serve.web.app import create_app

from ..conftest import REPO

HERE = Path(__file__).parent
DATA = HERE / "data"
SEEDS = REPO / "data" / "seeds"
CORPUS = REPO / "data" / "corpus"
HOSTILE = DATA / "hostile-xss.jsonl"
CHANGING = DATA / "ketamine-ect-depression-rct.jsonl"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def built_store(folder: Path, *paths: Path) -> str:
    """A SQLite store in `folder` holding what ingest makes of `paths`; its URL."""
    url = f"sqlite:///{folder / 'evimap.db'}"
    summary = ingest_files(list(paths), db_url=url)
    assert not summary.problems, summary.problems
    return url


def demo_paths() -> list[Path]:
    """The demo corpus: the seeds, and the bundled corpus once it is there."""
    return [SEEDS, *([CORPUS] if CORPUS.is_dir() else [])]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return built_store(tmp_path_factory.mktemp("demo"), *demo_paths())


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return built_store(tmp_path_factory.mktemp("hostile"), SEEDS, HOSTILE)


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return built_store(tmp_path_factory.mktemp("seeds"), SEEDS)


@pytest.fixture
def fresh_seeds_db(seeds_db: str, tmp_path: Path) -> str:
    """A copy of the seeds store that a test may write to."""
    source = Path(seeds_db.removeprefix("sqlite:///"))
    shutil.copy(source, tmp_path / "evimap.db")
    return f"sqlite:///{tmp_path / 'evimap.db'}"


class AppClient:
    """A synchronous face on httpx's ASGI transport: each request runs the app in-process.

    The request's event loop runs in a worker thread of its own, so it works beside
    Playwright's synchronous API, which keeps a loop running in the main thread.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def get(self, url: str, *, params: dict[str, Any] | None = None) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.get(url, params=params)

        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(lambda: asyncio.run(fetch())).result()


@pytest.fixture(scope="session")
def demo_app(demo_db: str) -> FastAPI:
    return create_app(demo_db)


@pytest.fixture(scope="session")
def client(demo_app: FastAPI) -> AppClient:
    return AppClient(demo_app)


@pytest.fixture(scope="session")
def hostile_client(hostile_db: str) -> AppClient:
    return AppClient(create_app(hostile_db))


class LiveServer:
    """The app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture(scope="session")
def live_server(demo_app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(demo_app) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_server(hostile_db: str) -> Iterator[LiveServer]:
    with LiveServer(create_app(hostile_db)) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium is missing and scripts/install-chromium.sh could not install "
            "it (run: apt-get install -y chromium chromium-driver)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests leave their screenshots (kept after the run for CI)."""
    folder = REPO / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder
