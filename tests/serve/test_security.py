"""No page is open to script injection from a record's text: a record whose every field
carries `<script>` and event-handler payloads is ingested, and every page, feed and file
that shows it must carry them as text only."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from lxml import etree

from evimap.serve.web.app import cell_url, record_url

from .conftest import AppClient

HOSTILE_ID = 'doi:10.1000/xss"><script>window.__xss=10</script>'

PAGES = [
    record_url(HOSTILE_ID),
    cell_url("ketamine", "postoperative pain"),
    "/",
    "/search?q=appendectomy",
    "/search?q=ketamine&intervention=ketamine",
]
FEEDS = ["/feeds/all.atom", "/feeds/cell/ketamine/postoperative%20pain.atom"]
ATOM = "{http://www.w3.org/2005/Atom}"
OUR_SCRIPT = [("src", "/static/evimap.js"), ("defer", None)]


class LiveMarkup(HTMLParser):
    """Collects what a browser would run or load: script elements, event-handler attributes,
    elements that load or embed, and javascript:/data: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and attrs != OUR_SCRIPT:
            self.found.append(f"<script {attrs}>")
        if tag in {"img", "svg", "iframe", "object", "embed"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value}")
            if name in {"href", "src", "action"} and re.match(
                r"\s*(javascript|data):", value or "", re.IGNORECASE
            ):
                self.found.append(f"{tag} {name}={value}")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def test_security_hostile_record_is_stored_under_its_hostile_id(hostile_client: AppClient) -> None:
    assert hostile_client.get(record_url(HOSTILE_ID)).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_security_no_page_carries_a_live_payload(hostile_client: AppClient, path: str) -> None:
    response = hostile_client.get(path)
    assert response.status_code == 200
    assert path == "/" or "window.__xss" in response.text
    assert live_markup(response.text) == []


@pytest.mark.parametrize("path", FEEDS)
def test_security_feed_content_carries_no_live_payload(
    hostile_client: AppClient, path: str
) -> None:
    root = etree.fromstring(hostile_client.get(path).content)
    titles = list(root.iter(f"{ATOM}title"))
    assert any("<script>window.__xss=1" in (t.text or "") for t in titles)
    assert {t.get("type", "text") for t in titles} == {"text"}
    html = [e.text or "" for e in root.iter(f"{ATOM}content") if e.get("type") == "html"]
    assert any("window.__xss" in h for h in html)
    assert [found for h in html for found in live_markup(h)] == []


def test_security_payloads_are_shown_as_text(hostile_client: AppClient) -> None:
    html = hostile_client.get(record_url(HOSTILE_ID)).text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "&lt;svg onload=window.__xss=5&gt;" in html


def test_security_evidence_highlight_escapes_the_sentence(hostile_client: AppClient) -> None:
    html = hostile_client.get(record_url(HOSTILE_ID)).text
    marked = re.search(r'<mark class="evidence"[^>]*>(.*?)</mark>', html, re.DOTALL)
    assert marked is not None
    assert "&lt;svg onload=window.__xss=5&gt;" in marked.group(1)


def test_security_javascript_url_is_not_a_link(hostile_client: AppClient) -> None:
    html = hostile_client.get(record_url(HOSTILE_ID)).text
    assert "javascript:window.__xss=6" in html
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("kind", ["bibtex", "ris", "csl-json"])
def test_security_citation_files_are_plain_text_downloads(
    hostile_client: AppClient, kind: str
) -> None:
    response = hostile_client.get(f"/cite/{kind}/{record_url(HOSTILE_ID).removeprefix('/record/')}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert not response.headers["content-type"].startswith("text/html")


def test_security_every_page_forbids_inline_script(hostile_client: AppClient) -> None:
    policy = hostile_client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
