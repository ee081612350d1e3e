"""`/meta`: run one meta-analysis of pasted or uploaded CSV, with the forest and funnel plots.

The page is a plain form (works without JavaScript) posted as multipart; the studies are
read and checked by `synthesis.meta.studies` and analysed by `synthesis.meta.analyses`,
exactly as `evimap meta` does, so the page and the command agree digit for digit. Nothing
is stored. Bad input comes back as the form with the error (file, row and reason) and
status 422, never a traceback.

The plots are matplotlib SVG served as `<img src="data:image/svg+xml;base64,…">`: an SVG
loaded as an image runs no script whatever it holds, and its own `style` attributes are
not subject to the page's Content-Security-Policy (which forbids inline style), so the
policy only needs the `img-src data:` it already has.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from evimap.errors import EvimapError, InputError
from evimap.serve.web.pages import page
from evimap.synthesis.meta import Measure, Method, Test
from evimap.synthesis.meta.analyses import (
    ANALYSES,
    MH_PETO_ANALYSES,
    Analysis,
    forest_of,
    funnel_of,
)
from evimap.synthesis.meta.plots import interval_text, svg_bytes
from evimap.synthesis.meta.studies import (
    Options,
    Pooling,
    StudyTable,
    parse_studies,
    request_for,
)

router = APIRouter()

MAX_BYTES = 1_000_000
"""Largest CSV accepted (about 20,000 rows of 2x2 counts): a page, not a batch service."""
MAX_STUDIES = 1_000
"""A forest plot of more studies is unreadable, and drawing it would hold the server."""

MEASURES = ("", "OR", "RR", "RD", "MD", "SMD", "GEN")
"""The form's measures ("" = GEN when the CSV has a yi column)."""
METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "FE")
TESTS = ("z", "t", "knha", "adhoc")
POOLINGS = ("iv", "mh", "peto")
WEB_ANALYSES = (Analysis.FIT, Analysis.LEAVE1OUT, Analysis.CUMULATIVE, Analysis.TRIMFILL)
"""The analyses the page offers: those needing no extra column."""

PASTED = "pasted CSV"
"""What errors call the studies when they were pasted rather than uploaded."""

EXAMPLE = """author,year,ai,bi,ci,di
Aronson,1948,4,119,11,128
Ferguson & Simes,1949,6,300,29,274
Rosenthal et al,1960,3,228,11,209
"""

SUMMARY = (
    ("k", "studies"),
    ("estimate", "estimate"),
    ("se", "standard error"),
    ("z_or_t", "z (or t)"),
    ("p", "p"),
    ("ci_lower", "CI lower"),
    ("ci_upper", "CI upper"),
    ("tau2", "τ²"),
    ("tau2_ci", "τ² CI (Q-profile)"),
    ("i2", "I² (%)"),
    ("h2", "H²"),
    ("q", "Q"),
    ("q_df", "Q df"),
    ("q_p", "Q p"),
    ("pi_lower", "prediction lower"),
    ("pi_upper", "prediction upper"),
)
"""The summary rows, in metafor's print order."""


@dataclass(frozen=True)
class MetaForm:
    """The form's values as submitted (kept to refill the form after an error)."""

    csv_text: str = ""
    measure: str = ""
    method: str = "REML"
    test: str = "z"
    level: str = "95"
    pooling: str = "iv"
    analysis: str = "fit"


@router.get("/meta", response_class=HTMLResponse, include_in_schema=False)
def meta_form(request: Request) -> HTMLResponse:
    """The empty form, with an example of the CSV it reads."""
    return _page(request, MetaForm(), status_code=200)


@router.post("/meta", response_class=HTMLResponse, include_in_schema=False)
async def meta_result(
    request: Request,
    csv_text: Annotated[str, Form()] = "",
    csv_file: Annotated[UploadFile | None, File()] = None,
    measure: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "REML",
    test: Annotated[str, Form()] = "z",
    level: Annotated[str, Form()] = "95",
    pooling: Annotated[str, Form()] = "iv",
    analysis: Annotated[str, Form()] = "fit",
) -> HTMLResponse:
    """The analysis of the posted studies: summary, rows or studies, forest and funnel."""
    form = MetaForm(csv_text, measure, method, test, level, pooling, analysis)
    upload = await _upload(csv_file)
    name = upload[0] if upload is not None else PASTED
    try:
        wanted = _analysis(analysis)
        options = _options(form)
        if wanted not in MH_PETO_ANALYSES and options.pooling is not Pooling.IV:
            raise InputError(f"pooling {options.pooling} works with fit, leave1out, cumulative")
        table = _table(csv_text, upload)
        request_ = request_for(table, options)
        data = ANALYSES[wanted](request_)
        forest = _data_uri(svg_bytes(forest_of(request_, wanted)))
        funnel = _data_uri(svg_bytes(funnel_of(request_, wanted)))
    except EvimapError as error:
        located = error if error.file else type(error)(error.reason, file=name, hint=error.hint)
        return _page(request, form, status_code=422, error=str(located))
    except ValueError as error:
        return _page(request, form, status_code=422, error=f"file {name}: {error}")
    return _page(
        request,
        form,
        status_code=200,
        source=table.file,
        analysis=wanted,
        view=_view(data),
        forest=forest,
        funnel=funnel,
    )


async def _upload(csv_file: UploadFile | None) -> tuple[str, bytes] | None:
    """The uploaded file's name and bytes, or None when no file was chosen (a browser sends
    an empty part with no name then)."""
    if csv_file is None or not csv_file.filename:
        return None
    data = await csv_file.read(MAX_BYTES + 1)
    return csv_file.filename, data


def _table(csv_text: str, upload: tuple[str, bytes] | None) -> StudyTable:
    """The studies: the uploaded file if there is one, else the pasted text."""
    if upload is not None:
        name, data = upload
        source: bytes | str = data
    elif csv_text.strip():
        name, source = PASTED, csv_text
    else:
        raise InputError("no studies", hint="paste CSV into the box or choose a CSV file")
    size = len(source) if isinstance(source, bytes) else len(source.encode("utf-8"))
    if size > MAX_BYTES:
        raise InputError(f"larger than {MAX_BYTES:,} bytes", file=name, hint="use evimap meta")
    table = parse_studies(source, name=name)
    if len(table.rows) > MAX_STUDIES:
        raise InputError(
            f"{len(table.rows):,} studies; the page takes at most {MAX_STUDIES:,}",
            file=name,
            hint="use evimap meta for larger files",
        )
    return table


def _analysis(name: str) -> Analysis:
    if name not in WEB_ANALYSES:
        raise InputError(f"unknown analysis {name!r}", hint=f"choose {', '.join(WEB_ANALYSES)}")
    return Analysis(name)


def _options(form: MetaForm) -> Options:
    """The form's choices checked against the lists it offers (no free text reaches the
    engine's parsers)."""
    for value, allowed, what in (
        (form.measure, MEASURES, "measure"),
        (form.method, METHODS, "method"),
        (form.test, TESTS, "test"),
        (form.pooling, POOLINGS, "pooling"),
    ):
        if value not in allowed:
            raise InputError(f"unknown {what} {value!r}", hint=f"choose {', '.join(allowed)}")
    try:
        level = float(form.level)
    except ValueError:
        level = float("nan")
    if not 50.0 <= level < 100.0:
        raise InputError(f"level {form.level!r} is not a percentage from 50 to 99.9")
    return Options(
        measure=Measure(form.measure) if form.measure else None,
        pooling=Pooling(form.pooling),
        method=Method(form.method),
        test=Test(form.test),
        level=level,
    )


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def shown(value: Any) -> str:
    """A value as the tables show it: 4 decimals, tiny values in scientific notation."""
    if value is None:
        return "NA"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3g}" if 0 < abs(value) < 1e-4 else f"{value:.4f}"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return str(value)


def _summary(fit: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [(name, shown(fit[key])) for key, name in SUMMARY if key in fit]
    if fit.get("measure") and "exp_estimate" in fit:
        ratio = interval_text(fit["estimate"], fit["ci_lower"], fit["ci_upper"], is_ratio=True)
        rows.insert(2, (f"{fit['measure']} [{fit['level']:g}% CI]", ratio))
    measure = f", measure {fit['measure']}" if fit.get("measure") else ""
    rows.append(("model", f"{fit['method']}, {fit['test']} test{measure}"))
    return rows


def _fit_rows(first: str, rows: list[dict[str, Any]]) -> list[list[str]]:
    """One line per refit: label, k, estimate [CI] (back-transformed for ratios), p, Q, I², τ²."""
    out = []
    for row in rows:
        ratio = "exp_estimate" in row
        interval = interval_text(row["estimate"], row["ci_lower"], row["ci_upper"], is_ratio=ratio)
        numbers = (row["p"], row["q"], row["i2"], row["tau2"])
        out.append([str(row[first]), str(row["k"]), interval, *(shown(v) for v in numbers)])
    return out


def _view(data: dict[str, Any]) -> dict[str, Any]:
    """What the template shows of an analysis's JSON: a summary, and a table of studies or of
    refits (labels stay text; the template escapes them)."""
    view: dict[str, Any] = {"summary": [], "rows": [], "row_header": [], "studies": []}
    if "rows" in data:
        first = "omitted" if data["rows"] and "omitted" in data["rows"][0] else "added"
        view["row_header"] = [first, "k", "estimate [CI]", "p", "Q", "I² (%)", "τ²"]
        view["rows"] = _fit_rows(first, data["rows"])
        return view
    fit = data.get("result", data)
    view["summary"] = _summary(fit)
    if "k0" in data:
        view["summary"].insert(0, ("studies filled in (k0)", f"{data['k0']} on the {data['side']}"))
    view["studies"] = [
        [s["study"], shown(s["yi"]), shown(s["vi"]), f"{s['weight']:.2f}"]
        for s in data.get("studies", [])
    ]
    return view


def _page(request: Request, form: MetaForm, *, status_code: int, **context: Any) -> HTMLResponse:
    choices = {
        "measures": MEASURES,
        "methods": METHODS,
        "tests": TESTS,
        "poolings": POOLINGS,
        "analyses": [str(a) for a in WEB_ANALYSES],
    }
    defaults = {"error": None, "view": None, "forest": None, "funnel": None, "source": None}
    return page(
        request,
        "meta.html",
        status_code=status_code,
        form=form,
        example=EXAMPLE,
        **choices,
        **{**defaults, **context},
    )
