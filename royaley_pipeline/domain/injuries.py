"""Injury reports as features: who is listed before kick-off, weighted by status and position.

Each report is attached to the team's next game starting after it was observed (an injury
report is published for the upcoming game) and only if it is at most `lookback_days` old at
kick-off; a player's latest status before that game wins. Where no report of the sport was
observed in the look-back at all, counts are NaN with `injuries_available = 0`: no collected
report is not a healthy roster.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.elo import start_time_nanoseconds
from royaley_pipeline.domain.timeline import ResultHistory

INJURY_COLUMNS = [
    "home_injury_count", "away_injury_count", "home_injury_impact", "away_injury_impact",
    "injury_impact_difference", "injuries_available",
]
DEFAULT_LOOKBACK_DAYS = 7

STATUS_WEIGHTS = {
    "out": 1.0, "injured reserve": 1.0, "ir": 1.0, "suspension": 1.0, "doubtful": 0.75,
    "questionable": 0.4, "day-to-day": 0.4, "probable": 0.1,
}
"""Chance-weighted absence: statuses not listed (active, available) weigh nothing."""
POSITION_WEIGHTS = {
    "NFL": {"QB": 3.0}, "NCAAF": {"QB": 3.0}, "NHL": {"G": 2.0}, "MLB": {"SP": 2.0},
}
"""Positions worth more than one ordinary player; everyone else weighs 1."""


def injury_features(games: pd.DataFrame, injuries: pd.DataFrame | None, sport_code: str,
                    lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> pd.DataFrame:
    """One row per game in input order. `injuries` has team, player_name, position, status, observed_at."""
    game_count = len(games)
    kick_off = start_time_nanoseconds(games["start_time"])
    lookback = lookback_days * 86_400 * 10**9
    result = pd.DataFrame({column: np.full(game_count, np.nan) for column in INJURY_COLUMNS})
    if injuries is None or injuries.empty:
        result["injuries_available"] = 0.0
        return result

    observed = np.sort(start_time_nanoseconds(injuries["observed_at"]))
    reports_in_lookback = (np.searchsorted(observed, kick_off, side="left")
                           - np.searchsorted(observed, kick_off - lookback, side="left"))
    available = reports_in_lookback > 0

    attached = _attach_to_next_game(games, injuries, kick_off, lookback)
    status_weight = attached["status"].str.lower().map(STATUS_WEIGHTS).fillna(0.0).to_numpy()
    position_weight = attached["position"].map(POSITION_WEIGHTS.get(sport_code, {})).fillna(1.0).to_numpy()
    team_game = attached["team_game"].to_numpy()  # home rows 0..n−1, then away rows
    count = np.bincount(team_game, weights=(status_weight > 0).astype(float), minlength=2 * game_count)
    impact = np.bincount(team_game, weights=status_weight * position_weight, minlength=2 * game_count)
    for side, rows in (("home", slice(0, game_count)), ("away", slice(game_count, 2 * game_count))):
        result[f"{side}_injury_count"] = np.where(available, count[rows], np.nan)
        result[f"{side}_injury_impact"] = np.where(available, impact[rows], np.nan)
    result["injury_impact_difference"] = result["home_injury_impact"] - result["away_injury_impact"]
    result["injuries_available"] = available.astype("float64")
    return result


def _attach_to_next_game(games: pd.DataFrame, injuries: pd.DataFrame, kick_off: np.ndarray,
                         lookback: int) -> pd.DataFrame:
    """Each report with its team's next game (`team_game`: home rows first, then away rows);
    one row per team-game and player, the latest report winning."""
    codes, teams = pd.factorize(pd.concat([games["home_team"], games["away_team"]], ignore_index=True))
    start = np.tile(kick_off, 2)
    report_team = pd.Index(teams).get_indexer(injuries["team"].to_numpy())
    report_time = start_time_nanoseconds(injuries["observed_at"])
    # Game and report instants ranked on one clock, so "after the report" is a rank comparison.
    rank = np.unique(np.concatenate([start, report_time]), return_inverse=True)[1].reshape(-1)
    start_rank, report_rank = rank[: len(start)], rank[len(start):]
    schedule = ResultHistory.build(codes, start_rank, np.ones(len(codes), dtype=bool),
                                   stride=int(rank.max(initial=0)) + 2)
    next_game = schedule.before(report_team, report_rank + 1)  # the team's first game strictly after
    found = (report_team >= 0) & (next_game < len(schedule.keys))
    found[found] &= schedule.group_of(next_game[found]) == report_team[found]
    team_game = schedule.order[np.minimum(next_game, max(len(schedule.order) - 1, 0))]
    found &= (start[team_game] - report_time) <= lookback
    frame = injuries.loc[found, ["player_name", "position", "status", "observed_at"]].assign(
        team_game=team_game[found])
    frame = frame.sort_values("observed_at", kind="stable")
    return frame.drop_duplicates(["team_game", "player_name"], keep="last")
