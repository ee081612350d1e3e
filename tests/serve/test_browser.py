"""The pages in real headless Chromium (Debian's, driven by Playwright): the map renders, a
cell opens from it, the record page highlights the evidence sentence, and no payload of a
hostile record ever runs. Screenshots are left in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evimap.serve.web.app import record_url

from .conftest import LiveServer
from .test_security import HOSTILE_ID

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def test_browser_map_renders_and_a_cell_opens(
    tab: Any, live_server: LiveServer, artifacts: Path
) -> None:
    tab.goto(live_server.url + "/")
    assert tab.locator("table.map a.cell").count() > 0
    assert tab.locator("table.map .bubble").first.is_visible()
    tab.screenshot(path=str(artifacts / "map.png"), full_page=True)
    tab.locator('a.cell[href="/cell/ketamine/chronic%20pain"]').click()
    tab.wait_for_url("**/cell/ketamine/chronic%20pain")
    assert tab.locator("h1").inner_text() == "ketamine \u00d7 chronic pain"
    assert tab.locator(".evidence-sentence mark").count() >= 1
    tab.screenshot(path=str(artifacts / "cell.png"), full_page=True)


def test_browser_record_page_highlights_the_evidence_sentence(
    tab: Any, live_server: LiveServer, artifacts: Path
) -> None:
    tab.goto(live_server.url + "/cell/ketamine/alcohol%20use%20disorder")
    tab.locator(".claim-card a").first.click()
    tab.wait_for_url("**/record/**")
    mark = tab.locator("mark.evidence").first
    assert mark.is_visible()
    assert len(mark.inner_text()) > 20
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in {"rgba(0, 0, 0, 0)", "transparent"}
    tab.screenshot(path=str(artifacts / "record.png"), full_page=True)


def test_browser_hostile_record_runs_no_script(tab: Any, hostile_server: LiveServer) -> None:
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (record_url(HOSTILE_ID), "/cell/ketamine/postoperative%20pain", "/"):
        tab.goto(hostile_server.url + path)
        tab.locator("mark, table.map").first.hover()
        assert tab.evaluate("typeof window.__xss") == "undefined", path
    assert "window.__xss=1" in tab.goto(hostile_server.url + record_url(HOSTILE_ID)).text()
    assert dialogs == []
