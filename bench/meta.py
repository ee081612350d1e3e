"""Benchmark: 10,000 random-effects meta-analyses, evimap's `rma_many` vs statsmodels, PythonMeta.

    .venv/bin/python bench/meta.py                  # 10,000 analyses, seed 20240605
    .venv/bin/python bench/meta.py --analyses 2000 --seed 7

The analyses are simulated, seeded, and shaped like real two-arm trials with a continuous
outcome, so every peer can take them: each analysis has k ~ U{5..40} studies, a true mean
difference mu ~ N(0, 0.5²), a between-study variance tau² that is 0 in a quarter of the
analyses and log-normal (median 0.04) otherwise, arms of 10 to 400 participants
(log-uniform), group SDs drawn per study around 1 with the sampling noise of a chi-square
on n - 1 df. The per-study mean difference yi = m1 - m2 and its variance
vi = sd1²/n1 + sd2²/n2 are exactly metafor's `escalc("MD")` (vtype "LS"), which is also what
PythonMeta computes from the raw means, SDs and sizes.

Peers, all run in this one process on the same data:

- statsmodels `statsmodels.stats.meta_analysis.combine_effects(yi, vi, method_re=…)` once per
  analysis: "dl" (DerSimonian-Laird) and "pm" (Paule-Mandel, statsmodels' "iterated",
  run to atol 1e-6 on its estimating equation rather than its default 1e-5; see PM_ATOL for
  why not tighter);
- PythonMeta 1.26 `Meta().meta(studies)` with models "Random", effect "MD", algorithm
  "IV" (its random-effects model is DL), once per analysis from the raw arm data;
- evimap `rma_many(yi, vi, group, method=…)`: all analyses in one vectorised call that
  returns the full output for DL, PM and REML.

"Full output" is every field of DESIGN.md's JSON for each analysis: estimate, se,
ci_lower/ci_upper, z, p, τ² and its standard error, I², H², Q with its df and p-value, and
the prediction interval (pi_lower/pi_upper). The timed comparison (`with_tau2_ci=False`)
leaves out only the Q-profile confidence interval of τ², which neither peer computes (and
statsmodels' `combine_effects` gives no prediction interval, I² only for DL); the row
"evimap rma_many + tau2 CI" times evimap with it too. The peers' times are for what they
return: estimate, se, CI and τ² (statsmodels also Q and I²).

Checks: evimap's estimate, se and τ² equal statsmodels' and PythonMeta's DL within 1e-8
(absolute, and relative for τ² values above 1), and statsmodels' PM within 1e-6 (its stop
rule); evimap's PM τ² is also checked to solve the PM equation itself to 1e-8.
statsmodels' DL does not truncate τ² at zero (`tau2 = (q - df) / c`); where it is
negative, metafor and evimap report τ² = 0, so there the comparison is with statsmodels'
own common-effect numbers (`mean_effect_fe`, `sd_eff_w_fe`), which are what τ² = 0 means.

Timings are the best of `--repeat` runs (3 by default) of each phase. The target is that
evimap's DL is at least 50 times as fast as statsmodels' DL over the 10,000 analyses.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import logging
import pstats
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

ANALYSES = 10_000
SEED = 20240605
TOLERANCE = 1e-8
REQUIRED_RATIO = 50.0
PM_ATOL = 1e-6
"""statsmodels' Paule-Mandel stop rule (|Q(tau2) - (k - 1)| <= atol, default 1e-5). It cannot
go much tighter: its Newton steps converge from below and, once floating-point noise makes
the equation a hair negative (-1e-15), it resets tau2 to 0. At 1e-6 it stops one step
before that happens in all but a few analyses."""
PM_MAXITER = 500
PM_TOLERANCE = 1e-6
"""Agreement asked of PM: what statsmodels' own stop rule allows (see PM_ATOL)."""


@dataclass(frozen=True)
class Analyses:
    """Many analyses as flat study arrays, with `group` naming each study's analysis."""

    group: NDArray[np.int64]
    m1: FloatArray
    sd1: FloatArray
    n1: NDArray[np.int64]
    m2: FloatArray
    sd2: FloatArray
    n2: NDArray[np.int64]
    yi: FloatArray
    vi: FloatArray
    starts: NDArray[np.int64]

    @property
    def count(self) -> int:
        return len(self.starts) - 1

    def slices(self) -> list[slice]:
        return [
            slice(int(a), int(b)) for a, b in zip(self.starts[:-1], self.starts[1:], strict=True)
        ]


@dataclass(frozen=True)
class Pooled:
    """The three numbers every peer reports, one entry per analysis."""

    estimate: FloatArray
    se: FloatArray
    tau2: FloatArray


def simulated_analyses(count: int, seed: int) -> Analyses:
    """`count` two-arm continuous-outcome meta-analyses (see the module docstring)."""
    rng = np.random.default_rng(seed)
    k = rng.integers(5, 41, size=count)
    mu = rng.normal(0.0, 0.5, size=count)
    tau2 = np.where(rng.random(count) < 0.25, 0.0, np.exp(rng.normal(np.log(0.04), 1.0, count)))
    group = np.repeat(np.arange(count), k)
    total = int(k.sum())
    theta = rng.normal(mu[group], np.sqrt(tau2[group]))
    n1 = np.round(np.exp(rng.uniform(np.log(10), np.log(400), total))).astype(np.int64)
    n2 = np.round(n1 * np.exp(rng.normal(0.0, 0.15, total))).clip(5).astype(np.int64)
    sigma = np.exp(rng.normal(0.0, 0.2, total))
    sd1 = sigma * np.sqrt(rng.chisquare(n1 - 1) / (n1 - 1))
    sd2 = sigma * np.sqrt(rng.chisquare(n2 - 1) / (n2 - 1))
    base = rng.normal(5.0, 1.0, total)
    m1 = base + theta + rng.normal(0.0, sigma / np.sqrt(n1))
    m2 = base + rng.normal(0.0, sigma / np.sqrt(n2))
    yi = m1 - m2
    vi = sd1**2 / n1 + sd2**2 / n2
    starts = np.concatenate([[0], np.cumsum(k)]).astype(np.int64)
    return Analyses(group, m1, sd1, n1, m2, sd2, n2, yi, vi, starts)


# --- peers ---------------------------------------------------------------------------------


def statsmodels_pooled(data: Analyses, method: str) -> Pooled:
    """statsmodels' `combine_effects`, one call per analysis (its only calling form)."""
    from statsmodels.stats.meta_analysis import combine_effects

    extra: dict[str, Any] = {"atol": PM_ATOL, "maxiter": PM_MAXITER} if method == "pm" else {}
    out = np.empty((data.count, 3))
    # statsmodels takes the square root of a negative DL variance before we can discard it.
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for i, part in enumerate(data.slices()):
            res = combine_effects(data.yi[part], data.vi[part], method_re=method, **extra)
            if res.tau2 < 0:
                out[i] = (res.mean_effect_fe, res.sd_eff_w_fe, 0.0)
            else:
                out[i] = (res.mean_effect_re, res.sd_eff_w_re, res.tau2)
    return Pooled(out[:, 0], out[:, 1], out[:, 2])


def pythonmeta_pooled(data: Analyses) -> Pooled:
    """PythonMeta's random-effects (DL) inverse-variance MD, one call per analysis."""
    from PythonMeta import Meta

    logging.getLogger("PythonMeta.core").setLevel(logging.WARNING)
    meta = Meta()
    meta.datatype = "CONT"
    meta.models = "Random"
    meta.effect = "MD"
    meta.algorithm = "IV"
    out = np.empty((data.count, 3))
    for i, part in enumerate(data.slices()):
        studies = [
            [m1, s1, int(a), m2, s2, int(b), f"s{j}"]
            for j, (m1, s1, a, m2, s2, b) in enumerate(
                zip(
                    data.m1[part].tolist(),
                    data.sd1[part].tolist(),
                    data.n1[part].tolist(),
                    data.m2[part].tolist(),
                    data.sd2[part].tolist(),
                    data.n2[part].tolist(),
                    strict=True,
                )
            )
        ]
        total = meta.meta(studies, nosubgrp=True)[0]
        out[i] = (total[1], total[6], total[12])
    return Pooled(out[:, 0], out[:, 1], out[:, 2])


def evimap_results(data: Analyses, method: str, *, with_tau2_ci: bool = False) -> Any:
    """evimap's vectorised fit of every analysis at once: the full `ManyResults` (estimate,
    se, CI, z, p, tau2 and its se, I2, H2, Q with df and p, prediction interval; the
    Q-profile tau2 CI if asked)."""
    from evimap.synthesis.meta import rma_many

    return rma_many(data.yi, data.vi, data.group, method=method, with_tau2_ci=with_tau2_ci)


def pm_equation_residual(data: Analyses, tau2: FloatArray) -> float:
    """Largest |Σ w(y - μ̂)² - (k - 1)| at the given τ², w = 1/(v + τ²), where τ² > 0: zero at
    the Paule-Mandel root (checks evimap's PM without any peer's stop rule)."""
    worst = 0.0
    for i, part in enumerate(data.slices()):
        if tau2[i] <= 0:
            continue
        y, v = data.yi[part], data.vi[part]
        w = 1.0 / (v + tau2[i])
        mean = float(w @ y / w.sum())
        worst = max(worst, abs(float(w @ (y - mean) ** 2) - (len(y) - 1)))
    return worst


def evimap_pooled(results: Any) -> Pooled:
    return Pooled(np.asarray(results.estimate), np.asarray(results.se), np.asarray(results.tau2))


# --- measuring -----------------------------------------------------------------------------


def best_time(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest of `repeat` runs (the least disturbed by other work on the machine)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def largest_difference(ours: Pooled, theirs: Pooled) -> dict[str, float]:
    """Largest absolute difference per quantity (τ² relative to max(1, |τ²|))."""
    scale = np.maximum(1.0, np.abs(theirs.tau2))
    return {
        "estimate": float(np.max(np.abs(ours.estimate - theirs.estimate))),
        "se": float(np.max(np.abs(ours.se - theirs.se))),
        "tau2": float(np.max(np.abs(ours.tau2 - theirs.tau2) / scale)),
    }


def profile(run: Callable[[], Any]) -> str:
    """The top of a cProfile of `run`, sorted by own time: where evimap spends it."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    return text.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--analyses", type=int, default=ANALYSES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print cProfile of evimap DL")
    args = parser.parse_args()

    data = simulated_analyses(args.analyses, args.seed)
    print(
        f"{data.count:,} analyses, {len(data.yi):,} studies "
        f"(k {int(np.diff(data.starts).min())} to {int(np.diff(data.starts).max())}), "
        f"seed {args.seed}; best of {args.repeat} runs"
    )
    rows: list[tuple[str, str, float]] = []
    failures: list[str] = []

    warm = simulated_analyses(50, args.seed + 1)
    for method in ("DL", "PM", "REML"):
        evimap_results(warm, method, with_tau2_ci=True)
    statsmodels_pooled(warm, "dl")
    with contextlib.suppress(ImportError):
        pythonmeta_pooled(warm)

    ours: dict[str, Any] = {}
    for method in ("DL", "PM", "REML"):
        seconds, ours[method] = best_time(lambda m=method: evimap_results(data, m), args.repeat)
        rows.append(("evimap rma_many", method, seconds))
    seconds, full = best_time(lambda: evimap_results(data, "DL", with_tau2_ci=True), args.repeat)
    rows.append(("evimap rma_many + tau2 CI", "DL", seconds))

    peers: dict[tuple[str, str], tuple[float, Pooled]] = {}
    for method, name in (("DL", "dl"), ("PM", "pm")):
        peers["statsmodels", method] = best_time(
            lambda n=name: statsmodels_pooled(data, n), args.repeat
        )
        rows.append(("statsmodels combine_effects", method, peers["statsmodels", method][0]))
    with contextlib.suppress(ImportError):
        peers["PythonMeta", "DL"] = best_time(lambda: pythonmeta_pooled(data), 1)
        rows.append(("PythonMeta Meta.meta", "DL", peers["PythonMeta", "DL"][0]))

    def evimap_seconds(method: str) -> float:
        return next(s for n, m, s in rows if n == "evimap rma_many" and m == method)

    print()
    print(
        f"{'implementation':<30} {'method':<6} {'seconds':>9} {'per analysis':>13} "
        f"{'evimap faster by':>17}"
    )
    for name, method, seconds in rows:
        ratio = "" if name.startswith("evimap") else f"{seconds / evimap_seconds(method):,.1f}x"
        print(
            f"{name:<30} {method:<6} {seconds:>9.4f} {seconds / data.count * 1e6:>10.1f} µs "
            f"{ratio:>17}"
        )

    print()
    print("agreement with the peers (largest difference):")
    for (peer, method), (_, pooled) in peers.items():
        diff = largest_difference(evimap_pooled(ours[method]), pooled)
        tolerance = PM_TOLERANCE if method == "PM" else TOLERANCE
        status = "ok" if max(diff.values()) <= tolerance else "FAIL"
        if status == "FAIL":
            failures.append(f"{peer} {method}")
        parts = ", ".join(f"{q} {v:.1e}" for q, v in diff.items())
        print(f"  {peer:<12} {method:<4} {parts}  (tolerance {tolerance:g}) {status}")
    residual = pm_equation_residual(data, np.asarray(ours["PM"].tau2))
    status = "ok" if residual <= TOLERANCE else "FAIL"
    if status == "FAIL":
        failures.append("PM equation")
    print(f"  evimap PM τ² solves the PM equation to {residual:.1e}  (tolerance 1e-8) {status}")

    dl_ratio = peers["statsmodels", "DL"][0] / evimap_seconds("DL")
    print()
    print(
        f"evimap DL / statsmodels DL speed ratio: {dl_ratio:,.1f}x "
        f"(target ≥ {REQUIRED_RATIO:.0f}x) {'ok' if dl_ratio >= REQUIRED_RATIO else 'MISSED'}"
    )
    print()
    print("evimap full output (with the Q-profile tau2 CI), first three DL analyses:")
    for i in range(min(3, data.count)):
        print("  " + ", ".join(f"{k}={_short(v)}" for k, v in full.row(i).items()))
    if args.profile or dl_ratio < REQUIRED_RATIO:
        print()
        print("cProfile of one evimap DL run (without the tau2 CI), by own time:")
        print(profile(lambda: evimap_results(data, "DL")))
    if failures:
        raise SystemExit(f"results differ: {', '.join(failures)}")


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


if __name__ == "__main__":
    main()
