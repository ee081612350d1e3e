"""Thousands of intercept-only meta-analyses in one call (`rma_many`).

Flat study arrays and a group label per study go in; one `ManyResults` entry per group
comes out, each equal to what `rma` gives for that group alone. For the estimators with a
closed form or a scalar iteration (FE, DL, HE, HS, HSk, SJ, PM, ML, REML, EB) the fit runs
on per-group sums of the sorted study arrays (`_flat`), which is what makes 10,000 DL
analyses with their full output cost about as much as a few passes over the studies; the
rest (DLIT, SJIT, PMM) run on the padded batch that `rma` itself uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from evimap.errors import InvalidStudyData
from evimap.synthesis.meta import _flat
from evimap.synthesis.meta._batch import FloatArray, grouped
from evimap.synthesis.meta.fit import ArrayLike, _fit_batch, knha_scale, wald
from evimap.synthesis.meta.heterogeneity import Heterogeneity, i2_h2, q_profile_ci
from evimap.synthesis.meta.measures import Measure
from evimap.synthesis.meta.result import ManyResults
from evimap.synthesis.meta.tau2 import Method, Test

IntArray = npt.NDArray[np.intp]


def rma_many(
    yi: ArrayLike,
    vi: ArrayLike,
    group: ArrayLike,
    *,
    method: str | Method = Method.DL,
    test: str | Test = Test.Z,
    level: float = 95.0,
    measure: str | Measure | None = None,
    with_tau2_ci: bool = True,
) -> ManyResults:
    """Fit one intercept-only meta-analysis per distinct `group` value, all at once.

    Arrays with one entry per group (in sorted label order, `groups`) come out, with every
    DESIGN.md field: estimate, se, CI, z/t and p, τ² and its standard error, I², H², Q with
    its df and p, the prediction interval, and, with `with_tau2_ci`, the Q-profile interval
    for τ² (the costliest part: a root search per bound). Iterative estimators run over all
    analyses together with per-analysis convergence. Studies with missing yi/vi are dropped;
    a group left with too few studies raises `InvalidStudyData` naming it.
    """
    fit_method, fit_test = Method.parse(method), Test.parse(test)
    y, v, names, index, counts = _studies(yi, vi, group, fit_method)
    kind = None if measure is None else Measure(str(measure).upper())
    if fit_method in _flat.METHODS:
        data = _flat.flat(y, v, index, counts)
        return _flat_results(data, names, fit_method, fit_test, level, kind, with_tau2_ci)
    return _padded_results(y, v, index, names, fit_method, fit_test, level, kind, with_tau2_ci)


def rma_many_padded(
    yi: ArrayLike,
    vi: ArrayLike,
    group: ArrayLike,
    *,
    method: str | Method = Method.DL,
    test: str | Test = Test.Z,
    level: float = 95.0,
    with_tau2_ci: bool = True,
) -> ManyResults:
    """`rma_many` on the padded batch whatever the method: the reference the flat path is
    tested against (and the route for estimators without a flat form)."""
    fit_method, fit_test = Method.parse(method), Test.parse(test)
    y, v, names, index, _ = _studies(yi, vi, group, fit_method)
    return _padded_results(y, v, index, names, fit_method, fit_test, level, None, with_tau2_ci)


def _group_index(labels: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray, IntArray]:
    """The sorted distinct labels, each study's position among them (`np.unique`'s
    `return_inverse`) and the group sizes, in one pass when the studies come sorted."""
    if len(labels) > 1 and labels.dtype.kind in "iufUSb" and np.all(labels[1:] >= labels[:-1]):
        first = np.concatenate(([0], np.flatnonzero(labels[1:] != labels[:-1]) + 1))
        counts = np.diff(np.append(first, len(labels)))
        index = np.repeat(np.arange(len(first), dtype=np.intp), counts)
        return labels[first], index, counts.astype(np.intp, copy=False)
    names, index, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return names, index.astype(np.intp, copy=False), counts.astype(np.intp, copy=False)


def _studies(
    yi: ArrayLike, vi: ArrayLike, group: ArrayLike, method: Method
) -> tuple[FloatArray, FloatArray, npt.NDArray[Any], IntArray, IntArray]:
    """The usable studies (finite yi and vi), the sorted group names, each study's group
    index and the group sizes; a group too small for `method` or a non-positive variance fails."""
    y = np.asarray(yi, dtype=np.float64)
    v = np.asarray(vi, dtype=np.float64)
    labels = np.asarray(group)
    keep = np.isfinite(y) & np.isfinite(v)
    if not keep.all():
        y, v, labels = y[keep], v[keep], labels[keep]
    names, index, counts = _group_index(labels)
    minimum = 1 if method is Method.FE else 2
    for position in np.flatnonzero(counts < minimum):
        raise InvalidStudyData(
            f"group {names[position]} has {counts[position]} usable studies; "
            f"{method} needs at least {minimum}",
            record=str(names[position]),
            hint="drop the group or use method FE",
        )
    for row in np.flatnonzero(v <= 0):
        raise InvalidStudyData(
            f"study {row + 1} (group {labels[row]}) has non-positive variance {v[row]}",
            record=str(row + 1),
            hint="every sampling variance must be positive",
        )
    return y, v, names, index, counts


def _flat_results(
    data: _flat.Flat,
    names: npt.NDArray[Any],
    method: Method,
    test: Test,
    level: float,
    measure: Measure | None,
    with_tau2_ci: bool,
) -> ManyResults:
    """Every field from per-group sums: `_fit_batch` for p = 1, term by term."""
    tau2 = _flat.estimate(data, method)
    fit = _flat.wls(data, data.weights(tau2))
    df = data.k.astype(np.float64) - 1.0
    scaled = test in (Test.KNHA, Test.ADHOC)
    s2 = knha_scale(fit.rss if scaled else np.zeros(data.m), df, test)
    se = np.sqrt(fit.s * s2)
    stat, p, crit, t_df = wald(fit.beta[:, None], se[:, None], df, test, level)
    fe = data.fe
    has_df = df > 0
    q = np.where(has_df, np.maximum(fe.rss, 0.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        q_p = np.where(has_df, stats.chi2.sf(q, np.maximum(df, 1)), 1.0)
        typical = np.where(has_df, df / _flat.trace_p(data, fe), 0.0)
    i2, h2 = i2_h2(Heterogeneity(q, df, q_p, typical), tau2, q_based=method is Method.FE)
    if with_tau2_ci and method is not Method.FE:
        lower, upper = _flat.q_profile_ci(data, level, tau2)
    else:
        lower = upper = np.full(data.m, np.nan)
    pi_half = crit * np.sqrt(se**2 + tau2)
    return ManyResults(
        groups=names,
        estimate=fit.beta,
        se=se,
        ci_lower=fit.beta - crit * se,
        ci_upper=fit.beta + crit * se,
        z_or_t=stat[:, 0],
        p=p[:, 0],
        tau2=tau2,
        tau2_ci_lower=lower,
        tau2_ci_upper=upper,
        i2=i2,
        h2=h2,
        q=q,
        q_df=(data.k - 1).astype(np.int64),
        q_p=q_p,
        pi_lower=fit.beta - pi_half,
        pi_upper=fit.beta + pi_half,
        k=data.k.astype(np.int64),
        se_tau2=_flat.standard_error(data, method, tau2),
        df=t_df,
        method=method,
        test=test,
        level=level,
        measure=measure,
    )


def _padded_results(
    y: FloatArray,
    v: FloatArray,
    index: IntArray,
    names: npt.NDArray[Any],
    method: Method,
    test: Test,
    level: float,
    measure: Measure | None,
    with_tau2_ci: bool,
) -> ManyResults:
    batch = grouped(y, v, index.astype(np.int64), len(names))
    fitted = _fit_batch(batch, method, test, level)
    if with_tau2_ci and method is not Method.FE:
        lower, upper = q_profile_ci(batch, level, fitted.tau2)
    else:
        lower = upper = np.full(len(names), np.nan)
    return ManyResults(
        groups=names,
        estimate=fitted.beta[:, 0],
        se=np.sqrt(fitted.vcov[:, 0, 0]),
        ci_lower=fitted.ci_lower[:, 0],
        ci_upper=fitted.ci_upper[:, 0],
        z_or_t=fitted.stat[:, 0],
        p=fitted.p[:, 0],
        tau2=fitted.tau2,
        tau2_ci_lower=lower,
        tau2_ci_upper=upper,
        i2=fitted.i2,
        h2=fitted.h2,
        q=fitted.q,
        q_df=fitted.q_df.astype(np.int64),
        q_p=fitted.q_p,
        pi_lower=fitted.pi_lower,
        pi_upper=fitted.pi_upper,
        k=batch.k,
        se_tau2=fitted.se_tau2,
        df=fitted.df,
        method=method,
        test=test,
        level=level,
        measure=measure,
    )


__all__ = ["rma_many", "rma_many_padded"]
