"""Brent's root finder run on many functions at once (one root per analysis).

The Q-profile interval must agree with metafor, which finds its bounds with R's `uniroot`
(Brent 1973, "Algorithms for Minimization without Derivatives", ch. 4) at the loose
tolerance eps^(1/4): the bound it prints is that algorithm's stopping point, not the exact
root. This module follows the same steps as Brent's zero (the form SciPy's `brentq` and R's
`zeroin` implement) with every branch taken per element through masks, so thousands of
analyses share one loop and each gets exactly the iterate it would get alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def brent_roots(
    f: Callable[[FloatArray], FloatArray],
    lower: FloatArray,
    upper: FloatArray,
    *,
    xtol: float,
    rtol: float = 4 * float(np.finfo(float).eps),
    max_iterations: int = 1000,
) -> FloatArray:
    """Roots of f (vectorised: f maps one x per row to one value per row) in [lower, upper].

    Each row must bracket a sign change; rows are frozen once converged.
    """
    x_pre, x_cur = lower.astype(np.float64).copy(), upper.astype(np.float64).copy()
    f_pre, f_cur = f(x_pre), f(x_cur)
    x_blk = np.zeros_like(x_pre)
    f_blk = np.zeros_like(x_pre)
    s_pre = np.zeros_like(x_pre)
    s_cur = np.zeros_like(x_pre)
    result = np.where(f_pre == 0, x_pre, np.where(f_cur == 0, x_cur, np.nan))
    active = np.isnan(result)
    for _ in range(max_iterations):
        if not active.any():
            break
        opposite = (f_pre != 0) & (f_cur != 0) & (np.signbit(f_pre) != np.signbit(f_cur))
        x_blk = np.where(opposite, x_pre, x_blk)
        f_blk = np.where(opposite, f_pre, f_blk)
        s_pre = np.where(opposite, x_cur - x_pre, s_pre)
        s_cur = np.where(opposite, x_cur - x_pre, s_cur)
        swap = np.abs(f_blk) < np.abs(f_cur)
        x_pre, x_cur, x_blk = (
            np.where(swap, x_cur, x_pre),
            np.where(swap, x_blk, x_cur),
            np.where(swap, x_cur, x_blk),
        )
        f_pre, f_cur, f_blk = (
            np.where(swap, f_cur, f_pre),
            np.where(swap, f_blk, f_cur),
            np.where(swap, f_cur, f_blk),
        )
        delta = (xtol + rtol * np.abs(x_cur)) / 2
        s_bis = (x_blk - x_cur) / 2
        done = active & ((f_cur == 0) | (np.abs(s_bis) < delta))
        result = np.where(done, x_cur, result)
        active &= ~done
        if not active.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = -f_cur * (x_cur - x_pre) / (f_cur - f_pre)
            d_pre = (f_pre - f_cur) / (x_pre - x_cur)
            d_blk = (f_blk - f_cur) / (x_blk - x_cur)
            inverse_quadratic = (
                -f_cur * (f_blk * d_blk - f_pre * d_pre) / (d_blk * d_pre * (f_blk - f_pre))
            )
        s_try = np.where(x_pre == x_blk, secant, inverse_quadratic)
        interpolate = (np.abs(s_pre) > delta) & (np.abs(f_cur) < np.abs(f_pre))
        short = interpolate & (
            2 * np.abs(s_try) < np.minimum(np.abs(s_pre), 3 * np.abs(s_bis) - delta)
        )
        s_pre = np.where(short, s_cur, s_bis)
        s_cur = np.where(short, s_try, s_bis)
        x_pre, f_pre = x_cur.copy(), f_cur.copy()
        step = np.where(np.abs(s_cur) > delta, s_cur, np.where(s_bis > 0, delta, -delta))
        x_cur = np.where(active, x_cur + step, x_cur)
        f_cur = np.where(active, f(x_cur), f_cur)
    return np.where(active, x_cur, result)
