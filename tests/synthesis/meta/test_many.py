"""`rma_many`'s flat fast path (per-group sums) against the padded batch and against `rma`
fitted on each analysis alone."""

from __future__ import annotations

import numpy as np
import pytest

from evimap.errors import InvalidStudyData
from evimap.synthesis.meta import ManyResults, rma, rma_many
from evimap.synthesis.meta._flat import METHODS
from evimap.synthesis.meta.many import rma_many_padded

FIELDS = (
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "z_or_t",
    "p",
    "tau2",
    "tau2_ci_lower",
    "tau2_ci_upper",
    "i2",
    "h2",
    "q",
    "q_p",
    "pi_lower",
    "pi_upper",
    "se_tau2",
    "df",
)
FLAT_METHODS = sorted(str(method) for method in METHODS)
SAME = 1e-12
"""Flat and padded paths do the same arithmetic in a different layout: equal to rounding."""


def random_analyses(
    seed: int, count: int = 150
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Analyses of 2 to 14 studies, about half of them heterogeneous, in shuffled order."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 15, size=count)
    group = np.repeat(np.arange(count), sizes)
    spread = np.where(rng.random(count) < 0.5, 0.0, 0.3)[group]
    v = rng.uniform(0.01, 0.5, size=len(group))
    y = rng.normal(0, 0.4, size=count)[group] + rng.normal(0, np.sqrt(v) + spread)
    order = rng.permutation(len(group))
    return y[order], v[order], group[order], sizes


def assert_same(ours: ManyResults, reference: ManyResults, tolerance: float) -> None:
    np.testing.assert_array_equal(ours.groups, reference.groups)
    np.testing.assert_array_equal(ours.k, reference.k)
    np.testing.assert_array_equal(ours.q_df, reference.q_df)
    for name in FIELDS:
        np.testing.assert_allclose(
            getattr(ours, name),
            getattr(reference, name),
            rtol=tolerance,
            atol=tolerance,
            err_msg=name,
        )


@pytest.mark.parametrize("test", ["z", "t", "knha", "adhoc"])
@pytest.mark.parametrize("method", FLAT_METHODS)
def test_rma_many_flat_path_equals_padded_path(method: str, test: str) -> None:
    y, v, group, _ = random_analyses(3)
    ours = rma_many(y, v, group, method=method, test=test)
    reference = rma_many_padded(y, v, group, method=method, test=test)
    assert_same(ours, reference, SAME)


@pytest.mark.parametrize("method", FLAT_METHODS)
def test_rma_many_flat_path_equals_rma_per_analysis(method: str) -> None:
    y, v, group, _ = random_analyses(8, count=40)
    many = rma_many(y, v, group, method=method, test="knha")
    for index, label in enumerate(many.groups):
        rows = group == label
        one = rma(y[rows], v[rows], method=method, test="knha")
        row = many.row(index)
        for name, value in one.to_dict().items():
            if name not in row or name in ("method", "test", "level") or value is None:
                continue
            assert row[name] == pytest.approx(value, rel=1e-10, abs=1e-12), (label, name)


def test_rma_many_sorted_and_shuffled_groups_give_the_same_results() -> None:
    y, v, group, _ = random_analyses(5)
    order = np.argsort(group, kind="stable")
    assert_same(
        rma_many(y[order], v[order], group[order], method="DL"),
        rma_many(y, v, group, method="DL"),
        0.0,
    )


def test_rma_many_text_labels_come_back_sorted() -> None:
    y, v, group, _ = random_analyses(6, count=5)
    names = np.array(["e", "d", "c", "b", "a"])[group]
    many = rma_many(y, v, names, method="DL")
    assert many.groups.tolist() == ["a", "b", "c", "d", "e"]
    alone = rma(y[names == "a"], v[names == "a"], method="DL")
    assert many.estimate[0] == pytest.approx(alone.estimate, rel=1e-12)


def test_rma_many_drops_missing_studies_before_fitting() -> None:
    y, v, group, _ = random_analyses(7, count=10)
    y_missing = y.copy()
    y_missing[0] = np.nan
    keep = np.arange(len(y)) != 0
    assert_same(
        rma_many(y_missing, v, group, method="REML"),
        rma_many(y[keep], v[keep], group[keep], method="REML"),
        0.0,
    )


def test_rma_many_padded_path_serves_methods_without_a_flat_form() -> None:
    y, v, group, _ = random_analyses(9, count=20)
    assert_same(
        rma_many(y, v, group, method="DLIT"),
        rma_many_padded(y, v, group, method="DLIT"),
        0.0,
    )


def test_rma_many_group_with_one_study_is_invalid() -> None:
    with pytest.raises(InvalidStudyData, match="group b has 1 usable studies") as error:
        rma_many([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], ["a", "a", "b"], method="DL")
    assert error.value.record == "b"
