"""Look-ups of "what happened before this game", vectorised over a whole league.

Rolling form, streaks and head-to-head records all ask the same question for every game: which
earlier results of this team (or this pairing) fall in a window that ends just before kick-off?
Sorting the results once by (group, start time) turns each window into two binary searches and
each windowed sum into a difference of cumulative sums, so a million games cost a few sorts,
not a million filters.

"Before" means an earlier start time: results of games starting at the same moment (a tennis
draw's simultaneous matches, a slate of 1 pm kick-offs) were unknown at kick-off and never count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from royaley_pipeline.domain.elo import start_time_nanoseconds


def has_result(games: pd.DataFrame) -> np.ndarray:
    """Games that count as results: final, with both scores."""
    home_score = games["home_score"].to_numpy(dtype="float64")
    away_score = games["away_score"].to_numpy(dtype="float64")
    return (games["status"] == "final").to_numpy() & ~np.isnan(home_score) & ~np.isnan(away_score)


def team_results(games: pd.DataFrame) -> dict[str, np.ndarray]:
    """One row per competitor per game, home rows first, then away rows.

    `points_for`, `points_against` and `won` (ties half) are 0 where the game is not `counted`,
    so they can be summed over any window directly.
    """
    competitor, _ = pd.factorize(pd.concat([games["home_team"], games["away_team"]], ignore_index=True))
    counted = np.tile(has_result(games), 2)
    home_score = games["home_score"].to_numpy(dtype="float64")
    away_score = games["away_score"].to_numpy(dtype="float64")
    points_for = np.where(counted, np.concatenate([home_score, away_score]), 0.0)
    points_against = np.where(counted, np.concatenate([away_score, home_score]), 0.0)
    return {
        "competitor": competitor,
        "counted": counted,
        "points_for": points_for,
        "points_against": points_against,
        "won": counted * ((points_for > points_against) + 0.5 * (points_for == points_against)),
        "game_id": np.tile(games["game_id"].to_numpy(), 2),
    }


def start_ranks(start_time: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dense rank of each start time: equal instants share a rank, later instants rank higher."""
    return np.unique(start_time_nanoseconds(start_time), return_inverse=True)[1].reshape(-1)


@dataclass(frozen=True)
class ResultHistory:
    """Counted events (results, scheduled games) grouped by an integer code (team, pairing),
    sorted by start time."""

    keys: np.ndarray  # group * stride + start rank, ascending
    order: np.ndarray  # positions of the results in the caller's arrays, in key order
    stride: int

    @classmethod
    def build(cls, group: np.ndarray, rank: np.ndarray, counted: np.ndarray,
              tiebreak: np.ndarray | None = None, stride: int | None = None) -> ResultHistory:
        """`tiebreak` orders a group's results that share a start time (a data fault, but a
        deterministic one: by game id, so that "the last five" never depends on row order).
        `stride` must exceed every rank later asked about; by default the largest rank given."""
        stride = stride or int(rank.max(initial=0)) + 1
        positions = np.flatnonzero(counted)
        keys = group[positions].astype("int64") * stride + rank[positions]
        order = np.lexsort((positions if tiebreak is None else tiebreak[positions], keys))
        return cls(keys=keys[order], order=positions[order], stride=stride)

    def before(self, group: np.ndarray, rank: np.ndarray) -> np.ndarray:
        """Index one past the group's last result that started strictly before `rank`."""
        return sorted_search(self.keys, group.astype("int64") * self.stride + rank)

    def group_of(self, index: np.ndarray) -> np.ndarray:
        """The group of the events at these positions of `keys`."""
        return self.keys[index] // self.stride

    def group_start(self, group: np.ndarray) -> np.ndarray:
        """Index of the group's first result."""
        return sorted_search(self.keys, group.astype("int64") * self.stride)

    def cumulative(self, values: np.ndarray) -> np.ndarray:
        """Prefix sums of `values` in key order, with a leading 0: sum over [a, b) is C[b] − C[a]."""
        return np.concatenate([[0.0], np.cumsum(values[self.order], dtype="float64")])


def sorted_search(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """`np.searchsorted(keys, queries, side="left")`, with the queries searched in sorted order.

    Queries arrive in game order, scattered over the groups; searched in ascending order each
    binary search starts where the last one ended and stays in cache (5× faster on a million games).
    """
    order = np.argsort(queries, kind="stable")
    positions = np.empty(len(queries), dtype=np.intp)
    positions[order] = np.searchsorted(keys, queries[order], side="left")
    return positions


def window_sum(cumulative: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    return cumulative[end] - cumulative[start]


def per_game(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Average, NaN where there is nothing to average (no evidence is not zero evidence)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / count, np.nan)
