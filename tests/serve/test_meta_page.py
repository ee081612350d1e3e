"""`/meta`: a meta-analysis of pasted or uploaded CSV on the web, checked against metafor's
BCG numbers (the REML risk ratio of `dat.bcg`: log RR -0.7145, RR 0.49 [0.34, 0.70],
τ² 0.3132; Viechtbauer 2010, doi:10.18637/jss.v036.i03), for its errors and for escaping."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from evimap.serve.web.app import create_app

from ..conftest import DATA
from .conftest import AppClient

BCG = DATA / "meta" / "bcg.csv"
SHORT_ROW = DATA / "meta" / "bcg-short-row.csv"


class FormClient(AppClient):
    """`AppClient` that also posts forms (multipart, as the page's form does)."""

    def post(
        self, url: str, *, data: dict[str, str], files: dict[str, Any] | None = None
    ) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.post(url, data=data, files=files or {"csv_file": ("", b"")})

        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(lambda: asyncio.run(send())).result()


@pytest.fixture(scope="module")
def meta_client() -> Iterator[FormClient]:
    app = create_app("sqlite://")
    yield FormClient(app)
    app.state.engine.dispose()


def images(html: str) -> list[bytes]:
    """The SVG documents of the page's data-URI images."""
    found = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return [base64.b64decode(data) for data in found]


def test_meta_page_get_shows_the_form(meta_client: FormClient) -> None:
    response = meta_client.get("/meta")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert 'name="csv_text"' in response.text


def test_meta_page_bcg_upload_reproduces_metafor_reml_rr(meta_client: FormClient) -> None:
    response = meta_client.post(
        "/meta",
        data={"measure": "RR", "method": "REML"},
        files={"csv_file": ("bcg.csv", BCG.read_bytes(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    html = response.text
    assert "-0.7145" in html
    assert "0.49 [0.34, 0.70]" in html
    assert "0.3132" in html
    assert "Aronson, 1948" in html
    svgs = images(html)
    assert len(svgs) == 2
    assert all(svg.lstrip().startswith(b"<?xml") and b"<svg" in svg for svg in svgs)
    assert b"<script" not in b"".join(svgs)


def test_meta_page_pasted_text_equals_the_upload(meta_client: FormClient) -> None:
    response = meta_client.post(
        "/meta", data={"csv_text": BCG.read_text(encoding="utf-8"), "measure": "RR"}
    )
    assert response.status_code == 200
    assert "-0.7145" in response.text
    assert "pasted CSV" in response.text


def test_meta_page_leave1out_lists_every_omitted_study(meta_client: FormClient) -> None:
    response = meta_client.post(
        "/meta",
        data={
            "csv_text": BCG.read_text(encoding="utf-8"),
            "measure": "RR",
            "analysis": "leave1out",
        },
    )
    assert response.status_code == 200
    assert response.text.count("<tr><td>") == 13


def test_meta_page_mantel_haenszel_shows_mh_weights(meta_client: FormClient) -> None:
    response = meta_client.post(
        "/meta",
        data={"csv_text": BCG.read_text(encoding="utf-8"), "measure": "OR", "pooling": "mh"},
    )
    assert response.status_code == 200
    assert "<svg" not in response.text
    assert len(images(response.text)) == 2


def test_meta_page_bad_csv_names_the_row_with_status_422(meta_client: FormClient) -> None:
    response = meta_client.post(
        "/meta",
        data={"measure": "RR"},
        files={"csv_file": ("bcg-short-row.csv", SHORT_ROW.read_bytes(), "text/csv")},
    )
    assert response.status_code == 422
    assert "file bcg-short-row.csv" in response.text
    assert "row 7 (line 8) does not have 9 cells" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"csv_text": "author,ai\nX,1\n", "measure": "RR"}, "need"),
        ({"csv_text": "author,ai,bi,ci,di\nX,1,2,oops,4\n", "measure": "RR"}, "row 1: column ci"),
        ({"csv_text": "", "measure": "RR"}, "no studies"),
        ({"csv_text": "yi,vi\n0.1,0.1\n0.2,0.1\n", "method": "XYZ"}, "unknown method"),
        ({"csv_text": "yi,vi\n0.1,0.1\n0.2,0.1\n", "level": "100"}, "level"),
        ({"csv_text": "yi,vi\n0.1,0.1\n", "method": "REML"}, "1 usable study"),
    ],
)
def test_meta_page_bad_input_is_a_422_with_the_reason(
    meta_client: FormClient, data: dict[str, str], message: str
) -> None:
    response = meta_client.post("/meta", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert 'class="error"' in response.text


def test_meta_page_escapes_a_script_in_a_study_label(meta_client: FormClient) -> None:
    hostile = '<script>alert(1)</script>" onerror="x'
    text = f"study,yi,vi\n{hostile},0.1,0.04\nplain,0.3,0.05\nother,-0.2,0.03\n"
    response = meta_client.post("/meta", data={"csv_text": text, "method": "DL"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert re.findall(r"<script[^>]*>", response.text) == ['<script src="/static/evimap.js" defer>']
    forest = images(response.text)[0]
    assert b"<script>" not in forest
    assert b"&lt;script&gt;alert(1)" in forest


def test_meta_page_keeps_the_content_security_policy(meta_client: FormClient) -> None:
    response = meta_client.post("/meta", data={"csv_text": "yi,vi\n0.1,0.1\n0.3,0.2\n"})
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "img-src 'self' data:" in policy
    assert "unsafe-inline" not in policy
