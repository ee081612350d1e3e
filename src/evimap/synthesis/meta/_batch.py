"""Weighted least squares over many meta-analyses at once (padded arrays with a mask).

Every estimator and every fit works on a `Batch`: m analyses padded to K studies, with
moderator matrices X of shape (m, K, p) and a mask of real studies. Padding carries zero
weight, so sums over K are sums over each analysis's own studies. The traces metafor
computes from the kxk projection P = W - WX(XᵀWX)⁻¹XᵀW are rewritten in pxp pieces
(tr(P) = Σw - tr(S XᵀW²X) with S = (XᵀWX)⁻¹, and so on), so memory grows with m·K·p², not
m·K², and thousands of analyses fit in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Batch:
    """m analyses of up to K studies: effects y, variances v, design X (m, K, p), mask."""

    y: FloatArray
    v: FloatArray
    x: FloatArray
    mask: BoolArray

    @property
    def k(self) -> npt.NDArray[np.int64]:
        """Studies per analysis."""
        return np.asarray(self.mask.sum(axis=1), dtype=np.int64)

    @property
    def p(self) -> int:
        """Coefficients per analysis (columns of X)."""
        return int(self.x.shape[2])

    @property
    def centred_y(self) -> FloatArray:
        """y minus each analysis's mean: metafor estimates τ² on centred y for stability."""
        k = np.maximum(self.k, 1)
        mean = np.where(self.mask, self.y, 0.0).sum(axis=1) / k
        return np.where(self.mask, self.y - mean[:, None], 0.0)

    def weights(self, tau2: FloatArray) -> FloatArray:
        """Inverse-variance weights 1/(v + τ²), zero on padding."""
        with np.errstate(divide="ignore", invalid="ignore"):
            w = 1.0 / (self.v + tau2[:, None])
        return np.where(self.mask, w, 0.0)

    def w_inverse(self, tau2: FloatArray) -> FloatArray:
        """Marginal variances v + τ² (1 on padding)."""
        return np.where(self.mask, self.v + tau2[:, None], 1.0)

    def unit_weights(self) -> FloatArray:
        """Weight 1 for every real study (ordinary least squares)."""
        return self.mask.astype(np.float64)


def single(y: FloatArray, v: FloatArray, x: FloatArray | None = None) -> Batch:
    """One analysis as a batch of one (X defaults to an intercept column)."""
    design = np.ones((len(y), 1)) if x is None else x
    return Batch(y[None, :], v[None, :], design[None, :, :], np.ones((1, len(y)), dtype=bool))


def grouped(y: FloatArray, v: FloatArray, group: npt.NDArray[np.int64], n_groups: int) -> Batch:
    """Intercept-only analyses from flat arrays and a dense group index 0..n_groups-1."""
    order = np.argsort(group, kind="stable")
    sizes = np.bincount(group, minlength=n_groups)
    width = int(sizes.max()) if n_groups else 0
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    sorted_group = group[order]
    column = np.arange(len(group)) - starts[sorted_group]
    yy = np.zeros((n_groups, width))
    vv = np.ones((n_groups, width))
    mask = np.zeros((n_groups, width), dtype=bool)
    yy[sorted_group, column] = y[order]
    vv[sorted_group, column] = v[order]
    mask[sorted_group, column] = True
    return Batch(yy, vv, mask[:, :, None].astype(np.float64), mask)


@dataclass(frozen=True, eq=False)
class Wls:
    """A weighted least-squares fit of y on X with weights w (per analysis)."""

    w: FloatArray
    s: FloatArray
    beta: FloatArray
    resid: FloatArray

    @property
    def rss(self) -> FloatArray:
        """Σ w r² (= yᵀPy, the generalised Q at these weights)."""
        return np.asarray((self.w * self.resid**2).sum(axis=1), dtype=np.float64)


def quad(x: FloatArray, d: FloatArray) -> FloatArray:
    """Xᵀ diag(d) X per analysis: (m, p, p)."""
    return np.asarray(np.einsum("mki,mk,mkj->mij", x, d, x), dtype=np.float64)


def trace_product(a: FloatArray, b: FloatArray) -> FloatArray:
    """tr(AB) per analysis for (m, p, p) matrices."""
    return np.asarray(np.einsum("mij,mji->m", a, b), dtype=np.float64)


def wls(batch: Batch, w: FloatArray, y: FloatArray | None = None) -> Wls:
    """Weighted least squares per analysis (pass `y` to fit other values than batch.y)."""
    target = batch.y if y is None else y
    xtwx = quad(batch.x, w)
    s = np.asarray(np.linalg.inv(xtwx), dtype=np.float64)
    xtwy = np.einsum("mki,mk,mk->mi", batch.x, w, target)
    beta = np.einsum("mij,mj->mi", s, xtwy)
    fitted = np.einsum("mki,mi->mk", batch.x, beta)
    resid = np.where(batch.mask, target - fitted, 0.0)
    return Wls(w, s, beta, resid)


def trace_p(batch: Batch, fit: Wls) -> FloatArray:
    """tr(P)."""
    return np.asarray(
        fit.w.sum(axis=1) - trace_product(fit.s, quad(batch.x, fit.w**2)), dtype=np.float64
    )


def trace_pp(batch: Batch, fit: Wls) -> FloatArray:
    """tr(PP) (= sum(P*P) as P is symmetric)."""
    w = fit.w
    sw2 = np.einsum("mij,mjk->mik", fit.s, quad(batch.x, w**2))
    return np.asarray(
        (w**2).sum(axis=1)
        - 2.0 * trace_product(fit.s, quad(batch.x, w**3))
        + trace_product(sw2, sw2),
        dtype=np.float64,
    )


def trace_pv(batch: Batch, fit: Wls) -> FloatArray:
    """tr(PV), V = diag(v)."""
    w, v = fit.w, np.where(batch.mask, batch.v, 0.0)
    return np.asarray(
        (w * v).sum(axis=1) - trace_product(fit.s, quad(batch.x, w**2 * v)), dtype=np.float64
    )


def trace_pvpv(batch: Batch, fit: Wls) -> FloatArray:
    """tr(PVPV) (metafor's sum(PV * t(PV)))."""
    w, v = fit.w, np.where(batch.mask, batch.v, 0.0)
    sc = np.einsum("mij,mjk->mik", fit.s, quad(batch.x, w**2 * v))
    return np.asarray(
        (w**2 * v**2).sum(axis=1)
        - 2.0 * trace_product(fit.s, quad(batch.x, w**3 * v**2))
        + trace_product(sc, sc),
        dtype=np.float64,
    )


def trace_ppv(batch: Batch, fit: Wls) -> FloatArray:
    """tr(PPV) (metafor's sum(PV * P))."""
    w, v = fit.w, np.where(batch.mask, batch.v, 0.0)
    sd = np.einsum("mij,mjk->mik", fit.s, quad(batch.x, w**2))
    se = np.einsum("mij,mjk->mik", fit.s, quad(batch.x, w**2 * v))
    return np.asarray(
        (v * w**2).sum(axis=1)
        - 2.0 * trace_product(fit.s, quad(batch.x, w**3 * v))
        + trace_product(sd, se),
        dtype=np.float64,
    )


def ypp_y(fit: Wls) -> FloatArray:
    """yᵀPPy = Σ (w r)²."""
    return np.asarray(((fit.w * fit.resid) ** 2).sum(axis=1), dtype=np.float64)


def log_det(a: FloatArray) -> FloatArray:
    """log|A| per analysis."""
    return np.asarray(np.linalg.slogdet(a)[1], dtype=np.float64)
