"""Training labels: what happened, graded against the closing line.

Labels are floats (1.0 / 0.0) with NaN wherever there is nothing to learn from: a game not
final, a tie (no moneyline winner), a push (stake returned), or no line to grade against.
Dropping those rows is the trainer's decision; coding them 0 would teach the model a result
that never happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LABEL_COLUMNS = ["home_win", "home_cover", "over"]


def _one_zero_or_missing(value: np.ndarray) -> np.ndarray:
    """1 where positive, 0 where negative, NaN where zero (tie/push) or missing."""
    return np.where(value > 0, 1.0, np.where(value < 0, 0.0, np.nan))


def labels(games: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """`home_win`, `home_cover` (home score + closing home spread beats away score), `over`.

    `lines` is the output of `market_lines` (only `closing_spread_home` and `closing_total` are read).
    """
    closing = games[["game_id"]].merge(
        lines[["game_id", "closing_spread_home", "closing_total"]], on="game_id", how="left"
    )
    home_score = games["home_score"].to_numpy(dtype="float64")
    away_score = games["away_score"].to_numpy(dtype="float64")
    is_final = (games["status"] == "final").to_numpy()
    home_score = np.where(is_final, home_score, np.nan)
    away_score = np.where(is_final, away_score, np.nan)
    closing_spread_home = closing["closing_spread_home"].to_numpy(dtype="float64")
    closing_total = closing["closing_total"].to_numpy(dtype="float64")
    return pd.DataFrame(
        {
            "game_id": games["game_id"].to_numpy(),
            "home_win": _one_zero_or_missing(home_score - away_score),
            "home_cover": _one_zero_or_missing(home_score + closing_spread_home - away_score),
            "over": _one_zero_or_missing(home_score + away_score - closing_total),
        }
    )
