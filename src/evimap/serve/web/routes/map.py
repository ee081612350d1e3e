"""`/`: the evidence map, drugs down and conditions across, with filters.

The grid is read from the materialized cells (one indexed query, no claims), then cut to the
interventions and conditions with the largest evidence bases (`rows`, `columns`), so the
page stays small and fast on a store of any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, select

from evimap.claims import Certainty, Design
from evimap.serve.web import grid
from evimap.serve.web.pages import engine, page
from evimap.store import schema
from evimap.synthesis.evidence_map import cell_filters
from evimap.synthesis.grade import certainty_words

router = APIRouter()

DEFAULT_ROWS = 30
DEFAULT_COLUMNS = 30
MAX_AXIS = 200


@dataclass(frozen=True, slots=True)
class MapCellRow:
    """What the map shows of a cell: a projection of the `cells` row, no JSON parsed."""

    intervention: str
    intervention_class: str | None
    condition: str
    verdict: str
    certainty: str | None
    certainty_upper: str | None
    n_records: int

    @property
    def certainty_text(self) -> str:
        """The stated certainty in words ("low to very low"), or "not stated"."""
        return certainty_words(
            Certainty(self.certainty) if self.certainty else None,
            Certainty(self.certainty_upper) if self.certainty_upper else None,
        )


def map_cells(
    store: Engine,
    *,
    intervention_class: str | None = None,
    condition_group: str | None = None,
    design: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> list[MapCellRow]:
    """The cells the map shows, with the filters of `evidence_map.cells` and their meaning.

    The map reads only the columns it draws: building whole `Cell`s (their reasons and
    texts from JSON) for a few thousand cells would take most of the page's time budget.
    """
    cl = schema.cells
    query = select(
        cl.c.intervention,
        cl.c.intervention_class,
        cl.c.condition,
        cl.c.verdict,
        cl.c.certainty,
        cl.c.certainty_upper,
        cl.c.n_records,
    )
    query = query.where(
        *cell_filters(
            intervention_class=intervention_class,
            condition_group=condition_group,
            design=design,
            year_from=year_from,
            year_to=year_to,
        )
    )
    with store.connect() as connection:
        return [MapCellRow(*row) for row in connection.execute(query)]


def filter_choices(store: Engine) -> dict[str, list[str]]:
    """The values the map's filters offer: drug classes and condition groups in the store."""
    cl = schema.cells
    with store.connect() as connection:
        classes = connection.scalars(
            select(cl.c.intervention_class)
            .where(cl.c.intervention_class.is_not(None))
            .distinct()
            .order_by(cl.c.intervention_class)
        ).all()
        groups = connection.scalars(
            select(cl.c.condition_group).distinct().order_by(cl.c.condition_group)
        ).all()
    return {
        "intervention_class": [str(c) for c in classes],
        "condition_group": [str(g) for g in groups],
        "design": [d.value for d in Design],
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def map_page(
    request: Request,
    store: Annotated[Engine, Depends(engine)],
    intervention_class: str | None = None,
    condition_group: str | None = None,
    design: str | None = None,
    year_from: Annotated[int | None, Query(ge=0, le=9999)] = None,
    year_to: Annotated[int | None, Query(ge=0, le=9999)] = None,
    rows: Annotated[int, Query(ge=1, le=MAX_AXIS)] = DEFAULT_ROWS,
    columns: Annotated[int, Query(ge=1, le=MAX_AXIS)] = DEFAULT_COLUMNS,
) -> HTMLResponse:
    """The map: a bubble per cell, its verdict, certainty and evidence base in colour, fill,
    size and words."""
    found = map_cells(
        store,
        intervention_class=intervention_class or None,
        condition_group=condition_group or None,
        design=design or None,
        year_from=year_from,
        year_to=year_to,
    )
    filters = {
        "intervention_class": intervention_class or None,
        "condition_group": condition_group or None,
        "design": design or None,
        "year_from": year_from,
        "year_to": year_to,
    }
    shown = grid.grid(found, max_rows=rows, max_columns=columns)
    return page(
        request,
        "map.html",
        grid=shown,
        filters=filters,
        choices=filter_choices(store),
        rows=rows,
        columns=columns,
        verdicts=grid.VERDICTS,
        certainties=["high", "moderate", "low", "very_low", "none"],
        sizes=grid.legend_sizes(),
        size_bin=grid.size_bin,
        grade_symbols=grid.grade_symbols,
        verdict_name=grid.verdict_name,
        certainty_name=grid.certainty_name,
    )
