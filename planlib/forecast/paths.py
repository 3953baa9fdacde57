"""Path samplers: the noise model of a fitted forecast, turned into simulated futures.

A sampler is a small picklable object: ``sampler(z)`` maps standard-normal draws
``z`` of shape ``(h, n_paths)`` onto ``n_paths`` simulated futures of the series, so
the caller decides how draws are correlated across series (see ``forecast.engine``).
Its ``mean`` is the point forecast the paths are centred on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats


class PathSampler:
    """Base class: ``mean`` (h,) and ``__call__(z) -> paths`` of shape ``(h, n_paths)``."""

    mean: np.ndarray

    def __call__(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class LinearPaths(PathSampler):
    """``mean + sigma * sum_j psi_j z_{t-j}``: the paths of a linear Gaussian model.

    ``psi`` are the moving-average weights of the forecast error (``psi[0] = 1``):
    all ones for a random walk, ones at multiples of 12 for a seasonal random walk,
    ``alpha`` for simple exponential smoothing.
    """

    mean: np.ndarray
    sigma: float
    psi: np.ndarray

    def __call__(self, z: np.ndarray) -> np.ndarray:
        h = z.shape[0]
        psi = np.zeros(h)
        k = min(h, len(self.psi))
        psi[:k] = self.psi[:k]
        idx = np.arange(h)
        lower = idx[:, None] - idx[None, :]
        weights = np.where(lower >= 0, psi[np.clip(lower, 0, h - 1)], 0.0)
        return self.mean[:h, None] + self.sigma * (weights @ z)


@dataclass
class EtsPaths(PathSampler):
    """Simulated futures of a fitted ETS state-space model (Hyndman et al. 2008 recursions).

    States are those after the last observation: level ``l``, trend ``b`` and the last
    ``m`` seasonal states ``s`` (oldest first). Errors are ``sigma * z``: absolute for
    additive-error models, relative for multiplicative ones.
    """

    mean: np.ndarray
    error: str
    trend: str | None
    seasonal: str | None
    alpha: float
    beta: float
    gamma: float
    phi: float
    level: float
    slope: float
    season: np.ndarray
    sigma: float
    scale: float = 1.0

    def __call__(self, z: np.ndarray) -> np.ndarray:
        h, n = z.shape
        eps = self.sigma * z
        mul_e = self.error == "mul"
        mul_s = self.seasonal == "mul"
        l = np.full(n, float(self.level))
        b = np.full(n, float(self.slope) if self.trend else 0.0)
        m = len(self.season) if self.seasonal else 0
        season = np.tile(np.asarray(self.season, float)[:, None], (1, n)) if m else None
        out = np.empty((h, n))
        for t in range(h):
            big_b = self.phi * b if self.trend else np.zeros(n)
            big_l = l + big_b
            if m:
                big_s = season[t % m]
            else:
                big_s = np.zeros(n)
            yhat = big_l * big_s if mul_s else big_l + big_s
            if mul_e:
                eta = yhat
                k_l = 0.0 if mul_s else big_s
                k_b = k_l + l
                k_s = 0.0 if mul_s else big_l
            else:
                eta = 1.0
                k_l = 1.0 / big_s if mul_s else 1.0
                k_b = k_l
                k_s = 1.0 / big_l if mul_s else 1.0
            e = eps[t]
            out[t] = yhat + eta * e
            new_l = big_l + self.alpha * (mul_e * big_l + k_l) * e
            if self.trend:
                b = big_b + self.beta * (mul_e * big_b + k_b) * e
            if m:
                season[t % m] = big_s + self.gamma * (mul_e * big_s + k_s) * e
            l = new_l
        return out * self.scale


@dataclass
class ScaledPaths(PathSampler):
    """The paths of ``inner`` multiplied (or shifted) by seasonal factors."""

    inner: PathSampler
    factors: np.ndarray
    multiplicative: bool = True
    mean: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        h = len(self.inner.mean)
        f = np.asarray(self.factors, float)[:h]
        self.mean = self.inner.mean * f if self.multiplicative else self.inner.mean + f

    def __call__(self, z: np.ndarray) -> np.ndarray:
        f = np.asarray(self.factors, float)[: z.shape[0], None]
        paths = self.inner(z)
        return paths * f if self.multiplicative else paths + f


@dataclass
class RecenteredPaths(PathSampler):
    """The spread of ``inner`` around a different point forecast ``mean``.

    Used by combinations: the paths of the member with a proper noise model, moved so
    their centre (the member's own point forecast) sits on the combined forecast.
    """

    inner: PathSampler
    mean: np.ndarray

    def __call__(self, z: np.ndarray) -> np.ndarray:
        h = z.shape[0]
        return self.inner(z) - self.inner.mean[:h, None] + self.mean[:h, None]


@dataclass
class EmpiricalPaths(PathSampler):
    """Months drawn independently from recent history, scaled to a point forecast.

    For intermittent series: each simulated month is a quantile of the recent monthly
    values (zeros included) at ``Phi(z)``, multiplied by ``mean / mean(values)``.
    """

    mean: np.ndarray
    values: np.ndarray

    def __call__(self, z: np.ndarray) -> np.ndarray:
        h = z.shape[0]
        vals = np.sort(np.asarray(self.values, float))
        base = vals.mean()
        u = stats.norm.cdf(z)
        draws = np.quantile(vals, u.ravel(), method="inverted_cdf").reshape(z.shape) if len(vals) else np.zeros_like(z)
        ratio = self.mean[:h] / base if base > 0 else np.zeros(h)
        return draws * ratio[:, None]


# ---------------------------------------------------------------------------
# Correlated draws across series
# ---------------------------------------------------------------------------


def correlation_from_covariance(cov: np.ndarray) -> np.ndarray:
    """The correlation matrix of a covariance matrix (unit diagonal)."""
    sd = np.sqrt(np.maximum(np.diag(cov), 1e-300))
    corr = cov / np.outer(sd, sd)
    corr[np.diag_indices_from(corr)] = 1.0
    return corr


def correlation_cholesky(corr: np.ndarray) -> np.ndarray:
    """Cholesky factor of ``corr`` after clipping its eigenvalues to stay positive definite."""
    vals, vecs = np.linalg.eigh((corr + corr.T) / 2)
    vals = np.maximum(vals, 1e-8)
    fixed = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    fixed = fixed / np.outer(d, d)
    return np.linalg.cholesky(fixed + 1e-12 * np.eye(len(fixed)))


def simulate_paths(
    samplers: list[PathSampler], means: np.ndarray, chol: np.ndarray, h: int, n_paths: int, rng: np.random.Generator
) -> np.ndarray:
    """Paths of every series, shape ``(series, h, n_paths)``, from correlated innovations.

    Standard-normal draws are correlated across series by ``chol`` (independent over
    months and paths), fed to each series' sampler, and the paths are shifted so
    their average is exactly the series' point forecast ``means``.
    """
    n = len(samplers)
    e = rng.standard_normal((n, h * n_paths))
    z = (chol @ e).reshape(n, h, n_paths)
    paths = np.empty((n, h, n_paths))
    for i, s in enumerate(samplers):
        p = np.asarray(s(z[i]), float)
        if not np.all(np.isfinite(p)):
            p = np.where(np.isfinite(p), p, means[i][:, None])
        paths[i] = p + (means[i] - p.mean(axis=1))[:, None]
    return paths
