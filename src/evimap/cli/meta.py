"""`evimap meta`: one meta-analysis of a CSV file of studies, as JSON or a table, with plots.

The CSV's columns are named as metafor's arguments (`ai bi ci di`, `n1i n2i`,
`m1i sd1i n1i m2i sd2i n2i`, `yi vi`, `yi sei`), so a data frame written from R reads
unchanged. Rows are numbered from 1 for the first line under the header; every error names
the file, that row and the problem. An empty cell or `NA` is a missing value: `rma` leaves
the study out, as metafor does.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from matplotlib.figure import Figure
from numpy.typing import NDArray
from rich.table import Table

from evimap.cli._options import err, fail, out
from evimap.errors import EvimapError, InputError, InvalidStudyData
from evimap.synthesis.meta import EffectSizes, Measure, MetaResult, Method, Test, escalc, rma
from evimap.synthesis.meta.bias import TrimFill, ranktest, regtest, trimfill
from evimap.synthesis.meta.diagnostics import Refit, cumulative, leave1out, rma_refit
from evimap.synthesis.meta.fit import subgroups
from evimap.synthesis.meta.mh import rma_mh, rma_peto
from evimap.synthesis.meta.plots import forest_figure, funnel_figure, interval_text, write_figure

FloatArray = NDArray[np.float64]

TWO_BY_TWO = ("ai", "bi", "ci", "di", "n1i", "n2i")
EFFECT_COLUMNS = (*TWO_BY_TWO, "m1i", "sd1i", "m2i", "sd2i", "yi", "vi", "sei")
"""metafor's data arguments: read as numbers when the file has them, passed to `escalc`."""

LABEL_COLUMNS = ("study", "author", "trial", "label", "name")
"""Columns tried, in order, for study labels when `--label` is not given."""

MISSING = frozenset({"", "NA", "NaN", "nan", "."})


class Analysis(StrEnum):
    FIT = "fit"
    LEAVE1OUT = "leave1out"
    CUMULATIVE = "cumulative"
    TRIMFILL = "trimfill"
    REGTEST = "regtest"
    RANKTEST = "ranktest"
    SUBGROUPS = "subgroups"
    METAREG = "metareg"


class Pooling(StrEnum):
    """Inverse-variance pooling (`rma`), or metafor's `rma.mh` / `rma.peto` for 2x2 counts."""

    IV = "iv"
    MH = "mh"
    PETO = "peto"


class MetaFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


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
        return [row[column].strip() for row in self.rows]


@dataclass(frozen=True)
class Options:
    """What the command line asked for besides the file."""

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
    """The file's studies (effect sizes, raw columns, labels) and the options, checked."""

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
        """`--mods` as a matrix: numeric columns as they are, text columns as 0/1 dummies
        for every level but the first in sorted order (R's `factor()` contrasts)."""
        parts: list[FloatArray] = []
        names: list[str] = []
        for column in self.options.mods:
            self.table.require(column, "a moderator")
            texts = self.table.texts(column)
            if is_numeric(texts):
                parts.append(self.table.numbers(column)[:, None])
                names.append(column)
                continue
            for level in sorted(set(texts))[1:]:
                parts.append(np.array([[t == level] for t in texts], dtype=np.float64))
                names.append(f"{column}={level}")
        return np.hstack(parts)[self.kept], names


def read_studies(path: Path) -> StudyTable:
    """The CSV file at `path` (UTF-8, with or without a byte-order mark; comma-separated)."""
    name = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
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
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", file=name) from error
    except UnicodeDecodeError as error:
        raise InputError("not UTF-8 text", file=name, hint="save the CSV as UTF-8") from error
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


def request_from(path: Path, options: Options) -> Request:
    """The studies of `path` with their effect sizes, or the first problem found."""
    table = read_studies(path)
    cells: dict[str, Any] = {c: table.numbers(c) for c in EFFECT_COLUMNS if c in table.header}
    kind = options.measure or (Measure.GEN if "yi" in cells else None)
    pooling = options.pooling
    if kind is None:
        raise InputError(
            "no --measure given and no yi column",
            file=table.file,
            hint="pass --measure OR|RR|RD|MD|SMD, or give yi with vi or sei",
        )
    if pooling is not Pooling.IV and kind not in (Measure.OR, Measure.RR, Measure.RD):
        raise InputError(f"--pooling {pooling} needs --measure OR, RR or RD", file=table.file)
    if pooling is Pooling.PETO and kind is not Measure.OR:
        raise InputError("Peto's method pools odds ratios: use --measure OR", file=table.file)
    for column, values in cells.items():
        missing = np.flatnonzero(np.isnan(values))
        if pooling is not Pooling.IV and missing.size:
            raise InvalidStudyData(
                f"row {missing[0] + 1}: column {column} is missing",
                file=table.file,
                hint=f"--pooling {pooling} needs every count",
            )
    for wanted, purpose in ((options.by, "--by"), (options.order, "--order")):
        if wanted is not None:
            table.require(wanted, purpose)
    effects = escalc(kind, **cells)
    return Request(table, effects, cells, study_labels(table, options.label), options)


# --- analyses: each gives the JSON object the command prints --------------------------------


def fields(result: MetaResult) -> dict[str, Any]:
    """A fit's JSON fields without the per-study weights (for rows of many fits)."""
    data = result.to_dict()
    data.pop("weights", None)
    return data


def fit_json(request: Request) -> dict[str, Any]:
    result = request.pooled()
    labels = request.fitted_labels()
    studies = [
        {"study": label, "yi": float(y), "vi": float(v), "weight": float(w)}
        for label, y, v, w in zip(labels, result.yi, result.vi, result.weights, strict=True)
    ]
    return {**fields(result), "studies": studies}


def leave1out_json(request: Request) -> dict[str, Any]:
    labels = request.kept_labels()
    fits = leave1out(request.refit(), len(labels))
    return {"rows": [{"omitted": lab, **fields(f)} for lab, f in zip(labels, fits, strict=True)]}


def cumulative_json(request: Request) -> dict[str, Any]:
    labels = request.kept_labels()
    order = request.options.order
    keys: Any = np.arange(len(labels))
    if order is not None:
        texts = request.table.texts(order)
        keys = request.table.numbers(order) if is_numeric(texts) else np.asarray(texts)
        keys = keys[request.kept]
    fits = cumulative(request.refit(), keys)
    ranked = np.argsort(keys, kind="stable")
    return {
        "order": order,
        "rows": [{"added": labels[i], **fields(f)} for i, f in zip(ranked, fits, strict=True)],
    }


def trimfill_json(request: Request) -> dict[str, Any]:
    filled = trimfill_of(request)
    imputed = np.asarray(filled.filled, dtype=bool)
    return {
        "k0": filled.k0,
        "se_k0": finite(filled.se_k0),
        "p_k0": finite(filled.p_k0),
        "side": filled.side,
        "filled": [
            {"yi": float(y), "vi": float(v)}
            for y, v in zip(filled.yi[imputed], filled.vi[imputed], strict=True)
        ],
        "result": fields(filled.result),
    }


def regtest_json(request: Request) -> dict[str, Any]:
    mods = request.moderators()[0] if request.options.mods else None
    test = regtest(request.yi, request.vi, mods=mods, **request.options.model())
    return {k: finite(v) if isinstance(v, float) else v for k, v in asdict(test).items()}


def ranktest_json(request: Request) -> dict[str, Any]:
    test = ranktest(request.yi, request.vi)
    return {"tau": finite(test.tau), "p": finite(test.p)}


def subgroups_json(request: Request) -> dict[str, Any]:
    by = request.options.by
    if by is None:
        raise InputError("subgroups need --by COLUMN", file=request.table.file)
    groups = np.asarray(request.table.texts(by))[request.kept]
    kind = request.effects.measure
    result = subgroups(request.yi, request.vi, by=groups, measure=kind, **request.options.model())
    return {
        "by": by,
        "groups": {str(name): fields(fit) for name, fit in result.groups.items()},
        "qm": finite(result.qm),
        "qm_df": result.qm_df,
        "qm_p": finite(result.qm_p),
    }


def metareg_json(request: Request) -> dict[str, Any]:
    if not request.options.mods:
        raise InputError("a meta-regression needs --mods COLUMN,...", file=request.table.file)
    matrix, names = request.moderators()
    kind = request.effects.measure
    model = request.options.model()
    return fields(rma(request.yi, request.vi, mods=matrix, coef_names=names, measure=kind, **model))


ANALYSES: dict[Analysis, Callable[[Request], dict[str, Any]]] = {
    Analysis.FIT: fit_json,
    Analysis.LEAVE1OUT: leave1out_json,
    Analysis.CUMULATIVE: cumulative_json,
    Analysis.TRIMFILL: trimfill_json,
    Analysis.REGTEST: regtest_json,
    Analysis.RANKTEST: ranktest_json,
    Analysis.SUBGROUPS: subgroups_json,
    Analysis.METAREG: metareg_json,
}
"""What each `--analysis` computes."""

USED_BY = {
    "mods": (Analysis.METAREG, Analysis.REGTEST),
    "by": (Analysis.SUBGROUPS,),
    "order": (Analysis.CUMULATIVE,),
}
"""The analyses each column option is for: given to any other, it is an error, not ignored."""

MH_PETO_ANALYSES = (Analysis.FIT, Analysis.LEAVE1OUT, Analysis.CUMULATIVE)


def trimfill_of(request: Request) -> TrimFill:
    model = request.options.model()
    return trimfill(request.yi, request.vi, measure=request.effects.measure, **model)


def is_numeric(cells: Sequence[str]) -> bool:
    """Whether every non-missing cell reads as a number."""
    try:
        [float(c) for c in cells if c not in MISSING]
    except ValueError:
        return False
    return True


def finite(value: float) -> float | None:
    """JSON has no NaN: a missing statistic is null."""
    return value if math.isfinite(value) else None


# --- tables ---------------------------------------------------------------------------------

SUMMARY = {
    "k": "studies",
    "estimate": "estimate",
    "se": "standard error",
    "z_or_t": "z (or t)",
    "p": "p",
    "ci_lower": "CI lower",
    "ci_upper": "CI upper",
    "tau2": "tau^2",
    "tau2_ci": "tau^2 CI (Q-profile)",
    "i2": "I^2 (%)",
    "h2": "H^2",
    "q": "Q",
    "q_df": "Q df",
    "q_p": "Q p",
    "pi_lower": "prediction lower",
    "pi_upper": "prediction upper",
    "qm": "QM (moderators)",
    "qm_p": "QM p",
    "r2": "R^2 (%)",
    "method": "method",
    "measure": "measure",
    "test": "test",
    "level": "level (%)",
}
"""The rows of a one-fit summary table, in metafor's print order."""


def cell(value: Any) -> str:
    """A value as a table shows it: 4 decimals, tiny values in scientific notation."""
    if value is None:
        return "NA"
    if isinstance(value, float):
        return f"{value:.3g}" if 0 < abs(value) < 1e-4 else f"{value:.4f}"
    if isinstance(value, list):
        return "[" + ", ".join(cell(v) for v in value) + "]"
    return str(value)


def summary_table(title: str, data: dict[str, Any]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, name in SUMMARY.items():
        if key in data:
            table.add_row(name, f"{data[key]:g}" if key == "level" else cell(data[key]))
    if "exp_estimate" in data and "coefficients" not in data:
        ratio = interval_text(data["estimate"], data["ci_lower"], data["ci_upper"], is_ratio=True)
        table.add_row(f"{data['measure']} [CI]", ratio)
    return table


def rows_table(title: str, first: str, rows: list[tuple[str, dict[str, Any]]]) -> Table:
    """Many fits, one per row: estimate [CI] (back-transformed for ratios), p, Q, I², τ²."""
    table = Table(title=title, title_justify="left")
    for name in (first, "k", "estimate [CI]", "p", "Q", "I^2", "tau^2"):
        table.add_column(name, justify="left" if name == first else "right")
    for label, fit in rows:
        ratio = "exp_estimate" in fit
        interval = interval_text(fit["estimate"], fit["ci_lower"], fit["ci_upper"], is_ratio=ratio)
        numbers = (fit["p"], fit["q"], fit["i2"], fit["tau2"])
        table.add_row(label, str(fit["k"]), interval, *(cell(v) for v in numbers))
    return table


def records_table(title: str, records: list[dict[str, Any]]) -> Table:
    """A list of flat JSON objects (studies, coefficients) with one column per key."""
    table = Table(title=title, title_justify="left")
    for n, key in enumerate(records[0] if records else ()):
        table.add_column(key, justify="left" if n == 0 else "right")
    for record in records:
        table.add_row(*(cell(v) for v in record.values()))
    return table


def print_tables(analysis: Analysis, data: dict[str, Any]) -> None:
    """The analysis as rich tables on standard output: one summary or one row per fit, and
    the lists of the JSON (studies, coefficients, filled studies) as tables of their own."""
    if "rows" in data:
        first = next(iter(data["rows"][0])) if data["rows"] else "study"
        out.print(rows_table(str(analysis), first, [(r[first], r) for r in data["rows"]]))
    elif "groups" in data:
        out.print(rows_table(f"subgroups by {data['by']}", data["by"], [*data["groups"].items()]))
        out.print(
            f"test of subgroup differences: QM = {cell(data['qm'])}, df = {data['qm_df']}, "
            f"p = {cell(data['qm_p'])}"
        )
    elif analysis in (Analysis.REGTEST, Analysis.RANKTEST):
        out.print(records_table(str(analysis), [data]))
    else:
        summary = data.get("result", data)
        out.print(summary_table(str(analysis), summary))
        if summary is not data:
            head = {k: v for k, v in data.items() if k in ("k0", "se_k0", "p_k0", "side")}
            out.print(records_table("", [head]))
    for key in ("studies", "coefficients", "filled"):
        if data.get(key):
            out.print(records_table(key, data[key]))


# --- the command ----------------------------------------------------------------------------


def meta(
    input: Annotated[Path, typer.Argument(help="CSV file, one study per row.")],
    measure: Annotated[
        Measure | None,
        typer.Option(help="Effect size; default GEN if the file has yi."),
    ] = None,
    method: Annotated[Method, typer.Option(help="tau^2 estimator (FE: none).")] = Method.REML,
    pooling: Annotated[
        Pooling, typer.Option(help="Inverse variance, Mantel-Haenszel or Peto.")
    ] = Pooling.IV,
    test: Annotated[Test, typer.Option(help="Tests and confidence intervals.")] = Test.Z,
    knha: Annotated[bool, typer.Option("--knha", help="Same as --test knha.")] = False,
    level: Annotated[float, typer.Option(help="Confidence level in percent.")] = 95.0,
    analysis: Annotated[Analysis, typer.Option(help="What to compute.")] = Analysis.FIT,
    mods: Annotated[
        str | None, typer.Option(help="Moderator columns, comma-separated (metareg, regtest).")
    ] = None,
    by: Annotated[str | None, typer.Option(help="Subgroup column (subgroups).")] = None,
    order: Annotated[str | None, typer.Option(help="Ordering column (cumulative).")] = None,
    label: Annotated[
        str | None, typer.Option(help="Study label column (default study, author, trial).")
    ] = None,
    format: Annotated[MetaFormat, typer.Option(help="Output format.")] = MetaFormat.JSON,
    plot: Annotated[Path | None, typer.Option(help="Write a forest plot (.svg, .png).")] = None,
    funnel: Annotated[Path | None, typer.Option(help="Write a funnel plot (.svg, .png).")] = None,
) -> None:
    """Run one meta-analysis of the studies in INPUT, with metafor's conventions.

    Columns are named as metafor's arguments: ai bi ci di (or ai n1i ci n2i)
    for 2x2 counts, m1i sd1i n1i m2i sd2i n2i for means and SDs, yi with vi
    or sei for effect sizes. Errors name the file and the row (row 1 is the
    first line under the header); the exit status is then 1.
    """
    if knha and test not in (Test.Z, Test.KNHA):
        fail(InputError(f"--knha contradicts --test {test}", file=str(input)))
    columns = tuple(c.strip() for c in (mods or "").split(",") if c.strip())
    for option, given in (("mods", columns), ("by", by), ("order", order)):
        if given and analysis not in USED_BY[option]:
            allowed = " or ".join(USED_BY[option])
            fail(InputError(f"--{option} is for --analysis {allowed}, not {analysis}"))
    if pooling is not Pooling.IV and analysis not in MH_PETO_ANALYSES:
        fail(InputError(f"--pooling {pooling} works with --analysis fit, leave1out, cumulative"))
    options = Options(
        measure, pooling, method, Test.KNHA if knha else test, level, label, columns, by, order
    )
    try:
        request = request_from(input, options)
        data = ANALYSES[analysis](request)
        for path, draw in ((plot, forest_of), (funnel, funnel_of)):
            if path is not None:
                write_figure(draw(request, analysis), path)
                err.print(f"wrote {path}")
    except EvimapError as error:
        fail(in_file(error, str(input)))
    except ValueError as error:
        fail(InputError(str(error), file=str(input)))
    if format is MetaFormat.TABLE:
        print_tables(analysis, data)
        return
    head = {"file": str(input), "analysis": str(analysis)}
    typer.echo(json.dumps({**head, **data}, ensure_ascii=False))


def forest_of(request: Request, analysis: Analysis) -> Figure:
    """The forest plot of the main fit (whatever the analysis): what a reader looks at first."""
    model = {Pooling.MH: "MH Model", Pooling.PETO: "Peto Model"}.get(request.options.pooling)
    return forest_figure(request.pooled(), labels=request.fitted_labels(), model=model)


def funnel_of(request: Request, analysis: Analysis) -> Figure:
    """The funnel plot of the main fit, with the filled studies under `--analysis trimfill`."""
    filled = trimfill_of(request) if analysis is Analysis.TRIMFILL else None
    return funnel_figure(request.pooled(), trimfill=filled)


def in_file(error: EvimapError, file: str) -> EvimapError:
    """The error again, naming `file` (the engine knows rows, not files)."""
    if error.file:
        return error
    located = type(error)(error.reason, file=file, hint=error.hint)
    located.__cause__ = error
    return located


def register(app: typer.Typer) -> None:
    app.command()(meta)
