"""Momentum: recent form over rolling windows, streaks and rest flags, as they stood before each game.

Season-to-date stats (`team_stats`) say how good a team has been; these say how it is playing
now. Windows run across season boundaries on purpose: a team's last five games are its last
five games, even if some were last season. Ties count half a win and break a streak.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.timeline import ResultHistory, per_game, start_ranks, team_results, window_sum

DEFAULT_WINDOWS = (5, 10)
STREAK_COLUMN = "streak"


def rolling_stat_names(windows: tuple[int, ...] = DEFAULT_WINDOWS) -> list[str]:
    """Per-side stat names: `form_last5` is the share of the last five results won."""
    names = []
    for window in windows:
        names += [
            f"form_last{window}",
            f"points_for_per_game_last{window}",
            f"points_against_per_game_last{window}",
            f"point_differential_per_game_last{window}",
        ]
    return [*names, STREAK_COLUMN]


def momentum_columns(side: str, windows: tuple[int, ...] = DEFAULT_WINDOWS) -> list[str]:
    return [f"{side}_{name}" for name in rolling_stat_names(windows)]


def _streak_after_each_result(history: ResultHistory, long: dict[str, np.ndarray]) -> np.ndarray:
    """Signed run length after each counted result in history order: +3 three wins, −2 two losses."""
    won = long["won"][history.order]
    outcome = np.sign(won - 0.5)  # +1 win, −1 loss, 0 tie
    competitor = long["competitor"][history.order]
    is_new_run = np.ones(len(outcome), dtype=bool)
    is_new_run[1:] = (outcome[1:] != outcome[:-1]) | (competitor[1:] != competitor[:-1])
    run_start = np.maximum.accumulate(np.where(is_new_run, np.arange(len(outcome)), 0))
    return outcome * (np.arange(len(outcome)) - run_start + 1)


def momentum(games: pd.DataFrame, windows: tuple[int, ...] = DEFAULT_WINDOWS) -> pd.DataFrame:
    """`home_*` / `away_*` rolling form and streak per game, in the row order of `games`."""
    long = {**team_results(games), "rank": np.tile(start_ranks(games["start_time"]), 2)}
    history = ResultHistory.build(long["competitor"], long["rank"], long["counted"], long["game_id"])
    end = history.before(long["competitor"], long["rank"])
    first = history.group_start(long["competitor"])
    sums = {name: history.cumulative(long[name]) for name in ("won", "points_for", "points_against")}

    stats: dict[str, np.ndarray] = {}
    for window in windows:
        start = np.maximum(end - window, first)
        played = (end - start).astype("float64")
        points_for = window_sum(sums["points_for"], start, end)
        points_against = window_sum(sums["points_against"], start, end)
        stats[f"form_last{window}"] = per_game(window_sum(sums["won"], start, end), played)
        stats[f"points_for_per_game_last{window}"] = per_game(points_for, played)
        stats[f"points_against_per_game_last{window}"] = per_game(points_against, played)
        stats[f"point_differential_per_game_last{window}"] = per_game(points_for - points_against, played)
    streak_after = _streak_after_each_result(history, long)
    latest = streak_after[np.maximum(end - 1, 0)] if len(streak_after) else np.zeros(len(end))
    stats[STREAK_COLUMN] = np.where(end > first, latest, 0.0)  # no earlier result: no streak

    game_count = len(games)
    return pd.DataFrame({
        f"{side}_{name}": stats[name][rows]
        for side, rows in (("home", slice(0, game_count)), ("away", slice(game_count, 2 * game_count)))
        for name in rolling_stat_names(windows)
    }, index=range(game_count))


def rest_flags(rest_days: pd.Series, short_rest_days: int) -> pd.DataFrame:
    """`short_rest` (at most the sport's short-rest threshold) and `back_to_back` (played yesterday).

    Flags are 1.0 / 0.0, NaN when the rest is unknown (a team's first game in the data).
    """
    days = rest_days.to_numpy(dtype="float64")
    known = ~np.isnan(days)
    return pd.DataFrame({
        "short_rest": np.where(known, (days <= short_rest_days).astype("float64"), np.nan),
        "back_to_back": np.where(known, (days <= 1).astype("float64"), np.nan),
    }, index=rest_days.index)
