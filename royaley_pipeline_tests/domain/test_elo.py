import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.domain.elo import elo_ratings, margin_of_victory_multiplier
from royaley_pipeline.sports import EloParameters, get_sport

NFLVERSE_GAMES = PACKAGE_DATA / "nflverse" / "games.csv"  # the embedded copy of the shared file
PLAIN = EloParameters(k_factor=20.0, home_advantage=48.0, season_regression=0.0, use_margin_of_victory=False)


def _games(rows):
    """rows: (season, day, home, away, home_score, away_score[, neutral]) with final status if scored."""
    records = []
    for game_id, row in enumerate(rows, start=1):
        season, day, home, away, home_score, away_score, *rest = row
        records.append({
            "game_id": game_id,
            "season": season,
            "start_time": pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(days=day),
            "home_team": home,
            "away_team": away,
            "neutral_site": bool(rest[0]) if rest else False,
            "status": "final" if home_score is not None else "scheduled",
            "home_score": np.nan if home_score is None else float(home_score),
            "away_score": np.nan if away_score is None else float(away_score),
        })
    return pd.DataFrame(records)


def nflverse_games() -> pd.DataFrame:
    """nflverse games in the games contract, relocated franchises under one name."""
    raw = pd.read_csv(NFLVERSE_GAMES)
    relocations = {"STL": "LA", "SD": "LAC", "OAK": "LV"}
    kick_off_local = pd.to_datetime(raw["gameday"] + " " + raw["gametime"].fillna("13:00"))
    scored = raw["home_score"].notna() & raw["away_score"].notna()
    return pd.DataFrame({
        "game_id": np.arange(len(raw)),
        "sport": "NFL",
        "season": raw["season"],
        "game_date": pd.to_datetime(raw["gameday"]),
        "start_time": kick_off_local.dt.tz_localize("America/New_York").dt.tz_convert("UTC"),
        "home_team": raw["home_team"].replace(relocations),
        "away_team": raw["away_team"].replace(relocations),
        "neutral_site": raw["location"].eq("Neutral"),
        "status": np.where(scored, "final", "scheduled"),
        "home_score": raw["home_score"].astype("float64"),
        "away_score": raw["away_score"].astype("float64"),
    })


def test_first_game_by_hand():
    ratings = elo_ratings(_games([(2024, 0, "A", "B", 24, 17), (2024, 7, "A", "B", None, None)]), PLAIN)
    first, second = ratings.iloc[0], ratings.iloc[1]
    assert (first["home_elo"], first["away_elo"], first["elo_diff"]) == (1500.0, 1500.0, 48.0)
    assert first["home_elo_win_probability"] == pytest.approx(0.5686414, abs=1e-6)
    assert second["home_elo"] == pytest.approx(1508.627172, abs=1e-6)
    assert second["away_elo"] == pytest.approx(1491.372828, abs=1e-6)


def test_margin_of_victory_multiplier_by_hand():
    assert margin_of_victory_multiplier(7, 48.0) == pytest.approx(math.log(8) * 2.2 / 2.248)
    with_margin = EloParameters(k_factor=20.0, home_advantage=48.0, season_regression=0.0)
    ratings = elo_ratings(_games([(2024, 0, "A", "B", 24, 17), (2024, 7, "A", "B", None, None)]), with_margin)
    assert ratings.iloc[1]["home_elo"] == pytest.approx(1500 + 17.556646, abs=1e-5)


def test_an_upset_counts_more_than_a_favourite_winning_by_the_same_margin():
    assert margin_of_victory_multiplier(10, -100.0) > margin_of_victory_multiplier(10, 100.0)


def test_no_home_advantage_on_a_neutral_site():
    ratings = elo_ratings(_games([(2024, 0, "A", "B", 20, 10, True)]), PLAIN)
    assert ratings.iloc[0]["elo_diff"] == 0.0
    assert ratings.iloc[0]["home_elo_win_probability"] == 0.5


def test_only_final_games_update_and_ties_pull_ratings_together():
    games = _games([
        (2024, 0, "A", "B", 30, 0),
        (2024, 7, "A", "B", None, None),     # scheduled: no update
        (2024, 14, "A", "B", 10, 10),        # tie: A was favoured, so A loses points
        (2024, 21, "A", "B", None, None),
    ])
    ratings = elo_ratings(games, PLAIN)
    assert ratings.iloc[1]["home_elo"] == ratings.iloc[2]["home_elo"]
    assert ratings.iloc[3]["home_elo"] < ratings.iloc[2]["home_elo"]


def test_ratings_regress_a_third_toward_1500_between_seasons():
    params = EloParameters(k_factor=20.0, home_advantage=0.0, season_regression=1 / 3,
                           use_margin_of_victory=False)
    games = _games([(2023, 0, "A", "B", 20, 10), (2024, 300, "A", "B", None, None)])
    ratings = elo_ratings(games, params)
    end_of_season = 1500 + 20 * 0.5
    assert ratings.iloc[1]["home_elo"] == pytest.approx(1500 + (end_of_season - 1500) * 2 / 3)
    assert ratings.iloc[1]["away_elo"] == pytest.approx(1500 - (end_of_season - 1500) * 2 / 3)


def test_new_teams_start_at_the_initial_rating():
    params = EloParameters(initial_rating=1300.0, use_margin_of_victory=False)
    ratings = elo_ratings(_games([(2024, 0, "A", "B", 20, 10), (2024, 7, "C", "A", None, None)]), params)
    assert ratings.iloc[1]["home_elo"] == 1300.0


def test_rows_come_back_in_input_order_whatever_the_sort():
    games = _games([(2024, 0, "A", "B", 20, 10), (2024, 7, "A", "B", None, None)])
    reversed_ratings = elo_ratings(games.iloc[::-1], PLAIN)
    assert list(reversed_ratings["game_id"]) == [2, 1]
    assert reversed_ratings.iloc[0]["home_elo"] > 1500


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 40), st.integers(0, 40),
                          st.booleans(), st.booleans()), min_size=1, max_size=40),
       st.booleans())
def test_elo_points_are_conserved_within_a_season(matches, margin_of_victory):
    """Every point a winner gains the loser gives up, so the league total never moves."""
    teams = "ABCDEF"
    rows = [(2024, day, teams[home], teams[away], home_score if final else None, away_score, neutral)
            for day, (home, away, home_score, away_score, final, neutral) in enumerate(matches) if home != away]
    # one closing round in which every team plays, to read every final rating
    closing_day = len(matches) + 1
    rows += [(2024, closing_day, "A", "B", None, None), (2024, closing_day, "C", "D", None, None),
             (2024, closing_day, "E", "F", None, None)]
    params = EloParameters(k_factor=25.0, home_advantage=60.0, season_regression=0.0,
                           use_margin_of_victory=margin_of_victory)
    ratings = elo_ratings(_games(rows), params).tail(3)
    assert ratings["home_elo"].sum() + ratings["away_elo"].sum() == pytest.approx(6 * 1500.0)


@pytest.mark.skipif(not NFLVERSE_GAMES.exists(), reason="shared NFL data not present")
def test_nfl_elo_brier_is_in_fivethirtyeights_range():
    """538's Elo scored 0.2196 on 2010–2020; ours, with no QB or rest adjustments, should be close."""
    games = nflverse_games()
    ratings = elo_ratings(games, get_sport("NFL").elo)
    scored = games.assign(probability=ratings["home_elo_win_probability"])
    scored = scored[scored["season"].between(2010, 2020) & (scored["home_score"] != scored["away_score"])
                    & (scored["status"] == "final")]
    home_win = (scored["home_score"] > scored["away_score"]).astype(float)
    brier = float(((scored["probability"] - home_win) ** 2).mean())
    assert len(scored) > 2900
    assert 0.21 <= brier <= 0.235, brier


def test_a_team_listed_twice_at_one_start_time_does_not_see_its_other_result():
    games = _games([(2024, 0, "A", "B", 30, 0), (2024, 0, "A", "C", None, None), (2024, 1, "A", "C", None, None)])
    ratings = elo_ratings(games, PLAIN)
    assert ratings.iloc[1]["home_elo"] == 1500.0
    assert ratings.iloc[2]["home_elo"] > 1500.0


def test_surface_elo_keeps_one_rating_pool_per_surface():
    from royaley_pipeline.domain.elo import surface_elo_ratings
    from royaley_pipeline.sports import get_sport

    start = pd.Timestamp("2023-01-01", tz="UTC")
    games = pd.DataFrame({
        "game_id": range(4), "season": 2023,
        "start_time": [start + pd.Timedelta(days=day) for day in range(4)],
        "home_team": ["Nadal", "Nadal", "Nadal", "Nadal"], "away_team": ["Isner", "Isner", "Isner", "Isner"],
        "neutral_site": True, "status": "final", "home_score": [3.0, 3.0, 0.0, 2.0],
        "away_score": [0.0, 0.0, 3.0, 1.0], "surface": ["Clay", "Clay", "Grass", None],
    })
    ratings = surface_elo_ratings(games, get_sport("ATP").elo)
    assert ratings.loc[1, "surface_elo_diff"] > 0          # clay history: Nadal ahead on clay
    assert ratings.loc[2, "surface_elo_diff"] == 0          # first grass match: fresh pool
    assert ratings.loc[3].isna().all()                      # unknown surface: no rating in disguise
