"""Small-study effects: Egger's regression test, the rank correlation test, trim-and-fill.

- `regtest`: metafor's default (`model="rma"`) is a meta-regression of yᵢ on a precision
  predictor (SEᵢ by default) with the same τ² method and a z test; `model="lm"` is Egger's
  classical weighted regression with multiplicative dispersion, t on k - p df (Egger et al.
  1997, doi:10.1136/bmj.315.7109.629; Sterne & Egger 2005). The intercept is the "limit
  estimate" (the effect as the predictor → 0).
- `ranktest`: Begg & Mazumdar (1994, doi:10.2307/2533446), Kendall's τ between the
  standardised deviations from the common-effect estimate and the variances.
- `trimfill`: Duval & Tweedie (2000, doi:10.1111/j.0006-341X.2000.00455.x) with the L0, R0
  or Q0 estimator, side chosen from the sign of the slope of yᵢ on √vᵢ, and the augmented
  data refitted with the same model, as metafor's `trimfill.rma.uni` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import special, stats

from evimap.errors import InvalidStudyData, NoConvergence
from evimap.synthesis.meta.fit import rma
from evimap.synthesis.meta.measures import FloatArray
from evimap.synthesis.meta.result import MetaResult
from evimap.synthesis.meta.tau2 import Method, Test

Predictor = Literal["sei", "vi", "ni", "ninv", "sqrtninv"]


@dataclass(frozen=True)
class RegressionTest:
    """Egger-type test: the predictor's statistic (`z` or t), its p and df (NaN for z), and
    the limit estimate (intercept) with its CI."""

    statistic: float
    p: float
    df: float
    limit_estimate: float
    limit_ci_lower: float
    limit_ci_upper: float
    model: str
    predictor: str


@dataclass(frozen=True)
class RankTest:
    """Begg-Mazumdar test: Kendall's τ and its two-sided p-value."""

    tau: float
    p: float


@dataclass(frozen=True, eq=False)
class TrimFill:
    """Trim-and-fill: missing studies `k0` (with its SE and, for R0, p), the `side` they
    are missing on, the augmented data (`yi`, `vi`, `filled` marks imputed rows) and the
    model refitted to them."""

    k0: int
    se_k0: float
    p_k0: float
    side: str
    yi: FloatArray
    vi: FloatArray
    filled: np.ndarray
    result: MetaResult


def _predictor_values(predictor: Predictor, vi: FloatArray, ni: FloatArray | None) -> FloatArray:
    if predictor in ("sei", "vi"):
        return np.sqrt(vi) if predictor == "sei" else vi
    if ni is None or not np.all(np.isfinite(ni)):
        raise InvalidStudyData(
            f"predictor {predictor} needs every study's sample size", hint="pass ni="
        )
    return {"ni": ni, "ninv": 1.0 / ni, "sqrtninv": 1.0 / np.sqrt(ni)}[predictor]


def regtest(
    yi: FloatArray,
    vi: FloatArray,
    *,
    model: Literal["rma", "lm"] = "rma",
    predictor: Predictor = "sei",
    method: str | Method = Method.REML,
    test: str | Test = Test.Z,
    mods: FloatArray | None = None,
    ni: FloatArray | None = None,
    level: float = 95.0,
) -> RegressionTest:
    """Regression test for funnel-plot asymmetry (metafor's `regtest`)."""
    y, v = np.asarray(yi, dtype=np.float64), np.asarray(vi, dtype=np.float64)
    pred = _predictor_values(predictor, v, ni)
    extra = pred[:, None] if mods is None else np.column_stack([mods, pred])
    if model == "rma":
        fit = rma(y, v, mods=extra, method=method, test=test, level=level, with_tau2_ci=False)
        stat, p_value, df = float(fit.beta_stat[-1]), float(fit.beta_p[-1]), fit.df
        return RegressionTest(
            stat, p_value, df, fit.estimate, fit.ci_lower, fit.ci_upper, "rma", predictor
        )
    x = np.column_stack([np.ones(len(y)), extra])
    w = 1.0 / v
    xtwx_inv = np.linalg.inv(x.T @ (w[:, None] * x))
    beta = xtwx_inv @ (x.T @ (w * y))
    resid = y - x @ beta
    df = len(y) - x.shape[1]
    sigma2 = float(np.sum(w * resid**2) / df)
    se = np.sqrt(np.diag(xtwx_inv) * sigma2)
    t = beta / se
    crit = float(stats.t.ppf(0.5 + level / 200.0, df))
    return RegressionTest(
        float(t[-1]),
        float(2.0 * stats.t.sf(abs(t[-1]), df)),
        float(df),
        float(beta[0]),
        float(beta[0] - crit * se[0]),
        float(beta[0] + crit * se[0]),
        "lm",
        predictor,
    )


def ranktest(yi: FloatArray, vi: FloatArray) -> RankTest:
    """Kendall's τ between (yᵢ - θ̂)/√(vᵢ - Var θ̂) and vᵢ, θ̂ the common-effect estimate."""
    y, v = np.asarray(yi, dtype=np.float64), np.asarray(vi, dtype=np.float64)
    w = 1.0 / v
    theta = float(np.sum(w * y) / np.sum(w))
    standardised = (y - theta) / np.sqrt(v - 1.0 / np.sum(w))
    has_ties = len(np.unique(standardised)) < len(y) or len(np.unique(v)) < len(v)
    result = stats.kendalltau(
        standardised, v, method="asymptotic" if has_ties or len(y) > 50 else "exact"
    )
    return RankTest(float(result.statistic), float(result.pvalue))


def trimfill(
    yi: FloatArray,
    vi: FloatArray,
    *,
    method: str | Method = Method.REML,
    estimator: Literal["L0", "R0", "Q0"] = "L0",
    side: Literal["left", "right"] | None = None,
    max_iterations: int = 100,
    **options: Any,
) -> TrimFill:
    """Trim-and-fill for an intercept-only model fitted with `method` (and `options`)."""
    y0, v0 = np.asarray(yi, dtype=np.float64), np.asarray(vi, dtype=np.float64)
    k = len(y0)
    if k < 2:
        raise InvalidStudyData("trim-and-fill needs at least two studies", record="1")
    if side is None:
        slope = rma(y0, v0, mods=np.sqrt(v0), method=method, with_tau2_ci=False, **options)
        side = "right" if slope.beta[1] < 0 else "left"
    sign = -1.0 if side == "right" else 1.0
    order = np.argsort(sign * y0, kind="stable")
    y, v = sign * y0[order], v0[order]
    k0, previous, se_k0, beta = 0, -1, math.nan, 0.0
    raw: float = 0.0
    for _ in range(max_iterations):
        if k0 == previous:
            break
        previous = k0
        trimmed = rma(y[: k - k0], v[: k - k0], method=method, with_tau2_ci=False, **options)
        beta = trimmed.estimate
        centred = y - beta
        ranks = stats.rankdata(np.abs(centred), method="ordinal")
        signed = np.sign(centred) * ranks
        if estimator == "R0":
            raw = float((k - np.max(-signed[signed < 0])) - 1 if np.any(signed < 0) else k - 1)
            se_k0 = math.sqrt(2 * max(0.0, raw) + 2)
        else:
            s_r = float(np.sum(signed[signed > 0]))
            if estimator == "L0":
                raw = (4 * s_r - k * (k + 1)) / (2 * k - 1)
            else:
                raw = k - 0.5 - math.sqrt(2 * k**2 - 4 * s_r + 0.25)
            var_sr = (
                k * (k + 1) * (2 * k + 1)
                + 10 * raw**3
                + 27 * raw**2
                + 17 * raw
                - 18 * k * raw**2
                - 18 * k * raw
                + 6 * k**2 * raw
            ) / 24
            if estimator == "L0":
                se_k0 = 4 * math.sqrt(var_sr) / (2 * k - 1)
            else:
                se_k0 = 2 * math.sqrt(var_sr) / math.sqrt((k - 0.5) ** 2 - raw * (2 * k - raw - 1))
        k0 = max(0, int(np.round(raw)))
        se_k0 = max(0.0, se_k0)
    else:
        if k0 != previous:
            raise NoConvergence(
                f"trim-and-fill did not converge in {max_iterations} iterations",
                hint="try another estimator",
            )
    if k0 > 0:
        mirrored = sign * (2 * beta - y[k - k0 :])
        filled_y = np.concatenate([y0, mirrored])
        filled_v = np.concatenate([v0, v[k - k0 :]])
    else:
        filled_y, filled_v = y0, v0
    filled = np.concatenate([np.zeros(k, dtype=bool), np.ones(k0, dtype=bool)])
    p_k0 = math.nan
    if estimator == "R0":
        m = np.arange(-1, k0)
        p_k0 = float(1 - np.sum(special.comb(m + 1, m + 1) * 0.5 ** (m + 2)))
    result = rma(filled_y, filled_v, method=method, **options)
    return TrimFill(k0, se_k0, p_k0, side, filled_y, filled_v, filled, result)
