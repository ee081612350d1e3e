"""The map's grid: the largest evidence bases first, sizes in five bins, GRADE symbols."""

from __future__ import annotations

from dataclasses import dataclass

from evimap.serve.web.grid import grade_symbols, grid, legend_sizes, size_bin


@dataclass(frozen=True)
class FakeCell:
    intervention: str
    condition: str
    n_records: int
    intervention_class: str | None = None
    verdict: str = "benefit"
    certainty: str | None = None


def test_grid_keeps_the_largest_evidence_bases() -> None:
    cells = [
        FakeCell("ketamine", "depression", 10),
        FakeCell("ketamine", "pain", 1),
        FakeCell("memantine", "dementia", 5),
        FakeCell("xenon", "pain", 1),
    ]
    shown = grid(cells, max_rows=2, max_columns=2)
    assert [r.intervention for r in shown.rows] == ["ketamine", "memantine"]
    assert shown.columns == ["depression", "dementia"]
    assert shown.hidden_rows == 1
    assert shown.hidden_columns == 1
    assert set(shown.rows[0].cells) == {"depression"}


def test_grid_size_bins() -> None:
    assert [size_bin(n) for n in (0, 1, 2, 3, 4, 9, 10, 29, 30, 10_000)] == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5
    ]  # fmt: skip
    assert legend_sizes()[0] == (1, "1 record")
    assert legend_sizes()[-1] == (5, "30+ records")


def test_grid_grade_symbols() -> None:
    assert grade_symbols("low") == "⊕⊕◯◯"
    assert grade_symbols(None) == ""
