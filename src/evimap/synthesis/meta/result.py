"""The result of a meta-analysis: every field documented, as metafor documents `rma` objects.

`MetaResult` is the contract between the engine and everything that shows a meta-analysis
(the CLI's JSON, the forest plot, the web page). Its field names follow DESIGN.md; their
meaning follows the `\\value` section of metafor's `rma.uni` help page (Viechtbauer 2010,
doi:10.18637/jss.v036.i03). `ManyResults` holds the same fields as arrays, one entry per
analysis, for `rma_many`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from evimap.synthesis.meta.measures import Measure
from evimap.synthesis.meta.tau2 import Method, Test

FloatArray = npt.NDArray[np.float64]

DESIGN_FIELDS = (
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "z_or_t",
    "p",
    "tau2",
    "tau2_ci",
    "i2",
    "h2",
    "q",
    "q_df",
    "q_p",
    "pi_lower",
    "pi_upper",
    "k",
)
"""The fields `evimap meta --format json` prints, in DESIGN.md's order."""


@dataclass(frozen=True)
class BinaryTests:
    """Tests that only 2x2 data allow (`rma_mh`): metafor's `CO`, `MH` (printed CMH) and `TA`.

    `cochran` is Cochran's test with binomial variances, `cmh` the Cochran-Mantel-Haenszel
    test with hypergeometric variances (Mantel & Haenszel 1959, doi:10.1093/jnci/22.4.719),
    both with a 0.5 continuity correction unless `correct=False`; `tarone` is Tarone's
    (1985, doi:10.1093/biomet/72.1.91) test of homogeneity of odds ratios on k-1 df.
    Values are NaN for measures where metafor does not report them (RR, RD).
    """

    cochran: float
    cochran_p: float
    cmh: float
    cmh_p: float
    tarone: float
    tarone_p: float


@dataclass(frozen=True, eq=False)
class MetaResult:
    """One fitted meta-analysis (common-effect, random-effects or meta-regression).

    Fields (metafor's name in brackets):

    - `estimate` [`beta[1]`]: the pooled effect on the analysis scale (log scale for OR/RR);
      with moderators, the first coefficient (the intercept when there is one).
    - `se` [`se[1]`]: its standard error (Knapp-Hartung scaled under `test="knha"/"adhoc"`).
    - `ci_lower`, `ci_upper` [`ci.lb`, `ci.ub`]: its confidence interval at `level`.
    - `z_or_t` [`zval`]: the Wald statistic (a t statistic under `test` t/knha/adhoc).
    - `p` [`pval`]: its two-sided p-value (normal or t on `df` degrees of freedom).
    - `df` [`ddf`]: degrees of freedom of the t tests (k - p), NaN for z tests.
    - `tau2` [`tau2`]: the (residual) between-study variance; 0 for common-effect models.
    - `se_tau2` [`se.tau2`]: its standard error as metafor computes it per estimator (NaN for
      common-effect models).
    - `tau2_ci` [`confint()$random["tau^2",]`]: the Q-profile interval for τ² (Viechtbauer
      2007, doi:10.1002/sim.2514), or None for common-effect, Mantel-Haenszel and Peto fits.
    - `i2`, `h2` [`I2`, `H2`]: heterogeneity as percent and ratio. For random-effects models
      they derive from τ² and the typical variance ṽ = (k - p)/tr(P) (Higgins & Thompson
      2002, doi:10.1002/sim.1186), so they depend on the estimator; for common-effect, MH
      and Peto fits they are Q-based, I² truncated at 0 and H² = Q/df not truncated.
    - `q`, `q_df`, `q_p` [`QE`, `k - p`, `QEp`]: Cochran's Q (residual heterogeneity with
      moderators), its degrees of freedom and χ² p-value.
    - `pi_lower`, `pi_upper` [`predict()$pi.lb/pi.ub`]: the prediction interval
      estimate ± c·√(se² + τ²), c = z (t on `df` for t tests); equals the CI when τ² = 0.
      NaN with moderators (a prediction needs moderator values; see `fit.predict`).
    - `k` [`k`]: number of studies used.
    - `measure`, `method`, `test`, `level`: what was fitted and how (`level` in percent).
    - `yi`, `vi`: the effect sizes and sampling variances used (rows dropped as missing or
      double-zero are not included).
    - `weights` [`weights()`]: each study's weight in percent, aligned with `yi`: 1/(vᵢ + τ²)
      for `rma`; the Mantel-Haenszel or Peto weights for MH and Peto fits (`mh.mh_weights`,
      `mh.peto_weights`, as metafor's `weights.rma.mh` / `weights.rma.peto`).
    - `coef_names`, `beta`, `beta_se`, `beta_stat`, `beta_p`, `beta_ci_lower`,
      `beta_ci_upper`, `vcov` [`beta`, `se`, `zval`, `pval`, `ci.lb`, `ci.ub`, `vb`]: every
      coefficient; for intercept-only models these repeat the scalar fields.
    - `qm`, `qm_df`, `qm_p` [`QM`, `QMdf`, `QMp`]: omnibus test of the moderators (all
      coefficients but the intercept); an F statistic with (m, k - p) df under t tests.
      NaN for intercept-only models.
    - `r2` [`R2`]: pseudo-R² in percent, (τ²_RE - τ²_ME)/τ²_RE for mixed-effects models
      (Raudenbush 2009), adjusted weighted R² for common-effect models with moderators;
      NaN without moderators.
    - `loglik` [`logLik()`]: the log-likelihood the estimator maximises (restricted for REML,
      full otherwise).
    - `s2_knha` [`s2w`]: the Knapp-Hartung scale factor (1 for z tests).
    - `typical_v` [`vt`]: the typical sampling variance (k - p)/tr(P) behind I² and H²
      (NaN for MH and Peto fits).
    - `binary_tests`: CMH/Tarone tests for Mantel-Haenszel fits, else None.
    """

    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    z_or_t: float
    p: float
    tau2: float
    tau2_ci: tuple[float, float] | None
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_lower: float
    pi_upper: float
    k: int
    measure: Measure | None
    method: Method | str
    test: Test
    level: float
    df: float
    se_tau2: float
    yi: FloatArray
    vi: FloatArray
    weights: FloatArray
    coef_names: tuple[str, ...] = ("intrcpt",)
    beta: FloatArray = field(default_factory=lambda: np.zeros(0))
    beta_se: FloatArray = field(default_factory=lambda: np.zeros(0))
    beta_stat: FloatArray = field(default_factory=lambda: np.zeros(0))
    beta_p: FloatArray = field(default_factory=lambda: np.zeros(0))
    beta_ci_lower: FloatArray = field(default_factory=lambda: np.zeros(0))
    beta_ci_upper: FloatArray = field(default_factory=lambda: np.zeros(0))
    vcov: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    qm: float = math.nan
    qm_df: tuple[int, float] = (0, math.nan)
    qm_p: float = math.nan
    r2: float = math.nan
    loglik: float = math.nan
    s2_knha: float = 1.0
    typical_v: float = math.nan
    binary_tests: BinaryTests | None = None

    @property
    def tau(self) -> float:
        """√τ², the between-study standard deviation."""
        return math.sqrt(max(self.tau2, 0.0))

    @property
    def is_ratio(self) -> bool:
        """Whether the estimate is a log ratio that reads better back-transformed (exp)."""
        return self.measure is not None and self.measure.is_ratio

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN.md JSON fields, then method/measure/test/level and, for ratio measures,
        the back-transformed (`exp_…`) estimate and intervals."""
        out: dict[str, Any] = {}
        for name in DESIGN_FIELDS:
            value = getattr(self, name)
            if name == "tau2_ci":
                out[name] = None if value is None else [_json_float(v) for v in value]
            elif isinstance(value, int):
                out[name] = value
            else:
                out[name] = _json_float(float(value))
        out["method"] = str(self.method)
        out["measure"] = None if self.measure is None else str(self.measure)
        out["test"] = str(self.test)
        out["level"] = self.level
        out["se_tau2"] = _json_float(self.se_tau2)
        if self.is_ratio:
            for name in ("estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper"):
                out[f"exp_{name}"] = _json_float(math.exp(getattr(self, name)))
        if len(self.coef_names) > 1:
            out["coefficients"] = [
                {
                    "name": name,
                    "estimate": _json_float(float(self.beta[i])),
                    "se": _json_float(float(self.beta_se[i])),
                    "z_or_t": _json_float(float(self.beta_stat[i])),
                    "p": _json_float(float(self.beta_p[i])),
                    "ci_lower": _json_float(float(self.beta_ci_lower[i])),
                    "ci_upper": _json_float(float(self.beta_ci_upper[i])),
                }
                for i, name in enumerate(self.coef_names)
            ]
            out["qm"] = _json_float(self.qm)
            out["qm_df"] = [self.qm_df[0], _json_float(self.qm_df[1])]
            out["qm_p"] = _json_float(self.qm_p)
            out["r2"] = _json_float(self.r2)
        if self.binary_tests is not None:
            tests = self.binary_tests
            out["binary_tests"] = {
                name: _json_float(getattr(tests, name))
                for name in ("cochran", "cochran_p", "cmh", "cmh_p", "tarone", "tarone_p")
            }
        out["weights"] = [_json_float(float(w)) for w in self.weights]
        return out


@dataclass(frozen=True, eq=False)
class ManyResults:
    """Many intercept-only meta-analyses fitted at once (`rma_many`): one array entry per
    analysis, fields as in `MetaResult`. `groups` holds each analysis's group label in the
    order of the arrays; `tau2_ci_lower`/`tau2_ci_upper` are the Q-profile bounds."""

    groups: npt.NDArray[Any]
    estimate: FloatArray
    se: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    z_or_t: FloatArray
    p: FloatArray
    tau2: FloatArray
    tau2_ci_lower: FloatArray
    tau2_ci_upper: FloatArray
    i2: FloatArray
    h2: FloatArray
    q: FloatArray
    q_df: npt.NDArray[np.int64]
    q_p: FloatArray
    pi_lower: FloatArray
    pi_upper: FloatArray
    k: npt.NDArray[np.int64]
    se_tau2: FloatArray
    df: FloatArray
    method: Method
    test: Test
    level: float
    measure: Measure | None = None

    def __len__(self) -> int:
        return int(self.estimate.shape[0])

    def row(self, index: int) -> dict[str, Any]:
        """The DESIGN.md JSON fields of one analysis (as `MetaResult.to_dict` gives them)."""
        out: dict[str, Any] = {}
        for name in DESIGN_FIELDS:
            if name == "tau2_ci":
                lower = float(self.tau2_ci_lower[index])
                upper = float(self.tau2_ci_upper[index])
                out[name] = None if math.isnan(lower) else [lower, upper]
            elif name in ("k", "q_df"):
                out[name] = int(getattr(self, name)[index])
            else:
                out[name] = _json_float(float(getattr(self, name)[index]))
        out["group"] = (
            self.groups[index].item()
            if hasattr(self.groups[index], "item")
            else (self.groups[index])
        )
        out["method"] = str(self.method)
        out["test"] = str(self.test)
        out["level"] = self.level
        return out

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every analysis as `row` gives it."""
        return [self.row(i) for i in range(len(self))]


def _json_float(value: float) -> float | None:
    """A float for JSON: NaN and infinities become null (JSON has no spelling for them)."""
    return value if math.isfinite(value) else None
