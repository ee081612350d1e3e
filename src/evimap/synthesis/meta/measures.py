"""Study-level effect sizes and their sampling variances: the `escalc` half of metafor.

Every formula is metafor's `escalc` (Viechtbauer 2010, doi:10.18637/jss.v036.i03), including
its continuity correction: by default 1/2 is added to all four cells of a 2x2 table that has
a zero cell (`add=0.5, to="only0"`), and nothing elsewhere. A study whose effect cannot be
computed even then (a double-zero table without correction, a Peto table with no events)
gets NaN, and `fit.rma` leaves it out, as metafor does. Impossible input (negative counts,
an empty group, non-positive SDs) raises `InvalidStudyData` naming the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from evimap.errors import InvalidStudyData

FloatArray = npt.NDArray[np.float64]
ArrayLike = Sequence[float] | npt.NDArray[np.float64] | npt.NDArray[np.int64]
ContinuityTarget = Literal["only0", "all", "if0all", "none"]


class Measure(StrEnum):
    """Effect-size measures, named as in metafor (and `evimap meta --measure`)."""

    OR = "OR"
    """Log odds ratio from 2x2 counts."""
    RR = "RR"
    """Log risk ratio from 2x2 counts."""
    RD = "RD"
    """Risk difference from 2x2 counts."""
    AS = "AS"
    """Arcsine square-root risk difference (Rücker et al. 2009, doi:10.1002/sim.3509)."""
    PETO = "PETO"
    """Peto's one-step log odds ratio per study (Yusuf et al. 1985)."""
    MD = "MD"
    """Raw mean difference from means, SDs and group sizes."""
    SMD = "SMD"
    """Standardized mean difference, Hedges' g (Hedges 1981, doi:10.3102/10769986006002107)."""
    SMDH = "SMDH"
    """SMD with heteroscedastic SDs (Bonett 2008, doi:10.1037/1082-989X.13.2.99)."""
    ROM = "ROM"
    """Log ratio of means (Hedges, Gurevitch & Curtis 1999, doi:10.2307/177062)."""
    MN = "MN"
    """A single group's raw mean."""
    GEN = "GEN"
    """Generic effect sizes given directly (yi with vi or sei, or an estimate with its CI)."""

    @property
    def is_ratio(self) -> bool:
        """Whether yi is a log ratio (so exp() gives the ratio readers expect)."""
        return self in _RATIO_MEASURES


_RATIO_MEASURES = frozenset({Measure.OR, Measure.RR, Measure.PETO, Measure.ROM})
_TWO_BY_TWO = frozenset({Measure.OR, Measure.RR, Measure.RD, Measure.AS, Measure.PETO})
_NO_CORRECTION = frozenset({Measure.AS})
"""Measures for which metafor silently uses add=0 (`escalc.Rd`)."""


@dataclass(frozen=True, eq=False)
class EffectSizes:
    """Effect sizes `yi` with sampling variances `vi` (NaN where a study gives none).

    `ni` is each study's total sample size (NaN when unknown): the rank and regression
    tests can use it as a predictor. `corrected` marks 2x2 tables that got the continuity
    correction.
    """

    measure: Measure
    yi: FloatArray
    vi: FloatArray
    ni: FloatArray
    corrected: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.yi.shape[0])

    @property
    def sei(self) -> FloatArray:
        """Standard errors √vi."""
        return np.sqrt(self.vi)


def escalc(
    measure: str | Measure,
    *,
    ai: ArrayLike | None = None,
    bi: ArrayLike | None = None,
    ci: ArrayLike | None = None,
    di: ArrayLike | None = None,
    n1i: ArrayLike | None = None,
    n2i: ArrayLike | None = None,
    m1i: ArrayLike | None = None,
    sd1i: ArrayLike | None = None,
    m2i: ArrayLike | None = None,
    sd2i: ArrayLike | None = None,
    yi: ArrayLike | None = None,
    vi: ArrayLike | None = None,
    sei: ArrayLike | None = None,
    ci_lower: ArrayLike | None = None,
    ci_upper: ArrayLike | None = None,
    ci_level: float = 95.0,
    log_scale: bool = False,
    add: float = 0.5,
    to: ContinuityTarget = "only0",
    drop00: bool = False,
    vtype: Literal["LS", "HO", "UB"] = "LS",
    exact_correction: bool = True,
) -> EffectSizes:
    """Effect sizes and sampling variances for one `measure` (metafor's `escalc`).

    Binary measures take the four cells `ai, bi, ci, di` (events and non-events in group 1
    and group 2) or events `ai, ci` with group sizes `n1i, n2i`. `add`/`to`/`drop00` are
    metafor's continuity-correction rules. MD and SMD take `m1i, sd1i, n1i, m2i, sd2i, n2i`;
    MD's `vtype` is "LS" (sd1²/n1 + sd2²/n2, metafor's default) or "HO" (pooled SD); SMD's is
    "LS" (large-sample) or "UB" (unbiased), and `exact_correction=False` swaps the gamma-
    function bias correction of Hedges' g for J ≈ 1 - 3/(4m - 1). GEN takes `yi` with `vi`
    or `sei`, or an estimate `yi` with its `ci_lower`/`ci_upper` at `ci_level` (for ratios
    reported on the natural scale pass `log_scale=True`: estimate and bounds are logged).
    """
    kind = Measure(str(measure).upper())
    if kind in _TWO_BY_TWO:
        a, b, c, d = two_by_two_cells(ai, bi, ci, di, n1i, n2i)
        return _binary(kind, a, b, c, d, add=add, to=to, drop00=drop00)
    if kind in (Measure.MD, Measure.SMD, Measure.SMDH, Measure.ROM):
        return _continuous(
            kind,
            *_required(kind, m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i),
            vtype=vtype,
            exact_correction=exact_correction,
        )
    if kind is Measure.MN:
        mean, sd, n = _required(kind, m1i=m1i, sd1i=sd1i, n1i=n1i)
        return _sized(kind, mean, sd**2 / n, n)
    if ci_lower is not None or ci_upper is not None:
        if yi is None or ci_lower is None or ci_upper is None:
            raise InvalidStudyData(
                "an estimate with a confidence interval needs yi, ci_lower and ci_upper",
                hint="pass all three, or yi with vi or sei",
            )
        return effect_sizes_from_ci(yi, ci_lower, ci_upper, level=ci_level, log_scale=log_scale)
    if yi is None or (vi is None and sei is None):
        raise InvalidStudyData(
            "generic effect sizes need yi with vi or sei", hint="pass vi= or sei= with yi="
        )
    y = _array(yi)
    v = _array(vi) if vi is not None else _array(sei if sei is not None else []) ** 2
    _check_same_length(y=y, v=v)
    for row in np.flatnonzero(v < 0):
        raise InvalidStudyData(
            f"row {row + 1}: negative sampling variance {v[row]}",
            record=str(row + 1),
            hint="a variance cannot be negative; check the vi/sei column",
        )
    return _sized(kind, y, v, np.full(y.shape, np.nan))


def effect_sizes_from_ci(
    estimate: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    level: float = 95.0,
    log_scale: bool = False,
) -> EffectSizes:
    """Generic effect sizes from reported estimates and confidence intervals.

    Assumes a symmetric Wald interval: vi = ((upper - lower)/(2·z))², z the normal quantile
    of `level` (so 1.96 at 95 %). Ratios reported as such (OR 1.2, 95 % CI 0.9-1.6) must be
    logged first, which `log_scale=True` does (metadat's Hackshaw 1998 example does this).
    """
    y, lo, hi = _array(estimate), _array(lower), _array(upper)
    _check_same_length(estimate=y, lower=lo, upper=hi)
    if log_scale:
        for row in np.flatnonzero((y <= 0) | (lo <= 0) | (hi <= 0)):
            raise InvalidStudyData(
                f"row {row + 1}: a ratio and its CI must be positive to take logs",
                record=str(row + 1),
                hint="pass log_scale=False if the values are already on the log scale",
            )
        y, lo, hi = np.log(y), np.log(lo), np.log(hi)
    for row in np.flatnonzero(hi < lo):
        raise InvalidStudyData(
            f"row {row + 1}: CI upper bound {hi[row]} is below the lower bound {lo[row]}",
            record=str(row + 1),
            hint="swap the bounds or check the columns",
        )
    z = float(stats.norm.ppf(0.5 + level / 200.0))
    return _sized(Measure.GEN, y, ((hi - lo) / (2.0 * z)) ** 2, np.full(y.shape, np.nan))


def hedges_correction(m: FloatArray, *, exact: bool = True) -> FloatArray:
    """Hedges' small-sample bias correction J(m) for a d with m degrees of freedom.

    Exact: J = Γ(m/2) / (√(m/2) Γ((m-1)/2)) (Hedges 1981, eq. 6e; metafor's `.cmicalc`),
    computed through log-gamma so large m does not overflow; approximate: 1 - 3/(4m - 1).
    """
    if not exact:
        return np.asarray(1.0 - 3.0 / (4.0 * m - 1.0), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_j = special.gammaln(m / 2.0) - 0.5 * np.log(m / 2.0) - special.gammaln((m - 1.0) / 2.0)
    return np.asarray(np.exp(log_j), dtype=np.float64)


def _binary(
    kind: Measure,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    d: FloatArray,
    *,
    add: float,
    to: ContinuityTarget,
    drop00: bool,
) -> EffectSizes:
    ni = a + b + c + d
    if drop00:
        double = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
        a, b, c, d = (np.where(double, np.nan, x) for x in (a, b, c, d))
    if kind in _NO_CORRECTION:
        add = 0.0
    has_zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    if to == "all":
        corrected = np.ones(a.shape, dtype=bool)
    elif to == "if0all":
        corrected = np.full(a.shape, bool(has_zero.any()))
    elif to == "only0":
        corrected = has_zero
    else:
        corrected = np.zeros(a.shape, dtype=bool)
    if add == 0:
        corrected = np.zeros(a.shape, dtype=bool)
    shift = np.where(corrected, add, 0.0)
    a, b, c, d = a + shift, b + shift, c + shift, d + shift
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a / n1, c / n2
        if kind is Measure.OR:
            y = np.log(a * d / (b * c))
            v = 1 / a + 1 / b + 1 / c + 1 / d
        elif kind is Measure.RR:
            y = np.log(p1 / p2)
            v = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif kind is Measure.RD:
            y = p1 - p2
            v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        elif kind is Measure.AS:
            y = np.arcsin(np.sqrt(p1)) - np.arcsin(np.sqrt(p2))
            v = 1 / (4 * n1) + 1 / (4 * n2)
        else:
            n = n1 + n2
            events, non_events = a + c, b + d
            expected = events * n1 / n
            variance = events * non_events * (n1 / n) * (n2 / n) / (n - 1)
            y = (a - expected) / variance
            v = 1 / variance
    bad = ~np.isfinite(y) | ~np.isfinite(v)
    y, v = np.where(bad, np.nan, y), np.where(bad, np.nan, v)
    return EffectSizes(kind, y.astype(np.float64), v.astype(np.float64), ni, corrected)


def _continuous(
    kind: Measure,
    m1: FloatArray,
    sd1: FloatArray,
    n1: FloatArray,
    m2: FloatArray,
    sd2: FloatArray,
    n2: FloatArray,
    *,
    vtype: str,
    exact_correction: bool,
) -> EffectSizes:
    for name, n in (("n1i", n1), ("n2i", n2)):
        for row in np.flatnonzero(n <= 0):
            raise InvalidStudyData(
                f"row {row + 1}: group size {name} = {n[row]:g} must be positive",
                record=str(row + 1),
                hint="remove the study or correct its group size",
            )
    for name, sd in (("sd1i", sd1), ("sd2i", sd2)):
        for row in np.flatnonzero(sd < 0):
            raise InvalidStudyData(
                f"row {row + 1}: {name} = {sd[row]:g} is negative",
                record=str(row + 1),
                hint="a standard deviation cannot be negative",
            )
    total = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind is Measure.MD:
            y = m1 - m2
            if vtype == "HO":
                pooled = ((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (total - 2)
                v = pooled * (1 / n1 + 1 / n2)
            else:
                v = sd1**2 / n1 + sd2**2 / n2
        elif kind is Measure.SMD:
            m = total - 2
            j = hedges_correction(m, exact=exact_correction)
            pooled_sd = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / m)
            y = j * (m1 - m2) / pooled_sd
            if vtype == "UB":
                v = 1 / n1 + 1 / n2 + (1 - (m - 2) / (m * j**2)) * y**2
            else:
                v = 1 / n1 + 1 / n2 + y**2 / (2 * total)
        elif kind is Measure.SMDH:
            mean_var = (sd1**2 + sd2**2) / 2
            j = hedges_correction(total - 2, exact=exact_correction)
            y = j * (m1 - m2) / np.sqrt(mean_var)
            v = (
                y**2 * (sd1**4 / (n1 - 1) + sd2**4 / (n2 - 1)) / (8 * mean_var**2)
                + (sd1**2 / (n1 - 1) + sd2**2 / (n2 - 1)) / mean_var
            )
        else:
            y = np.log(m1 / m2)
            v = sd1**2 / (n1 * m1**2) + sd2**2 / (n2 * m2**2)
    return _sized(kind, y, v, total)


def _sized(kind: Measure, y: FloatArray, v: FloatArray, n: FloatArray) -> EffectSizes:
    bad = ~np.isfinite(y) | ~np.isfinite(v)
    return EffectSizes(
        kind,
        np.where(bad, np.nan, y).astype(np.float64),
        np.where(bad, np.nan, v).astype(np.float64),
        np.asarray(n, dtype=np.float64),
        np.zeros(y.shape, dtype=bool),
    )


def two_by_two_cells(
    ai: ArrayLike | None,
    bi: ArrayLike | None,
    ci: ArrayLike | None,
    di: ArrayLike | None,
    n1i: ArrayLike | None,
    n2i: ArrayLike | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The four cells, from cells or from events and group sizes, checked row by row."""
    if ai is None or ci is None:
        raise InvalidStudyData(
            "2x2 measures need events ai and ci", hint="pass ai, bi, ci, di or ai, n1i, ci, n2i"
        )
    a, c = _array(ai), _array(ci)
    if bi is not None and di is not None:
        b, d = _array(bi), _array(di)
    elif n1i is not None and n2i is not None:
        b, d = _array(n1i) - a, _array(n2i) - c
    else:
        raise InvalidStudyData(
            "2x2 measures need non-events bi, di or group sizes n1i, n2i",
            hint="pass bi and di, or n1i and n2i",
        )
    _check_same_length(ai=a, bi=b, ci=c, di=d)
    for name, cells in (("ai", a), ("bi", b), ("ci", c), ("di", d)):
        for row in np.flatnonzero(cells < 0):
            raise InvalidStudyData(
                f"row {row + 1}: {name} = {cells[row]:g} is negative"
                + (" (events exceed the group size)" if name in ("bi", "di") else ""),
                record=str(row + 1),
                hint="counts cannot be negative; check the row",
            )
    for group, size in (("group 1", a + b), ("group 2", c + d)):
        for row in np.flatnonzero(size == 0):
            raise InvalidStudyData(
                f"row {row + 1}: {group} has no participants (all cells zero)",
                record=str(row + 1),
                hint="remove the study: an empty group has no effect size",
            )
    return a, b, c, d


def _required(kind: Measure, **columns: ArrayLike | None) -> list[FloatArray]:
    missing = [name for name, value in columns.items() if value is None]
    if missing:
        raise InvalidStudyData(
            f"measure {kind} needs {', '.join(columns)}; missing {', '.join(missing)}",
            hint="pass every column the measure needs",
        )
    arrays = {name: _array(value) for name, value in columns.items() if value is not None}
    _check_same_length(**arrays)
    return list(arrays.values())


def _array(values: ArrayLike) -> FloatArray:
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


def _check_same_length(**arrays: FloatArray) -> None:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise InvalidStudyData(
            f"columns differ in length ({shown})", hint="give one value per study in each"
        )
