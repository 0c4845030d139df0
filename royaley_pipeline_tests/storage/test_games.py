"""Writing source batches: idempotent upserts, all-or-nothing transactions, domain-shaped reads."""

from datetime import date

import pandas as pd
import pytest

from royaley_pipeline.config import load_settings
from royaley_pipeline.sources.catalog import read_sport_history
from royaley_pipeline.sources.errors import UnknownTeamError
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.storage.games import (
    count_rows,
    load_games,
    load_odds_snapshots,
    load_weather,
    store_source_batch,
)

WEEK_ONE_2023 = (date(2023, 9, 7), date(2023, 9, 11))


@pytest.fixture(scope="module")
def week_one() -> SourceBatch:
    return read_sport_history("NFL", load_settings(), start=WEEK_ONE_2023[0], end=WEEK_ONE_2023[1])


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one()
            for table in ("games", "odds_snapshots", "weather", "venues")
        }


def test_a_week_of_real_games_round_trips(engine, week_one):
    summary = store_source_batch(engine, "NFL", week_one)
    assert summary.games == 16
    games = load_games(engine, "NFL", *WEEK_ONE_2023)
    assert len(games) == 16
    opener = games.loc[games["source_game_id"] == "2023_01_DET_KC"].iloc[0]
    assert (opener["home_team"], opener["away_team"]) == ("KC", "DET")
    assert (opener["home_score"], opener["away_score"]) == (20.0, 21.0)
    assert str(opener["start_time"].tz) == "UTC"
    assert opener["start_time"] == pd.Timestamp("2023-09-08 00:20", tz="UTC")  # 20:20 US Eastern
    odds = load_odds_snapshots(engine, "NFL", *WEEK_ONE_2023)
    kc_spread = odds.loc[
        (odds["game_id"] == opener["game_id"]) & (odds["market"] == "spread") & (odds["side"] == "home")
    ]
    assert (kc_spread["line"] < 0).all(), "Kansas City were favoured at home: a negative home line"
    assert len(load_weather(engine, "NFL", *WEEK_ONE_2023)) == len(week_one.weather)


def test_storing_three_times_leaves_the_same_rows_as_once(engine, week_one):
    store_source_batch(engine, "NFL", week_one)
    once = table_counts(engine)
    first_games = load_games(engine, "NFL")
    for _ in range(2):
        store_source_batch(engine, "NFL", week_one)
    assert table_counts(engine) == once
    pd.testing.assert_frame_equal(load_games(engine, "NFL"), first_games)


def test_relocated_franchises_resolve_to_one_team(engine):
    # The Chargers played in San Diego (SD) in 2016 and Los Angeles (LAC) in 2017.
    batch = read_sport_history("NFL", load_settings(), start=date(2016, 9, 1), end=date(2018, 1, 10))
    store_source_batch(engine, "NFL", batch)
    games = load_games(engine, "NFL")
    chargers = games.loc[(games["home_team"] == "LAC") | (games["away_team"] == "LAC")]
    assert set(chargers["season"]) == {2016, 2017}
    assert not ((games["home_team"] == "SD") | (games["away_team"] == "SD")).any()


def test_an_unknown_team_rolls_back_the_whole_batch(engine, week_one):
    games = week_one.games.copy()
    games.loc[games.index[-1], "home_team"] = "XYZ"
    bad = SourceBatch(games=games, odds=week_one.odds, weather=week_one.weather)
    with pytest.raises(UnknownTeamError) as raised:
        store_source_batch(engine, "NFL", bad)
    message = str(raised.value)
    assert "XYZ" in message and games.iloc[-1]["source_game_id"] in message and "nflverse" in message
    assert table_counts(engine)["games"] == 0
    assert table_counts(engine)["odds_snapshots"] == 0


def test_a_failure_after_games_were_written_leaves_nothing(engine, week_one):
    # Odds for a game that is not in the batch fail after the games insert: it must be undone.
    orphan = week_one.odds.head(1).assign(source_game_id="2023_01_NOPE_NOPE")
    bad = SourceBatch(games=week_one.games, odds=pd.concat([week_one.odds, orphan]), weather=week_one.weather)
    before = table_counts(engine)  # reference venues (with coordinates) are seeded before any load
    with pytest.raises(ValueError, match="2023_01_NOPE_NOPE"):
        store_source_batch(engine, "NFL", bad)
    assert table_counts(engine) == before == {**before, "games": 0, "odds_snapshots": 0, "weather": 0}


def test_count_rows_by_window(engine, week_one):
    store_source_batch(engine, "NFL", week_one)
    opening_night = count_rows(engine, "NFL", date(2023, 9, 7), date(2023, 9, 7))
    assert opening_night["games"] == 1
    assert opening_night["odds_snapshots"] >= 6  # spread, moneyline and total, both sides
    assert count_rows(engine, "NFL", date(2023, 9, 12), date(2023, 9, 13))["games"] == 0
