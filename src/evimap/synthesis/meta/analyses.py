"""The analyses of one study table, each as the JSON object `evimap meta` prints and the
web page shows: the fit, leave-one-out, cumulative, trim-and-fill, the funnel-asymmetry
tests, subgroups and meta-regression, plus the forest and funnel figures of the main fit.

Each analysis is a function of a checked `studies.Request`; `ANALYSES` maps the names to
them, so the command line and the web form offer the same list.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict
from enum import StrEnum
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from evimap.errors import InputError
from evimap.synthesis.meta.bias import TrimFill, ranktest, regtest, trimfill
from evimap.synthesis.meta.diagnostics import cumulative, leave1out
from evimap.synthesis.meta.fit import rma, subgroups
from evimap.synthesis.meta.plots import forest_figure, funnel_figure
from evimap.synthesis.meta.result import MetaResult
from evimap.synthesis.meta.studies import Pooling, Request, is_numeric


class Analysis(StrEnum):
    """What to compute from the studies."""

    FIT = "fit"
    LEAVE1OUT = "leave1out"
    CUMULATIVE = "cumulative"
    TRIMFILL = "trimfill"
    REGTEST = "regtest"
    RANKTEST = "ranktest"
    SUBGROUPS = "subgroups"
    METAREG = "metareg"


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


def finite(value: float) -> float | None:
    """JSON has no NaN: a missing statistic is null."""
    return value if math.isfinite(value) else None


def forest_of(request: Request, analysis: Analysis) -> Figure:
    """The forest plot of the main fit (whatever the analysis): what a reader looks at first."""
    model = {Pooling.MH: "MH Model", Pooling.PETO: "Peto Model"}.get(request.options.pooling)
    return forest_figure(request.pooled(), labels=request.fitted_labels(), model=model)


def funnel_of(request: Request, analysis: Analysis) -> Figure:
    """The funnel plot of the main fit, with the filled studies under `--analysis trimfill`."""
    filled = trimfill_of(request) if analysis is Analysis.TRIMFILL else None
    return funnel_figure(request.pooled(), trimfill=filled)
