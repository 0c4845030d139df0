"""Is a result believable? Rules the asset checks apply to features and to a model's evidence.

The closing market is the sharpest public forecast there is: an honest model lands near it, a
little worse or (rarely, barely) better. A model far better than the market on many games almost
always means it saw something it should not have (a leak), so that fails; a model far worse is
allowed but flagged. Feature rules are ranges every value must lie in and the share of games the
core columns must fill.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from royaley_pipeline.domain.metrics import clip_probabilities

LEAK_MARGIN = 0.01
"""Log loss (nats) by which a model may beat the closing market before it is called a probable leak
(and only if also beyond three standard errors of the per-game difference)."""
WORSE_MARGIN = 0.05
"""Log loss by which a model may trail the market before the check warns that it is not useful."""


@dataclass(frozen=True)
class MarketComparison:
    games: int
    model_log_loss: float
    market_log_loss: float
    difference: float  # model − market: negative means the model beat the market
    standard_error: float
    verdict: str  # "plausible", "probable leak", "far worse than the market", "no priced games"

    @property
    def passed(self) -> bool:
        return self.verdict in ("plausible", "far worse than the market", "no priced games")


def compare_with_market(labels, model: np.ndarray, market: np.ndarray) -> MarketComparison:
    """The model's log loss against the market's on the games the market priced, game by game."""
    y = np.asarray(labels, dtype=float)
    model, market = np.asarray(model, dtype=float), np.asarray(market, dtype=float)
    priced = ~np.isnan(market) & ~np.isnan(model) & ~np.isnan(y)
    y, model, market = y[priced], clip_probabilities(model[priced]), clip_probabilities(market[priced])
    if not y.size:
        return MarketComparison(0, float("nan"), float("nan"), float("nan"), float("nan"), "no priced games")
    model_loss = -(y * np.log(model) + (1 - y) * np.log(1 - model))
    market_loss = -(y * np.log(market) + (1 - y) * np.log(1 - market))
    differences = model_loss - market_loss
    mean = float(differences.mean())
    error = float(differences.std(ddof=1) / np.sqrt(y.size)) if y.size > 1 else float("inf")
    if mean < -LEAK_MARGIN and mean + 3 * error < 0:
        verdict = "probable leak"
    elif mean > WORSE_MARGIN:
        verdict = "far worse than the market"
    else:
        verdict = "plausible"
    return MarketComparison(int(y.size), float(model_loss.mean()), float(market_loss.mean()), mean, error, verdict)


# Ranges every non-missing value of a column must lie in (columns matched by name or suffix).
FEATURE_RANGES: dict[str, tuple[float, float]] = {
    "_probability": (0.0, 1.0),
    "win_pct": (0.0, 1.0),
    "weather_impact": (0.0, 1.0),
    "_available": (0.0, 1.0),
    "home_elo": (500.0, 2500.0),
    "away_elo": (500.0, 2500.0),
    "rest_days": (0.0, 400.0),
    "games_played": (0.0, 200.0),
    "h2h_games": (0.0, 100.0),
    "wind_mph": (0.0, 120.0),
    "temperature_f": (-40.0, 130.0),
}
# Columns every game has (Elo is defined from the first game on) and the share that must be filled.
REQUIRED_COLUMNS = ("home_elo", "away_elo", "elo_diff", "home_elo_win_probability")
MIN_FILL_RATE = 0.999


def feature_problems(frame: pd.DataFrame) -> list[str]:
    """Values out of range and required columns under-filled, one line each (empty: all good)."""
    problems = []
    for column in frame.columns:
        bounds = next((b for pattern, b in FEATURE_RANGES.items() if column == pattern or column.endswith(pattern)),
                      None)
        if bounds is None:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        outside = values[(values < bounds[0]) | (values > bounds[1])]
        if len(outside):
            problems.append(f"{column}: {len(outside)} value(s) outside [{bounds[0]:g}, {bounds[1]:g}], "
                            f"e.g. {outside.iloc[0]:g}")
    for column in REQUIRED_COLUMNS:
        if column not in frame:
            continue
        rate = float(frame[column].notna().mean()) if len(frame) else 1.0
        if rate < MIN_FILL_RATE:
            problems.append(f"{column}: filled for {rate:.1%} of games, need {MIN_FILL_RATE:.1%}")
    return problems


def stake_problems(slate: pd.DataFrame, kelly_cap: float) -> list[str]:
    """Probabilities outside [0, 1] and stakes outside [0, cap] on a prediction slate."""
    problems = []
    for column in ("probability", "market_probability"):
        values = pd.to_numeric(slate.get(column, pd.Series(dtype=float)), errors="coerce")
        bad = values[(values < 0) | (values > 1)]
        if len(bad):
            problems.append(f"{column}: {len(bad)} value(s) outside [0, 1]")
        if column == "probability" and values.isna().any():
            problems.append(f"probability: {int(values.isna().sum())} missing")
    stakes = pd.to_numeric(slate.get("kelly_stake", pd.Series(dtype=float)), errors="coerce")
    bad = stakes[(stakes < 0) | (stakes > kelly_cap + 1e-12) | stakes.isna()]
    if len(bad):
        problems.append(f"kelly_stake: {len(bad)} value(s) outside [0, {kelly_cap:g}]")
    return problems
