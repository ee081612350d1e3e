"""The pages, through httpx against the app: every record and cell of the demo corpus, and
what each page kind must show."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from evimap.serve.web.app import cell_url, record_url
from evimap.store import open_store, schema
from evimap.synthesis.evidence_map import cells

from .conftest import AppClient

BILINGUAL = "doi:10.1016/j.neuropharm.2018.01.017"
"""The seed with an English abstract and its Chinese translation."""


def record_ids(db: str) -> list[str]:
    engine = open_store(db)
    with engine.connect() as connection:
        found = list(connection.scalars(select(schema.records.c.id).order_by(schema.records.c.id)))
    engine.dispose()
    return found


def cell_pairs(db: str) -> list[tuple[str, str]]:
    engine = open_store(db)
    pairs = [(c.intervention, c.condition) for c in cells(engine)]
    engine.dispose()
    return pairs


def test_pages_every_record_and_cell_of_the_demo_corpus_returns_200(
    client: AppClient, demo_db: str
) -> None:
    ids, pairs = record_ids(demo_db), cell_pairs(demo_db)
    assert ids
    assert pairs
    failed = [
        (url, response.status_code)
        for url in [record_url(i) for i in ids] + [cell_url(i, c) for i, c in pairs]
        if (response := client.get(url)).status_code != 200
    ]
    assert failed == []


@pytest.mark.parametrize("path", ["/", "/search", "/search?q=ketamine", "/method", "/meta"])
def test_pages_fixed_pages_return_200_html(client: AppClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in response.headers


def test_map_shows_cells_with_verdict_certainty_and_size_in_words(client: AppClient) -> None:
    html = client.get("/").text
    assert 'href="/cell/ketamine/chronic%20pain"' in html
    assert re.search(
        r'class="bubble size-\d c-[a-z_]+ v-(benefit|no_benefit|harm|mixed|inconclusive)"', html
    )
    assert "⊕" in html
    assert "rec.</span>" in html


def test_map_filters_by_condition_group_and_limits_rows(client: AppClient) -> None:
    html = client.get("/", params={"condition_group": "pain", "rows": 1}).text
    shown = re.findall(r'<th scope="row" class="intervention">([^<]+)', html)
    assert len(shown) == 1
    assert "more with smaller evidence bases" in html or len(shown) == 1


def test_map_with_no_matching_cells_says_so(client: AppClient) -> None:
    html = client.get("/", params={"year_from": 2999}).text
    assert "No cells match these filters" in html


def test_cell_page_shows_verdict_why_claims_history_and_feeds(client: AppClient) -> None:
    html = client.get("/cell/ketamine/chronic%20pain").text
    assert "<h1>ketamine \u00d7 chronic pain</h1>" in html
    assert "Why" in html
    assert 'class="rule"' in html
    assert 'class="evidence-sentence"><mark>' in html
    assert "new on the map" in html
    assert 'href="/feeds/cell/ketamine/chronic%20pain.atom"' in html


def test_cell_page_of_unknown_cell_is_an_html_404(client: AppClient) -> None:
    response = client.get("/cell/ketamine/no%20such%20condition")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "no evidence on ketamine in no such condition" in response.text


def test_cell_page_rolls_up_a_parent_condition(client: AppClient) -> None:
    response = client.get("/cell/ketamine/substance%20use%20disorder")
    assert response.status_code == 200
    assert "Rolled up from" in response.text


def test_record_page_shows_metadata_claims_and_highlighted_evidence(client: AppClient) -> None:
    html = client.get(record_url(BILINGUAL)).text
    assert '<a href="https://doi.org/10.1016/j.neuropharm.2018.01.017"' in html
    assert "Neuropharmacology" in html
    assert "<dt>Volume</dt>" in html
    assert re.search(r'<mark class="evidence" id="evidence-1" data-claims="[\d ]+">', html)
    assert 'href="/cell/ketamine/alcohol%20use%20disorder"' in html
    assert "min read" in html


def test_record_page_puts_the_translation_beside_the_original(client: AppClient) -> None:
    html = client.get(record_url(BILINGUAL)).text
    assert 'class="texts side-by-side"' in html
    assert 'lang="zh"' in html
    assert "Abstract (Chinese (zh))" in html


def test_record_page_has_cite_this_in_four_styles_and_three_files(client: AppClient) -> None:
    html = client.get("/record/doi:10.1016/j.neuropharm.2018.01.017").text
    for style in ("apa", "vancouver", "harvard-cite-them-right", "american-medical-association"):
        assert f'id="cite-{style}"' in html
    for kind in ("bibtex", "ris", "csl-json"):
        assert f'href="/cite/{kind}/doi:10.1016/j.neuropharm.2018.01.017"' in html


def test_record_page_of_unknown_record_is_a_404(client: AppClient) -> None:
    assert client.get("/record/pmid:1").status_code == 404


def test_record_page_finds_a_record_by_a_bare_doi(client: AppClient) -> None:
    assert client.get("/record/10.1016/J.NEUROPHARM.2018.01.017").status_code == 200


def test_search_page_marks_matches_and_offers_facets(client: AppClient) -> None:
    html = client.get("/search", params={"q": "ketamine"}).text
    assert "<mark>" in html
    assert "Ketamine" in html
    assert '<section class="facet">' in html
    assert "<h2>Language</h2>" in html


def test_search_page_filters_by_a_facet(client: AppClient) -> None:
    narrowed = client.get("/search", params={"q": "ketamine", "kind": "news"}).text
    assert 'class="active">news' in narrowed
    assert "1 record matches" in narrowed


def test_search_page_finds_chinese_text(client: AppClient) -> None:
    html = client.get("/search", params={"q": "氯胺酮"}).text
    assert "1 record matches" in html


def test_method_page_renders_the_rules_without_raw_html(client: AppClient) -> None:
    html = client.get("/method").text
    assert '<article class="prose method">' in html
