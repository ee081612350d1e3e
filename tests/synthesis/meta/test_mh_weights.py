"""Study weights of Mantel-Haenszel and Peto fits: the methods' own weights in percent, as
metafor's `weights.rma.mh` and `weights.rma.peto` define them, checked by hand on the BCG
2x2 tables (Colditz et al. 1994, doi:10.1001/jama.1994.03510330081039; `dat.bcg`)."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from evimap.synthesis.meta.mh import rma_mh, rma_peto

from ...conftest import DATA


def bcg() -> dict[str, np.ndarray]:
    with (DATA / "meta" / "bcg.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {cell: np.array([float(row[cell]) for row in rows]) for cell in ("ai", "bi", "ci", "di")}


@pytest.mark.parametrize(
    ("measure", "by_hand"),
    [
        ("OR", lambda a, b, c, d: b * c / (a + b + c + d)),
        ("RR", lambda a, b, c, d: c * (a + b) / (a + b + c + d)),
        ("RD", lambda a, b, c, d: (a + b) * (c + d) / (a + b + c + d)),
    ],
)
def test_mh_weights_are_the_mantel_haenszel_weights_in_percent(measure, by_hand) -> None:
    cells = bcg()
    result = rma_mh(measure, **cells)
    expected = by_hand(cells["ai"], cells["bi"], cells["ci"], cells["di"])
    assert result.weights.sum() == pytest.approx(100.0, rel=1e-12)
    np.testing.assert_allclose(result.weights, 100.0 * expected / expected.sum(), rtol=1e-12)
    inverse_variance = 100.0 / result.vi / np.sum(1.0 / result.vi)
    assert not np.allclose(result.weights, inverse_variance)


def test_mh_or_is_the_weighted_mean_of_the_study_odds_ratios() -> None:
    cells = bcg()
    a, b, c, d = cells["ai"], cells["bi"], cells["ci"], cells["di"]
    result = rma_mh("OR", **cells)
    weighted = np.sum(result.weights * (a * d) / (b * c)) / 100.0
    assert math.exp(result.estimate) == pytest.approx(weighted, rel=1e-12)


def test_peto_weights_are_the_hypergeometric_variances_in_percent() -> None:
    cells = bcg()
    a, b, c, d = cells["ai"], cells["bi"], cells["ci"], cells["di"]
    n1, n2 = a + b, c + d
    n = n1 + n2
    variance = (a + c) * (b + d) * n1 * n2 / (n**2 * (n - 1))
    result = rma_peto(**cells)
    assert result.weights.sum() == pytest.approx(100.0, rel=1e-12)
    np.testing.assert_allclose(result.weights, 100.0 * variance / variance.sum(), rtol=1e-12)


def test_mh_weights_leave_out_double_zero_tables_with_their_effect() -> None:
    result = rma_mh(
        "OR",
        ai=np.array([2.0, 0.0, 5.0]),
        bi=np.array([20.0, 15.0, 30.0]),
        ci=np.array([4.0, 0.0, 6.0]),
        di=np.array([18.0, 16.0, 29.0]),
    )
    assert len(result.weights) == len(result.yi) == 2
    assert result.weights.sum() == pytest.approx(100.0, rel=1e-12)
