"""Sensitivity and influence: leave-one-out, cumulative meta-analysis, hat values, Cook's
distances and likelihood-ratio tests, as metafor computes them.

`leave1out` and `cumulative` take a refit function (rows kept → `MetaResult`), so the same
code serves inverse-variance, Mantel-Haenszel and Peto fits; `rma_refit` builds one for
`rma`. Cumulative analysis sorts by the ordering variable with a stable sort (ties keep the
data order) and, with `collapse=True`, adds tied studies in one step (metafor's `cumul`).
Cook's distance is (β̂ - β̂₍₋ᵢ₎)ᵀ Var(β̂)⁻¹ (β̂ - β̂₍₋ᵢ₎) with τ² re-estimated in each
leave-one-out fit (Viechtbauer & Cheung 2010, doi:10.1002/jrsm.11).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from evimap.synthesis.meta.fit import rma
from evimap.synthesis.meta.measures import FloatArray
from evimap.synthesis.meta.result import MetaResult

Refit = Callable[[npt.NDArray[np.int64]], MetaResult]
"""A function refitting the analysis on the given row indices."""


def rma_refit(
    yi: Sequence[float] | FloatArray,
    vi: Sequence[float] | FloatArray,
    mods: FloatArray | None = None,
    **options: Any,
) -> Refit:
    """A `Refit` for `rma` on these data with these options (method, test, level …).

    A single study is fitted as a common-effect model (τ² = 0, Q = 0, I² = 0, H² = 1), which
    is what metafor reports for the first step of a cumulative analysis.
    """
    y = np.asarray(yi, dtype=np.float64)
    v = np.asarray(vi, dtype=np.float64)
    x = None if mods is None else np.asarray(mods, dtype=np.float64).reshape(len(y), -1)

    def refit(rows: npt.NDArray[np.int64]) -> MetaResult:
        if len(rows) == 1 and x is None:
            single = {**options, "method": "FE"}
            return rma(y[rows], v[rows], **single)
        return rma(y[rows], v[rows], mods=None if x is None else x[rows], **options)

    return refit


def leave1out(refit: Refit, k: int) -> list[MetaResult]:
    """The analysis refitted k times, each time without one study (in data order)."""
    rows = np.arange(k)
    return [refit(rows[rows != i]) for i in range(k)]


def cumulative(
    refit: Refit, order: Sequence[Any] | npt.NDArray[Any], *, collapse: bool = False
) -> list[MetaResult]:
    """Fits on the first 1, 2, … studies in the order of `order` (stable for ties).

    With `collapse=True`, studies sharing an `order` value enter together, so there is one
    fit per distinct value.
    """
    keys = np.asarray(order)
    ranked = np.argsort(keys, kind="stable")
    if not collapse:
        return [refit(ranked[: i + 1]) for i in range(len(ranked))]
    ends = [
        i + 1
        for i in range(len(ranked))
        if i + 1 == len(ranked) or keys[ranked[i + 1]] != keys[ranked[i]]
    ]
    return [refit(ranked[:end]) for end in ends]


def hat_values(result: MetaResult, mods: FloatArray | None = None) -> FloatArray:
    """Diagonal of the hat matrix X(XᵀWX)⁻¹XᵀW, W = 1/(v + τ²) (metafor's `hatvalues`)."""
    x = _design(result, mods)
    w = 1.0 / (result.vi + result.tau2)
    xtwx_inv = np.linalg.inv(x.T @ (w[:, None] * x))
    return np.asarray(np.einsum("ij,jk,ik->i", x, xtwx_inv, x) * w, dtype=np.float64)


def cooks_distances(result: MetaResult, refit: Refit) -> FloatArray:
    """Cook's distance of every study: shift of β̂ when it is left out, in Var(β̂) units."""
    k = result.k
    inv = np.linalg.inv(result.vcov)
    out = np.empty(k)
    for i, fit in enumerate(leave1out(refit, k)):
        diff = result.beta - fit.beta
        out[i] = float(diff @ inv @ diff)
    return out


def likelihood_ratio(full: MetaResult, reduced: MetaResult) -> tuple[float, float]:
    """LRT statistic 2(l_full - l_reduced) and its χ² p-value (df = difference in
    coefficients); both fits must use ML, or REML with the same fixed effects."""
    statistic = max(0.0, 2.0 * (full.loglik - reduced.loglik))
    df = len(full.coef_names) - len(reduced.coef_names)
    return statistic, float(stats.chi2.sf(statistic, max(df, 1)))


def _design(result: MetaResult, mods: FloatArray | None) -> FloatArray:
    k = result.k
    if mods is None:
        return np.ones((k, 1))
    extra = np.asarray(mods, dtype=np.float64).reshape(k, -1)
    if result.coef_names[0] == "intrcpt":
        return np.column_stack([np.ones(k), extra])
    return extra


def blups(
    result: MetaResult, yi: FloatArray, vi: FloatArray, mods: FloatArray | None = None
) -> dict[str, FloatArray]:
    """Best linear unbiased predictions of the true effects (metafor's `blup`).

    θ̂ᵢ = x̂ᵢ + λᵢ(yᵢ - x̂ᵢ), λᵢ = τ²/(τ² + vᵢ) (Raudenbush 2009), with prediction intervals
    from the variance λᵢvᵢ + (1 - λᵢ)² xᵢᵀVar(β̂)xᵢ and z (or t) quantiles.
    """
    x = np.ones((len(yi), 1)) if mods is None else np.asarray(mods, dtype=np.float64)
    fitted = x @ result.beta
    lam = result.tau2 / (result.tau2 + vi)
    pred = fitted + lam * (yi - fitted)
    var_fixed = np.einsum("ni,ij,nj->n", x, result.vcov, x)
    se = np.sqrt(lam * vi + (1 - lam) ** 2 * var_fixed)
    crit = _critical(result)
    return {"pred": pred, "se": se, "pi.lb": pred - crit * se, "pi.ub": pred + crit * se}


def random_effects(result: MetaResult, yi: FloatArray, vi: FloatArray) -> dict[str, FloatArray]:
    """Predicted random effects uᵢ = λᵢ(yᵢ - μ̂) of an intercept-only model (metafor's
    `ranef`), with variance λᵢ·vᵢ... as metafor computes it: τ²(1 - τ²·pᵢᵢ) terms."""
    w = 1.0 / (vi + result.tau2)
    resid = yi - result.estimate
    pred = result.tau2 * w * resid
    p_diag = w - w**2 / w.sum()
    se = np.sqrt(result.tau2 - result.tau2**2 * p_diag)
    crit = _critical(result)
    return {"pred": pred, "se": se, "pi.lb": pred - crit * se, "pi.ub": pred + crit * se}


def _critical(result: MetaResult) -> float:
    level = 0.5 + result.level / 200.0
    if math.isnan(result.df):
        return float(stats.norm.ppf(level))
    return float(stats.t.ppf(level, result.df))
