"""The feature asset on the real bundled data: every category is produced, stored and versioned."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.features import load_features
from royaley_pipeline.storage.games import load_games
from royaley_pipeline.storage.models import InjuryRow, SportRow, TeamRow
from royaley_pipeline_tests.assets.conftest import Pipeline


@pytest.fixture(scope="module")
def nfl(tmp_path_factory) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("nfl"))
    result = pipeline.run_months("collection_job", "NFL", date(2022, 9, 1), date(2024, 2, 29))
    assert result.success, failure_message(result)
    return pipeline


def _season(pipeline: Pipeline, sport: str, season: int) -> pd.DataFrame:
    features = load_features(pipeline.engine, sport, FEATURE_SET_VERSION)
    games = load_games(pipeline.engine, sport)[["game_id", "home_team", "away_team", "roof"]]
    return features.merge(games, on="game_id").query("season == @season")


def test_nfl_features_cover_every_category_from_the_real_data(nfl):
    season = _season(nfl, "NFL", 2023)
    assert len(season) == 285
    outdoor = season["roof"].isin(["outdoors", "open"])
    # nflverse has kick-off weather for 158 of the 199 open-air games of 2023; the rest stay unknown
    reported = season.loc[outdoor, "temperature_f"].notna()
    assert reported.sum() == 158
    assert (season.loc[outdoor, "weather_available"] == reported.astype(float)).all()
    assert season.loc[outdoor & season["temperature_f"].notna(), "weather_impact"].between(0, 1).all()
    indoor = season["roof"].isin(["dome", "closed"])
    assert indoor.sum() > 30 and (season.loc[indoor, "temperature_f"] == 70).all()
    assert (season.loc[indoor, "weather_available"] == 1).all()
    late_season = season.iloc[100:]
    for column in ("home_form_last5", "away_streak", "home_point_differential_per_game_last10",
                   "home_win_pct", "rest_days_difference"):
        assert late_season[column].notna().all(), column
    assert (late_season["h2h_games"] > 0).mean() > 0.3  # division rivals met in 2022 and twice a season
    assert season["home_short_rest"].eq(1).any()  # Thursday games after a Sunday
    assert season["injuries_available"].eq(0).all() and season["home_injury_count"].isna().all()
    assert season["closing_spread_home"].notna().all() and season["market_home_win_probability"].notna().all()


def test_features_are_written_as_parquet_per_sport_and_season_with_their_version(nfl):
    path = nfl.settings.features_path / "sport=NFL" / "season=2023" / f"{FEATURE_SET_VERSION}.parquet"
    stored = pd.read_parquet(path)
    assert len(stored) == 285 and set(stored["feature_set_version"]) == {FEATURE_SET_VERSION}
    assert {"h2h_avg_margin", "form_last10_difference", "wind_mph", "injury_impact_difference"} <= set(stored)


def test_injury_reports_in_the_database_reach_the_next_games_features(nfl):
    kick_off = load_games(nfl.engine, "NFL", date(2023, 12, 1), date(2023, 12, 31))
    game = kick_off.iloc[0]
    with nfl.engine.begin() as connection:
        sport_id = connection.execute(select(SportRow.id).where(SportRow.code == "NFL")).scalar_one()
        team_id = connection.execute(
            select(TeamRow.id).where(TeamRow.sport_id == sport_id, TeamRow.code == game["home_team"])
        ).scalar_one()
        observed = (game["start_time"] - pd.Timedelta(days=2)).to_pydatetime()
        connection.execute(InjuryRow.__table__.insert(), [
            {"sport_id": sport_id, "team_id": team_id, "player_name": "Starting Quarterback", "position": "QB",
             "status": "Out", "observed_at": observed, "source": "test"},
        ])
    result = nfl.run_months("features_job", "NFL", date(2023, 12, 1), date(2023, 12, 31))
    assert result.success, failure_message(result)
    features = load_features(nfl.engine, "NFL", FEATURE_SET_VERSION).set_index("game_id")
    row = features.loc[game["game_id"]]
    assert row["home_injury_count"] == 1 and row["home_injury_impact"] == 3.0
    assert row["injuries_available"] == 1
    assert np.isnan(features.loc[kick_off.iloc[-1]["game_id"], "home_injury_count"])  # weeks later: unknown


def test_nba_features_include_back_to_backs_and_momentum(tmp_path):
    pipeline = Pipeline(tmp_path)
    result = pipeline.run_months("collection_job", "NBA", date(2022, 10, 1), date(2023, 4, 30))
    assert result.success, failure_message(result)
    season = _season(pipeline, "NBA", 2022)
    assert len(season) > 1200
    assert season["home_back_to_back"].eq(1).mean() > 0.05
    assert (season["is_indoor"] == 1).all() and (season["weather_impact"] == 0).all()
    assert season.iloc[300:]["away_form_last10"].notna().all()


def test_atp_features_include_surface_elo_and_head_to_head(tmp_path):
    pipeline = Pipeline(tmp_path)
    result = pipeline.run_months("collection_job", "ATP", date(2022, 1, 1), date(2023, 12, 31))
    assert result.success, failure_message(result)
    season = load_features(pipeline.engine, "ATP", FEATURE_SET_VERSION).query("season == 2023")
    assert len(season) > 2000
    assert season["surface_elo_diff"].notna().mean() > 0.95
    assert (season["h2h_games"] > 0).any() and season["form_last5_difference"].notna().mean() > 0.8
    assert "weather_impact" not in season and "home_injury_count" not in season
