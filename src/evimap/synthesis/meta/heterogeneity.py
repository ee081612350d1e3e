"""Heterogeneity: Cochran's Q, I², H² and the Q-profile confidence interval for τ².

metafor reports I² and H² from τ² and the "typical" sampling variance ṽ = (k - p)/tr(P)
(Higgins & Thompson 2002, doi:10.1002/sim.1186, generalised by metafor), so they depend on
the τ² estimator; only common-effect (and MH/Peto) fits use the Q-based forms, with I²
truncated at 0 and H² = Q/df not truncated. The τ² interval is the Q-profile interval of
Viechtbauer (2007, doi:10.1002/sim.2514): the τ² values at which the generalised Q equals the
χ²(k - p) quantiles, bounded by 0 below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from evimap.synthesis.meta._batch import Batch, FloatArray, trace_p, wls
from evimap.synthesis.meta._roots import brent_roots
from evimap.synthesis.meta.tau2 import generalised_q_at

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class Heterogeneity:
    """Q (around the common-effect fit), its df and p, and the typical variance ṽ."""

    q: FloatArray
    q_df: FloatArray
    q_p: FloatArray
    typical_v: FloatArray


def cochran_q(batch: Batch) -> Heterogeneity:
    """Q = Σ (y - Xβ̂_FE)²/v with df k - p; Q = 0, p = 1 when k ≤ p (metafor)."""
    fit = wls(batch, batch.weights(np.zeros(batch.y.shape[0])), batch.centred_y)
    df = batch.k.astype(np.float64) - batch.p
    has_df = df > 0
    q = np.where(has_df, np.maximum(fit.rss, 0.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        q_p = np.where(has_df, stats.chi2.sf(q, np.maximum(df, 1)), 1.0)
        typical = np.where(has_df, df / trace_p(batch, fit), 0.0)
    return Heterogeneity(q, df, q_p, typical)


def i2_h2(het: Heterogeneity, tau2: FloatArray, *, q_based: bool) -> tuple[FloatArray, FloatArray]:
    """I² (percent) and H², Q-based for common-effect fits, τ²-based otherwise."""
    df = het.q_df
    # A Q of almost nothing (a subnormal such as 4e-307) overflows (Q - df) / Q to -inf,
    # and I² is then 0, as it is whenever Q < df.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if q_based:
            i2 = np.maximum(0.0, 100.0 * (het.q - df) / het.q)
            h2 = het.q / df
        else:
            i2 = 100.0 * tau2 / (het.typical_v + tau2)
            h2 = tau2 / het.typical_v + 1.0
    no_df = df <= 0
    i2 = np.where(no_df, 0.0, np.nan_to_num(i2, nan=0.0))
    h2 = np.where(no_df, 1.0, h2)
    return np.asarray(i2, dtype=np.float64), np.asarray(h2, dtype=np.float64)


def q_profile_ci(batch: Batch, level: float, tau2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Q-profile bounds for τ² (metafor's `confint` default for `rma.uni`), all analyses at once.

    See `q_profile_bounds`; this is it for the padded `Batch`.
    """

    def q_for(rows: IntArray) -> Callable[[FloatArray], FloatArray]:
        sub = Batch(batch.y[rows], batch.v[rows], batch.x[rows], batch.mask[rows])
        return lambda t: generalised_q_at(sub, t)

    df = batch.k.astype(np.float64) - batch.p
    return q_profile_bounds(q_for, df, level, tau2)


def q_profile_bounds(
    q_for: Callable[[IntArray], Callable[[FloatArray], FloatArray]],
    df: FloatArray,
    level: float,
    tau2: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Q-profile bounds for τ² of every analysis, given `q_for(rows)`: the generalised Q of
    those analyses as a function of their τ² (whatever the data layout).

    The lower bound solves Q(τ²) = χ²_{1-alpha/2}(k - p), the upper Q(τ²) = χ²_{alpha/2}(k - p),
    searched on [0, max(100, 10·τ̂²)]; a bound whose equation has no root there is set to
    the nearer end of the interval, as metafor does. Roots are found with Brent's method at
    R's `uniroot` tolerance (eps^¼ ≈ 1.2e-4), so the bounds - and the I²/H² bounds derived
    from them - agree with metafor's printed values digit for digit; the exact root can
    differ from them in the fourth decimal.
    """
    alpha = 1.0 - level / 100.0
    usable = df >= 1
    safe_df = np.where(usable, df, 1.0)
    crit_upper = np.asarray(stats.chi2.ppf(1.0 - alpha / 2.0, safe_df), dtype=np.float64)
    crit_lower = np.asarray(stats.chi2.ppf(alpha / 2.0, safe_df), dtype=np.float64)
    zero = np.zeros(df.shape)
    hi = np.maximum(100.0, 10.0 * tau2)
    everything = q_for(np.arange(len(df)))
    q_min, q_max = everything(zero), everything(hi)
    tolerance = float(np.finfo(float).eps ** 0.25)

    def root(target: FloatArray, wanted: npt.NDArray[np.bool_]) -> FloatArray:
        out = np.full(target.shape, np.nan)
        if wanted.any():
            rows = np.flatnonzero(wanted)
            q_at = q_for(rows)
            out[rows] = brent_roots(
                lambda t: q_at(t) - target[rows], zero[rows], hi[rows], xtol=tolerance
            )
        return out

    both_zero = q_min < crit_lower
    both_max = ~both_zero & (q_max > crit_upper)
    upper_at_max = ~both_zero & (q_max > crit_lower)
    lower_at_zero = q_min < crit_upper
    upper = np.where(upper_at_max, hi, root(crit_lower, usable & ~both_zero & ~upper_at_max))
    lower = np.where(
        lower_at_zero, 0.0, root(crit_upper, usable & ~both_zero & ~both_max & ~lower_at_zero)
    )
    upper = np.where(both_zero, 0.0, np.where(both_max, hi, upper))
    lower = np.where(both_zero, 0.0, np.where(both_max, hi, lower))
    nan = np.full(df.shape, np.nan)
    return np.where(usable, lower, nan), np.where(usable, upper, nan)
