"""Head-to-head: how earlier meetings of the same two competitors went, from the home side's view.

Meetings count whoever hosted them: a pairing's record is the pairing's, and `h2h_home_wins` is
the wins of *this* game's home team in those meetings (ties half). The look-back is in seasons
(this one and the previous `seasons − 1`), because rosters turn over by season, not by date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.timeline import ResultHistory, has_result, per_game, start_ranks, window_sum

HEAD_TO_HEAD_COLUMNS = ["h2h_games", "h2h_home_wins", "h2h_home_win_pct", "h2h_avg_total", "h2h_avg_margin"]
DEFAULT_LOOKBACK_SEASONS = 3


def _first_rank_from_season(season: np.ndarray, rank: np.ndarray, from_season: np.ndarray) -> np.ndarray:
    """The earliest start rank of any game in a season ≥ `from_season` (past the end if none)."""
    frame = pd.DataFrame({"season": season, "rank": rank}).groupby("season")["rank"].min().sort_index()
    suffix_minimum = np.minimum.accumulate(frame.to_numpy()[::-1])[::-1]
    suffix_minimum = np.append(suffix_minimum, rank.max(initial=0) + 1)
    return suffix_minimum[np.searchsorted(frame.index.to_numpy(), from_season, side="left")]


def head_to_head(games: pd.DataFrame, lookback_seasons: int = DEFAULT_LOOKBACK_SEASONS) -> pd.DataFrame:
    """One row per game in input order; NaN averages (and 0 meetings) for first meetings."""
    codes, _ = pd.factorize(pd.concat([games["home_team"], games["away_team"]], ignore_index=True))
    game_count = len(games)
    home, away = codes[:game_count].astype("int64"), codes[game_count:].astype("int64")
    competitor_count = int(codes.max(initial=0)) + 1
    low, high = np.minimum(home, away), np.maximum(home, away)
    pairing = low * competitor_count + high
    home_is_low = home == low

    rank = start_ranks(games["start_time"])
    home_score = games["home_score"].to_numpy(dtype="float64")
    away_score = games["away_score"].to_numpy(dtype="float64")
    counted = has_result(games)
    margin = np.nan_to_num(home_score - away_score)
    low_margin = np.where(home_is_low, margin, -margin)
    low_won = (low_margin > 0) + 0.5 * (low_margin == 0)

    history = ResultHistory.build(pairing, rank, counted, games["game_id"].to_numpy())
    end = history.before(pairing, rank)
    season = games["season"].to_numpy()
    from_rank = _first_rank_from_season(season, rank, season - (lookback_seasons - 1))
    start = np.minimum(history.before(pairing, np.minimum(from_rank, rank)), end)
    meetings = (end - start).astype("float64")

    low_wins = window_sum(history.cumulative(low_won), start, end)
    home_wins = np.where(home_is_low, low_wins, meetings - low_wins)
    perspective = np.where(home_is_low, 1.0, -1.0)
    return pd.DataFrame({
        "h2h_games": meetings,
        "h2h_home_wins": home_wins,
        "h2h_home_win_pct": per_game(home_wins, meetings),
        "h2h_avg_total": per_game(window_sum(history.cumulative(np.nan_to_num(home_score + away_score)),
                                             start, end), meetings),
        "h2h_avg_margin": perspective * per_game(window_sum(history.cumulative(low_margin), start, end), meetings),
    })
