"""Mantel-Haenszel and Peto pooling of 2x2 tables (metafor's `rma.mh` and `rma.peto`).

Both pool the raw counts, with no continuity correction (metafor's default, unlike RevMan
and R's meta, which add 0.5 to zero-cell tables inside the MH estimate). Heterogeneity is
Cochran's Q of the per-study effects (escalc with its default correction, double-zero
tables dropped) around the pooled estimate, with the Q-based I² and H².

- MH odds ratio with the Robins-Breslow-Greenland variance (Robins, Breslow & Greenland
  1986, doi:10.2307/2531371); risk ratio with the Greenland-Robins variance (1985,
  doi:10.2307/2530806); risk difference with the Sato-Greenland-Robins variance (1989,
  doi:10.2307/2532133).
- For the OR, Cochran's and the Cochran-Mantel-Haenszel test of no association, and
  Tarone's (1985, doi:10.1093/biomet/72.1.91) correction of the Breslow-Day test.
- Peto's one-step log OR Σ(O - E)/ΣV, SE 1/√ΣV (Yusuf et al. 1985,
  doi:10.1016/s0033-0620(85)80003-7).

Study weights are the methods' own (`mh_weights`, `peto_weights`), in percent, as metafor's
`weights()` reports them for `rma.mh` and `rma.peto` objects: not 1/vᵢ, which these
estimators never use.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import stats

from evimap.errors import InvalidStudyData
from evimap.synthesis.meta.measures import (
    ArrayLike,
    FloatArray,
    Measure,
    escalc,
    two_by_two_cells,
)
from evimap.synthesis.meta.result import BinaryTests, MetaResult
from evimap.synthesis.meta.tau2 import Method, Test

BoolArray = npt.NDArray[np.bool_]


def rma_mh(
    measure: str | Measure,
    *,
    ai: ArrayLike,
    ci: ArrayLike,
    bi: ArrayLike | None = None,
    di: ArrayLike | None = None,
    n1i: ArrayLike | None = None,
    n2i: ArrayLike | None = None,
    level: float = 95.0,
    correct: bool = True,
) -> MetaResult:
    """Mantel-Haenszel common-effect pooling of OR, RR or RD from 2x2 counts.

    `correct` applies the 0.5 continuity correction to the Cochran and CMH tests (metafor's
    `correct=TRUE`). OR and RR are returned on the log scale.
    """
    kind = Measure(str(measure).upper())
    if kind not in (Measure.OR, Measure.RR, Measure.RD):
        raise InvalidStudyData(
            f"Mantel-Haenszel pooling is defined for OR, RR and RD, not {kind}",
            hint="choose OR, RR or RD",
        )
    per_study = escalc(kind, ai=ai, bi=bi, ci=ci, di=di, n1i=n1i, n2i=n2i, drop00=True)
    complete, (a, b, c, d) = _cells(ai, bi, ci, di, n1i, n2i)
    n1, n2 = a + b, c + d
    n = n1 + n2
    weights = np.full(complete.shape, np.nan)
    weights[complete] = mh_weights(kind, a, b, c, d)
    tests = None
    if kind is Measure.OR:
        r_i, s_i = a * d / n, b * c / n
        p_i, q_i = (a + d) / n, (b + c) / n
        r, s = r_i.sum(), s_i.sum()
        _require(r > 0 and s > 0, "the MH odds ratio needs events and non-events")
        ratio = r / s
        beta = math.log(ratio)
        se = math.sqrt(
            0.5
            * (
                (p_i * r_i).sum() / r**2
                + (p_i * s_i + q_i * r_i).sum() / (r * s)
                + (q_i * s_i).sum() / s**2
            )
        )
        tests = _or_tests(a, n1, n2, n, c, b, d, ratio, correct)
    elif kind is Measure.RR:
        r, s = (a * n2 / n).sum(), (c * n1 / n).sum()
        _require(a.sum() > 0 and c.sum() > 0, "the MH risk ratio needs events in both groups")
        beta = math.log(r / s)
        se = math.sqrt(((n1 / n) * (n2 / n) * (a + c) - (a / n) * c).sum() / (r * s))
    else:
        total = (n1 * n2 / n).sum()
        beta = float((a * n2 / n - c * n1 / n).sum() / total)
        part = (c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + (n1 / n) * (n2 / n) * (n2 - n1) / 2).sum()
        rest = (a * (n2 - c) / n + c * (n1 - a) / n).sum() / 2
        se = math.sqrt((beta * part + rest) / total**2)
    return _common_result(
        beta, se, per_study.yi, per_study.vi, weights, kind, level, len(a), Method.FE, tests
    )


def mh_weights(
    kind: Measure, a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray
) -> FloatArray:
    """Each table's Mantel-Haenszel weight, as metafor's `weights.rma.mh` defines it.

    OR: bᵢcᵢ/Nᵢ; RR: cᵢn₁ᵢ/Nᵢ; RD: n₁ᵢn₂ᵢ/Nᵢ (Mantel & Haenszel 1959,
    doi:10.1093/jnci/22.4.719; Greenland & Robins 1985, doi:10.2307/2530806): the weights
    of the MH estimator Σwᵢθᵢ/Σwᵢ of the per-table OR, RR or RD (Deeks, Higgins & Altman,
    Cochrane Handbook §10.4.1, "Mantel-Haenszel methods"). Their share in percent is what
    RevMan and metafor print as a study's weight.
    """
    n = a + b + c + d
    if kind is Measure.OR:
        return np.asarray(b / n * c, dtype=np.float64)
    if kind is Measure.RR:
        return np.asarray(c / n * (a + b), dtype=np.float64)
    return np.asarray((a + b) / n * (c + d), dtype=np.float64)


def peto_weights(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> FloatArray:
    """Each table's Peto weight: the hypergeometric variance Vᵢ = xᵢyᵢn₁ᵢn₂ᵢ/(Nᵢ²(Nᵢ - 1)) of
    aᵢ, with xᵢ, yᵢ the event and non-event totals (Yusuf et al. 1985, doi:10.1016/
    s0033-0620(85)80003-7), as metafor's `weights.rma.peto`: the pooled log OR is
    Σ(Oᵢ - Eᵢ)/ΣVᵢ, the inverse-variance mean of (Oᵢ - Eᵢ)/Vᵢ with weights Vᵢ.
    """
    n1, n2 = a + b, c + d
    n = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (a + c) * (b + d) * (n1 / n) * (n2 / n) / (n - 1)
    return np.asarray(np.where(n > 1, v, 0.0), dtype=np.float64)


def rma_peto(
    *,
    ai: ArrayLike,
    ci: ArrayLike,
    bi: ArrayLike | None = None,
    di: ArrayLike | None = None,
    n1i: ArrayLike | None = None,
    n2i: ArrayLike | None = None,
    level: float = 95.0,
) -> MetaResult:
    """Peto's one-step log odds ratio: Σ(O - E)/ΣV with hypergeometric E and V.

    Tables without events (or without non-events) contribute nothing and are left out of
    Q's degrees of freedom, as metafor does (vector mf23 has 3 such trials).
    """
    _, (a, b, c, d) = _cells(ai, bi, ci, di, n1i, n2i)
    n1, n2 = a + b, c + d
    n = n1 + n2
    expected = (a + c) * n1 / n
    variance = peto_weights(a, b, c, d)
    informative = variance > 0
    total_v = float(variance[informative].sum())
    _require(total_v > 0, "Peto's odds ratio needs at least one table with events")
    o_minus_e = (a - expected)[informative]
    beta = float(o_minus_e.sum() / total_v)
    se = 1.0 / math.sqrt(total_v)
    v = variance[informative]
    y_i = np.full(a.shape, np.nan)
    v_i = np.full(a.shape, np.nan)
    y_i[informative] = o_minus_e / v
    v_i[informative] = 1.0 / v
    weights = peto_weights(a, b, c, d)
    return _common_result(beta, se, y_i, v_i, weights, Measure.OR, level, len(a), Method.FE, None)


def _common_result(
    beta: float,
    se: float,
    yi: FloatArray,
    vi: FloatArray,
    weights: FloatArray,
    kind: Measure,
    level: float,
    k: int,
    method: Method,
    tests: BinaryTests | None,
) -> MetaResult:
    """A MetaResult for a pooled estimate, with Q-based heterogeneity around it.

    `weights` are the method's own study weights, aligned with `yi` (NaN for tables with
    missing counts): in percent of their sum over every complete table, as metafor's
    `weights()` gives them, then kept for the studies that have an effect size. A table
    left out of `yi` (no events in either group) has weight 0 under MH OR/RR and Peto, so
    the kept weights sum to 100; under MH RD such a table still counts, and they sum to less.
    """
    crit = float(stats.norm.ppf(0.5 + level / 200.0))
    keep = np.isfinite(yi) & np.isfinite(vi)
    total = float(np.nansum(weights))
    percent = 100.0 * weights[keep] / total if total > 0 else weights[keep]
    y, v = yi[keep], vi[keep]
    k_yi = len(y)
    if k_yi > 1:
        q = max(0.0, float(np.sum((y - beta) ** 2 / v)))
        q_p = float(stats.chi2.sf(q, k_yi - 1))
        i2 = max(0.0, 100.0 * (q - (k_yi - 1)) / q) if q > 0 else 0.0
        h2 = q / (k_yi - 1)
    else:
        q, q_p, i2, h2 = 0.0, 1.0, 0.0, 1.0
    z = beta / se
    return MetaResult(
        estimate=beta,
        se=se,
        ci_lower=beta - crit * se,
        ci_upper=beta + crit * se,
        z_or_t=z,
        p=float(2.0 * stats.norm.sf(abs(z))),
        tau2=0.0,
        tau2_ci=None,
        i2=i2,
        h2=h2,
        q=q,
        q_df=max(k_yi - 1, 0),
        q_p=q_p,
        pi_lower=beta - crit * se,
        pi_upper=beta + crit * se,
        k=k,
        measure=kind,
        method=method,
        test=Test.Z,
        level=level,
        df=math.nan,
        se_tau2=math.nan,
        yi=y,
        vi=v,
        weights=percent,
        beta=np.array([beta]),
        beta_se=np.array([se]),
        beta_stat=np.array([z]),
        beta_p=np.array([2.0 * stats.norm.sf(abs(z))]),
        beta_ci_lower=np.array([beta - crit * se]),
        beta_ci_upper=np.array([beta + crit * se]),
        vcov=np.array([[se**2]]),
        binary_tests=tests,
    )


def _or_tests(
    a: FloatArray,
    n1: FloatArray,
    n2: FloatArray,
    n: FloatArray,
    c: FloatArray,
    b: FloatArray,
    d: FloatArray,
    ratio: float,
    correct: bool,
) -> BinaryTests:
    xt, yt = a + c, b + d
    shift = 0.5 if correct else 0.0
    numerator = (abs(float((a - n1 / n * xt).sum())) - shift) ** 2
    cochran = numerator / float(((n1 / n) * (n2 / n) * xt * (yt / n)).sum())
    cmh = numerator / float(((n1 / n) * (n2 / n) * xt * (yt / (n - 1))).sum())
    if ratio == 1.0:
        fitted = n1 / n * xt
    else:
        big_a = ratio * (n1 + xt) + (n2 - xt)
        root = np.sqrt(big_a**2 - 4 * n1 * xt * ratio * (ratio - 1))
        fitted = (big_a - root) / (2 * (ratio - 1))
    pos = (fitted > 0) & (xt > 0) & (yt > 0)
    n11 = fitted[pos]
    n12, n21 = n1[pos] - n11, xt[pos] - n11
    n22 = n11 - n1[pos] - xt[pos] + n[pos]
    var = 1.0 / (1 / n11 + 1 / n12 + 1 / n21 + 1 / n22)
    diff = a[pos] - n11
    breslow_day = max(0.0, float((diff**2 / var).sum()))
    tarone = max(0.0, breslow_day - float(diff.sum()) ** 2 / float(var.sum()))
    k_pos = int(pos.sum())
    tarone_p = float(stats.chi2.sf(tarone, k_pos - 1)) if k_pos > 1 else math.nan
    return BinaryTests(
        cochran=cochran,
        cochran_p=float(stats.chi2.sf(cochran, 1)),
        cmh=cmh,
        cmh_p=float(stats.chi2.sf(cmh, 1)),
        tarone=tarone,
        tarone_p=tarone_p,
    )


def _cells(
    ai: ArrayLike,
    bi: ArrayLike | None,
    ci: ArrayLike,
    di: ArrayLike | None,
    n1i: ArrayLike | None,
    n2i: ArrayLike | None,
) -> tuple[BoolArray, tuple[FloatArray, FloatArray, FloatArray, FloatArray]]:
    """The mask of complete tables and their four cells."""
    a, b, c, d = two_by_two_cells(ai, bi, ci, di, n1i, n2i)
    keep = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
    return keep, (a[keep], b[keep], c[keep], d[keep])


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise InvalidStudyData(reason, hint="check the counts; pooling is not defined here")
