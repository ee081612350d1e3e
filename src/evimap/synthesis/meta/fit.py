"""Pooling: common-effect, random-effects and meta-regression fits (the `rma` half of metafor).

`rma` fits one analysis (optionally with moderators), `subgroups` fits one analysis per level
of a factor plus the test for subgroup differences (`many.rma_many` fits thousands of
intercept-only analyses at once, with this module's `_fit_batch`, `wald` and `knha_scale`).
All follow metafor's `rma.uni` (Viechtbauer 2010, doi:10.18637/jss.v036.i03): weights
1/(vᵢ + τ²); z tests by default; t tests on k - p df with `test="t"`; Knapp-Hartung
(`"knha"`, untruncated, as metafor) or its ad hoc truncated variant (`"adhoc"`); the
prediction interval μ̂ ± c·√(SE² + τ²) with c the normal or t quantile of the test used
(Riley et al. 2011, doi:10.1136/bmj.d549, discuss the alternatives).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from evimap.errors import InvalidStudyData
from evimap.synthesis.meta import tau2 as estimators
from evimap.synthesis.meta._batch import Batch, FloatArray, Wls, quad, single, wls
from evimap.synthesis.meta.heterogeneity import cochran_q, i2_h2, q_profile_ci
from evimap.synthesis.meta.measures import EffectSizes, Measure
from evimap.synthesis.meta.result import MetaResult
from evimap.synthesis.meta.tau2 import Method, Test

ArrayLike = Sequence[float] | npt.NDArray[Any]


@dataclass(frozen=True, eq=False)
class _Fitted:
    """Everything one pass of `_fit_batch` computes, one row per analysis."""

    tau2: FloatArray
    se_tau2: FloatArray
    beta: FloatArray
    vcov: FloatArray
    stat: FloatArray
    p: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    crit: FloatArray
    df: FloatArray
    s2: FloatArray
    q: FloatArray
    q_df: FloatArray
    q_p: FloatArray
    i2: FloatArray
    h2: FloatArray
    pi_lower: FloatArray
    pi_upper: FloatArray
    weights: FloatArray
    typical_v: FloatArray


def _fit_batch(
    batch: Batch,
    method: Method,
    test: Test,
    level: float,
    *,
    tau2: FloatArray | None = None,
    tau2_start: FloatArray | None = None,
    genq_weights: FloatArray | None = None,
) -> _Fitted:
    """Estimate τ² (unless given) and fit every analysis of the batch."""
    if tau2 is None:
        t2 = estimators.estimate(batch, method, start=tau2_start, weights=genq_weights)
        se_t2 = estimators.standard_error(batch, method, t2, start=tau2_start, weights=genq_weights)
    else:
        t2 = np.asarray(tau2, dtype=np.float64)
        se_t2 = np.full(t2.shape, np.nan)
    fit = wls(batch, batch.weights(t2))
    if genq_weights is not None:
        # metafor fits the fixed effects with user weights a and a sandwich variance
        # (XᵀAX)⁻¹ XᵀA(V + τ²I)AX (XᵀAX)⁻¹ when weights are given.
        own = wls(batch, np.where(batch.mask, genq_weights, 0.0))
        middle = quad(batch.x, own.w**2 * batch.w_inverse(t2))
        fit = Wls(fit.w, own.s @ middle @ own.s, own.beta, own.resid)
    df = batch.k.astype(np.float64) - batch.p
    s2 = knha_scale(fit.rss, df, test)
    vcov = fit.s * s2[:, None, None]
    se = np.sqrt(np.einsum("mii->mi", vcov))
    stat, p, crit, t_df = wald(fit.beta, se, df, test, level)
    het = cochran_q(batch)
    i2, h2 = i2_h2(het, t2, q_based=method is Method.FE)
    pi_half = crit * np.sqrt(se[:, 0] ** 2 + t2)
    w_total = fit.w.sum(axis=1)
    return _Fitted(
        tau2=t2,
        se_tau2=se_t2,
        beta=fit.beta,
        vcov=vcov,
        stat=stat,
        p=p,
        ci_lower=fit.beta - crit[:, None] * se,
        ci_upper=fit.beta + crit[:, None] * se,
        crit=crit,
        df=t_df,
        s2=s2,
        q=het.q,
        q_df=het.q_df,
        q_p=het.q_p,
        i2=i2,
        h2=h2,
        pi_lower=fit.beta[:, 0] - pi_half,
        pi_upper=fit.beta[:, 0] + pi_half,
        weights=100.0 * fit.w / w_total[:, None],
        typical_v=het.typical_v,
    )


def knha_scale(rss: FloatArray, df: FloatArray, test: Test) -> FloatArray:
    """The Knapp-Hartung factor s² = RSS/(k - p) at the RE weights (1 for z and t tests;
    truncated at 1 below for "adhoc"; 0 when the RSS is below machine epsilon, as metafor)."""
    if test not in (Test.KNHA, Test.ADHOC):
        return np.ones(rss.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = np.where(rss <= np.finfo(float).eps, 0.0, rss / df)
    return np.maximum(s2, 1.0) if test is Test.ADHOC else s2


def wald(
    beta: FloatArray, se: FloatArray, df: FloatArray, test: Test, level: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Wald statistics, two-sided p-values, the critical value and the test's df (NaN for z)
    for coefficients `beta` (m, p) with standard errors `se` and residual df (m,)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se
    if test is Test.Z:
        crit = np.full(df.shape, stats.norm.ppf(0.5 + level / 200.0))
        return stat, 2.0 * stats.norm.sf(np.abs(stat)), crit, np.full(df.shape, np.nan)
    with np.errstate(invalid="ignore"):
        crit = np.where(df > 0, stats.t.ppf(0.5 + level / 200.0, np.maximum(df, 1)), np.nan)
        p = np.where(
            df[:, None] > 0, 2.0 * stats.t.sf(np.abs(stat), np.maximum(df, 1)[:, None]), np.nan
        )
    return stat, p, crit, df


def rma(
    yi: ArrayLike | EffectSizes,
    vi: ArrayLike | None = None,
    *,
    method: str | Method = Method.REML,
    test: str | Test = Test.Z,
    level: float = 95.0,
    mods: ArrayLike | None = None,
    intercept: bool = True,
    coef_names: Sequence[str] | None = None,
    measure: str | Measure | None = None,
    tau2: float | None = None,
    tau2_start: float | None = None,
    weights: ArrayLike | None = None,
    with_tau2_ci: bool = True,
) -> MetaResult:
    """Fit one meta-analysis: common effect (`method="FE"`), random effects, or, with `mods`
    (a kxm matrix or a length-k vector), a mixed-effects meta-regression.

    `yi` may be an `EffectSizes` (then `vi` and `measure` come from it). Studies with a
    missing yi or vi are left out, as metafor does. `tau2` fixes τ² instead of estimating it;
    `tau2_start` is the starting value of iterative estimators (metafor's
    `control=list(tau2.init=…)`); `weights` are the study weights GENQ needs. Raises
    `InvalidStudyData` for fewer than two studies in a random-effects model (or one when
    `method="FE"`), negative variances or a rank-deficient moderator matrix.
    """
    y, v, kind = _effects(yi, vi, measure)
    x, names = _design(mods, len(y), intercept=intercept, coef_names=coef_names)
    keep = np.isfinite(y) & np.isfinite(v) & np.all(np.isfinite(x), axis=1)
    y, v, x = y[keep], v[keep], x[keep]
    genq = None if weights is None else np.asarray(weights, dtype=np.float64)[keep]
    fit_method = Method.parse(method)
    fit_test = Test.parse(test)
    _check_studies(y, v, x, fit_method)
    batch = single(y, v, x)
    fitted = _fit_batch(
        batch,
        fit_method,
        fit_test,
        level,
        tau2=None if tau2 is None else np.array([tau2]),
        tau2_start=None if tau2_start is None else np.array([tau2_start]),
        genq_weights=None if genq is None else genq[None, :],
    )
    p = x.shape[1]
    tau2_ci = None
    if with_tau2_ci and fit_method is not Method.FE and len(y) > p:
        lower, upper = q_profile_ci(batch, level, fitted.tau2)
        tau2_ci = (float(lower[0]), float(upper[0]))
    qm, qm_df, qm_p = _omnibus(fitted, p, fit_test, has_intercept=_has_intercept(x))
    restricted = fit_method is Method.REML
    loglik = float(estimators.log_likelihood(batch, fitted.tau2, restricted=restricted)[0])
    r2 = _pseudo_r2(y, v, x, fitted, fit_method, level, fit_test) if p > 1 else float("nan")
    pi_lower, pi_upper = float(fitted.pi_lower[0]), float(fitted.pi_upper[0])
    if p > 1:
        pi_lower = pi_upper = float("nan")
    return MetaResult(
        estimate=float(fitted.beta[0, 0]),
        se=float(np.sqrt(fitted.vcov[0, 0, 0])),
        ci_lower=float(fitted.ci_lower[0, 0]),
        ci_upper=float(fitted.ci_upper[0, 0]),
        z_or_t=float(fitted.stat[0, 0]),
        p=float(fitted.p[0, 0]),
        tau2=float(fitted.tau2[0]),
        tau2_ci=tau2_ci,
        i2=float(fitted.i2[0]),
        h2=float(fitted.h2[0]),
        q=float(fitted.q[0]),
        q_df=int(fitted.q_df[0]),
        q_p=float(fitted.q_p[0]),
        pi_lower=pi_lower,
        pi_upper=pi_upper,
        k=len(y),
        measure=kind,
        method=fit_method,
        test=fit_test,
        level=level,
        df=float(fitted.df[0]),
        se_tau2=float(fitted.se_tau2[0]),
        yi=y,
        vi=v,
        weights=fitted.weights[0],
        coef_names=tuple(names),
        beta=fitted.beta[0],
        beta_se=np.sqrt(np.diag(fitted.vcov[0])),
        beta_stat=fitted.stat[0],
        beta_p=fitted.p[0],
        beta_ci_lower=fitted.ci_lower[0],
        beta_ci_upper=fitted.ci_upper[0],
        vcov=fitted.vcov[0],
        qm=qm,
        qm_df=qm_df,
        qm_p=qm_p,
        r2=r2,
        loglik=loglik,
        s2_knha=float(fitted.s2[0]),
        typical_v=float(fitted.typical_v[0]),
    )


def predict(
    result: MetaResult, newmods: ArrayLike | None = None, *, level: float | None = None
) -> dict[str, FloatArray]:
    """Predicted effects with CI and PI at moderator rows `newmods` (metafor's `predict`).

    `newmods` holds values for the moderators without the intercept (one row per
    prediction, or a vector when there is one moderator); None predicts the intercept-only
    mean. Returns arrays `pred, se, ci_lower, ci_upper, pi_lower, pi_upper`.
    """
    p = len(result.coef_names)
    has_intercept = result.coef_names[0] == "intrcpt"
    if newmods is None:
        rows = np.ones((1, p))
    else:
        values = np.asarray(newmods, dtype=np.float64)
        width = p - 1 if has_intercept else p
        values = values.reshape(-1, width) if values.ndim < 2 else values
        rows = np.column_stack([np.ones(len(values)), values]) if has_intercept else values
    pred = rows @ result.beta
    se = np.sqrt(np.einsum("ni,ij,nj->n", rows, result.vcov, rows))
    lvl = result.level if level is None else level
    if result.test is Test.Z:
        crit = float(stats.norm.ppf(0.5 + lvl / 200.0))
    else:
        crit = float(stats.t.ppf(0.5 + lvl / 200.0, result.k - p))
    half_pi = crit * np.sqrt(se**2 + result.tau2)
    return {
        "pred": pred,
        "se": se,
        "ci_lower": pred - crit * se,
        "ci_upper": pred + crit * se,
        "pi_lower": pred - half_pi,
        "pi_upper": pred + half_pi,
    }


def _effects(
    yi: ArrayLike | EffectSizes, vi: ArrayLike | None, measure: str | Measure | None
) -> tuple[FloatArray, FloatArray, Measure | None]:
    if isinstance(yi, EffectSizes):
        return yi.yi, yi.vi, yi.measure
    if vi is None:
        raise InvalidStudyData("rma needs vi with yi", hint="pass vi= or an EffectSizes")
    y = np.atleast_1d(np.asarray(yi, dtype=np.float64))
    v = np.atleast_1d(np.asarray(vi, dtype=np.float64))
    if y.shape != v.shape:
        raise InvalidStudyData(
            f"yi has {len(y)} values but vi has {len(v)}", hint="give one vi per yi"
        )
    return y, v, None if measure is None else Measure(str(measure).upper())


def _design(
    mods: ArrayLike | None, k: int, *, intercept: bool, coef_names: Sequence[str] | None
) -> tuple[FloatArray, list[str]]:
    columns: list[FloatArray] = []
    names: list[str] = []
    if intercept:
        columns.append(np.ones(k))
        names.append("intrcpt")
    if mods is not None:
        m = np.asarray(mods, dtype=np.float64)
        m = m.reshape(k, -1) if m.ndim < 2 else m
        if m.shape[0] != k:
            raise InvalidStudyData(
                f"mods has {m.shape[0]} rows for {k} studies", hint="give one row per study"
            )
        given = list(coef_names) if coef_names is not None else []
        extra = given[-m.shape[1] :] if len(given) >= m.shape[1] else []
        for j in range(m.shape[1]):
            columns.append(m[:, j])
            names.append(extra[j] if extra else f"mod{j + 1}")
    if not columns:
        raise InvalidStudyData("no intercept and no moderators", hint="pass mods or intercept")
    return np.column_stack(columns), names


def _has_intercept(x: FloatArray) -> bool:
    return bool(np.any(np.all(x == 1.0, axis=0)))


def _check_studies(y: FloatArray, v: FloatArray, x: FloatArray, method: Method) -> None:
    k, p = x.shape
    minimum = 1 if method is Method.FE else 2
    if k < max(minimum, p):
        raise InvalidStudyData(
            f"{k} usable {'study' if k == 1 else 'studies'}: {method} with {p} "
            f"coefficient(s) needs at least {max(minimum, p)}",
            record=None if k != 1 else "1",
            hint="add studies, drop moderators, or use method FE",
        )
    for row in np.flatnonzero(v <= 0):
        raise InvalidStudyData(
            f"row {row + 1}: sampling variance {v[row]} is not positive",
            record=str(row + 1),
            hint="every study needs a positive variance",
        )
    if np.linalg.matrix_rank(x) < p:
        raise InvalidStudyData(
            "the moderator matrix is not of full rank", hint="drop redundant moderators"
        )


def _omnibus(
    fitted: _Fitted, p: int, test: Test, *, has_intercept: bool
) -> tuple[float, tuple[int, float], float]:
    """QM for every coefficient except the intercept (metafor's default `btt`); for an
    intercept-only model, the test of the intercept (z² or t²)."""
    idx = np.arange(1, p) if has_intercept and p > 1 else np.arange(p)
    b = fitted.beta[0, idx]
    vb = fitted.vcov[0][np.ix_(idx, idx)]
    qm = float(b @ np.linalg.solve(vb, b))
    m = len(idx)
    if test is Test.Z:
        return qm, (m, float("nan")), float(stats.chi2.sf(qm, m))
    ddf = float(fitted.df[0])
    return qm / m, (m, ddf), float(stats.f.sf(qm / m, m, ddf))


def _pseudo_r2(
    y: FloatArray,
    v: FloatArray,
    x: FloatArray,
    fitted: _Fitted,
    method: Method,
    level: float,
    test: Test,
) -> float:
    """metafor's R²: adjusted weighted R² for FE with moderators, else (τ²_RE - τ²)/τ²_RE."""
    if method is Method.FE:
        if not _has_intercept(x):
            return float("nan")
        w = 1.0 / v
        fit = wls(single(y, v, x), w[None, :])
        ybar = float(np.sum(w * y) / np.sum(w))
        ss_tot = float(np.sum(w * (y - ybar) ** 2))
        if ss_tot == 0:
            return 0.0
        k, p = x.shape
        r2 = 1.0 - (float(fit.rss[0]) / (k - p)) / (ss_tot / (k - 1))
        return float(max(0.0, 100.0 * r2))
    base = _fit_batch(single(y, v), method, test, level)
    tau2_re = float(base.tau2[0])
    if tau2_re == 0:
        return 0.0
    return max(0.0, 100.0 * (tau2_re - float(fitted.tau2[0])) / tau2_re)


def subgroups(
    yi: ArrayLike | EffectSizes,
    vi: ArrayLike | None = None,
    *,
    by: ArrayLike,
    method: str | Method = Method.REML,
    test: str | Test = Test.Z,
    level: float = 95.0,
    measure: str | Measure | None = None,
) -> SubgroupResult:
    """One fit per level of `by` (each with its own τ²) and the test for subgroup
    differences: QM of the meta-regression on the factor (common τ²), as metafor's
    `rma(yi, vi, mods = ~ factor(by))` gives it (Borenstein et al. 2009, ch. 19)."""
    y, v, kind = _effects(yi, vi, measure)
    labels = np.asarray(by)
    levels = sorted(set(labels.tolist()), key=str)
    fits = {
        level_name: rma(
            y[labels == level_name],
            v[labels == level_name],
            method=method,
            test=test,
            level=level,
            measure=kind,
        )
        for level_name in levels
    }
    dummies = np.column_stack([(labels == name).astype(float) for name in levels[1:]])
    names = [f"{name}" for name in levels[1:]]
    between = rma(
        y, v, method=method, test=test, level=level, mods=dummies, coef_names=names, measure=kind
    )
    return SubgroupResult(
        groups=fits, moderation=between, qm=between.qm, qm_df=between.qm_df[0], qm_p=between.qm_p
    )


@dataclass(frozen=True, eq=False)
class SubgroupResult:
    """Per-subgroup fits and the test for subgroup differences (QM, its df and p)."""

    groups: dict[Any, MetaResult]
    moderation: MetaResult
    qm: float
    qm_df: int
    qm_p: float

    def quad_sum(self) -> float:
        """Σ of the subgroups' Q (equals the factor model's QE for common-effect fits)."""
        return float(sum(fit.q for fit in self.groups.values()))


__all__ = ["SubgroupResult", "knha_scale", "predict", "rma", "subgroups", "wald"]
