"""Forest and funnel plots of a fitted meta-analysis, drawn with matplotlib, written as SVG or PNG.

The forest plot follows the layout readers know from RevMan 5 and metafor's `forest()`: one
row per study (label, square sized by weight, confidence interval), the pooled estimate as a
diamond, the prediction interval as a bar on its own row, the weights and the estimates with
their intervals as text columns, and the heterogeneity line
"τ² = …, I² = …%, Q = … (df = …, p = …)" underneath. Ratio measures are drawn on the log
scale they are pooled on, with the axis and the text back-transformed (exp), as metafor's
`atransf=exp` does. The funnel plot puts the standard error on an inverted y axis around the
pooled estimate with its pseudo 95% confidence region (Sterne & Egger 2001,
doi:10.1016/S0895-4356(01)00377-8); studies imputed by trim-and-fill are open points.

Figures are built on `matplotlib.figure.Figure` directly, never through `pyplot`, so no global
figure registry or interactive backend is involved and the functions are safe in a server.
Every drawn element that a reader (or a test) may look for carries an SVG id (`gid`):
`study-squares`, `study-intervals`, `pooled-diamond`, `prediction-interval`, `null-line`,
`observed-studies`, `filled-studies`, `pseudo-confidence-region`, `estimate-line`.
`write_figure` fixes the SVG hash salt and drops the date, so the same analysis gives the
same bytes on every run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.transforms import blended_transform_factory
from matplotlib.typing import RcKeyType
from numpy.typing import NDArray

from evimap.synthesis.meta.bias import TrimFill
from evimap.synthesis.meta.measures import Measure
from evimap.synthesis.meta.result import MetaResult

FloatArray = NDArray[np.float64]

ROW_INCHES = 0.27
"""Height of one study row: RevMan's row pitch at 9 pt text."""

MAX_SQUARE_POINTS = 13.0
"""Side of the heaviest study's square, in points; the areas of the others scale with weight."""

MIN_SQUARE_POINTS = 3.0
"""A study with a tiny weight stays visible (metafor floors its square sizes too)."""

RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
"""Back-transformed ticks for a log-scale axis: the ones RevMan prints."""

MAX_RATIO_TICKS = 8
SPARSE_RATIO_TICKS = frozenset({0.01, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0})
"""The ticks kept when more than MAX_RATIO_TICKS would crowd the axis."""

COMMON_EFFECT_METHODS = frozenset({"FE", "EE", "CE"})
"""Names of the common-effect model: τ² fixed at 0, so no τ² to print and no prediction
interval to draw (Mantel-Haenszel and Peto results carry method FE as well)."""

EFFECT_LABELS = {
    Measure.OR: "Odds Ratio",
    Measure.PETO: "Odds Ratio (Peto)",
    Measure.RR: "Risk Ratio",
    Measure.RD: "Risk Difference",
    Measure.AS: "Arcsine Risk Difference",
    Measure.MD: "Mean Difference",
    Measure.SMD: "Std. Mean Difference",
    Measure.SMDH: "Std. Mean Difference",
    Measure.ROM: "Ratio of Means",
    Measure.MN: "Mean",
    Measure.GEN: "Effect",
}
"""Axis titles, as RevMan words them."""

MINUS = "\u2212"
"""The true minus sign, as matplotlib's tick labels print it."""

FONT_SIZE = 9.0
SAVE_FORMATS = ("svg", "png")

STYLE: dict[RcKeyType, Any] = {
    "font.size": FONT_SIZE,
    "font.family": "DejaVu Sans",
    "axes.linewidth": 0.8,
    "xtick.major.width": 0.8,
    "axes.unicode_minus": True,
}
"""DejaVu Sans ships with matplotlib, so every machine lays the text out the same way."""


@dataclass(frozen=True)
class ForestData:
    """Everything a forest plot shows, on the analysis scale (log scale for ratio measures).

    `weights` are percentages summing to 100. `pi_lower`/`pi_upper` are None for a
    common-effect model, which has no prediction interval to draw. `is_ratio` puts the axis
    and the printed numbers on the exp scale. `model_label` names the pooled row
    ("RE Model (REML)"), `effect_label` the measure ("Risk Ratio").
    """

    labels: tuple[str, ...]
    yi: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    weights: FloatArray
    estimate: float
    ci_lower_pooled: float
    ci_upper_pooled: float
    pi_lower: float | None
    pi_upper: float | None
    heterogeneity: str
    overall_test: str
    model_label: str
    effect_label: str
    is_ratio: bool
    level: float = 95.0


@dataclass(frozen=True)
class FunnelData:
    """What a funnel plot shows: observed studies, trim-and-fill's filled ones, the estimate.

    `estimate` is where the funnel is centred: the pooled estimate of the model that was
    fitted, or of the augmented data after trim-and-fill (as metafor's `funnel(trimfill(…))`).
    """

    yi: FloatArray
    sei: FloatArray
    estimate: float
    filled_yi: FloatArray
    filled_sei: FloatArray
    effect_label: str
    is_ratio: bool
    level: float = 95.0


def number(value: float, digits: int = 2) -> str:
    """A number for a plot or table, with a true minus sign (U+2212) as matplotlib's ticks use."""
    if not math.isfinite(value):
        return "NA"
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        text = MINUS + text[1:] if float(text) != 0 else text[1:]
    return text


def p_value_text(p: float) -> str:
    """`p < 0.001` or `p = 0.042`: the convention of metafor's printed summaries."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def heterogeneity_text(*, tau2: float | None, i2: float, q: float, q_df: int, q_p: float) -> str:
    """The line under a forest plot: "τ² = 0.31, I² = 92.2%, Q = 152.23 (df = 12, p < 0.001)".

    τ² is left out for a common-effect model (it is 0 by assumption, not an estimate).
    """
    parts = [] if tau2 is None else [f"τ² = {number(tau2)}"]
    parts.append(f"I² = {number(i2, 1)}%")
    parts.append(f"Q = {number(q)} (df = {q_df}, {p_value_text(q_p)})")
    return "Heterogeneity: " + ", ".join(parts)


def interval_text(estimate: float, lower: float, upper: float, *, is_ratio: bool) -> str:
    """ "0.41 [0.13, 1.26]": an estimate and its interval as the right-hand column prints it."""
    back: Callable[[float], float] = math.exp if is_ratio else float
    return f"{number(back(estimate))} [{number(back(lower))}, {number(back(upper))}]"


def forest_figure(
    result: MetaResult, *, labels: Sequence[str] | None = None, model: str | None = None
) -> Figure:
    """The forest plot of a fitted model as a matplotlib Figure (not yet written anywhere).

    `labels` name the studies in the order of `result.yi` (studies `rma` left out as missing
    must be left out here too); by default they are "Study 1", "Study 2"…. `model` names the
    pooled row when the result cannot say it itself ("MH Model": Mantel-Haenszel and Peto
    results carry method FE).
    """
    return forest_data_figure(forest_data(result, labels, model=model))


def funnel_figure(result: MetaResult, *, trimfill: TrimFill | None = None) -> Figure:
    """The funnel plot of a fitted model, with trim-and-fill's imputed studies if given.

    With `trimfill` the funnel is centred on the estimate refitted to the augmented data,
    and the imputed studies are open points (metafor's `funnel(trimfill(res))`).
    """
    yi = np.asarray(result.yi, dtype=np.float64)
    vi = np.asarray(result.vi, dtype=np.float64)
    keep = np.isfinite(yi) & np.isfinite(vi)
    empty = np.zeros(0, dtype=np.float64)
    filled_yi, filled_vi, centre = empty, empty, result.estimate
    if trimfill is not None:
        imputed = np.asarray(trimfill.filled, dtype=bool)
        filled_yi, filled_vi = trimfill.yi[imputed], trimfill.vi[imputed]
        centre = trimfill.result.estimate
    return funnel_data_figure(
        FunnelData(
            yi=yi[keep],
            sei=np.sqrt(vi[keep]),
            estimate=centre,
            filled_yi=np.asarray(filled_yi, dtype=np.float64),
            filled_sei=np.sqrt(np.asarray(filled_vi, dtype=np.float64)),
            effect_label=effect_label(result.measure),
            is_ratio=result.is_ratio,
            level=result.level,
        )
    )


def forest_data(
    result: MetaResult, labels: Sequence[str] | None = None, *, model: str | None = None
) -> ForestData:
    """What the forest plot of `result` shows: study intervals, weights and pooled rows.

    Study intervals are yi ± z·√vi at the model's level, with the normal quantile whatever
    the model's test (metafor's `forest()` does the same). The prediction interval is shown
    only for models with an estimated τ² (not common-effect, Mantel-Haenszel or Peto fits).
    """
    yi = np.asarray(result.yi, dtype=np.float64)
    sei = np.sqrt(np.asarray(result.vi, dtype=np.float64))
    names = tuple(labels) if labels is not None else tuple(f"Study {i + 1}" for i in range(len(yi)))
    if len(names) != len(yi):
        raise ValueError(f"{len(names)} labels for {len(yi)} studies in the fit")
    z = _normal_quantile(result.level)
    random = is_random_effects(result)
    weights = np.asarray(result.weights, dtype=np.float64)
    if weights.shape != yi.shape:
        raw = 1.0 / (np.asarray(result.vi, dtype=np.float64) + result.tau2)
        weights = 100.0 * raw / raw.sum()
    return ForestData(
        labels=names,
        yi=yi,
        ci_lower=yi - z * sei,
        ci_upper=yi + z * sei,
        weights=weights,
        estimate=result.estimate,
        ci_lower_pooled=result.ci_lower,
        ci_upper_pooled=result.ci_upper,
        pi_lower=result.pi_lower if random and math.isfinite(result.pi_lower) else None,
        pi_upper=result.pi_upper if random and math.isfinite(result.pi_upper) else None,
        heterogeneity=heterogeneity_text(
            tau2=result.tau2 if random else None,
            i2=result.i2,
            q=result.q,
            q_df=result.q_df,
            q_p=result.q_p,
        ),
        overall_test=overall_test_text(result),
        model_label=model or model_label(result),
        effect_label=effect_label(result.measure),
        is_ratio=result.is_ratio,
        level=result.level,
    )


def is_random_effects(result: MetaResult) -> bool:
    """Whether τ² was estimated (any method but the common-effect FE, MH and Peto fits)."""
    return str(result.method).upper() not in COMMON_EFFECT_METHODS


def model_label(result: MetaResult) -> str:
    """The pooled row's label: "RE Model (REML)" or "FE Model" (metafor's wording)."""
    return f"RE Model ({result.method})" if is_random_effects(result) else "FE Model"


def effect_label(measure: Measure | None) -> str:
    """The measure's name as an axis title ("Risk Ratio"); "Effect" for generic input."""
    return "Effect" if measure is None else EFFECT_LABELS.get(measure, str(measure))


def overall_test_text(result: MetaResult) -> str:
    """ "Test for overall effect: z = -3.97 (p < 0.001)", or t(df) under t-based tests."""
    stat = "z" if not math.isfinite(result.df) else f"t({number(result.df, 0)})"
    return f"Test for overall effect: {stat} = {number(result.z_or_t)} ({p_value_text(result.p)})"


def forest_data_figure(data: ForestData) -> Figure:
    """The forest plot of `data` as a matplotlib Figure.

    Study squares have an area proportional to the study's weight (RevMan's convention), so
    the eye reads weight as ink. The x limits cover every interval, the prediction interval
    and the null value, so no interval is cut.
    """
    k = len(data.labels)
    rows = k + 4
    top_in, bottom_in = 0.15, 1.1
    height = rows * ROW_INCHES + top_in + bottom_in
    width = 9.5
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height))
        left, right = 0.30, 0.65
        ax = fig.add_axes((left, bottom_in / height, right - left, rows * ROW_INCHES / height))
        ys = -np.arange(k, dtype=np.float64)
        pooled_y = -(k + 0.6)
        pi_y = -(k + 1.6)
        ax.set_ylim(-(k + 2.4), 1.5)
        _draw_studies(ax, data, ys)
        _draw_pooled(ax, data, pooled_y, pi_y)
        _set_effect_axis(ax, data)
        _draw_columns(fig, ax, data, ys, pooled_y, pi_y)
        fig.text(0.02, 0.42 / height, data.heterogeneity, ha="left", va="bottom")
        fig.text(0.02, 0.20 / height, data.overall_test, ha="left", va="bottom")
    return fig


def funnel_data_figure(data: FunnelData) -> Figure:
    """The funnel plot of `data`: standard error downwards, the pseudo confidence region shaded.

    The region is estimate ± z·SE for SE from 0 to the largest SE (metafor's `funnel()`);
    it is a guide for the eye, not a test.
    """
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(6.0, 5.0))
        ax = fig.add_axes((0.13, 0.12, 0.82, 0.83))
        all_sei = np.concatenate([data.sei, data.filled_sei])
        top = float(all_sei.max()) * 1.08 if all_sei.size else 1.0
        z = _normal_quantile(data.level)
        se_grid = np.array([0.0, top])
        region = Polygon(
            [
                (data.estimate - z * top, top),
                (data.estimate, 0.0),
                (data.estimate + z * top, top),
            ],
            closed=True,
            facecolor="#f2f2f2",
            edgecolor="#7f7f7f",
            linestyle="--",
            linewidth=0.8,
            zorder=0,
        )
        region.set_gid("pseudo-confidence-region")
        ax.add_patch(region)
        (line,) = ax.plot([data.estimate] * 2, se_grid, color="black", linewidth=0.9, zorder=1)
        line.set_gid("estimate-line")
        observed = ax.scatter(data.yi, data.sei, s=28, c="black", zorder=3, linewidths=0.8)
        observed.set_gid("observed-studies")
        if data.filled_yi.size:
            filled = ax.scatter(
                data.filled_yi,
                data.filled_sei,
                s=28,
                facecolors="white",
                edgecolors="black",
                zorder=3,
                linewidths=0.9,
            )
            filled.set_gid("filled-studies")
        ax.set_ylim(top, 0.0)
        xs = np.concatenate([data.yi, data.filled_yi, [data.estimate - z * top]])
        xs = np.concatenate([xs, [data.estimate + z * top]])
        pad = 0.05 * float(xs.max() - xs.min() or 1.0)
        ax.set_xlim(float(xs.min()) - pad, float(xs.max()) + pad)
        ax.set_ylabel("Standard error")
        ax.set_xlabel(data.effect_label + (" (log scale)" if data.is_ratio else ""))
        if data.is_ratio:
            _ratio_ticks(ax)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig


def write_figure(figure: Figure, path: Path) -> Path:
    """Write `figure` to `path` as SVG or PNG, chosen by the suffix; returns `path`.

    The SVG hash salt is fixed and the date left out, so writing the same figure twice gives
    identical bytes (matplotlib otherwise salts element ids with a random value).
    """
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in SAVE_FORMATS:
        raise ValueError(f"{path}: plots are written as .svg or .png, not {path.suffix!r}")
    if suffix == "svg":
        path.write_bytes(svg_bytes(figure))
        return path
    with mpl.rc_context({"svg.hashsalt": "evimap", "svg.fonttype": "none"}):
        figure.savefig(path, format=suffix, dpi=150, metadata={"Software": None})
    return path


def svg_bytes(figure: Figure) -> bytes:
    """`figure` as SVG markup (what `write_figure` writes to an .svg file), for a web page.

    matplotlib's SVG holds no script; text stays text (`svg.fonttype` none) and is
    XML-escaped by its writer, so study labels cannot become markup.
    """
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "evimap", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", dpi=150, metadata={"Date": None})
    return buffer.getvalue()


def _normal_quantile(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 200.0))


def _draw_studies(ax: Axes, data: ForestData, ys: FloatArray) -> None:
    lines = ax.hlines(ys, data.ci_lower, data.ci_upper, colors="black", linewidth=0.9, zorder=2)
    lines.set_gid("study-intervals")
    share = data.weights / max(float(data.weights.max()), 1e-12)
    sides = np.maximum(MAX_SQUARE_POINTS * np.sqrt(share), MIN_SQUARE_POINTS)
    squares = ax.scatter(data.yi, ys, s=sides**2, marker="s", c="black", zorder=3, linewidths=0)
    squares.set_gid("study-squares")


def _draw_pooled(ax: Axes, data: ForestData, pooled_y: float, pi_y: float) -> None:
    half = 0.38
    diamond = Polygon(
        [
            (data.ci_lower_pooled, pooled_y),
            (data.estimate, pooled_y + half),
            (data.ci_upper_pooled, pooled_y),
            (data.estimate, pooled_y - half),
        ],
        closed=True,
        facecolor="black",
        edgecolor="black",
        zorder=3,
    )
    diamond.set_gid("pooled-diamond")
    ax.add_patch(diamond)
    if data.pi_lower is not None and data.pi_upper is not None:
        bar = ax.errorbar(
            [data.estimate],
            [pi_y],
            xerr=[[data.estimate - data.pi_lower], [data.pi_upper - data.estimate]],
            fmt="none",
            ecolor="black",
            elinewidth=1.6,
            capsize=3.5,
            zorder=3,
        )
        for artist in bar.get_children():
            artist.set_gid("prediction-interval")
    top, bottom = 0.5, (pi_y if data.pi_lower is not None else pooled_y) - 0.5
    null = ax.vlines(0.0, bottom, top, colors="#555555", linewidth=0.8, zorder=1)
    null.set_gid("null-line")
    ax.vlines(data.estimate, bottom, top, colors="#999999", linewidth=0.7, linestyle=":", zorder=1)


def _set_effect_axis(ax: Axes, data: ForestData) -> None:
    bounds = [data.ci_lower, data.ci_upper, [0.0, data.ci_lower_pooled, data.ci_upper_pooled]]
    if data.pi_lower is not None and data.pi_upper is not None:
        bounds.append([data.pi_lower, data.pi_upper])
    values = np.concatenate([np.asarray(b, dtype=np.float64) for b in bounds])
    values = values[np.isfinite(values)]
    low, high = float(values.min()), float(values.max())
    pad = 0.04 * ((high - low) or 1.0)
    ax.set_xlim(low - pad, high + pad)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(data.effect_label + (" (log scale)" if data.is_ratio else ""))
    if data.is_ratio:
        _ratio_ticks(ax)


def _ratio_ticks(ax: Axes) -> None:
    """Ticks at round ratios placed at their logarithms, labelled with the ratio itself.

    Over a wide range only the powers of ten, 0.5 and 2 are kept, so labels never touch.
    """
    low, high = ax.get_xlim()
    ticks = [t for t in RATIO_TICKS if low <= math.log(t) <= high]
    if len(ticks) > MAX_RATIO_TICKS:
        ticks = [t for t in ticks if t in SPARSE_RATIO_TICKS]
    if len(ticks) < 3:
        ticks = sorted({*ticks, *(round(math.exp(v), 2) for v in np.linspace(low, high, 4))})
        ticks = [t for t in ticks if t > 0 and low <= math.log(t) <= high]
    ax.set_xticks([math.log(t) for t in ticks], labels=[f"{t:g}" for t in ticks])


def _draw_columns(
    fig: Figure, ax: Axes, data: ForestData, ys: FloatArray, pooled_y: float, pi_y: float
) -> None:
    """The text columns: labels on the left; weight and estimate [CI] on the right."""
    row = blended_transform_factory(fig.transFigure, ax.transData)
    label_x, weight_x, value_x = 0.02, 0.725, 0.975
    header_y = 1.0
    ci_head = f"{data.effect_label} [{number(data.level, 0)}% CI]"
    fig.text(label_x, header_y, "Study", transform=row, weight="bold", va="center")
    fig.text(weight_x, header_y, "Weight", transform=row, weight="bold", va="center", ha="right")
    fig.text(value_x, header_y, ci_head, transform=row, weight="bold", va="center", ha="right")
    for label, y, w, yi, lo, hi in zip(
        data.labels, ys, data.weights, data.yi, data.ci_lower, data.ci_upper, strict=True
    ):
        text = interval_text(float(yi), float(lo), float(hi), is_ratio=data.is_ratio)
        fig.text(label_x, y, label, transform=row, va="center")
        fig.text(weight_x, y, f"{number(float(w), 1)}%", transform=row, va="center", ha="right")
        fig.text(value_x, y, text, transform=row, va="center", ha="right")
    pooled = interval_text(
        data.estimate, data.ci_lower_pooled, data.ci_upper_pooled, is_ratio=data.is_ratio
    )
    fig.text(label_x, pooled_y, data.model_label, transform=row, va="center", weight="bold")
    fig.text(weight_x, pooled_y, "100.0%", transform=row, va="center", ha="right")
    fig.text(value_x, pooled_y, pooled, transform=row, va="center", ha="right", weight="bold")
    if data.pi_lower is not None and data.pi_upper is not None:
        back: Callable[[float], float] = math.exp if data.is_ratio else float
        pi = f"[{number(back(data.pi_lower))}, {number(back(data.pi_upper))}]"
        fig.text(label_x, pi_y, "Prediction interval", transform=row, va="center")
        fig.text(value_x, pi_y, pi, transform=row, va="center", ha="right")
