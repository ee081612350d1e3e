"""The pipeline refuses steps out of order and steps that give what they did not declare,
and runs a step only when what it gives is read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from evimap.extract.pipeline import (
    Step,
    check_order,
    demanded_findings,
    extract_claims,
    run_steps,
)
from evimap.records import Record

RECORD = Record(id="pmid:1", source="pubmed", title="Ketamine")


def test_pipeline_check_order_refuses_a_need_no_earlier_step_gives() -> None:
    late = Step(
        "design", 1, lambda r, f: {"design": "rct"}, needs=("sentences",), gives=("design",)
    )
    early = Step("sentences", 1, lambda r, f: {"sentences": []}, needs=(), gives=("sentences",))
    check_order([early, late])
    with pytest.raises(ValueError, match="needs \\['sentences'\\]"):
        check_order([late, early])


def test_pipeline_run_collects_every_finding() -> None:
    steps = [
        Step("title", 1, lambda r, f: {"title": r.title}, needs=(), gives=("title",)),
        Step(
            "upper",
            1,
            lambda r, f: {"upper": f["title"].upper()},
            needs=("title",),
            gives=("upper",),
        ),
    ]
    assert run_steps(steps, RECORD) == {"title": "Ketamine", "upper": "KETAMINE"}


def test_pipeline_run_refuses_an_undeclared_finding() -> None:
    sneaky = Step("sneaky", 1, lambda r, f: {"design": "rct"}, needs=(), gives=("other",))
    with pytest.raises(ValueError, match="did not declare"):
        run_steps([sneaky], RECORD)


def _counted(name: str, needs: tuple[str, ...], gives: str, ran: list[str]) -> Step:
    """A step that records that it ran and gives `gives` from what it needs."""

    def fn(record: Record, found: Mapping[str, Any]) -> dict[str, Any]:
        ran.append(name)
        return {gives: [found[need] for need in needs]}

    return Step(name, 1, fn, needs=needs, gives=(gives,))


def test_pipeline_demanded_findings_run_only_the_steps_read() -> None:
    ran: list[str] = []
    steps = [
        _counted("a", (), "a", ran),
        _counted("unread", ("a",), "unread", ran),
        _counted("b", ("a",), "b", ran),
    ]
    found = demanded_findings(steps, RECORD)
    assert ran == []
    assert found["b"] == [[]]
    assert ran == ["b", "a"]
    assert found["b"] == run_steps(steps, RECORD)["b"]


def test_pipeline_demanded_findings_see_what_the_eager_run_sees() -> None:
    """A step reads findings of earlier steps only, as when every step runs in order."""
    seen: dict[str, Any] = {}

    def peek(record: Record, found: Mapping[str, Any]) -> dict[str, Any]:
        seen.update(early=found.get("early"), late=found.get("late"), own=found.get("peeked"))
        return {"peeked": True}

    steps = [
        Step("early", 1, lambda r, f: {"early": 1}, needs=(), gives=("early",)),
        Step("peek", 1, peek, needs=(), gives=("peeked",)),
        Step("late", 1, lambda r, f: {"late": 2}, needs=(), gives=("late",)),
    ]
    assert demanded_findings(steps, RECORD)["peeked"] is True
    assert seen == {"early": 1, "late": None, "own": None}
    with pytest.raises(KeyError):
        demanded_findings(steps, RECORD)["missing"]


def test_pipeline_demanded_findings_let_a_step_error_through_get() -> None:
    def broken(record: Record, found: Mapping[str, Any]) -> dict[str, Any]:
        return {"x": {}["no such key"]}

    steps = [
        Step("broken", 1, broken, needs=(), gives=("x",)),
        Step("reader", 1, lambda r, f: {"y": f.get("x", "default")}, needs=(), gives=("y",)),
    ]
    with pytest.raises(KeyError, match="no such key"):
        demanded_findings(steps, RECORD)["y"]


def test_pipeline_demanded_findings_run_eagerly_when_a_finding_is_given_twice() -> None:
    steps = [
        Step("one", 1, lambda r, f: {"x": 1}, needs=(), gives=("x",)),
        Step("two", 1, lambda r, f: {"x": 2}, needs=(), gives=("x",)),
    ]
    assert demanded_findings(steps, RECORD)["x"] == 2


def test_pipeline_demanded_findings_refuse_an_undeclared_finding() -> None:
    sneaky = Step("sneaky", 1, lambda r, f: {"design": "rct"}, needs=(), gives=("other",))
    with pytest.raises(ValueError, match="did not declare"):
        demanded_findings([sneaky], RECORD)["other"]


def test_pipeline_extract_claims_without_a_claims_step_gives_none() -> None:
    steps = [Step("title", 1, lambda r, f: {"title": r.title}, needs=(), gives=("title",))]
    assert extract_claims(RECORD, steps) == []
