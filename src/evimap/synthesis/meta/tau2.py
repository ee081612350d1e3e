"""Between-study variance (τ²) estimators, one function each, vectorised over analyses.

Each estimator takes a `Batch` (many analyses padded to a common width) and returns one τ²
per analysis, with metafor's conventions (`rma.uni`, Viechtbauer 2010,
doi:10.18637/jss.v036.i03): closed-form estimators are truncated at 0; the iterative ones
(ML, REML, EB, DLIT, SJIT) stop when |Δτ²| < 1e-5 or fail after 100 iterations, Fisher
scoring starts at the HE estimate and halves steps that would go below 0; PM and PMM find the
root of the generalised Q on [0, τ²max], τ²max = max(100, 10·mad(y)²). Iteration runs over
all analyses together, each frozen as soon as it has converged, so a batch gives every
analysis exactly the value it would get alone. Viechtbauer (2005, doi:10.3102/10769986030003261)
and Veroniki et al. (2016, doi:10.1002/jrsm.1164) compare the estimators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import integrate, optimize, stats

from evimap.errors import InvalidStudyData, NoConvergence
from evimap.synthesis.meta._batch import (
    Batch,
    FloatArray,
    log_det,
    quad,
    trace_p,
    trace_pp,
    trace_ppv,
    trace_pv,
    trace_pvpv,
    wls,
    ypp_y,
)

THRESHOLD = 1e-5
"""metafor's `control$threshold`: iterative estimators stop when |Δτ²| falls below it."""
MAX_ITERATIONS = 100
"""metafor's `control$maxiter`."""
LL0_TOLERANCE = float(np.finfo(float).eps ** 0.25)
"""metafor's `control$tol`, used by the ML/REML check of the likelihood at τ² = 0."""

D = TypeVar("D")


class Method(StrEnum):
    """How τ² is obtained (metafor's `method`); FE is the common-effect model, τ² = 0."""

    FE = "FE"
    """Common (equal/fixed) effect: τ² = 0. "EE" and "CE" are accepted as names too."""
    DL = "DL"
    """DerSimonian & Laird (1986, doi:10.1016/0197-2456(86)90046-2), moment estimator."""
    HE = "HE"
    """Hedges (1983) / Cochran ANOVA estimator from unweighted least squares."""
    HS = "HS"
    """Hunter & Schmidt (2004): (Q - k)/Σw."""
    HSK = "HSk"
    """Hunter-Schmidt with a k/(k - p) small-sample correction."""
    SJ = "SJ"
    """Sidik & Jonkman (2005, doi:10.1080/10543400500313098), one step from a crude start."""
    SJIT = "SJIT"
    """Sidik-Jonkman iterated to a fixed point."""
    DLIT = "DLIT"
    """DerSimonian-Laird iterated to a fixed point (converges to PM)."""
    ML = "ML"
    """Maximum likelihood (Hardy & Thompson 1996), Fisher scoring."""
    REML = "REML"
    """Restricted maximum likelihood (Viechtbauer 2005), Fisher scoring; metafor's default."""
    EB = "EB"
    """Empirical Bayes (Morris 1983, Berkey et al. 1995); its root equals PM's."""
    PM = "PM"
    """Paule & Mandel (1982): the τ² at which the generalised Q equals k - p."""
    PMM = "PMM"
    """Median-unbiased Paule-Mandel: generalised Q equals the median of χ²(k - p)."""
    GENQ = "GENQ"
    """Generalised Q estimator with user weights (DerSimonian & Kacker 2007)."""
    GENQM = "GENQM"
    """Median-unbiased generalised Q estimator (Jackson 2013, doi:10.1016/j.jspi.2012.12.007)."""

    @classmethod
    def parse(cls, name: str | Method) -> Method:
        """The method for a name, accepting metafor's aliases (EE, CE → FE; MP → PM)."""
        text = str(name).upper()
        aliases = {"EE": "FE", "CE": "FE", "MP": "PM", "HSK": "HSk"}
        return cls(aliases.get(text, text))


class Test(StrEnum):
    """How coefficients are tested (metafor's `test`)."""

    Z = "z"
    """Wald z tests and CIs (metafor's default)."""
    T = "t"
    """t tests with k - p df, no rescaling."""
    KNHA = "knha"
    """Knapp & Hartung (2003, doi:10.1002/sim.1482): variances scaled by s², not truncated."""
    ADHOC = "adhoc"
    """Knapp-Hartung with s² truncated at 1 (Jackson et al. 2017, doi:10.1002/sim.7411)."""

    @classmethod
    def parse(cls, name: str | Test) -> Test:
        """The test for a name ("hksj" is metafor's alias of "knha")."""
        text = str(name).lower()
        return cls("knha" if text == "hksj" else text)


def _k(batch: Batch) -> FloatArray:
    return batch.k.astype(np.float64)


def fixed(batch: Batch) -> FloatArray:
    """τ² = 0 for every analysis (the common-effect model)."""
    return np.zeros(batch.y.shape[0])


def hedges(batch: Batch) -> FloatArray:
    """HE: (RSS_OLS - tr(PV))/(k - p) with P the OLS residual projection, truncated at 0."""
    fit = wls(batch, batch.unit_weights(), batch.centred_y)
    raw = (fit.rss - trace_pv(batch, fit)) / (_k(batch) - batch.p)
    return np.maximum(raw, 0.0)


def dersimonian_laird(batch: Batch) -> FloatArray:
    """DL: (Q - (k - p))/tr(P) at weights 1/v, truncated at 0."""
    fit = wls(batch, batch.weights(fixed(batch)), batch.centred_y)
    return np.maximum((fit.rss - (_k(batch) - batch.p)) / trace_p(batch, fit), 0.0)


def hunter_schmidt(batch: Batch) -> FloatArray:
    """HS: (Q - k)/Σw at weights 1/v, truncated at 0."""
    fit = wls(batch, batch.weights(fixed(batch)), batch.centred_y)
    return np.asarray(np.maximum((fit.rss - _k(batch)) / fit.w.sum(axis=1), 0.0), dtype=np.float64)


def hunter_schmidt_k(batch: Batch) -> FloatArray:
    """HSk: (k/(k - p)·Q - k)/Σw at weights 1/v, truncated at 0."""
    fit = wls(batch, batch.weights(fixed(batch)), batch.centred_y)
    k = _k(batch)
    raw = (k / (k - batch.p) * fit.rss - k) / fit.w.sum(axis=1)
    return np.asarray(np.maximum(raw, 0.0), dtype=np.float64)


def generalised_q(batch: Batch, weights: FloatArray) -> FloatArray:
    """GENQ: (Q_a - tr(P_a V))/tr(P_a) for study weights `a` (same shape as batch.y)."""
    fit = wls(batch, np.where(batch.mask, weights, 0.0), batch.centred_y)
    return np.maximum((fit.rss - trace_pv(batch, fit)) / trace_p(batch, fit), 0.0)


def _imhof_upper(q: float, lambdas: FloatArray) -> float:
    """P(Σ λⱼ χ²₁ > q) by Imhof's (1961, doi:10.1093/biomet/48.3-4.419) inversion formula.

    The integrand sin(½Σ arctan(λⱼu) - ½qu)/(u rho(u)) is integrated directly on [0, 1] and,
    beyond, split into cosine and sine Fourier integrals that QUADPACK's QAWF handles on
    the infinite tail.
    """

    def angle(u: float) -> float:
        return 0.5 * float(np.sum(np.arctan(lambdas * u)))

    def rho(u: float) -> float:
        return float(np.prod((1.0 + (lambdas * u) ** 2) ** 0.25))

    def whole(u: float) -> float:
        if u == 0.0:
            return 0.5 * float(np.sum(lambdas)) - 0.5 * q
        return float(np.sin(angle(u) - 0.5 * q * u) / (u * rho(u)))

    head, _ = integrate.quad(whole, 0.0, 1.0, limit=200)
    omega = 0.5 * q
    cos_part, _ = integrate.quad(
        lambda u: np.sin(angle(u)) / (u * rho(u)), 1.0, np.inf, weight="cos", wvar=omega
    )
    sin_part, _ = integrate.quad(
        lambda u: np.cos(angle(u)) / (u * rho(u)), 1.0, np.inf, weight="sin", wvar=omega
    )
    return 0.5 + (head + cos_part - sin_part) / np.pi


def generalised_q_median(batch: Batch, weights: FloatArray) -> FloatArray:
    """GENQM: the τ² at which the observed generalised Q is the median of its distribution.

    Under τ², Q_a = εᵀP_aε with ε ~ N(0, V + τ²I), a weighted sum of χ²₁ with weights the
    eigenvalues of P_a(V + τ²I); its upper tail probability is computed with Imhof's formula
    and the root found with Brent's method at R's `uniroot` tolerance, one analysis at a
    time (an eigen-decomposition per step does not vectorise usefully).
    """
    out = np.zeros(batch.y.shape[0])
    for i in range(batch.y.shape[0]):
        keep = batch.mask[i]
        y, v, x = batch.y[i, keep], batch.v[i, keep], batch.x[i, keep]
        a = weights[i, keep]
        xtax_inv = np.linalg.inv(x.T @ (a[:, None] * x))
        p_a = np.diag(a) - (a[:, None] * x) @ xtax_inv @ (x.T * a)
        yc = y - y.mean()
        q_obs = float(yc @ p_a @ yc)
        rank = len(y) - x.shape[1]

        def tail(
            tau2: float,
            p_a: FloatArray = p_a,
            v: FloatArray = v,
            q_obs: float = q_obs,
            rank: int = rank,
        ) -> float:
            lam = np.sort(np.linalg.eigvals(p_a @ np.diag(v + tau2)).real)[::-1][:rank]
            return _imhof_upper(q_obs, lam)

        upper = float(tau2_max(_row(batch, i))[0])
        if tail(0.0) > 0.5:
            continue
        if tail(upper) < 0.5:
            raise NoConvergence(
                "the GENQM estimator found no root below τ²max",
                record=str(i + 1),
                hint="the heterogeneity is extreme; check the data or use DL",
            )
        out[i] = optimize.brentq(
            lambda t: tail(t) - 0.5,
            0.0,
            upper,
            xtol=LL0_TOLERANCE,
            rtol=4 * np.finfo(float).eps,
            maxiter=1000,
        )
    return out


def _row(batch: Batch, i: int) -> Batch:
    return Batch(batch.y[i : i + 1], batch.v[i : i + 1], batch.x[i : i + 1], batch.mask[i : i + 1])


def sj_start(batch: Batch) -> FloatArray:
    """Sidik-Jonkman's crude start: the variance of y with divisor k."""
    yc = batch.centred_y
    return np.asarray((yc**2).sum(axis=1) / _k(batch), dtype=np.float64)


def sidik_jonkman(batch: Batch, start: FloatArray | None = None) -> FloatArray:
    """SJ: τ₀²·Q(τ₀²)/(k - p) with Q the generalised Q at weights 1/(v + τ₀²)."""
    tau0 = sj_start(batch) if start is None else start
    fit = wls(batch, batch.weights(tau0), batch.centred_y)
    return np.asarray(tau0 * fit.rss / (_k(batch) - batch.p), dtype=np.float64)


def _iterate(
    data: D,
    start: FloatArray,
    step: Callable[[D, FloatArray], FloatArray],
    name: str,
    *,
    subset: Callable[[D, npt.NDArray[np.bool_]], D],
    strict: bool = True,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Run `step` (returning the next τ²) until |Δτ²| < THRESHOLD, analysis by analysis.

    `data` is a padded `Batch` or any other layout with a `subset` that keeps the analyses
    of a mask (the flat arrays of `_flat`). Returns τ² and the mask of analyses that did not
    converge in MAX_ITERATIONS; with `strict`, those raise `NoConvergence` naming them instead.
    """
    tau2 = start.copy()
    active = np.ones(tau2.shape, dtype=bool)
    for _ in range(MAX_ITERATIONS + 1):
        if not active.any():
            break
        new = step(subset(data, active), tau2[active])
        change = np.abs(new - tau2[active])
        tau2[active] = new
        idx = np.flatnonzero(active)
        active[idx[change <= THRESHOLD]] = False
    if strict and active.any():
        raise NoConvergence(
            f"the {name} estimator did not converge in {MAX_ITERATIONS} iterations",
            record=", ".join(str(i + 1) for i in np.flatnonzero(active)[:10]),
            hint="try another method (DL, PM) or check the data for extreme variances",
        )
    return tau2, active


def _subset(batch: Batch, rows: np.ndarray) -> Batch:
    return Batch(batch.y[rows], batch.v[rows], batch.x[rows], batch.mask[rows])


def _fisher_step(kind: str, step_size: float = 1.0) -> Callable[[Batch, FloatArray], FloatArray]:
    def step(batch: Batch, tau2: FloatArray) -> FloatArray:
        fit = wls(batch, batch.weights(tau2), batch.centred_y)
        k = _k(batch)
        if kind == "ML":
            adj = (ypp_y(fit) - fit.w.sum(axis=1)) / (fit.w**2).sum(axis=1)
        elif kind == "REML":
            adj = (ypp_y(fit) - trace_p(batch, fit)) / trace_pp(batch, fit)
        else:
            adj = (fit.rss * k / (k - batch.p) - k) / fit.w.sum(axis=1)
        return nonnegative_step(tau2, adj, step_size)

    return step


def nonnegative_step(tau2: FloatArray, adj: FloatArray, step_size: float) -> FloatArray:
    """τ² + adj, the step scaled by `step_size` and halved until τ² stays ≥ 0 (metafor)."""
    adj = np.where(np.isnan(adj), 0.0, adj) * step_size
    for _ in range(1100):  # halving reaches 0 (then stops) within ~1075 steps, as in R
        negative = tau2 + adj < 0
        if not negative.any():
            break
        adj = np.where(negative, adj / 2.0, adj)
    return np.asarray(tau2 + adj, dtype=np.float64)


def _log_likelihood(batch: Batch, tau2: FloatArray, *, restricted: bool) -> FloatArray:
    """The ML or REML log-likelihood at τ² (metafor's `ll.ML` / `ll.REML`, REMLf = TRUE)."""
    w = batch.weights(tau2)
    fit = wls(batch, w)
    k = _k(batch)
    v = np.where(batch.mask, batch.v + tau2[:, None], 1.0)
    ll = -0.5 * k * np.log(2 * np.pi) - 0.5 * np.log(v).sum(axis=1) - 0.5 * fit.rss
    if restricted:
        ll = (
            ll
            + 0.5 * batch.p * np.log(2 * np.pi)
            + 0.5 * log_det(quad(batch.x, batch.unit_weights()))
            - 0.5 * log_det(quad(batch.x, w))
        )
    return np.asarray(ll, dtype=np.float64)


def log_likelihood(batch: Batch, tau2: FloatArray, *, restricted: bool) -> FloatArray:
    """The ML (restricted=False) or REML log-likelihood at τ² for each analysis."""
    return _log_likelihood(batch, tau2, restricted=restricted)


@dataclass(frozen=True)
class Scoring(Generic[D]):
    """What Fisher scoring needs of a data layout (the padded `Batch`, or `_flat.Flat`)."""

    subset: Callable[[D, npt.NDArray[np.bool_]], D]
    """The analyses of a mask."""
    step: Callable[[str, float], Callable[[D, FloatArray], FloatArray]]
    """The scoring step of an estimator ("ML", "REML", "EB") at a step size."""
    start: Callable[[D], FloatArray]
    """The starting values (metafor's: the HE estimate)."""
    log_likelihood: Callable[[D, FloatArray, bool], FloatArray]
    """The ML or (with True) REML log-likelihood at τ²."""


def fisher_scoring(data: D, kind: str, start: FloatArray | None, scoring: Scoring[D]) -> FloatArray:
    """Fisher scoring from the HE estimate (or `start`). Where full steps oscillate without
    converging — metafor stops with an error there and suggests `stepadj` — the analysis is
    rerun with steps of 1/2, then 1/4; only if that fails too is `NoConvergence` raised."""
    first = scoring.start(data) if start is None else start
    tau2, failed = _iterate(
        data, first, scoring.step(kind, 1.0), kind, subset=scoring.subset, strict=False
    )
    for step_size in (0.5, 0.25):
        if not failed.any():
            break
        retry, still = _iterate(
            scoring.subset(data, failed),
            first[failed],
            scoring.step(kind, step_size),
            kind,
            subset=scoring.subset,
            strict=False,
        )
        tau2[failed] = retry
        rows = np.flatnonzero(failed)
        failed[rows[~still]] = False
    if failed.any():
        raise NoConvergence(
            f"the {kind} estimator did not converge in {MAX_ITERATIONS} iterations, "
            "even with step halving",
            record=", ".join(str(i + 1) for i in np.flatnonzero(failed)[:10]),
            hint="try another method (DL, PM) or check the data for extreme variances",
        )
    if kind in ("ML", "REML"):
        restricted = kind == "REML"
        ll0 = scoring.log_likelihood(data, np.zeros_like(tau2), restricted)
        ll = scoring.log_likelihood(data, tau2, restricted)
        tau2 = np.where((ll0 - ll > LL0_TOLERANCE) & (tau2 > THRESHOLD), 0.0, tau2)
    return np.maximum(tau2, 0.0)


BATCH_SCORING: Scoring[Batch] = Scoring(
    subset=lambda batch, rows: _subset(batch, rows),
    step=lambda kind, size: _fisher_step(kind, size),
    start=lambda batch: hedges(batch),
    log_likelihood=lambda batch, tau2, restricted: _log_likelihood(
        batch, tau2, restricted=restricted
    ),
)


def _likelihood_estimator(batch: Batch, kind: str, start: FloatArray | None) -> FloatArray:
    return fisher_scoring(batch, kind, start, BATCH_SCORING)


def maximum_likelihood(batch: Batch, start: FloatArray | None = None) -> FloatArray:
    """ML by Fisher scoring: step (yᵀPPy - Σw)/Σw²."""
    return _likelihood_estimator(batch, "ML", start)


def restricted_ml(batch: Batch, start: FloatArray | None = None) -> FloatArray:
    """REML by Fisher scoring: step (yᵀPPy - tr P)/tr(PP)."""
    return _likelihood_estimator(batch, "REML", start)


def empirical_bayes(batch: Batch, start: FloatArray | None = None) -> FloatArray:
    """EB by Fisher-type scoring: step (k/(k - p)·yᵀPy - k)/Σw."""
    return _likelihood_estimator(batch, "EB", start)


def dl_iterated(batch: Batch, start: FloatArray | None = None) -> FloatArray:
    """DLIT: τ² ← (Q(τ²) - tr(PV))/tr(P) from 0, truncated at 0 each step."""

    def step(sub: Batch, tau2: FloatArray) -> FloatArray:
        fit = wls(sub, sub.weights(tau2), sub.centred_y)
        return np.maximum((fit.rss - trace_pv(sub, fit)) / trace_p(sub, fit), 0.0)

    begin = np.zeros(batch.y.shape[0]) if start is None else start
    return _iterate(batch, begin, step, "DLIT", subset=_subset)[0]


def sj_iterated(batch: Batch, start: FloatArray | None = None) -> FloatArray:
    """SJIT: τ² ← τ²·Q(τ²)/(k - p) from the SJ start."""

    def step(sub: Batch, tau2: FloatArray) -> FloatArray:
        fit = wls(sub, sub.weights(tau2), sub.centred_y)
        return np.asarray(tau2 * fit.rss / (_k(sub) - sub.p), dtype=np.float64)

    begin = sj_start(batch) if start is None else start
    return _iterate(batch, begin, step, "SJIT", subset=_subset)[0]


def generalised_q_at(batch: Batch, tau2: FloatArray) -> FloatArray:
    """The generalised Q, Σ (y - Xβ̂)²/(v + τ²), at each analysis's τ²."""
    return wls(batch, batch.weights(tau2), batch.centred_y).rss


def tau2_max(batch: Batch) -> FloatArray:
    """metafor's search bound max(100, 10·mad(y)²), mad scaled by 1.4826 as in R."""
    y = np.where(batch.mask, batch.y, np.nan)
    with np.errstate(invalid="ignore"):
        med = np.nanmedian(y, axis=1)
        mad = 1.4826 * np.nanmedian(np.abs(y - med[:, None]), axis=1)
    return np.asarray(np.maximum(100.0, 10.0 * np.nan_to_num(mad) ** 2), dtype=np.float64)


def q_root(
    q_at: Callable[[FloatArray], FloatArray],
    target: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
) -> FloatArray:
    """τ² in [lower, upper] where the generalised Q (`q_at`, decreasing in τ²) equals `target`.

    Bisection on all analyses at once to 1e-12 relative width: slower than Brent but
    identical for an analysis whatever else is in the batch. Where Q(lower) ≤ target the
    answer is `lower`; callers check Q(upper) ≤ target first.
    """
    lo, hi = lower.astype(np.float64).copy(), upper.astype(np.float64).copy()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        above = q_at(mid) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
        if np.all(hi - lo <= 1e-12 * np.maximum(1.0, hi)):
            break
    at_lower = q_at(lower) <= target
    return np.where(at_lower, lower, 0.5 * (lo + hi))


def _paule_mandel(batch: Batch, target: FloatArray, name: str) -> FloatArray:
    upper = tau2_max(batch)
    too_low = generalised_q_at(batch, upper) > target
    if too_low.any():
        raise NoConvergence(
            f"the {name} estimator found no root below τ²max",
            record=", ".join(str(i + 1) for i in np.flatnonzero(too_low)[:10]),
            hint="the heterogeneity is extreme; check the data or use DL",
        )
    return q_root(lambda t: generalised_q_at(batch, t), target, np.zeros_like(upper), upper)


def paule_mandel(batch: Batch) -> FloatArray:
    """PM: the root of Q(τ²) = k - p (0 when Q(0) ≤ k - p)."""
    return _paule_mandel(batch, _k(batch) - batch.p, "PM")


def paule_mandel_median(batch: Batch) -> FloatArray:
    """PMM: the root of Q(τ²) = median of χ²(k - p)."""
    target = np.asarray(stats.chi2.ppf(0.5, _k(batch) - batch.p), dtype=np.float64)
    return _paule_mandel(batch, target, "PMM")


ESTIMATORS: dict[Method, Callable[[Batch], FloatArray]] = {
    Method.FE: fixed,
    Method.DL: dersimonian_laird,
    Method.HE: hedges,
    Method.HS: hunter_schmidt,
    Method.HSK: hunter_schmidt_k,
    Method.SJ: sidik_jonkman,
    Method.SJIT: sj_iterated,
    Method.DLIT: dl_iterated,
    Method.ML: maximum_likelihood,
    Method.REML: restricted_ml,
    Method.EB: empirical_bayes,
    Method.PM: paule_mandel,
    Method.PMM: paule_mandel_median,
}
"""Every estimator that needs nothing but the data (GENQ also needs weights)."""


def estimate(
    batch: Batch,
    method: Method,
    *,
    start: FloatArray | None = None,
    weights: FloatArray | None = None,
) -> FloatArray:
    """τ² for every analysis by `method` (`start` overrides SJ/iterative starting values)."""
    if method in (Method.GENQ, Method.GENQM):
        if weights is None:
            raise InvalidStudyData(f"{method} needs study weights", hint="pass weights=")
        if method is Method.GENQM:
            return generalised_q_median(batch, weights)
        return generalised_q(batch, weights)
    if start is not None and method in (Method.SJ, Method.SJIT, Method.DLIT):
        return {Method.SJ: sidik_jonkman, Method.SJIT: sj_iterated, Method.DLIT: dl_iterated}[
            method
        ](batch, start)
    if start is not None and method in (Method.ML, Method.REML, Method.EB):
        return {Method.ML: maximum_likelihood, Method.REML: restricted_ml}.get(
            method, empirical_bayes
        )(batch, start)
    return ESTIMATORS[method](batch)


def standard_error(
    batch: Batch,
    method: Method,
    tau2: FloatArray,
    *,
    start: FloatArray | None = None,
    weights: FloatArray | None = None,
) -> FloatArray:
    """metafor's se.tau2 for each estimator (NaN for FE)."""
    k, p = _k(batch), batch.p
    t = np.maximum(tau2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in (Method.DL, Method.HS, Method.HSK):
            fit = wls(batch, batch.weights(np.zeros_like(tau2)))
            core = 2 * (k - p) + 4 * t * trace_p(batch, fit) + 2 * t**2 * trace_pp(batch, fit)
            if method is Method.DL:
                return np.sqrt(core / trace_p(batch, fit) ** 2)
            scale = k / (k - p) if method is Method.HSK else 1.0
            return np.asarray(scale * np.sqrt(core / fit.w.sum(axis=1) ** 2), dtype=np.float64)
        if method is Method.HE:
            fit = wls(batch, batch.unit_weights())
            core = 2 * trace_pvpv(batch, fit) + 4 * t * trace_pv(batch, fit) + 2 * t**2 * (k - p)
            return np.sqrt(core / (k - p) ** 2)
        if method in (Method.SJ, Method.GENQ, Method.GENQM):
            if method is Method.SJ:
                tau0 = sj_start(batch) if start is None else start
                fit = wls(batch, batch.weights(tau0))
                scale = tau0**2 / (k - p) ** 2
            else:
                study_weights = batch.unit_weights() if weights is None else weights
                fit = wls(batch, np.where(batch.mask, study_weights, 0.0))
                scale = 1 / trace_p(batch, fit) ** 2
            core = (
                2 * trace_pvpv(batch, fit)
                + 4 * t * trace_ppv(batch, fit)
                + 2 * t**2 * trace_pp(batch, fit)
            )
            return np.asarray(np.sqrt(scale * core), dtype=np.float64)
        fit = wls(batch, batch.weights(tau2))
        if method is Method.ML:
            return np.asarray(np.sqrt(2 / (fit.w**2).sum(axis=1)), dtype=np.float64)
        if method is Method.REML:
            return np.asarray(np.sqrt(2 / trace_pp(batch, fit)), dtype=np.float64)
        if method is Method.FE:
            return np.full(tau2.shape, np.nan)
        return np.asarray(np.sqrt(2 * k**2 / (k - p) / fit.w.sum(axis=1) ** 2), dtype=np.float64)
