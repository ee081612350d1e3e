"""`evimap meta`: one meta-analysis of a CSV file of studies, as JSON or a table, with plots.

The command is a skin over `synthesis.meta.studies` (reading and checking the CSV, whose
columns are named as metafor's arguments) and `synthesis.meta.analyses` (what each
`--analysis` computes); this module parses the options and prints. Every error names the
file, the row (row 1 is the first line under the header) and the problem.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from evimap.cli._options import err, fail, out
from evimap.errors import EvimapError, InputError
from evimap.synthesis.meta import Measure, Method, Test
from evimap.synthesis.meta.analyses import (
    ANALYSES,
    MH_PETO_ANALYSES,
    USED_BY,
    Analysis,
    forest_of,
    funnel_of,
)
from evimap.synthesis.meta.plots import interval_text, write_figure
from evimap.synthesis.meta.studies import Options, Pooling, read_studies, request_for


class MetaFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


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
        request = request_for(read_studies(input), options)
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


def in_file(error: EvimapError, file: str) -> EvimapError:
    """The error again, naming `file` (the engine knows rows, not files)."""
    if error.file:
        return error
    located = type(error)(error.reason, file=file, hint=error.hint)
    located.__cause__ = error
    return located


def register(app: typer.Typer) -> None:
    app.command()(meta)
