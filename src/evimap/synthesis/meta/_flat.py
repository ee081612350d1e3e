"""Intercept-only analyses as flat study arrays: the fast path of `rma_many`.

Without moderators, everything the padded `Batch` computes from pxp matrices reduces to a
few sums per analysis (Σw, Σwy, Σw², Σw³, Σw²v, …). With the studies sorted by analysis,
each sum is one `np.add.reduceat` over contiguous runs, so 10,000 analyses cost a few passes
over the study arrays instead of (m, K, 1, 1) einsums, 1x1 inverses and padding. The
formulas are the p = 1 case of `_batch`'s, with X a column of ones, S = 1/Σw and
P = W - wwᵀ/Σw (Viechtbauer 2010, doi:10.18637/jss.v036.i03, appendix of metafor's
`rma.uni`):

- tr(P) = Σw - SΣw², tr(PP) = Σw² - 2SΣw³ + (SΣw²)²,
- tr(PV) = Σwv - SΣw²v, tr(PVPV) = Σw²v² - 2SΣw³v² + (SΣw²v)²,
- tr(PPV) = Σw²v - 2SΣw³v + SΣw²·SΣw²v, yᵀPy = Σw r², yᵀPPy = Σ(w r)².

Every estimator keeps the batch version's operation order (centred y, residuals rather
than Σwy² - (Σwy)²/Σw), so a flat fit equals the padded one to rounding (tested to 1e-12).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from evimap.errors import NoConvergence
from evimap.synthesis.meta import tau2 as estimators
from evimap.synthesis.meta.heterogeneity import q_profile_bounds
from evimap.synthesis.meta.tau2 import Method

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

METHODS = frozenset(
    {Method.FE, Method.DL, Method.HE, Method.HS, Method.HSK, Method.SJ, Method.PM}
    | {Method.ML, Method.REML, Method.EB}
)
"""The estimators with a flat form; the others (DLIT, SJIT, PMM, GENQ, GENQM) run padded."""


@dataclass(frozen=True, eq=False)
class Flat:
    """m analyses as flat study arrays sorted by analysis: `index` gives each study's
    analysis (non-decreasing), `starts` the first study of each, `k` their sizes."""

    y: FloatArray
    v: FloatArray
    centred_y: FloatArray
    index: IntArray
    starts: IntArray
    k: IntArray

    @property
    def m(self) -> int:
        """Number of analyses."""
        return len(self.k)

    def total(self, values: FloatArray) -> FloatArray:
        """Σ of a per-study array within each analysis."""
        return np.asarray(np.add.reduceat(values, self.starts), dtype=np.float64)

    def spread(self, values: FloatArray) -> FloatArray:
        """A per-analysis array repeated for each study of the analysis."""
        return np.asarray(values.take(self.index), dtype=np.float64)

    @cached_property
    def fe(self) -> FlatFit:
        """The common-effect fit of the centred y (weights 1/v): Q, DL, HS and se(τ²) use it."""
        return wls(self, 1.0 / self.v, self.centred_y)

    def weights(self, tau2: FloatArray) -> FloatArray:
        """Inverse-variance weights 1/(v + τ²)."""
        return 1.0 / (self.v + self.spread(tau2))

    def subset(self, rows: BoolArray | IntArray) -> Flat:
        """The analyses selected by a mask or index array (their order kept)."""
        chosen = np.zeros(self.m, dtype=bool)
        chosen[rows] = True
        studies = chosen[self.index]
        k = self.k[chosen]
        return Flat(
            self.y[studies],
            self.v[studies],
            self.centred_y[studies],
            np.repeat(np.arange(len(k)), k),
            _starts(k),
            k,
        )

    def generalised_q(self, tau2: FloatArray) -> FloatArray:
        """Σ (y - μ̂)²/(v + τ²) at each analysis's τ²."""
        return wls(self, self.weights(tau2), self.centred_y).rss


def flat(y: FloatArray, v: FloatArray, group: IntArray, k: IntArray) -> Flat:
    """Flat arrays from studies in any order, a dense analysis index 0..m-1 and the number
    of studies `k` of each analysis (each at least 1)."""
    if len(group) > 1 and not np.all(group[1:] >= group[:-1]):
        order = np.argsort(group, kind="stable")
        group, y, v = group[order], y[order], v[order]
    starts = _starts(k)
    mean = np.add.reduceat(y, starts) / k
    return Flat(y, v, y - mean.take(group), group, starts, k)


def _starts(k: IntArray) -> IntArray:
    return np.concatenate(([0], np.cumsum(k)[:-1])).astype(np.intp)


@dataclass(frozen=True, eq=False)
class FlatFit:
    """Weighted mean of `values` per analysis at weights w: S = 1/Σw and μ̂; the residuals,
    Σw r² and the power sums of w are computed when first asked for (a z-test fit never
    needs its residuals)."""

    data: Flat
    values: FloatArray
    w: FloatArray
    s: FloatArray
    beta: FloatArray

    @cached_property
    def resid(self) -> FloatArray:
        """values - μ̂."""
        return self.values - self.data.spread(self.beta)

    @cached_property
    def rss(self) -> FloatArray:
        """Σ w r² (the generalised Q at these weights)."""
        return self.data.total(self.w * self.resid * self.resid)

    @cached_property
    def w_squared(self) -> FloatArray:
        """w² per study."""
        return self.w * self.w

    @cached_property
    def w2(self) -> FloatArray:
        """Σ w²."""
        return self.data.total(self.w_squared)

    @cached_property
    def w3(self) -> FloatArray:
        """Σ w³."""
        return self.data.total(self.w_squared * self.w)


def wls(data: Flat, w: FloatArray, target: FloatArray | None = None) -> FlatFit:
    """The weighted mean of `target` (default y) per analysis: the p = 1 `_batch.wls`."""
    values = data.y if target is None else target
    s = 1.0 / data.total(w)
    return FlatFit(data, values, w, s, s * data.total(w * values))


def trace_p(data: Flat, fit: FlatFit) -> FloatArray:
    """tr(P) = Σw - SΣw² (Σw = 1/S up to rounding, summed again as `_batch` does)."""
    return data.total(fit.w) - fit.s * fit.w2


def trace_pp(data: Flat, fit: FlatFit) -> FloatArray:
    """tr(PP) = Σw² - 2SΣw³ + (SΣw²)²."""
    return fit.w2 - 2.0 * fit.s * fit.w3 + (fit.s * fit.w2) ** 2


def trace_pv(data: Flat, fit: FlatFit) -> FloatArray:
    """tr(PV) = Σwv - SΣw²v."""
    return data.total(fit.w * data.v) - fit.s * data.total(fit.w**2 * data.v)


def trace_pvpv(data: Flat, fit: FlatFit) -> FloatArray:
    """tr(PVPV) = Σw²v² - 2SΣw³v² + (SΣw²v)²."""
    w, v = fit.w, data.v
    sc = fit.s * data.total(w**2 * v)
    return data.total(w**2 * v**2) - 2.0 * fit.s * data.total(fit.w_squared * w * v**2) + sc * sc


def trace_ppv(data: Flat, fit: FlatFit) -> FloatArray:
    """tr(PPV) = Σw²v - 2SΣw³v + SΣw²·SΣw²v."""
    w, v = fit.w, data.v
    sd = fit.s * fit.w2
    se = fit.s * data.total(w**2 * v)
    return data.total(v * w**2) - 2.0 * fit.s * data.total(fit.w_squared * w * v) + sd * se


# --- estimators (the p = 1 forms of tau2.py's, same names and conventions) ------------------


def _df(data: Flat) -> FloatArray:
    return data.k.astype(np.float64) - 1.0


def dersimonian_laird(data: Flat) -> FloatArray:
    """DL: (Q - (k - 1))/tr(P) at weights 1/v, truncated at 0."""
    fit = data.fe
    return np.maximum((fit.rss - _df(data)) / trace_p(data, fit), 0.0)


def hedges(data: Flat) -> FloatArray:
    """HE: (RSS_OLS - tr(PV))/(k - 1), truncated at 0."""
    fit = wls(data, np.ones(len(data.y)), data.centred_y)
    return np.maximum((fit.rss - trace_pv(data, fit)) / _df(data), 0.0)


def hunter_schmidt(data: Flat, *, small_sample: bool) -> FloatArray:
    """HS: (Q - k)/Σw; HSk: (k/(k - 1)·Q - k)/Σw; truncated at 0."""
    fit = data.fe
    k = data.k.astype(np.float64)
    q = k / _df(data) * fit.rss if small_sample else fit.rss
    return np.maximum((q - k) / data.total(fit.w), 0.0)


def sj_start(data: Flat) -> FloatArray:
    """Sidik-Jonkman's crude start: the variance of y with divisor k."""
    return data.total(data.centred_y**2) / data.k


def sidik_jonkman(data: Flat) -> FloatArray:
    """SJ: τ₀²·Q(τ₀²)/(k - 1)."""
    tau0 = sj_start(data)
    fit = wls(data, data.weights(tau0), data.centred_y)
    return tau0 * fit.rss / _df(data)


def tau2_max(data: Flat) -> FloatArray:
    """metafor's search bound max(100, 10·mad(y)²), from per-analysis sorted runs."""
    med = _medians(data, data.y)
    mad = 1.4826 * _medians(data, np.abs(data.y - data.spread(med)))
    return np.maximum(100.0, 10.0 * mad**2)


def _medians(data: Flat, values: FloatArray) -> FloatArray:
    ordered = values[np.lexsort((values, data.index))]
    low = ordered[data.starts + (data.k - 1) // 2]
    high = ordered[data.starts + data.k // 2]
    return np.asarray((low + high) / 2, dtype=np.float64)


def paule_mandel(data: Flat) -> FloatArray:
    """PM: the root of Q(τ²) = k - 1 (0 when Q(0) ≤ k - 1), bisection as `tau2.q_root`."""
    upper = tau2_max(data)
    target = _df(data)
    too_low = data.generalised_q(upper) > target
    if too_low.any():
        raise NoConvergence(
            "the PM estimator found no root below τ²max",
            record=", ".join(str(i + 1) for i in np.flatnonzero(too_low)[:10]),
            hint="the heterogeneity is extreme; check the data or use DL",
        )
    return estimators.q_root(data.generalised_q, target, np.zeros_like(upper), upper)


def _fisher_step(kind: str, step_size: float) -> Callable[[Flat, FloatArray], FloatArray]:
    def step(data: Flat, tau2: FloatArray) -> FloatArray:
        fit = wls(data, data.weights(tau2), data.centred_y)
        w1 = data.total(fit.w)
        if kind == "ML":
            adj = (data.total((fit.w * fit.resid) ** 2) - w1) / fit.w2
        elif kind == "REML":
            adj = (data.total((fit.w * fit.resid) ** 2) - trace_p(data, fit)) / trace_pp(data, fit)
        else:
            k = data.k.astype(np.float64)
            adj = (fit.rss * k / _df(data) - k) / w1
        return estimators.nonnegative_step(tau2, adj, step_size)

    return step


def log_likelihood(data: Flat, tau2: FloatArray, restricted: bool) -> FloatArray:
    """The ML or REML log-likelihood at τ² (metafor's `ll.ML` / `ll.REML`, REMLf = TRUE)."""
    w = data.weights(tau2)
    fit = wls(data, w)
    k = data.k.astype(np.float64)
    marginal = data.v + data.spread(tau2)
    ll = -0.5 * k * np.log(2 * np.pi) - 0.5 * data.total(np.log(marginal)) - 0.5 * fit.rss
    if restricted:
        ll = ll + 0.5 * np.log(2 * np.pi) + 0.5 * np.log(k) - 0.5 * np.log(data.total(w))
    return np.asarray(ll, dtype=np.float64)


SCORING: estimators.Scoring[Flat] = estimators.Scoring(
    subset=lambda data, rows: data.subset(rows),
    step=_fisher_step,
    start=hedges,
    log_likelihood=log_likelihood,
)


def estimate(data: Flat, method: Method) -> FloatArray:
    """τ² for every analysis by `method` (one of METHODS)."""
    if method is Method.FE:
        return np.zeros(data.m)
    if method in (Method.ML, Method.REML, Method.EB):
        return estimators.fisher_scoring(data, str(method), None, SCORING)
    if method in (Method.HS, Method.HSK):
        return hunter_schmidt(data, small_sample=method is Method.HSK)
    closed = {
        Method.DL: dersimonian_laird,
        Method.HE: hedges,
        Method.SJ: sidik_jonkman,
        Method.PM: paule_mandel,
    }
    return closed[method](data)


def standard_error(data: Flat, method: Method, tau2: FloatArray) -> FloatArray:
    """metafor's se.tau2 for each estimator (as `tau2.standard_error`, p = 1)."""
    k, df = data.k.astype(np.float64), _df(data)
    t = np.maximum(tau2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in (Method.DL, Method.HS, Method.HSK):
            fit = data.fe  # the weights are all that matters here, not the centring
            tr_p = trace_p(data, fit)
            core = 2 * df + 4 * t * tr_p + 2 * t**2 * trace_pp(data, fit)
            if method is Method.DL:
                return np.asarray(np.sqrt(core / tr_p**2), dtype=np.float64)
            scale = k / df if method is Method.HSK else 1.0
            return np.asarray(scale * np.sqrt(core / data.total(fit.w) ** 2), dtype=np.float64)
        if method is Method.HE:
            fit = wls(data, np.ones(len(data.y)))
            core = 2 * trace_pvpv(data, fit) + 4 * t * trace_pv(data, fit) + 2 * t**2 * df
            return np.asarray(np.sqrt(core / df**2), dtype=np.float64)
        if method is Method.SJ:
            tau0 = sj_start(data)
            fit = wls(data, data.weights(tau0))
            core = (
                2 * trace_pvpv(data, fit)
                + 4 * t * trace_ppv(data, fit)
                + 2 * t**2 * trace_pp(data, fit)
            )
            return np.asarray(np.sqrt(tau0**2 / df**2 * core), dtype=np.float64)
        if method is Method.FE:
            return np.full(tau2.shape, np.nan)
        fit = wls(data, data.weights(tau2))
        if method is Method.ML:
            return np.asarray(np.sqrt(2 / fit.w2), dtype=np.float64)
        if method is Method.REML:
            return np.asarray(np.sqrt(2 / trace_pp(data, fit)), dtype=np.float64)
        w1 = data.total(fit.w)
        return np.asarray(np.sqrt(2 * k**2 / df / w1**2), dtype=np.float64)


def q_profile_ci(data: Flat, level: float, tau2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Q-profile bounds for τ² (`heterogeneity.q_profile_bounds` on flat arrays)."""
    whole = data.generalised_q

    def q_for(rows: IntArray) -> Callable[[FloatArray], FloatArray]:
        return whole if len(rows) == data.m else data.subset(rows).generalised_q

    return q_profile_bounds(q_for, _df(data), level, tau2)
