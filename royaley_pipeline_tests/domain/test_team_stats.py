import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.team_stats import team_stats


def _games(rows):
    """rows: (game_id, season, date, hour, home, away, status, home_score, away_score)."""
    frame = pd.DataFrame(rows, columns=["game_id", "season", "game_date", "hour", "home_team", "away_team",
                                        "status", "home_score", "away_score"])
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    frame["start_time"] = (frame["game_date"] + pd.to_timedelta(frame.pop("hour"), unit="h")).dt.tz_localize("UTC")
    frame[["home_score", "away_score"]] = frame[["home_score", "away_score"]].astype("float64")
    return frame


def test_season_to_date_stats_exclude_the_game_itself():
    games = _games([
        (1, 2024, "2024-09-08", 17, "A", "B", "final", 24, 17),
        (2, 2024, "2024-09-15", 17, "B", "A", "final", 20, 20),
        (3, 2024, "2024-09-22", 17, "A", "C", "scheduled", None, None),
    ])
    stats = team_stats(games).set_index("game_id")
    first = stats.loc[1]
    assert first["home_games_played"] == 0
    assert np.isnan(first["home_win_pct"]) and np.isnan(first["home_points_for_per_game"])
    assert np.isnan(first["home_rest_days"])
    second = stats.loc[2]
    assert (second["home_games_played"], second["home_win_pct"]) == (1, 0.0)
    assert (second["away_win_pct"], second["away_points_for_per_game"]) == (1.0, 24.0)
    assert second["away_points_against_per_game"] == 17.0
    third = stats.loc[3]
    assert third["home_games_played"] == 2
    assert third["home_win_pct"] == pytest.approx(0.75)       # a win and a tie
    assert third["home_points_for_per_game"] == 22.0
    assert third["home_point_differential_per_game"] == pytest.approx(3.5)
    assert third["home_rest_days"] == 7.0
    assert third["away_games_played"] == 0 and np.isnan(third["away_rest_days"])


def test_games_at_the_same_start_time_do_not_see_each_other():
    # A double-header reported twice (a data fault) must not leak the first result into the second.
    games = _games([
        (1, 2024, "2024-09-08", 17, "A", "B", "final", 24, 17),
        (2, 2024, "2024-09-08", 17, "A", "C", "final", 10, 3),
        (3, 2024, "2024-09-09", 17, "A", "D", "scheduled", None, None),
    ])
    stats = team_stats(games).set_index("game_id")
    assert list(stats.loc[[1, 2], "home_games_played"]) == [0, 0]
    assert stats.loc[3, "home_games_played"] == 2
    assert stats.loc[3, "home_rest_days"] == 1.0


def test_non_final_games_do_not_count_and_seasons_start_afresh():
    games = _games([
        (1, 2023, "2023-12-30", 18, "A", "B", "final", 30, 0),
        (2, 2023, "2024-01-03", 18, "A", "B", "postponed", None, None),
        (3, 2024, "2024-09-08", 17, "A", "B", "scheduled", None, None),
    ])
    stats = team_stats(games).set_index("game_id")
    assert stats.loc[2, "home_games_played"] == 1
    assert stats.loc[3, "home_games_played"] == 0
    assert np.isnan(stats.loc[3, "home_win_pct"])
    # rest counts from the last game actually played or due, across seasons; postponed games are skipped
    assert stats.loc[3, "home_rest_days"] == (pd.Timestamp("2024-09-08") - pd.Timestamp("2023-12-30")).days


def test_rows_follow_the_input_order():
    games = _games([
        (1, 2024, "2024-09-08", 17, "A", "B", "final", 24, 17),
        (2, 2024, "2024-09-15", 17, "A", "B", "final", 20, 21),
    ])
    stats = team_stats(games.iloc[::-1].reset_index(drop=True))
    assert list(stats["game_id"]) == [2, 1]
    assert list(stats["home_games_played"]) == [1, 0]
