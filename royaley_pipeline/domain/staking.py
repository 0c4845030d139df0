"""From a probability and a price to a bet: edge, signal tier and a capped Kelly stake.

All functions accept scalars, numpy arrays or pandas Series and answer in the same shape, so the
same code sizes one bet in a notebook and a whole slate in an asset.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

TIER_THRESHOLDS = (0.10, 0.05, 0.02)
TIER_NAMES = ("A", "B", "C")
NO_SIGNAL_TIER = "D"
BOUNDARY_TOLERANCE = 1e-12
"""An edge of exactly 10% computed as ``p × d − 1`` can land a few ulps short; it is still 10%."""


def _like(template: Any, values: np.ndarray) -> Any:
    """Return ``values`` in the shape of ``template``: Series keeps its index, scalars stay scalars."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, name=template.name)
    if np.ndim(template) == 0:
        return values.item()
    return values


def _template(*inputs: Any) -> Any:
    for value in inputs:
        if isinstance(value, pd.Series):
            return value
    return next((value for value in inputs if np.ndim(value) > 0), inputs[0])


def edge(probability: Any, decimal_odds: Any) -> Any:
    """Expected profit per unit staked: ``p × d − 1``; positive means the price is too long."""
    p = np.asarray(probability, dtype=float)
    d = np.asarray(decimal_odds, dtype=float)
    return _like(_template(probability, decimal_odds), np.asarray(p * d - 1.0, dtype=float))


def signal_tier(edge_value: Any, thresholds: tuple[float, float, float] = TIER_THRESHOLDS) -> Any:
    """Grade an edge: "A" at or above the first threshold, then "B", "C", and "D" for the rest.

    A missing edge (no price) grades "D": no signal is never a bet.
    """
    if list(thresholds) != sorted(thresholds, reverse=True) or len(thresholds) != len(TIER_NAMES):
        raise ValueError(f"thresholds must be three values, highest first, got {thresholds}")
    values = np.asarray(edge_value, dtype=float)
    tiers = np.full(values.shape, NO_SIGNAL_TIER, dtype=object)
    for threshold, tier in zip(reversed(thresholds), reversed(TIER_NAMES), strict=True):
        tiers[np.nan_to_num(values, nan=-np.inf) >= threshold - BOUNDARY_TOLERANCE] = tier
    return _like(edge_value, tiers)


def kelly_stake(probability: Any, decimal_odds: Any, fraction: float = 0.25, cap: float = 0.05) -> Any:
    """Fractional Kelly stake as a share of bankroll, never negative and never above ``cap``.

    Full Kelly, ``(b p − q) / b`` with ``b = d − 1``, maximises growth only if ``p`` is exact;
    model probabilities are not, so a fraction and a cap trade a little growth for far less ruin
    risk. Invalid inputs (odds ≤ 1, probabilities outside [0, 1], NaN) stake nothing.
    """
    if not 0.0 <= fraction <= 1.0 or not 0.0 <= cap <= 1.0:
        raise ValueError(f"fraction and cap must lie in [0, 1], got {fraction} and {cap}")
    p = np.asarray(probability, dtype=float)
    d = np.asarray(decimal_odds, dtype=float)
    p, d = np.broadcast_arrays(p, d)
    net_odds = d - 1.0
    valid = np.isfinite(p) & np.isfinite(d) & (net_odds > 0) & (p >= 0) & (p <= 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        full_kelly = np.where(valid, (net_odds * p - (1.0 - p)) / np.where(valid, net_odds, 1.0), 0.0)
    stake = np.clip(full_kelly * fraction, 0.0, cap)
    return _like(_template(probability, decimal_odds), np.asarray(stake, dtype=float))
