"""The pipeline refuses steps out of order and steps that give what they did not declare."""

from __future__ import annotations

import pytest

from evimap.extract.pipeline import Step, check_order, run_steps
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
