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
    status_weight = attached["status"].str.lower().map(STATUS_WEIGHTS).fillna(0.0)
    position_weight = attached["position"].map(POSITION_WEIGHTS.get(sport_code, {})).fillna(1.0)
    attached = attached.assign(listed=(status_weight > 0).astype(float), impact=status_weight * position_weight)
    totals = attached.groupby(["game_position", "side"])[["listed", "impact"]].sum()
    for side in ("home", "away"):
        count, impact = np.zeros(game_count), np.zeros(game_count)
        if len(totals):
            side_totals = totals.xs(side, level="side") if side in totals.index.get_level_values("side") else None
            if side_totals is not None:
                count[side_totals.index.to_numpy()] = side_totals["listed"].to_numpy()
                impact[side_totals.index.to_numpy()] = side_totals["impact"].to_numpy()
        result[f"{side}_injury_count"] = np.where(available, count, np.nan)
        result[f"{side}_injury_impact"] = np.where(available, impact, np.nan)
    result["injury_impact_difference"] = result["home_injury_impact"] - result["away_injury_impact"]
    result["injuries_available"] = available.astype("float64")
    return result


def _attach_to_next_game(games: pd.DataFrame, injuries: pd.DataFrame, kick_off: np.ndarray,
                         lookback: int) -> pd.DataFrame:
    """Each report with the position and side of its team's next game; one row per game and player."""
    game_count = len(games)
    team = pd.concat([games["home_team"], games["away_team"]], ignore_index=True).to_numpy()
    codes, teams = pd.factorize(team)
    start = np.tile(kick_off, 2)
    report_team = pd.Index(teams).get_indexer(injuries["team"].to_numpy())
    report_time = start_time_nanoseconds(injuries["observed_at"])
    # Ranks of game and report instants on one clock keep team * stride + time inside int64.
    instants, rank = np.unique(np.concatenate([start, report_time]), return_inverse=True)
    stride = len(instants) + 1
    start_rank, report_rank = rank[: len(start)], rank[len(start):]
    order = np.lexsort((start_rank, codes))
    keys = codes[order].astype("int64") * stride + start_rank[order]

    known = report_team >= 0
    # the first game of the team starting strictly after the report
    next_slot = np.searchsorted(keys, report_team.astype("int64") * stride + report_rank, side="right")
    in_range = known & (next_slot < len(keys))
    in_range[in_range] &= codes[order][next_slot[in_range]] == report_team[in_range]
    row = np.where(in_range, order[np.minimum(next_slot, len(order) - 1)], -1)
    in_range &= (start[np.maximum(row, 0)] - report_time) <= lookback
    frame = injuries.loc[in_range, ["player_name", "position", "status", "observed_at"]].copy()
    frame["game_position"] = row[in_range] % game_count
    frame["side"] = np.where(row[in_range] < game_count, "home", "away")
    frame = frame.sort_values("observed_at", kind="stable")
    return frame.drop_duplicates(["game_position", "side", "player_name"], keep="last")
