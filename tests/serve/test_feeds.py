"""Atom feeds: well-formed, with the elements Atom requires, stable, and changing when a new
record changes a cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from evimap.ingest import ingest_files
from evimap.serve.feeds import FeedScope, published_at, tag_uri
from evimap.serve.web.app import create_app

from .conftest import CHANGING, SEEDS, AppClient

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = [
    "/feeds/all.atom",
    "/feeds/intervention/ketamine.atom",
    "/feeds/condition/chronic%20pain.atom",
    "/feeds/cell/ketamine/chronic%20pain.atom",
]


def atom(client: AppClient, path: str) -> etree._Element:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    return etree.fromstring(response.content)


@pytest.mark.parametrize("path", FEEDS)
def test_feeds_have_the_elements_atom_requires(client: AppClient, path: str) -> None:
    feed = atom(client, path)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert entry.findtext(f"{ATOM}id", "").startswith("tag:evimap,2025:")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids))


def test_feeds_are_identical_when_the_store_is_unchanged(client: AppClient) -> None:
    assert client.get("/feeds/all.atom").content == client.get("/feeds/all.atom").content


def test_feeds_cell_feed_holds_only_that_cells_claims(client: AppClient) -> None:
    feed = atom(client, "/feeds/cell/ketamine/chronic%20pain.atom")
    terms = {c.get("term") for c in feed.iter(f"{ATOM}category")}
    assert terms == {"ketamine \u00d7 chronic pain"}


def test_feeds_change_when_a_new_record_changes_a_cell(tmp_path: Path) -> None:
    # The trial alone makes the cell (no benefit, certainty not stated); the portal
    # record's high-certainty statement then changes it.
    db = f"sqlite:///{tmp_path / 'evimap.db'}"
    ingest_files([CHANGING], db_url=db)
    path = "/feeds/cell/ketamine/major%20depressive%20disorder.atom"
    app = create_app(db)
    before = atom(AppClient(app), path)
    ingest_files([SEEDS / "portal-record.txt"], db_url=db)
    after = atom(AppClient(app), path)
    app.state.engine.dispose()
    old = {e.findtext(f"{ATOM}id") for e in before.iter(f"{ATOM}entry")}
    new = [e for e in after.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") not in old]
    titles = [e.findtext(f"{ATOM}title") or "" for e in new]
    assert any("certainty changed from not stated to high" in t for t in titles), titles
    assert any("verdict changed from no benefit to benefit" in t for t in titles), titles
    assert any(e.findtext(f"{ATOM}id", "").startswith("tag:evimap,2025:record/") for e in new)
    assert after.findtext(f"{ATOM}updated") >= before.findtext(f"{ATOM}updated")


def test_feeds_tag_uri_is_stable_and_quotes_odd_ids() -> None:
    assert tag_uri("record", "pmid:123") == "tag:evimap,2025:record/pmid:123"
    assert tag_uri("record", 'doi:10.1/a"<b>') == "tag:evimap,2025:record/doi:10.1/a%22%3Cb%3E"


def test_feeds_published_at_reads_partial_dates() -> None:
    assert published_at("2020-05").isoformat() == "2020-05-01T00:00:00+00:00"
    assert published_at("2020").isoformat() == "2020-01-01T00:00:00+00:00"
    assert published_at(None).year == 1970


def test_feeds_scope_names_its_feed() -> None:
    assert FeedScope("ketamine", "chronic pain").key == "cell/ketamine/chronic%20pain"
    assert FeedScope().key == "all"
