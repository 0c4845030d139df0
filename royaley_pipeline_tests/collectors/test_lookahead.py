"""The daily collection looks ahead: ESPN's schedule and The Odds API's prices of the next days are
stored with each day's, so by kick-off a game has snapshots from the days before it (its first is
its opener, as in the history). Real runs of the live assets against the replay service on
loopback, which serves the 2024 NFL history as it stood at its clock."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from dagster import DagsterInstance, build_sensor_context, materialize
from sqlalchemy import select

from royaley_pipeline.assets.live import LIVE_ASSETS_BY_SOURCE, ODDS_API_SNAPSHOTS
from royaley_pipeline.collectors.settings import collectors_from_settings
from royaley_pipeline.config import load_settings
from royaley_pipeline.definitions import build_definitions
from royaley_pipeline.partitions import sport_day_key
from royaley_pipeline.replay.history import history_files, load_replay_history
from royaley_pipeline.replay.service import ReplayClock, ReplayServer, build_app, replay_environment
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.run_clock import AS_OF_TAG
from royaley_pipeline.sensors import new_odds_sensor
from royaley_pipeline.storage.models import GameRow, OddsSnapshotRow
from royaley_pipeline_tests.collectors.conftest import month_features

THURSDAY, FRIDAY, SUNDAY = date(2024, 10, 3), date(2024, 10, 4), date(2024, 10, 6)
EASTERN = ZoneInfo("America/New_York")
COLLECTION = [LIVE_ASSETS_BY_SOURCE["espn"], LIVE_ASSETS_BY_SOURCE["the_odds_api"]]


def four_am(day: date) -> pd.Timestamp:
    """The daily collection's tick (04:00 US Eastern), in UTC."""
    return pd.Timestamp(datetime.combine(day, time(4), EASTERN)).tz_convert("UTC")


@pytest.fixture(scope="module")
def replay():
    history = load_replay_history(history_files(load_settings()), "NFL", date(2024, 9, 30), date(2024, 10, 14))
    clock = ReplayClock(four_am(THURSDAY))
    with ReplayServer(build_app({"NFL": history}, clock)) as server:
        yield history, clock, replay_environment(server.base_url)


@pytest.fixture
def instance(tmp_path):
    (tmp_path / "dagster").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        yield instance


def collect(day: date, lookahead: int, replay, database_url, instance, monkeypatch, at: date | None = None):
    """The collection of ``day`` at the 04:00 tick of ``at`` (``day`` by default) with ``lookahead`` days."""
    _, clock, environment = replay
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    now = four_am(at or day)
    clock.set(now)
    collectors = collectors_from_settings(load_settings(), collection_lookahead_days=str(lookahead))
    result = materialize(COLLECTION, partition_key=sport_day_key("NFL", day), instance=instance,
                         raise_on_error=False, tags={AS_OF_TAG: now.isoformat()},
                         resources={"database": DatabaseResource(url=database_url), "collectors": collectors})
    assert result.success
    return result


def snapshots_of(database_url, game_date: date) -> pd.DataFrame:
    engine = DatabaseResource(url=database_url).engine()
    query = (select(GameRow.source_game_id, GameRow.status, GameRow.home_score, OddsSnapshotRow.market,
                    OddsSnapshotRow.side, OddsSnapshotRow.line, OddsSnapshotRow.captured_at)
             .join(GameRow, GameRow.id == OddsSnapshotRow.game_id).where(GameRow.game_date == game_date))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["captured_at"] = pd.to_datetime(frame["captured_at"], utc=True)
    return frame


def sunday_features(database_url, instance, tmp_path) -> pd.DataFrame:
    games, features = month_features(database_url, instance, tmp_path, "NFL", date(2024, 10, 1))
    sunday = games[pd.to_datetime(games["game_date"]).dt.date == SUNDAY]
    return features[features["game_id"].isin(sunday["game_id"])].merge(sunday[["game_id", "source_game_id"]])


def odds_metadata(result) -> dict:
    [event] = [event for event in result.get_asset_materialization_events()
               if event.asset_key == ODDS_API_SNAPSHOTS]
    return {name: value.value for name, value in event.materialization.metadata.items()}


def collected_through(result) -> str:
    return odds_metadata(result)["collected_through"]


def test_a_game_seen_on_the_days_before_it_has_its_first_snapshot_as_opener(
    replay, database_url, instance, monkeypatch, tmp_path
):
    history, _, _ = replay
    expected_sunday = set(history.games.loc[history.games["game_date"] == SUNDAY, "espn_id"])

    wednesday = collect(date(2024, 10, 2), 6, replay, database_url, instance, monkeypatch, at=THURSDAY)
    assert collected_through(wednesday) == "2024-10-02"  # yesterday's finals: that day only
    assert snapshots_of(database_url, SUNDAY).empty
    thursday = collect(THURSDAY, 6, replay, database_url, instance, monkeypatch)
    assert collected_through(thursday) == "2024-10-09"
    seen = snapshots_of(database_url, SUNDAY)
    assert set(seen["source_game_id"]) == expected_sunday  # three days ahead: stored, with its odds
    assert (seen["status"] == "scheduled").all() and seen["home_score"].isna().all()
    assert seen.groupby("source_game_id")["captured_at"].nunique().eq(1).all()
    assert (seen["captured_at"] <= four_am(THURSDAY)).all()  # nothing captured after the tick

    collect(FRIDAY, 6, replay, database_url, instance, monkeypatch)
    seen = snapshots_of(database_url, SUNDAY)
    assert seen.groupby("source_game_id")["captured_at"].nunique().eq(2).all()  # a second snapshot
    assert (seen["captured_at"] <= four_am(FRIDAY)).all()

    collect(SUNDAY, 6, replay, database_url, instance, monkeypatch)
    seen = snapshots_of(database_url, SUNDAY)
    features = sunday_features(database_url, instance, tmp_path).set_index("source_game_id")
    assert set(features.index) == expected_sunday
    assert (features["opening_spread_available"] == 1).all()
    home = seen[(seen["market"] == "spread") & (seen["side"] == "home")].sort_values("captured_at")
    first, last = home.groupby("source_game_id")["line"].first(), home.groupby("source_game_id")["line"].last()
    assert (features["opening_spread_home"] == first.reindex(features.index)).all()
    assert (features["spread_movement"] == (last - first).reindex(features.index)).all()
    assert (features["spread_movement"] != 0).any()  # nfelo's openers: the market moved between them


def test_without_look_ahead_a_game_is_seen_on_its_day_only(replay, database_url, instance, monkeypatch, tmp_path):
    thursday = collect(THURSDAY, 0, replay, database_url, instance, monkeypatch)
    assert collected_through(thursday) == str(THURSDAY)
    assert snapshots_of(database_url, SUNDAY).empty
    assert not snapshots_of(database_url, THURSDAY).empty  # the Thursday night game
    collect(SUNDAY, 0, replay, database_url, instance, monkeypatch)
    features = sunday_features(database_url, instance, tmp_path)
    assert len(features) > 10
    assert (features["opening_spread_available"] == 0).all() and features["spread_movement"].isna().all()


def test_look_ahead_odds_do_not_re_price_a_day_without_new_odds_of_its_own(
    replay, database_url, instance, monkeypatch
):
    """Friday has no NFL game: its collection stores only the weekend's odds, and ``new_odds_sensor``
    asks for no predictions run of Friday's (empty) slate. Thursday's, with its night game, asks
    for Thursday's."""
    thursday = odds_metadata(collect(THURSDAY, 6, replay, database_url, instance, monkeypatch))
    assert 0 < thursday["rows_written_own_days"] < thursday["rows_written"]
    assert thursday["rows_written_own_days"] == len(snapshots_of(database_url, THURSDAY))
    tick = new_odds_sensor.evaluate_tick(build_sensor_context(instance=instance, definitions=build_definitions(load_settings())))
    assert [request.partition_key for request in tick.run_requests] == [sport_day_key("NFL", THURSDAY)]

    friday = odds_metadata(collect(FRIDAY, 6, replay, database_url, instance, monkeypatch))
    assert friday["rows_written"] > 0 and friday["rows_written_own_days"] == 0
    later = new_odds_sensor.evaluate_tick(
        build_sensor_context(instance=instance, cursor=tick.cursor, definitions=build_definitions(load_settings())))
    assert not later.run_requests, [request.partition_key for request in later.run_requests]
