"""The JSON API, through httpx against the app: the same data the pages show."""

from __future__ import annotations

from .conftest import AppClient

RECORD = "doi:10.1016/j.neuropharm.2018.01.017"


def test_api_openapi_schema_lists_every_api_route(client: AppClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/records",
        "/api/records/{record_id}",
        "/api/claims",
        "/api/cells",
        "/api/cells/{intervention}/{condition}",
        "/api/search",
    }


def test_api_records_are_listed_a_page_at_a_time(client: AppClient) -> None:
    first = client.get("/api/records", params={"limit": 2}).json()
    second = client.get("/api/records", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] >= 3
    assert len(first["records"]) == 2
    assert first["records"][0]["id"] < second["records"][0]["id"]


def test_api_record_carries_its_text_and_claims_with_checkable_offsets(client: AppClient) -> None:
    data = client.get(f"/api/records/{RECORD}").json()
    assert data["record"]["id"] == RECORD
    for claim in data["claims"]:
        evidence = claim["evidence"]
        text = data["record"]["text"][evidence["field"]]
        assert text[evidence["start"] : evidence["end"]] == evidence["text"]


def test_api_unknown_record_is_a_json_404(client: AppClient) -> None:
    response = client.get("/api/records/pmid:1")
    assert response.status_code == 404
    assert response.json() == {"detail": "no record 'pmid:1' in this store"}


def test_api_claims_filter_by_intervention_and_condition(client: AppClient) -> None:
    data = client.get(
        "/api/claims", params={"intervention": "ketamine", "condition": "chronic pain"}
    ).json()
    assert data["total"] >= 1
    assert {(c["claim"]["intervention"], c["claim"]["condition"]) for c in data["claims"]} == {
        ("ketamine", "chronic pain")
    }


def test_api_claims_reject_an_unknown_design(client: AppClient) -> None:
    assert client.get("/api/claims", params={"design": "anecdote"}).status_code == 422


def test_api_cells_filter_like_the_map(client: AppClient) -> None:
    every = client.get("/api/cells").json()
    ketamine = client.get("/api/cells", params={"intervention": "ketamine"}).json()
    assert every["total"] >= ketamine["total"] >= 1
    assert {c["intervention"] for c in ketamine["cells"]} == {"ketamine"}
    assert all(c["claims"] == [] for c in ketamine["cells"])


def test_api_cell_has_its_claims_rules_and_history(client: AppClient) -> None:
    data = client.get("/api/cells/ketamine/chronic%20pain").json()
    assert data["cell"]["verdict"] in {"benefit", "no_benefit", "harm", "mixed", "inconclusive"}
    assert data["cell"]["claims"]
    assert data["cell"]["rule"]
    assert any("new on the map" in change["text"] for change in data["history"])


def test_api_search_returns_hits_and_facets(client: AppClient) -> None:
    data = client.get("/api/search", params={"q": "ketamine"}).json()
    assert data["total"] >= 3
    assert "\x02" in data["hits"][0]["snippet"]
    assert set(data["facets"]) == {
        "language", "kind", "year", "design", "intervention", "condition"
    }  # fmt: skip


def test_api_search_filters_by_a_facet(client: AppClient) -> None:
    data = client.get("/api/search", params={"q": "ketamine", "kind": "news"}).json()
    assert data["filters"] == {"kind": "news"}
    assert {h["kind"] for h in data["hits"]} == {"news"}
