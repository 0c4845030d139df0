"""Odds arithmetic: American odds at the edges, decimal odds and probabilities inside.

Every function is vectorised: it accepts a scalar, a numpy array or a pandas Series and returns
the same kind (a Series keeps its index), so the same code serves one bet and a whole season.
Invalid American odds (|odds| < 100, NaN) become NaN rather than raising, because bad prices
in a feed must not stop a feature build.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STANDARD_PRICE_AMERICAN = -110.0
"""The usual price of a spread or total side; feeds that omit the price mean this."""

ArrayLike = float | np.ndarray | pd.Series


def _as_float_array(values: ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype="float64")


def _like(result: np.ndarray, template: ArrayLike) -> ArrayLike:
    """Give the result the shape of the input: Series in, Series out; scalar in, float out."""
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index, name=template.name)
    if np.ndim(template) == 0:
        return float(result)
    return result


def american_to_decimal(american: ArrayLike) -> ArrayLike:
    """+150 → 2.5, −110 → 1.909…; values strictly between −100 and +100 are not odds → NaN."""
    odds = _as_float_array(american)
    with np.errstate(divide="ignore", invalid="ignore"):
        decimal = np.where(odds >= 100, 1.0 + odds / 100.0, 1.0 + 100.0 / np.abs(odds))
    decimal = np.where((odds >= 100) | (odds <= -100), decimal, np.nan)
    return _like(decimal, american)


def decimal_to_american(decimal: ArrayLike) -> ArrayLike:
    """2.5 → +150, 1.909… → −110; even money (2.0) is +100. Decimal odds ≤ 1 are not odds → NaN."""
    odds = _as_float_array(decimal)
    with np.errstate(divide="ignore", invalid="ignore"):
        american = np.where(odds >= 2.0, (odds - 1.0) * 100.0, -100.0 / (odds - 1.0))
    american = np.where(odds > 1.0, american, np.nan)
    return _like(american, decimal)


def implied_probability(american: ArrayLike) -> ArrayLike:
    """Break-even probability of a price, vig included (the two sides sum to more than 1)."""
    decimal = _as_float_array(american_to_decimal(_as_float_array(american)))
    return _like(1.0 / decimal, american)


def fill_standard_price(american: ArrayLike) -> ArrayLike:
    """Missing spread/total prices mean the standard −110; moneylines must not use this."""
    odds = _as_float_array(american)
    return _like(np.where(np.isnan(odds), STANDARD_PRICE_AMERICAN, odds), american)


def devig_two_way(american_a: ArrayLike, american_b: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """Fair probabilities of a two-way market by multiplicative normalisation.

    Each side's implied probability is divided by their sum (the overround), the simplest
    de-vig and the one the reference numbers in the design brief use. NaN if either side is missing.
    """
    implied_a = _as_float_array(implied_probability(_as_float_array(american_a)))
    implied_b = _as_float_array(implied_probability(_as_float_array(american_b)))
    overround = implied_a + implied_b
    return _like(implied_a / overround, american_a), _like(implied_b / overround, american_b)
