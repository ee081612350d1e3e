"""Properties every pooled result must have, checked on generated data (hypothesis), plus
the direct-formula oracle for FE and DL and the batch/single equivalence of `rma_many`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evimap.errors import InvalidStudyData, NoConvergence
from evimap.synthesis.meta import escalc, rma, rma_many
from evimap.synthesis.meta import tau2 as tau2_module
from evimap.synthesis.meta.mh import rma_mh

effects = st.floats(min_value=-3, max_value=3, allow_nan=False)
variances = st.floats(min_value=0.01, max_value=2, allow_nan=False)


@st.composite
def studies(draw: st.DrawFn, min_k: int = 2, max_k: int = 12) -> tuple[np.ndarray, np.ndarray]:
    k = draw(st.integers(min_value=min_k, max_value=max_k))
    y = np.array(draw(st.lists(effects, min_size=k, max_size=k)))
    v = np.array(draw(st.lists(variances, min_size=k, max_size=k)))
    return y, v


FAST = settings(max_examples=40)
METHODS = ["FE", "DL", "REML", "PM", "ML", "HE", "SJ"]


@FAST
@given(studies(), st.sampled_from(METHODS), st.randoms())
def test_fit_study_order_changes_nothing(data, method, random) -> None:
    y, v = data
    order = list(range(len(y)))
    random.shuffle(order)
    first = rma(y, v, method=method)
    second = rma(y[order], v[order], method=method)
    assert second.estimate == pytest.approx(first.estimate, abs=1e-8)
    assert second.tau2 == pytest.approx(first.tau2, abs=1e-6)
    assert second.q == pytest.approx(first.q, rel=1e-9, abs=1e-9)


@FAST
@given(studies())
def test_fit_dl_equals_fe_when_tau2_zero(data) -> None:
    y, v = data
    random_effects = rma(y, v, method="DL")
    if random_effects.tau2 > 0:
        return
    common = rma(y, v, method="FE")
    assert random_effects.estimate == pytest.approx(common.estimate, abs=1e-12)
    assert random_effects.se == pytest.approx(common.se, rel=1e-12)


@FAST
@given(studies())
def test_fit_random_effects_with_tau2_fixed_at_zero_is_common_effect(data) -> None:
    y, v = data
    fixed = rma(y, v, method="REML", tau2=0.0)
    common = rma(y, v, method="FE")
    assert fixed.estimate == pytest.approx(common.estimate, abs=1e-12)
    assert fixed.ci_lower == pytest.approx(common.ci_lower, abs=1e-12)


@FAST
@given(studies(), st.sampled_from(METHODS))
def test_fit_tau2_nonnegative_and_i2_below_100(data, method) -> None:
    y, v = data
    result = rma(y, v, method=method)
    assert result.tau2 >= 0
    assert 0 <= result.i2 < 100
    assert result.h2 >= 0


@FAST
@given(studies(), st.sampled_from(METHODS))
def test_fit_ci_contains_estimate_and_widens_with_level(data, method) -> None:
    y, v = data
    narrow = rma(y, v, method=method, level=90)
    wide = rma(y, v, method=method, level=99)
    assert narrow.ci_lower <= narrow.estimate <= narrow.ci_upper
    assert wide.ci_lower <= narrow.ci_lower
    assert wide.ci_upper >= narrow.ci_upper
    assert narrow.pi_lower <= narrow.ci_lower + 1e-12


@FAST
@given(studies(min_k=1))
def test_fit_fe_estimate_within_range_of_studies(data) -> None:
    y, v = data
    result = rma(y, v, method="FE")
    assert y.min() - 1e-12 <= result.estimate <= y.max() + 1e-12


def test_fit_fe_with_subnormal_q_has_no_heterogeneity() -> None:
    """Q of 4e-307 (found by hypothesis) overflowed (Q - df) / Q: I² is 0, no warning."""
    result = rma(np.array([0.0, 9.1264717e-154]), np.array([1.0, 1.0]), method="FE")
    assert result.i2 == 0.0
    assert result.h2 < 1e-300


@FAST
@given(studies(min_k=1))
def test_fit_duplicated_studies_halve_common_effect_variance(data) -> None:
    y, v = data
    once = rma(y, v, method="FE")
    twice = rma(np.concatenate([y, y]), np.concatenate([v, v]), method="FE")
    assert twice.se**2 == pytest.approx(once.se**2 / 2, rel=1e-10)
    assert twice.estimate == pytest.approx(once.estimate, abs=1e-12)


@FAST
@given(studies(), st.floats(min_value=-5, max_value=5), st.floats(min_value=0.2, max_value=5))
def test_fit_md_estimate_shifts_and_scales_with_data(data, shift, scale) -> None:
    y, v = data
    base = rma(y, v, method="DL")
    moved = rma(y * scale + shift, v * scale**2, method="DL")
    assert moved.estimate == pytest.approx(base.estimate * scale + shift, abs=1e-8)
    assert moved.tau2 == pytest.approx(base.tau2 * scale**2, rel=1e-8, abs=1e-10)


def test_fit_fe_and_dl_match_direct_formulas() -> None:
    y = np.array([0.10, 0.30, 0.35, 0.65, 0.45, 0.15])
    v = np.array([0.03, 0.03, 0.05, 0.01, 0.05, 0.02])
    w = 1 / v
    mu_fe = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - mu_fe) ** 2)
    tau2 = max(0.0, (q - 5) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    w_re = 1 / (v + tau2)
    mu_re = np.sum(w_re * y) / np.sum(w_re)
    se_re = math.sqrt(1 / np.sum(w_re))
    fe = rma(y, v, method="FE")
    dl = rma(y, v, method="DL")
    assert fe.estimate == pytest.approx(mu_fe, rel=1e-12)
    assert fe.se == pytest.approx(math.sqrt(1 / np.sum(w)), rel=1e-12)
    assert fe.q == pytest.approx(q, rel=1e-12)
    assert fe.i2 == pytest.approx(max(0.0, 100 * (q - 5) / q), rel=1e-12)
    assert dl.tau2 == pytest.approx(tau2, rel=1e-12)
    assert dl.estimate == pytest.approx(mu_re, rel=1e-12)
    assert dl.se == pytest.approx(se_re, rel=1e-12)
    assert dl.ci_lower == pytest.approx(mu_re - 1.959963984540054 * se_re, rel=1e-12)
    assert dl.i2 == pytest.approx(100 * max(0.0, (q - 5) / q), rel=1e-10)


@pytest.mark.parametrize("method", ["DL", "PM", "REML"])
def test_rma_many_equals_rma_per_analysis(method: str) -> None:
    rng = np.random.default_rng(5)
    sizes = rng.integers(2, 15, size=60)
    group = np.repeat(np.arange(60), sizes)
    truth = rng.normal(0, 0.4, size=60)[group]
    v = rng.uniform(0.01, 0.5, size=len(group))
    y = truth + rng.normal(0, np.sqrt(v)) + rng.normal(0, 0.3, size=len(group))
    many = rma_many(y, v, group, method=method)
    for index, label in enumerate(many.groups):
        rows = group == label
        one = rma(y[rows], v[rows], method=method)
        row = many.row(index)
        for name, value in one.to_dict().items():
            if name not in row or name in ("method", "test", "level"):
                continue
            if name == "tau2_ci":
                assert row[name] == pytest.approx(value, abs=1e-10)
            elif value is not None:
                assert row[name] == pytest.approx(value, rel=1e-10, abs=1e-10), name


def test_rma_many_fits_thousands_of_analyses() -> None:
    rng = np.random.default_rng(11)
    group = np.repeat(np.arange(3000), 8)
    v = rng.uniform(0.02, 0.3, size=len(group))
    y = rng.normal(0, 0.5, size=3000)[group] + rng.normal(0, np.sqrt(v))
    many = rma_many(y, v, group, method="REML", with_tau2_ci=False)
    assert len(many) == 3000
    assert np.all(np.isfinite(many.tau2))


def test_fit_single_study_random_effects_is_invalid() -> None:
    with pytest.raises(InvalidStudyData, match="1 usable study") as error:
        rma([0.3], [0.1], method="REML")
    assert error.value.record == "1"


def test_escalc_all_zero_cells_name_the_row() -> None:
    with pytest.raises(InvalidStudyData, match="row 2") as error:
        escalc("OR", ai=[3, 0], bi=[10, 0], ci=[4, 0], di=[9, 0])
    assert error.value.record == "2"


def test_escalc_negative_counts_name_the_row() -> None:
    with pytest.raises(InvalidStudyData, match="row 3: ai = -1 is negative"):
        escalc("RR", ai=[3, 2, -1], bi=[10, 8, 9], ci=[4, 1, 2], di=[9, 9, 9])


def test_escalc_zero_group_size_names_the_row() -> None:
    with pytest.raises(InvalidStudyData, match="row 1: group size n2i = 0"):
        escalc("MD", m1i=[1.0], sd1i=[1.0], n1i=[10], m2i=[0.5], sd2i=[1.0], n2i=[0])


def test_escalc_events_beyond_group_size_name_the_row() -> None:
    with pytest.raises(InvalidStudyData, match="row 1: bi = -2"):
        escalc("OR", ai=[12], n1i=[10], ci=[3], n2i=[10])


def test_mh_without_events_is_invalid() -> None:
    with pytest.raises(InvalidStudyData, match="needs events"):
        rma_mh("OR", ai=[0, 0], bi=[10, 12], ci=[0, 0], di=[11, 9])


def test_fit_non_convergence_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tau2_module, "MAX_ITERATIONS", 1)
    y = np.array([-1.0, 0.5, 2.0, 0.1, 1.2])
    v = np.array([0.1, 0.2, 0.05, 0.3, 0.1])
    with pytest.raises(NoConvergence, match="did not converge"):
        rma(y, v, method="REML")
