"""Season-to-date team form, as it stood before each game.

Computed in long team-game format (one row per team per game) with cumulative sums over a
sort, not a per-game filter: the sums are exclusive of every game sharing this game's start
time, so a game never sees itself, nor a simultaneous game (whose result was unknown at kick-off).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.elo import start_time_nanoseconds
from royaley_pipeline.domain.timeline import team_results

SEASON_STATS = [
    "games_played",
    "win_pct",
    "points_for_per_game",
    "points_against_per_game",
    "point_differential_per_game",
]
TEAM_STATS = [*SEASON_STATS, "rest_days"]
NOT_PLAYED_STATUSES = frozenset({"cancelled", "canceled", "postponed", "abandoned"})
"""Games with these statuses do not count as a team's previous game for rest."""


def team_stat_columns(side: str) -> list[str]:
    return [f"{side}_{stat}" for stat in TEAM_STATS]


def _group_starts(*sorted_keys: np.ndarray) -> np.ndarray:
    """For each row of a sorted frame, the position of the first row with the same keys."""
    row_count = len(sorted_keys[0])
    is_new = np.zeros(row_count, dtype=bool)
    if row_count:
        is_new[0] = True
    for key in sorted_keys:
        is_new[1:] |= key[1:] != key[:-1]
    return np.maximum.accumulate(np.where(is_new, np.arange(row_count), 0))


def team_stats(games: pd.DataFrame) -> pd.DataFrame:
    """`home_*` and `away_*` season-to-date stats plus rest days, one row per game in input order.

    Only final games with both scores count. Ties count half a win. Per-game rates are NaN before
    a team's first counted game of the season (no evidence is not zero evidence).
    """
    game_count = len(games)
    long = team_results(games)
    team_codes = long["competitor"]
    start = np.tile(start_time_nanoseconds(games["start_time"]), 2)
    season = np.tile(games["season"].to_numpy(), 2)
    counted = long["counted"].astype("float64")
    points_for, points_against, wins = long["points_for"], long["points_against"], long["won"]

    # Season-to-date sums: exclusive cumulative sums, read at the first row of this start time,
    # minus the same at the first row of this team-season.
    order = np.lexsort((start, season, team_codes))
    first_same_time = _group_starts(team_codes[order], season[order], start[order])
    first_of_season = _group_starts(team_codes[order], season[order])
    sums = {}
    for name, values in (("games", counted), ("wins", wins), ("for", points_for), ("against", points_against)):
        ordered = values[order]
        exclusive = np.cumsum(ordered) - ordered
        before = np.empty(len(ordered))
        before[order] = exclusive[first_same_time] - exclusive[first_of_season]
        sums[name] = before
    played = sums["games"]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_game = np.where(played > 0, 1.0 / played, np.nan)
    stats = {
        "games_played": played,
        "win_pct": sums["wins"] * per_game,
        "points_for_per_game": sums["for"] * per_game,
        "points_against_per_game": sums["against"] * per_game,
        "point_differential_per_game": (sums["for"] - sums["against"]) * per_game,
    }

    # Rest: calendar days since the team's latest earlier game, across seasons.
    game_day = np.tile(start_time_nanoseconds(pd.DatetimeIndex(games["game_date"]).normalize()), 2)
    played_or_due = ~np.tile(games["status"].isin(NOT_PLAYED_STATUSES).to_numpy(), 2)
    rest_days = np.full(2 * game_count, np.nan)
    eligible = np.flatnonzero(played_or_due)
    rest_order = eligible[np.lexsort((start[eligible], team_codes[eligible]))]
    first_same_time = _group_starts(team_codes[rest_order], start[rest_order])
    previous = first_same_time - 1
    has_previous = previous >= 0
    has_previous[has_previous] &= team_codes[rest_order][previous[has_previous]] == team_codes[rest_order][
        has_previous]
    day_ns = 86_400 * 10**9
    gap = (game_day[rest_order] - game_day[rest_order][np.maximum(previous, 0)]) / day_ns
    rest_days[rest_order] = np.where(has_previous, gap, np.nan)
    stats["rest_days"] = rest_days

    return pd.DataFrame({
        "game_id": games["game_id"].to_numpy(),
        **{f"{side}_{stat}": stats[stat][rows]
           for side, rows in (("home", slice(0, game_count)), ("away", slice(game_count, 2 * game_count)))
           for stat in TEAM_STATS},
    })
