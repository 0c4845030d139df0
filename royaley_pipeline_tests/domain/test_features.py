import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.features import (
    FEATURE_COLUMNS,
    FEATURE_SET_VERSION,
    KEY_COLUMNS,
    LABEL_COLUMN,
    MARKET_PROBABILITY_COLUMN,
    build_feature_matrix,
    model_inputs,
)
from royaley_pipeline.domain.labels import LABEL_COLUMNS
from royaley_pipeline.sources.nflverse import closing_quotes
from royaley_pipeline.sports import BET_TYPES, MATCH_WINNER, get_sport
from royaley_pipeline_tests.domain.test_elo import NFLVERSE_GAMES, nflverse_games

NFL = get_sport("NFL")
ATP = get_sport("ATP")


def _league():
    start = pd.Timestamp("2024-09-08 17:00", tz="UTC")
    games = pd.DataFrame({
        "game_id": [10, 11, 12],
        "sport": "NFL",
        "season": 2024,
        "game_date": pd.to_datetime(["2024-09-22", "2024-09-08", "2024-09-15"]),
        "start_time": [start + pd.Timedelta(days=14), start, start + pd.Timedelta(days=7)],
        "home_team": ["A", "A", "B"],
        "away_team": ["B", "B", "A"],
        "neutral_site": False,
        "status": ["scheduled", "final", "final"],
        "home_score": [np.nan, 27.0, 13.0],
        "away_score": [np.nan, 20.0, 16.0],
    })
    snapshots = pd.DataFrame({
        "game_id": [11, 11, 11, 11, 12, 12],
        "book": "book",
        "market": ["spread", "spread", "moneyline", "moneyline", "total", "total"],
        "side": ["home", "away", "home", "away", "over", "under"],
        "line": [-3.0, 3.0, np.nan, np.nan, 41.0, 41.0],
        "price": [-110.0, -110.0, -160.0, 140.0, np.nan, np.nan],
        "captured_at": start - pd.Timedelta(hours=2),
    })
    return games, snapshots


def test_one_row_per_game_in_start_time_order_with_keys_features_then_labels():
    games, snapshots = _league()
    matrix = build_feature_matrix(games, snapshots, NFL)
    assert FEATURE_SET_VERSION == "v3"
    assert list(matrix["game_id"]) == [11, 12, 10]
    assert list(matrix.columns[: len(KEY_COLUMNS)]) == KEY_COLUMNS
    assert list(matrix.columns[-len(LABEL_COLUMNS):]) == LABEL_COLUMNS
    for bet_type in NFL.bet_types:
        assert set(FEATURE_COLUMNS[bet_type]) <= set(matrix.columns)
        assert {LABEL_COLUMN[bet_type], MARKET_PROBABILITY_COLUMN[bet_type]} <= set(matrix.columns)
    assert list(model_inputs(matrix, "spread").columns) == FEATURE_COLUMNS["spread"]


def test_feature_values_line_up_with_their_games():
    games, snapshots = _league()
    matrix = build_feature_matrix(games, snapshots, NFL).set_index("game_id")
    assert matrix.loc[11, "closing_spread_home"] == -3.0
    assert matrix.loc[11, "home_cover"] == 1.0 and matrix.loc[11, "home_win"] == 1.0
    assert matrix.loc[12, "home_win_pct"] == 0.0 and matrix.loc[12, "away_win_pct"] == 1.0
    assert matrix.loc[12, "win_pct_difference"] == -1.0
    assert matrix.loc[12, "over"] == 0.0
    assert matrix.loc[12, "market_over_probability"] == pytest.approx(0.5)
    assert matrix.loc[12, "elo_diff"] == pytest.approx(
        matrix.loc[12, "home_elo"] - matrix.loc[12, "away_elo"] + NFL.elo.home_advantage)
    assert matrix.loc[10, "home_games_played"] == 2


def test_missing_inputs_stay_missing():
    games, snapshots = _league()
    matrix = build_feature_matrix(games, snapshots, NFL).set_index("game_id")
    assert matrix.loc[10, ["closing_spread_home", "closing_total", "market_home_win_probability"]].isna().all()
    assert np.isnan(matrix.loc[11, "home_win_pct"])
    assert matrix.loc[10, LABEL_COLUMNS].isna().all()


def test_feature_columns_never_include_labels_scores_or_the_yardstick():
    forbidden = set(LABEL_COLUMNS) | {"home_score", "away_score", "status"}
    for bet_type in BET_TYPES:
        columns = FEATURE_COLUMNS[bet_type]
        assert len(columns) == len(set(columns))
        assert not forbidden & set(columns)
        assert MARKET_PROBABILITY_COLUMN[bet_type] not in columns
        assert not any(column.startswith("market_") for column in columns)


def test_tennis_uses_elo_without_home_advantage_and_rank_features():
    start = pd.Timestamp("2023-01-02 10:00", tz="UTC")
    games = pd.DataFrame({
        "game_id": [1, 2],
        "sport": "ATP",
        "season": 2023,
        "game_date": pd.to_datetime(["2023-01-02", "2023-01-03"]),
        "start_time": [start, start + pd.Timedelta(days=1)],
        "home_team": ["Sinner", "Alcaraz"],
        "away_team": ["Alcaraz", "Rune"],
        "neutral_site": False,
        "status": ["final", "scheduled"],
        "home_score": [2.0, np.nan],
        "away_score": [1.0, np.nan],
        "home_rank": [10.0, 1.0],
        "away_rank": [1.0, np.nan],
        "surface": ["Hard", "Hard"],
    })
    matrix = build_feature_matrix(games, None, ATP).set_index("game_id")
    assert matrix.loc[1, "elo_diff"] == 0.0
    assert matrix.loc[1, "log_rank_difference"] == pytest.approx(np.log(10))
    assert np.isnan(matrix.loc[2, "log_rank_difference"])
    assert matrix.loc[2, "home_elo"] < 1500           # Alcaraz lost the first match
    assert matrix.loc[1, LABEL_COLUMN[MATCH_WINNER]] == 1.0
    assert matrix[MARKET_PROBABILITY_COLUMN[MATCH_WINNER]].isna().all()
    assert set(FEATURE_COLUMNS[MATCH_WINNER]) <= set(matrix.columns)
    assert "home_win_pct" not in matrix.columns


def test_tennis_without_ranks_keeps_rank_features_missing():
    games = pd.DataFrame({
        "game_id": [1], "sport": "ATP", "season": 2023, "game_date": pd.to_datetime(["2023-01-02"]),
        "start_time": [pd.Timestamp("2023-01-02 10:00", tz="UTC")], "home_team": ["X"], "away_team": ["Y"],
        "neutral_site": True, "status": ["scheduled"], "home_score": [np.nan], "away_score": [np.nan],
    })
    matrix = build_feature_matrix(games, None, ATP)
    assert matrix[["home_rank", "away_rank", "log_rank_difference"]].isna().all(axis=None)


def nflverse_closing_snapshots(games: pd.DataFrame) -> pd.DataFrame:
    """nflverse's one line per game, as one book's snapshot a minute before kick-off."""
    raw = pd.read_csv(NFLVERSE_GAMES)
    captured_at = games["start_time"] - pd.Timedelta(minutes=1)
    return pd.concat(
        [pd.DataFrame({"game_id": games["game_id"], "book": "nflverse", "market": market, "side": side,
                       "line": line, "price": price.astype("float64"), "captured_at": captured_at})
         for market, side, line, price in closing_quotes(raw)],
        ignore_index=True,
    )


@pytest.mark.skipif(not NFLVERSE_GAMES.exists(), reason="shared NFL data not present")
def test_real_nfl_closing_market_matches_the_reference_brier():
    """The design brief's reference: de-vigged closing moneyline 2010–2020 scores Brier 0.2109."""
    games = nflverse_games()
    matrix = build_feature_matrix(games, nflverse_closing_snapshots(games), NFL)
    scored = matrix[matrix["season"].between(2010, 2020)].dropna(subset=["home_win", "market_home_win_probability"])
    brier = float(((scored["market_home_win_probability"] - scored["home_win"]) ** 2).mean())
    assert len(scored) == pytest.approx(2929, abs=5)
    assert brier == pytest.approx(0.2109, abs=0.001)
    covered = matrix["home_cover"].dropna()
    assert 0.45 < covered.mean() < 0.55          # the closing spread is close to a coin flip


def test_model_inputs_exclude_features_without_training_history():
    """Opening totals exist for one bundled season only: a model input that is constant in
    training and varies at test time extrapolates (it once gave log loss 3.4 on 2024)."""
    from royaley_pipeline.domain.features import FEATURE_COLUMNS

    assert "total_movement" not in FEATURE_COLUMNS["total"]
    assert "opening_total" not in FEATURE_COLUMNS["total"]
