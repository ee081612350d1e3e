"""The map as a grid: interventions down, conditions across, the largest evidence bases first.

Three visual channels follow the Campbell evidence-and-gap-map conventions: colour for the
verdict (Okabe-Ito colours, safe for colour-blind readers), fill for the certainty (solid
for high down to an outline for very low, dashed when no source states one) and size for
the evidence base (number of records, in five bins). Every channel is repeated as text, so
nothing depends on seeing colour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

SIZE_BINS = (1, 2, 4, 10, 30)
"""Lower bounds of the five bubble sizes, in records: 1, 2-3, 4-9, 10-29, 30 and more."""

GRADE_SYMBOLS = {
    "high": "⊕⊕⊕⊕",
    "moderate": "⊕⊕⊕◯",
    "low": "⊕⊕◯◯",
    "very_low": "⊕◯◯◯",
}
"""The GRADE working group's symbols for the four certainty levels."""

VERDICTS = ("benefit", "no_benefit", "harm", "mixed", "inconclusive")


class MapCell(Protocol):
    """What the grid reads from a cell of the evidence map."""

    @property
    def intervention(self) -> str: ...
    @property
    def intervention_class(self) -> str | None: ...
    @property
    def condition(self) -> str: ...
    @property
    def verdict(self) -> str: ...
    @property
    def certainty(self) -> str | None: ...
    @property
    def n_records(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Row:
    """An intervention of the grid, with its class and its cells by condition."""

    intervention: str
    intervention_class: str | None
    n_records: int
    cells: dict[str, MapCell]


@dataclass(frozen=True, slots=True)
class Grid:
    """The rows and columns shown, and how many of each the limits left out."""

    rows: list[Row]
    columns: list[str]
    n_cells: int
    hidden_rows: int
    hidden_columns: int


def size_bin(n_records: int) -> int:
    """The bubble size, 1 to 5, of an evidence base of `n_records` records."""
    return max(i for i, bound in enumerate(SIZE_BINS, 1) if n_records >= bound or i == 1)


def grade_symbols(certainty: str | None) -> str:
    """`⊕⊕◯◯` for low and so on; an empty string when no certainty is stated."""
    return GRADE_SYMBOLS.get(certainty or "", "")


def _value(value: object) -> str:
    return str(getattr(value, "value", value))


def grid(cells: Iterable[MapCell], *, max_rows: int, max_columns: int) -> Grid:
    """The `max_columns` conditions with the most records, and the `max_rows` interventions
    with the most records in those conditions (a drug with no cell among them is left out).

    Ties are broken by name, so the same store always gives the same grid.
    """
    by_intervention: dict[str, dict[str, MapCell]] = defaultdict(dict)
    row_records: dict[str, int] = defaultdict(int)
    column_records: dict[str, int] = defaultdict(int)
    classes: dict[str, str | None] = {}
    count = 0
    for cell in cells:
        count += 1
        by_intervention[cell.intervention][cell.condition] = cell
        row_records[cell.intervention] += cell.n_records
        column_records[cell.condition] += cell.n_records
        classes.setdefault(cell.intervention, cell.intervention_class)
    top_columns = _largest(column_records, max_columns)
    shown = set(top_columns)
    shown_records = {
        name: sum(cell.n_records for c, cell in row.items() if c in shown)
        for name, row in by_intervention.items()
    }
    top_rows = _largest({n: total for n, total in shown_records.items() if total}, max_rows)
    rows = [
        Row(
            name,
            classes[name],
            row_records[name],
            {c: cell for c, cell in by_intervention[name].items() if c in shown},
        )
        for name in top_rows
    ]
    return Grid(
        rows=rows,
        columns=top_columns,
        n_cells=count,
        hidden_rows=len(row_records) - len(top_rows),
        hidden_columns=len(column_records) - len(top_columns),
    )


def _largest(totals: dict[str, int], limit: int) -> list[str]:
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, _ in ranked[:limit]]


def verdict_name(cell: MapCell) -> str:
    """The cell's verdict as its plain value (`no_benefit`), whatever type it is held as."""
    return _value(cell.verdict)


def certainty_name(cell: MapCell) -> str:
    """The cell's certainty as its plain value, or `none` when no source states one."""
    return _value(cell.certainty) if cell.certainty else "none"


def legend_sizes() -> Sequence[tuple[int, str]]:
    """(size bin, label) for the legend: `1 record`, `2-3 records` … `30+ records`."""
    out = []
    for i, low in enumerate(SIZE_BINS, 1):
        high = SIZE_BINS[i] - 1 if i < len(SIZE_BINS) else None
        label = f"{low}+" if high is None else (str(low) if low == high else f"{low}-{high}")
        out.append((i, f"{label} record{'s' if label != '1' else ''}"))
    return out


__all__ = [
    "GRADE_SYMBOLS",
    "SIZE_BINS",
    "VERDICTS",
    "Grid",
    "MapCell",
    "Row",
    "certainty_name",
    "grade_symbols",
    "grid",
    "legend_sizes",
    "size_bin",
    "verdict_name",
]
