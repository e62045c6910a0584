"""The Bass (1969) model fitted to a series of new adopters, to show beside womsim's fit.

Bass's cumulative adoption share is F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}), and the
adopters of period t are m (F(t) - F(t-1)). :func:`fit_bass` estimates m, p and q by non-linear
least squares on the observed periods (Srinivasan & Mason 1986), starting from Bass's own
regression estimates (the quadratic in cumulative adopters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit


def bass_share(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """F(t), the share of the market that has adopted by time t."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def bass_adopters(t: np.ndarray, m: float, p: float, q: float) -> np.ndarray:
    """Adopters in period t (periods 1, 2, ...): m (F(t) - F(t-1))."""
    t = np.asarray(t, dtype=float)
    return m * (bass_share(t, p, q) - bass_share(t - 1, p, q))


@dataclass(frozen=True)
class BassFit:
    """A Bass fit: market potential m, innovation p, imitation q, and its errors."""

    m: float
    p: float
    q: float
    rmse: float
    r2: float

    def adopters(self, t: np.ndarray) -> np.ndarray:
        """The fitted adopters of periods ``t``."""
        return bass_adopters(t, self.m, self.p, self.q)


def regression_start(sales: np.ndarray) -> tuple[float, float, float]:
    """Bass's (1969) estimates: S_t = a + b Y_{t-1} + c Y_{t-1}² by least squares, then
    m = (-b - √(b² - 4ac)) / 2c, p = a/m, q = -mc."""
    cum = np.concatenate([[0.0], np.cumsum(sales)[:-1]])
    a, b, c = np.linalg.lstsq(np.c_[np.ones_like(cum), cum, cum**2], sales, rcond=None)[0]
    disc = b * b - 4 * a * c
    if c >= 0 or disc < 0:
        m = 1.5 * float(np.sum(sales))
        return m, 0.01, 0.3
    m = (-b - np.sqrt(disc)) / (2 * c)
    return float(m), float(a / m), float(-m * c)


def fit_bass(t: np.ndarray, sales: np.ndarray) -> BassFit:
    """Least-squares Bass fit of ``sales`` (adopters per period) at periods ``t`` (1, 2, ...;
    missing periods may be left out)."""
    t, sales = np.asarray(t, dtype=float), np.asarray(sales, dtype=float)
    keep = ~np.isnan(sales)
    t, sales = t[keep], sales[keep]
    start = regression_start(sales) if np.all(np.diff(t) == 1) and t[0] == 1 else (
        1.5 * sales.sum(), 0.01, 0.3)
    (m, p, q), _ = curve_fit(bass_adopters, t, sales, p0=start,
                             bounds=([sales.sum(), 1e-6, 1e-6], [np.inf, 1.0, 5.0]),
                             maxfev=20000)
    fitted = bass_adopters(t, m, p, q)
    rmse = float(np.sqrt(np.mean((fitted - sales) ** 2)))
    r2 = float(1 - np.sum((fitted - sales) ** 2) / np.sum((sales - sales.mean()) ** 2))
    return BassFit(float(m), float(p), float(q), rmse, r2)
