"""Scores for probability forecasts: how good a model is, and how it compares with the market.

Every score is computed on probabilities (never on hard picks), because a betting model is only
as useful as its probabilities are honest: edges and stakes are derived from them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, brier_score_loss, log_loss, roc_auc_score

PROBABILITY_FLOOR = 1e-6
"""Forecasts are clipped to [floor, 1 - floor] before scoring.

A calibrator (isotonic in particular) can emit exact 0 or 1; unclipped, one such miss makes the
log loss infinite and the comparison between models meaningless. At 1e-6 a confident miss still
costs about 13.8 nats, so overconfidence stays heavily punished.
"""

METRIC_NAMES = ("log_loss", "brier", "accuracy", "auc")

ArrayLike = Sequence[float] | np.ndarray | pd.Series


def clip_probabilities(probabilities: ArrayLike) -> np.ndarray:
    """Keep forecasts strictly inside (0, 1) so that every score stays finite."""
    return np.clip(np.asarray(probabilities, dtype=float), PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)


def _validated(outcomes: ArrayLike, probabilities: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(outcomes, dtype=float)
    p = np.asarray(probabilities, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"outcomes and probabilities must be 1-D of equal length, got {y.shape} and {p.shape}")
    if np.isnan(y).any() or np.isnan(p).any():
        raise ValueError("outcomes and probabilities must not hold NaN: drop pushes and unpriced games first")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 1 (event happened) or 0 (it did not)")
    return y.astype(int), clip_probabilities(p)


def probability_metrics(outcomes: ArrayLike, probabilities: ArrayLike) -> dict[str, float]:
    """Log loss, Brier score, accuracy at 0.5, ROC AUC and the number of games.

    AUC is NaN when only one outcome occurs (it is undefined there), and every score is NaN for an
    empty sample, so per-season tables never fail on a thin season.
    """
    y, p = _validated(outcomes, probabilities)
    n = int(y.size)
    if n == 0:
        return {"log_loss": float("nan"), "brier": float("nan"), "accuracy": float("nan"),
                "auc": float("nan"), "n": 0}
    both_outcomes = np.unique(y).size == 2
    return {
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "brier": float(brier_score_loss(y, p, pos_label=1)),
        "accuracy": float(accuracy_score(y, (p >= 0.5).astype(int))),
        "auc": float(roc_auc_score(y, p)) if both_outcomes else float("nan"),
        "n": n,
    }


def expected_calibration_error(outcomes: ArrayLike, probabilities: ArrayLike, bins: int = 10) -> float:
    """Game-weighted mean gap between forecast and observed frequency over equal-width bins.

    Log loss mixes discrimination with calibration; this isolates calibration, which is what
    Kelly staking depends on (a 55% forecast must win about 55% of the time).
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    y, p = _validated(outcomes, probabilities)
    if y.size == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    bin_index = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    counts = np.bincount(bin_index, minlength=bins)
    forecast_sums = np.bincount(bin_index, weights=p, minlength=bins)
    outcome_sums = np.bincount(bin_index, weights=y, minlength=bins)
    occupied = counts > 0
    gaps = np.abs(forecast_sums[occupied] - outcome_sums[occupied]) / counts[occupied]
    return float(np.sum(gaps * counts[occupied]) / y.size)


MIN_GAMES_PER_BIN = 30
"""The fewest games a reliability bin may hold: below that its observed frequency is noise (a bin of
two games can only read 0, 0.5 or 1), so thin bins are merged with their neighbours."""


def reliability_table(
    outcomes: ArrayLike, probabilities: ArrayLike, bins: int = 10, min_games: int = MIN_GAMES_PER_BIN
) -> pd.DataFrame:
    """Per bin: games, mean forecast and observed frequency (the reliability diagram's data).

    Bins start equal-width; adjacent bins are then merged, from the low end, until each holds at
    least ``min_games`` games (a thin last bin joins the one before it). With fewer than
    ``min_games`` games in all there is one bin.
    """
    y, p = _validated(outcomes, probabilities)
    edges = np.linspace(0.0, 1.0, bins + 1)
    bin_index = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    counts = np.bincount(bin_index, minlength=bins)
    groups, group, filled = np.zeros(bins, dtype=int), 0, 0
    for position, count in enumerate(counts):
        groups[position] = group
        filled += count
        if filled >= min_games and position < bins - 1:
            group, filled = group + 1, 0
    if filled < min_games and group > 0:  # the tail is thin (or empty): merge it into the group before
        groups[groups == group] = group - 1
    merged = groups[bin_index]
    frame = pd.DataFrame({"bin": merged, "forecast": p, "outcome": y})
    table = frame.groupby("bin").agg(games=("outcome", "size"), mean_forecast=("forecast", "mean"),
                                     observed=("outcome", "mean")).reset_index()
    table["bin_low"] = [edges[np.flatnonzero(groups == g)[0]] for g in table["bin"]]
    table["bin_high"] = [edges[np.flatnonzero(groups == g)[-1] + 1] for g in table["bin"]]
    return table[["bin_low", "bin_high", "games", "mean_forecast", "observed"]]
