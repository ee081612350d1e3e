"""A CSV of studies read and checked for a meta-analysis: what `evimap meta` and the web
page's form share.

The CSV's columns are named as metafor's arguments (`ai bi ci di`, `n1i n2i`,
`m1i sd1i n1i m2i sd2i n2i`, `yi vi`, `yi sei`), so a data frame written from R reads
unchanged. Rows are numbered from 1 for the first line under the header; every error names
the file (or the form's name for pasted text), that row and the problem. An empty cell or
`NA` is a missing value: `rma` leaves the study out, as metafor does.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from evimap.errors import InputError, InvalidStudyData
from evimap.synthesis.meta.diagnostics import Refit, rma_refit
from evimap.synthesis.meta.fit import rma
from evimap.synthesis.meta.measures import EffectSizes, Measure, escalc
from evimap.synthesis.meta.mh import rma_mh, rma_peto
from evimap.synthesis.meta.result import MetaResult
from evimap.synthesis.meta.tau2 import Method, Test

FloatArray = NDArray[np.float64]

TWO_BY_TWO = ("ai", "bi", "ci", "di", "n1i", "n2i")
EFFECT_COLUMNS = (*TWO_BY_TWO, "m1i", "sd1i", "m2i", "sd2i", "yi", "vi", "sei")
"""metafor's data arguments: read as numbers when the file has them, passed to `escalc`."""

LABEL_COLUMNS = ("study", "author", "trial", "label", "name")
"""Columns tried, in order, for study labels when no label column is named."""

MISSING = frozenset({"", "NA", "NaN", "nan", "."})


class Pooling(StrEnum):
    """Inverse-variance pooling (`rma`), or metafor's `rma.mh` / `rma.peto` for 2x2 counts."""

    IV = "iv"
    MH = "mh"
    PETO = "peto"


@dataclass(frozen=True)
class StudyTable:
    """The CSV as read: the header and each data row's raw cells."""

    file: str
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def require(self, column: str, purpose: str) -> None:
        """Fail naming the file and the columns it does have when `column` is absent."""
        if column not in self.header:
            raise InputError(
                f"no column {column!r} for {purpose}",
                file=self.file,
                hint=f"the columns are {', '.join(self.header)}",
            )

    def numbers(self, column: str) -> FloatArray:
        """The column as floats: missing cells are NaN; any other non-number fails."""
        values = np.empty(len(self.rows))
        for i, row in enumerate(self.rows):
            cell = row[column].strip()
            try:
                values[i] = math.nan if cell in MISSING else float(cell)
            except ValueError:
                raise InvalidStudyData(
                    f"row {i + 1}: column {column} holds {cell!r}, not a number",
                    file=self.file,
                    hint="correct the cell, or leave it empty (or NA) for a missing value",
                ) from None
        return values

    def texts(self, column: str) -> list[str]:
        """The column's cells, stripped."""
        return [row[column].strip() for row in self.rows]


def read_studies(path: Path) -> StudyTable:
    """The CSV file at `path` (UTF-8, with or without a byte-order mark; comma-separated)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", file=str(path)) from error
    return parse_studies(data, name=str(path))


def parse_studies(data: bytes | str, *, name: str) -> StudyTable:
    """A CSV's bytes or text as a `StudyTable`; `name` is what errors call it (a file name,
    or "pasted CSV" for text from the web form)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise InputError("not UTF-8 text", file=name, hint="save the CSV as UTF-8") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = tuple((field or "").strip() for field in reader.fieldnames or ())
        rows: list[dict[str, str]] = []
        for line in reader:
            if None in line or None in line.values():
                raise InvalidStudyData(
                    f"row {len(rows) + 1} (line {reader.line_num}) does not have "
                    f"{len(header)} cells",
                    file=name,
                    hint="every row needs one cell per header column",
                )
            rows.append({key.strip(): value for key, value in line.items()})
    except csv.Error as error:
        raise InputError(f"not CSV: {error}", file=name) from error
    if not header:
        raise InputError("no header row", file=name, hint="the first line names the columns")
    if not rows:
        raise InvalidStudyData("no studies under the header", file=name)
    return StudyTable(name, header, tuple(rows))


def study_labels(table: StudyTable, column: str | None) -> list[str]:
    """Labels from `column`, else from the first of LABEL_COLUMNS the file has.

    An `author` column is joined with `year` when there is one ("Aronson, 1948"), as
    metafor's examples and RevMan's study IDs do: one author often has several trials.
    """
    if column is not None:
        table.require(column, "study labels")
    chosen = column or next((c for c in LABEL_COLUMNS if c in table.header), None)
    if chosen is None:
        return [f"Study {i + 1}" for i in range(len(table.rows))]
    labels = table.texts(chosen)
    if chosen == "author" and "year" in table.header:
        labels = [f"{a}, {y}" for a, y in zip(labels, table.texts("year"), strict=True)]
    return labels


def is_numeric(cells: Sequence[str]) -> bool:
    """Whether every non-missing cell reads as a number."""
    try:
        [float(c) for c in cells if c not in MISSING]
    except ValueError:
        return False
    return True


def moderators(table: StudyTable, columns: Sequence[str]) -> tuple[FloatArray, list[str]]:
    """Moderator columns as a matrix (one row per CSV row): numeric columns as they are,
    text columns as 0/1 dummies for every level but the first in sorted order (R's
    `factor()` contrasts)."""
    parts: list[FloatArray] = []
    names: list[str] = []
    for column in columns:
        table.require(column, "a moderator")
        texts = table.texts(column)
        if is_numeric(texts):
            parts.append(table.numbers(column)[:, None])
            names.append(column)
            continue
        for level in sorted(set(texts))[1:]:
            parts.append(np.array([[t == level] for t in texts], dtype=np.float64))
            names.append(f"{column}={level}")
    return np.hstack(parts), names


@dataclass(frozen=True)
class Options:
    """What was asked for besides the studies (the command line's options, the form's fields)."""

    measure: Measure | None = None
    pooling: Pooling = Pooling.IV
    method: Method = Method.REML
    test: Test = Test.Z
    level: float = 95.0
    label: str | None = None
    mods: tuple[str, ...] = ()
    by: str | None = None
    order: str | None = None

    def model(self) -> dict[str, Any]:
        """The `rma` keyword arguments these options mean."""
        return {"method": self.method, "test": self.test, "level": self.level}


@dataclass(frozen=True)
class Request:
    """The table's studies (effect sizes, raw columns, labels) and the options, checked."""

    table: StudyTable
    effects: EffectSizes
    cells: dict[str, Any]
    labels: list[str]
    options: Options

    @property
    def kept(self) -> NDArray[np.bool_]:
        """Studies the analysis uses: those with an effect size (MH and Peto use every row)."""
        if self.options.pooling is not Pooling.IV:
            return np.ones(len(self.labels), dtype=bool)
        return np.isfinite(self.effects.yi) & np.isfinite(self.effects.vi)

    @property
    def yi(self) -> FloatArray:
        return self.effects.yi[self.kept]

    @property
    def vi(self) -> FloatArray:
        return self.effects.vi[self.kept]

    def kept_labels(self, kept: NDArray[np.bool_] | None = None) -> list[str]:
        """Labels of the kept studies (or of the rows of another mask)."""
        mask = self.kept if kept is None else kept
        return [label for label, keep in zip(self.labels, mask, strict=True) if keep]

    def pooled(self, rows: NDArray[np.int64] | None = None) -> MetaResult:
        """The main fit; for MH and Peto, `rows` refits on those rows (see `refit`)."""
        if self.options.pooling is Pooling.IV:
            return rma(self.effects, **self.options.model())
        cells = {k: v if rows is None else v[rows] for k, v in self.cells.items()}
        two_by_two = {k: v for k, v in cells.items() if k in TWO_BY_TWO}
        if self.options.pooling is Pooling.MH:
            return rma_mh(self.effects.measure, level=self.options.level, **two_by_two)
        return rma_peto(level=self.options.level, **two_by_two)

    def refit(self) -> Refit:
        """Refits on subsets of the kept studies, with the requested pooling."""
        if self.options.pooling is Pooling.IV:
            return rma_refit(
                self.yi,
                self.vi,
                measure=self.effects.measure,
                with_tau2_ci=False,
                **self.options.model(),
            )
        return self.pooled

    def fitted_labels(self) -> list[str]:
        """Labels of the studies in the main fit's `yi`: MH and Peto leave out tables that
        give no per-study effect (metafor's `drop00=TRUE`), as their `yi` does."""
        if self.options.pooling is Pooling.IV:
            return self.kept_labels()
        kind = Measure.PETO if self.options.pooling is Pooling.PETO else self.effects.measure
        two_by_two = {k: v for k, v in self.cells.items() if k in TWO_BY_TWO}
        shown = escalc(kind, drop00=True, **two_by_two)
        return self.kept_labels(np.isfinite(shown.yi) & np.isfinite(shown.vi))

    def moderators(self) -> tuple[FloatArray, list[str]]:
        """The options' moderator columns as a matrix over the kept studies (`moderators`)."""
        matrix, names = moderators(self.table, self.options.mods)
        return matrix[self.kept], names


def request_for(table: StudyTable, options: Options) -> Request:
    """The studies of `table` with their effect sizes, or the first problem found."""
    cells: dict[str, Any] = {c: table.numbers(c) for c in EFFECT_COLUMNS if c in table.header}
    kind = options.measure or (Measure.GEN if "yi" in cells else None)
    pooling = options.pooling
    if kind is None:
        raise InputError(
            "no measure given and no yi column",
            file=table.file,
            hint="choose a measure (OR, RR, RD, MD, SMD), or give yi with vi or sei",
        )
    if pooling is not Pooling.IV and kind not in (Measure.OR, Measure.RR, Measure.RD):
        raise InputError(f"pooling {pooling} needs measure OR, RR or RD", file=table.file)
    if pooling is Pooling.PETO and kind is not Measure.OR:
        raise InputError("Peto's method pools odds ratios: use measure OR", file=table.file)
    for column, values in cells.items():
        missing = np.flatnonzero(np.isnan(values))
        if pooling is not Pooling.IV and missing.size:
            raise InvalidStudyData(
                f"row {missing[0] + 1}: column {column} is missing",
                file=table.file,
                hint=f"pooling {pooling} needs every count",
            )
    for wanted, purpose in ((options.by, "subgroups"), (options.order, "the order")):
        if wanted is not None:
            table.require(wanted, purpose)
    effects = escalc(kind, **cells)
    return Request(table, effects, cells, study_labels(table, options.label), options)


__all__ = [
    "EFFECT_COLUMNS",
    "LABEL_COLUMNS",
    "MISSING",
    "TWO_BY_TWO",
    "Options",
    "Pooling",
    "Request",
    "StudyTable",
    "is_numeric",
    "moderators",
    "parse_studies",
    "read_studies",
    "request_for",
    "study_labels",
]
