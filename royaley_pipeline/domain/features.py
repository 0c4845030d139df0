"""The feature matrix: every game described as it looked before kick-off, plus its labels.

One row per game. Columns come in three groups, in this order:
  keys        who, when, where (never model inputs)
  features    Elo (per surface in tennis), season-to-date and rolling team form, rest and momentum,
              head-to-head, weather, injuries, market lines and de-vigged market probabilities
  labels      outcomes graded against the closing line: for training only, never inputs

`FEATURE_COLUMNS[bet_type]` is the contract with the trainers. It leaves out the market
probability of the bet being modelled (`MARKET_PROBABILITY_COLUMN`): that is the yardstick the
edge is measured against, and a model fed it would learn to echo the market. Closing lines are
inputs: they are known before kick-off, and a cover or over is graded against them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from royaley_pipeline.domain.elo import ELO_COLUMNS, SURFACE_ELO_COLUMNS, elo_ratings, surface_elo_ratings
from royaley_pipeline.domain.head_to_head import HEAD_TO_HEAD_COLUMNS, head_to_head
from royaley_pipeline.domain.injuries import INJURY_COLUMNS, injury_features
from royaley_pipeline.domain.labels import LABEL_COLUMNS, labels
from royaley_pipeline.domain.market import MARKET_LINE_COLUMNS, MARKET_PROBABILITY_COLUMNS, market_lines
from royaley_pipeline.domain.momentum import momentum, momentum_columns, rest_flags
from royaley_pipeline.domain.team_stats import TEAM_STATS, team_stat_columns, team_stats
from royaley_pipeline.domain.weather import WEATHER_COLUMNS, weather_features
from royaley_pipeline.sports import MATCH_WINNER, MONEYLINE, SPREAD, TOTAL, Sport

FEATURE_SET_VERSION = "v3"
"""Bumped whenever a column is added, removed or computed differently: stored features, Parquet
files, training datasets and registered models all carry it, so a model is never scored on
features it was not trained with."""


@dataclasses.dataclass(frozen=True)
class FeatureSettings:
    """The knobs of the feature set; any non-default value is written into the version string."""

    rolling_windows: tuple[int, ...] = (5, 10)
    head_to_head_seasons: int = 3
    injury_lookback_days: int = 7

    @property
    def version(self) -> str:
        if self == FeatureSettings():
            return FEATURE_SET_VERSION
        windows = ",".join(str(window) for window in self.rolling_windows)
        return (f"{FEATURE_SET_VERSION}+windows{windows}+h2h{self.head_to_head_seasons}"
                f"+injuries{self.injury_lookback_days}d")


DEFAULT_SETTINGS = FeatureSettings()

KEY_COLUMNS = [
    "game_id", "sport", "season", "game_date", "start_time", "home_team", "away_team", "neutral_site", "status",
]
TEAM_DIFFERENCE_COLUMNS = [f"{stat}_difference" for stat in TEAM_STATS]
TEAM_FORM_COLUMNS = [*team_stat_columns("home"), *team_stat_columns("away"), *TEAM_DIFFERENCE_COLUMNS]
RANK_COLUMNS = ["home_rank", "away_rank", "log_rank_difference"]
REST_FLAG_COLUMNS = ["home_short_rest", "away_short_rest", "home_back_to_back", "away_back_to_back"]


def momentum_difference_stats(windows: tuple[int, ...] = DEFAULT_SETTINGS.rolling_windows) -> list[str]:
    """The momentum stats that also get a home − away column (`form_last5_difference`, …)."""
    names = [f"form_last{window}" for window in windows]
    names += [f"point_differential_per_game_last{window}" for window in windows]
    return [*names, "streak"]


MOMENTUM_DIFFERENCE_COLUMNS = [f"{stat}_difference" for stat in momentum_difference_stats()]
MOMENTUM_COLUMNS = [*momentum_columns("home"), *momentum_columns("away"), *MOMENTUM_DIFFERENCE_COLUMNS]
_SCORING_FORM = [f"{side}_points_{kind}_per_game_last5" for side in ("home", "away") for kind in ("for", "against")]

_SPREAD_LINE_INPUTS = ["opening_spread_home", "closing_spread_home", "spread_movement"]
# Opening totals exist only where a source publishes them (nfelo, 2024 on, in the bundled data);
# elsewhere they are missing. A feature missing through training and present at test time
# extrapolates wildly (walk-forward log loss 3.39 on 2024 in feature set v2), so the total model
# takes the closing total alone until opening totals have history.
_TOTAL_LINE_INPUTS = ["closing_total"]

# Model inputs are differences where the two sides mirror each other (half the columns, the same
# information for a linear model). The opening moneyline is left out: it comes from the same book
# history as the closing market, the yardstick (see the module docstring).
_SIDE_INPUTS = [*ELO_COLUMNS, *TEAM_FORM_COLUMNS, *REST_FLAG_COLUMNS, *MOMENTUM_DIFFERENCE_COLUMNS,
                "h2h_games", "h2h_home_win_pct", "h2h_avg_margin", "injury_impact_difference", "injuries_available"]
FEATURE_COLUMNS: dict[str, list[str]] = {
    MONEYLINE: [*_SIDE_INPUTS, *_SPREAD_LINE_INPUTS, "closing_total"],
    SPREAD: [*_SIDE_INPUTS, *_SPREAD_LINE_INPUTS, "closing_total"],
    TOTAL: [*ELO_COLUMNS, *TEAM_FORM_COLUMNS, *REST_FLAG_COLUMNS, *_SCORING_FORM, "h2h_avg_total",
            *WEATHER_COLUMNS, "injuries_available", "injury_impact_difference", *_TOTAL_LINE_INPUTS,
            "closing_spread_home"],
    MATCH_WINNER: [*ELO_COLUMNS, *SURFACE_ELO_COLUMNS, *RANK_COLUMNS, "form_last5_difference",
                   "form_last10_difference", "streak_difference", "h2h_games", "h2h_home_win_pct"],
}
LABEL_COLUMN: dict[str, str] = {MONEYLINE: "home_win", SPREAD: "home_cover", TOTAL: "over", MATCH_WINNER: "home_win"}
MARKET_PROBABILITY_COLUMN: dict[str, str] = {
    MONEYLINE: "market_home_win_probability",
    SPREAD: "market_home_cover_probability",
    TOTAL: "market_over_probability",
    MATCH_WINNER: "market_home_win_probability",
}


def _side_differences(frame: pd.DataFrame, stats: list[str]) -> pd.DataFrame:
    """`{stat}_difference` = home − away for each stat present as `home_{stat}` and `away_{stat}`."""
    return pd.DataFrame({f"{stat}_difference": frame[f"home_{stat}"] - frame[f"away_{stat}"] for stat in stats})


def _rank_features(games: pd.DataFrame) -> pd.DataFrame:
    """Ranks as published before the match; the log difference because rank 1 vs 10 matters more
    than 101 vs 110. Missing ranks (unranked players, sources without ranks) stay NaN."""
    ranks = pd.DataFrame(index=games.index)
    for side in ("home", "away"):
        column = f"{side}_rank"
        ranks[column] = games[column].astype("float64") if column in games else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ranks["log_rank_difference"] = np.log(ranks["home_rank"].where(ranks["home_rank"] > 0)) - np.log(
            ranks["away_rank"].where(ranks["away_rank"] > 0)
        )
    return ranks.reset_index(drop=True)


def build_feature_matrix(
    games: pd.DataFrame,
    snapshots: pd.DataFrame | None,
    sport: Sport,
    weather: pd.DataFrame | None = None,
    injuries: pd.DataFrame | None = None,
    settings: FeatureSettings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Keys, features and labels for every game of one sport, in start-time order.

    Every feature of a game is a function of earlier games, and of snapshots, weather and injury
    reports observed before its start only (see `royaley_pipeline_tests/domain/test_point_in_time.py`),
    so the matrix can be rebuilt for any slate without leaking the future into the past.
    """
    games = games.sort_values(["start_time", "game_id"], kind="stable").reset_index(drop=True)
    matrix = games[[column for column in KEY_COLUMNS if column in games]].copy()
    if "surface" in games:
        matrix["surface"] = games["surface"].to_numpy()

    elo_parameters = sport.elo
    if sport.is_individual:
        elo_parameters = dataclasses.replace(elo_parameters, home_advantage=0.0)
    parts = [elo_ratings(games, elo_parameters)[ELO_COLUMNS]]

    if sport.is_individual:
        parts += [surface_elo_ratings(games, elo_parameters), _rank_features(games)]
    else:
        form = team_stats(games)
        rest = pd.concat([rest_flags(form[f"{side}_rest_days"], sport.short_rest_days).add_prefix(f"{side}_")
                          for side in ("home", "away")], axis=1)
        parts += [form.drop(columns="game_id"), _side_differences(form, TEAM_STATS), rest[REST_FLAG_COLUMNS]]
    recent = momentum(games, settings.rolling_windows)
    parts += [
        recent,
        _side_differences(recent, momentum_difference_stats(settings.rolling_windows)),
        head_to_head(games, settings.head_to_head_seasons)[HEAD_TO_HEAD_COLUMNS],
    ]
    if not sport.is_individual:
        parts.append(weather_features(games, weather, sport.outdoor)[WEATHER_COLUMNS])
        parts.append(injury_features(games, injuries, sport.code, settings.injury_lookback_days)[INJURY_COLUMNS])

    lines = market_lines(games, snapshots)
    parts.append(lines[MARKET_LINE_COLUMNS + MARKET_PROBABILITY_COLUMNS])
    parts.append(labels(games, lines)[LABEL_COLUMNS])
    return pd.concat([matrix, *parts], axis=1)


def model_inputs(matrix: pd.DataFrame, bet_type: str) -> pd.DataFrame:
    """The columns a model of `bet_type` may see, and nothing else (labels never pass through)."""
    return matrix[FEATURE_COLUMNS[bet_type]]
