"""Forest and funnel plots of the BCG trials (Colditz et al. 1994), checked in the files written.

The SVG files are read back as XML: study labels are text (svg.fonttype "none"), and each
drawn element the plot promises carries its id (`study-squares`, `pooled-diamond` …), so a
test can count squares and find the diamond without reading pixels.
"""

from __future__ import annotations

import csv
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from evimap.synthesis.meta import MetaResult, escalc, rma
from evimap.synthesis.meta.bias import trimfill
from evimap.synthesis.meta.plots import (
    forest_figure,
    funnel_figure,
    heterogeneity_text,
    number,
    write_figure,
)

from ...conftest import DATA

SVG = "{http://www.w3.org/2000/svg}"
BCG = DATA / "meta" / "bcg.csv"


def bcg_rows() -> list[dict[str, str]]:
    with BCG.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def bcg_labels() -> list[str]:
    return [f"{row['author']}, {row['year']}" for row in bcg_rows()]


def bcg_fit(method: str = "REML") -> MetaResult:
    rows = bcg_rows()
    cells = {c: [float(r[c]) for r in rows] for c in ("ai", "bi", "ci", "di")}
    return rma(escalc("RR", **cells), method=method)


def svg_root(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return root


def group(root: ET.Element, gid: str) -> ET.Element:
    found = [e for e in root.iter(f"{SVG}g") if e.get("id") == gid]
    assert len(found) == 1, f"{gid}: {len(found)} groups"
    return found[0]


def markers(element: ET.Element) -> int:
    """Drawn markers in a scatter group: paths outside <defs>, plus <use> references."""

    def drawn(node: ET.Element) -> Iterator[ET.Element]:
        for child in node:
            if child.tag == f"{SVG}defs":
                continue
            if child.tag in (f"{SVG}path", f"{SVG}use"):
                yield child
            yield from drawn(child)

    return sum(1 for _ in drawn(element))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def artist(figure: Figure, gid: str) -> object:
    found = [a for ax in figure.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


@pytest.fixture(scope="module")
def forest_svg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plots") / "forest.svg"
    return write_figure(forest_figure(bcg_fit(), labels=bcg_labels()), path)


def test_plots_forest_svg_has_a_square_per_study(forest_svg: Path) -> None:
    assert markers(group(svg_root(forest_svg), "study-squares")) == 13


def test_plots_forest_svg_names_every_study(forest_svg: Path) -> None:
    shown = texts(svg_root(forest_svg))
    for label in bcg_labels():
        assert label in shown


def test_plots_forest_prints_estimates_weights_and_heterogeneity(forest_svg: Path) -> None:
    shown = texts(svg_root(forest_svg))
    assert "0.41 [0.13, 1.26]" in shown  # Aronson 1948: RR 4/123 vs 11/139
    assert "0.49 [0.34, 0.70]" in shown  # metafor: exp(-0.7145) [0.34, 0.70] (mf02)
    assert "[0.15, 1.55]" in shown  # metafor's predict(res, transf=exp): PI 0.15 to 1.55
    assert "100.0%" in shown
    assert "Heterogeneity: τ² = 0.31, I² = 92.2%, Q = 152.23 (df = 12, p < 0.001)" in shown
    assert "Test for overall effect: z = \u22123.97 (p < 0.001)" in shown
    assert "RE Model (REML)" in shown


def test_plots_forest_svg_draws_diamond_prediction_interval_and_null_line(
    forest_svg: Path,
) -> None:
    root = svg_root(forest_svg)
    for gid in ("pooled-diamond", "null-line", "study-intervals"):
        assert [e for e in root.iter() if e.get("id") == gid], gid
    assert [e for e in root.iter() if e.get("id") == "prediction-interval"]


def test_plots_forest_ratio_axis_is_back_transformed(forest_svg: Path) -> None:
    shown = texts(svg_root(forest_svg))
    assert "Risk Ratio (log scale)" in shown
    assert {"0.1", "0.5", "1", "2"} <= set(shown)


def test_plots_forest_axis_ticks_sit_at_the_log_of_their_labels() -> None:
    figure = forest_figure(bcg_fit(), labels=bcg_labels())
    ax = figure.axes[0]
    for position, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True):
        assert math.exp(position) == pytest.approx(float(label.get_text()))


def test_plots_forest_square_areas_follow_the_weights() -> None:
    fit = bcg_fit()
    squares = artist(forest_figure(fit, labels=bcg_labels()), "study-squares")
    assert isinstance(squares, PathCollection)
    areas = squares.get_sizes()
    assert np.argmax(areas) == np.argmax(fit.weights)
    ratio = areas / fit.weights
    assert ratio == pytest.approx(np.full(13, ratio[0]))


def test_plots_forest_study_intervals_are_wald_intervals() -> None:
    fit = bcg_fit()
    lines = artist(forest_figure(fit, labels=bcg_labels()), "study-intervals")
    assert isinstance(lines, LineCollection)
    ends = np.array([segment[:, 0] for segment in lines.get_segments()])
    half = 1.959964 * np.sqrt(fit.vi)
    assert ends[:, 0] == pytest.approx(fit.yi - half, abs=1e-5)
    assert ends[:, 1] == pytest.approx(fit.yi + half, abs=1e-5)


def test_plots_forest_common_effect_model_has_no_prediction_interval(tmp_path: Path) -> None:
    path = write_figure(forest_figure(bcg_fit("FE"), labels=bcg_labels()), tmp_path / "fe.svg")
    root = svg_root(path)
    assert not [e for e in root.iter() if e.get("id") == "prediction-interval"]
    shown = texts(root)
    assert "FE Model" in shown
    assert not any("τ²" in text for text in shown)


def test_plots_forest_default_labels_number_the_studies(tmp_path: Path) -> None:
    path = write_figure(forest_figure(bcg_fit()), tmp_path / "numbered.svg")
    shown = texts(svg_root(path))
    assert "Study 1" in shown
    assert "Study 13" in shown


def test_plots_forest_rejects_labels_that_do_not_match_the_studies() -> None:
    with pytest.raises(ValueError, match="12 labels for 13 studies"):
        forest_figure(bcg_fit(), labels=bcg_labels()[:12])


def test_plots_forest_mean_difference_axis_is_linear() -> None:
    fit = rma(
        escalc(
            "MD",
            m1i=[55, 27, 64],
            sd1i=[47, 7, 17],
            n1i=[155, 31, 75],
            m2i=[75, 29, 119],
            sd2i=[64, 4, 29],
            n2i=[156, 32, 71],
        ),
        method="DL",
    )
    ax = forest_figure(fit).axes[0]
    assert ax.get_xlabel() == "Mean Difference"
    assert ax.get_xlim()[0] < -55 < ax.get_xlim()[1]


def test_plots_forest_png_is_a_png_of_the_figure_size(tmp_path: Path) -> None:
    figure = forest_figure(bcg_fit(), labels=bcg_labels())
    path = write_figure(figure, tmp_path / "forest.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width = mpimg.imread(path).shape[:2]
    inches = figure.get_size_inches()
    assert (width, height) == (round(inches[0] * 150), round(inches[1] * 150))


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_plots_are_byte_for_byte_reproducible(tmp_path: Path, suffix: str) -> None:
    first = write_figure(forest_figure(bcg_fit(), labels=bcg_labels()), tmp_path / f"a{suffix}")
    second = write_figure(forest_figure(bcg_fit(), labels=bcg_labels()), tmp_path / f"b{suffix}")
    assert first.read_bytes() == second.read_bytes()


def test_plots_write_figure_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        write_figure(forest_figure(bcg_fit()), tmp_path / "forest.pdf")


def test_plots_funnel_shows_observed_and_filled_studies(tmp_path: Path) -> None:
    fit = bcg_fit()
    filled = trimfill(fit.yi, fit.vi)
    assert filled.k0 == 1  # metafor: trimfill(res) on the BCG REML fit (mf07)
    path = write_figure(funnel_figure(fit, trimfill=filled), tmp_path / "funnel.svg")
    root = svg_root(path)
    assert markers(group(root, "observed-studies")) == 13
    assert markers(group(root, "filled-studies")) == 1
    assert [e for e in root.iter() if e.get("id") == "pseudo-confidence-region"]


def test_plots_funnel_without_trimfill_has_no_open_points(tmp_path: Path) -> None:
    root = svg_root(write_figure(funnel_figure(bcg_fit()), tmp_path / "funnel.svg"))
    assert not [e for e in root.iter() if e.get("id") == "filled-studies"]


def test_plots_funnel_standard_error_axis_points_down() -> None:
    fit = bcg_fit()
    ax = funnel_figure(fit).axes[0]
    bottom, top = ax.get_ylim()
    assert top == 0.0
    assert bottom > float(np.sqrt(fit.vi).max())
    assert ax.get_ylabel() == "Standard error"


def test_plots_funnel_is_centred_on_the_trimfill_estimate() -> None:
    fit = bcg_fit()
    filled = trimfill(fit.yi, fit.vi)
    line = artist(funnel_figure(fit, trimfill=filled), "estimate-line")
    xs = line.get_xdata()  # type: ignore[attr-defined]
    assert list(xs) == pytest.approx([filled.result.estimate] * 2)
    assert filled.result.estimate != pytest.approx(fit.estimate)


def test_plots_number_uses_a_true_minus_and_no_negative_zero() -> None:
    assert number(-0.7145) == "\u22120.71"
    assert number(-0.001) == "0.00"
    assert number(math.nan) == "NA"


def test_plots_heterogeneity_text_leaves_out_tau2_for_common_effect() -> None:
    text = heterogeneity_text(tau2=None, i2=0.0, q=3.2, q_df=4, q_p=0.52)
    assert text == "Heterogeneity: I² = 0.0%, Q = 3.20 (df = 4, p = 0.520)"
