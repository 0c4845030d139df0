"""A day's collection through real Dagster materialisations against loopback servers, on SQLite
and PostgreSQL, and the bad-day catalogue: what happened, and what the database holds afterwards."""

from __future__ import annotations

import copy
import time
from datetime import date

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    build_sensor_context,
    materialize,
)
from sqlalchemy import func, select
from werkzeug import Response

from royaley_pipeline.assets.live import ESPN_GAMES, LIVE_ASSETS_BY_SOURCE, ODDS_API_SNAPSHOTS
from royaley_pipeline.partitions import sport_day_key
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.runner import definitions
from royaley_pipeline.sensors import (
    features_after_collection_sensor,
    new_odds_sensor,
    settlement_after_collection_sensor,
)
from royaley_pipeline.storage.models import GameRow, InjuryRow, OddsSnapshotRow, WeatherRow
from royaley_pipeline_tests.collectors.conftest import (
    ODDS_KEY,
    PINNACLE_PASSWORD,
    SPORTSDB_KEY,
    fixture_json,
    month_features,
)

NFL_DAY, NBA_DAY = date(2025, 9, 7), date(2025, 11, 26)
NFL_KEY, NBA_KEY = sport_day_key("NFL", NFL_DAY), sport_day_key("NBA", NBA_DAY)
SECRETS = (ODDS_KEY, PINNACLE_PASSWORD, SPORTSDB_KEY)
QUOTA = {"x-requests-remaining": "480", "x-requests-used": "20", "x-requests-last": "3"}


def serve_day(httpserver, *, scoreboard=None, odds=None, nba=False):
    """Routes of every service for one sport-day (override a payload to make a bad day)."""
    league, odds_key = ("basketball/nba", "basketball_nba") if nba else ("football/nfl", "americanfootball_nfl")
    board = scoreboard if scoreboard is not None else fixture_json(f"espn_{'nba' if nba else 'nfl'}_scoreboard.json")
    httpserver.expect_request(f"/espn/{league}/scoreboard").respond_with_json(board)
    httpserver.expect_request(f"/espn/{league}/summary", query_string="event=401772510").respond_with_json(
        fixture_json("espn_summary_injuries.json"))
    httpserver.expect_request(f"/espn/{league}/summary").respond_with_json(fixture_json("espn_summary_empty.json"))
    if odds is None:
        odds = fixture_json(f"odds_api_{'nba' if nba else 'nfl'}.json")
    if isinstance(odds, str):
        httpserver.expect_request(f"/oddsapi/v4/sports/{odds_key}/odds").respond_with_data(odds, headers=QUOTA)
    else:
        httpserver.expect_request(f"/oddsapi/v4/sports/{odds_key}/odds").respond_with_json(odds, headers=QUOTA)
    httpserver.expect_request("/pinnacle/v1/fixtures").respond_with_json(fixture_json("pinnacle_fixtures_nfl.json"))
    httpserver.expect_request("/pinnacle/v2/odds").respond_with_json(fixture_json("pinnacle_odds_nfl.json"))
    httpserver.expect_request("/meteo/v1/forecast").respond_with_json(fixture_json("open_meteo_forecast.json"))


def run(assets, partition, database_url, collectors, instance):
    return materialize(
        assets, partition_key=partition, instance=instance, raise_on_error=False,
        resources={"database": DatabaseResource(url=database_url), "collectors": collectors},
    )


def counts(database_url) -> dict[str, int]:
    engine = DatabaseResource(url=database_url).engine()
    with engine.connect() as connection:
        return {
            table.__tablename__: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (GameRow, OddsSnapshotRow, WeatherRow, InjuryRow)
        }


def failure_message(result) -> str:
    failures = [event for event in result.all_events if event.event_type == DagsterEventType.STEP_FAILURE]
    assert failures, "expected a failed step"
    return failures[0].event_specific_data.error.message


@pytest.fixture
def instance(tmp_path):
    (tmp_path / "dagster").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        yield instance


espn_games, the_odds_api_snapshots, pinnacle_snapshots, open_meteo_weather = (
    LIVE_ASSETS_BY_SOURCE[name] for name in ("espn", "the_odds_api", "pinnacle", "open_meteo"))
ALL = [espn_games, the_odds_api_snapshots, pinnacle_snapshots, open_meteo_weather]


def test_a_days_collection_fills_games_odds_weather_and_injuries(
    database_url, collectors, httpserver, instance
):
    serve_day(httpserver)
    nfl = run(ALL, NFL_KEY, database_url, collectors, instance)
    assert nfl.success
    httpserver.clear()
    serve_day(httpserver, nba=True)
    nba = run(ALL, NBA_KEY, database_url, collectors, instance)
    assert nba.success
    # NFL: 3 games, 14 Odds API + 6 Pinnacle snapshots, 3 weather rows (1 dome), 3 injuries.
    # NBA: 2 games, 8 Odds API snapshots (Pinnacle's NBA league returns no game that day), 2 indoor rows.
    assert counts(database_url) == {"games": 5, "odds_snapshots": 14 + 6 + 8, "weather": 5, "injuries": 3}
    engine = DatabaseResource(url=database_url).engine()
    with engine.connect() as connection:
        weather = connection.execute(
            select(WeatherRow.is_indoor, WeatherRow.temperature_f, WeatherRow.precipitation_probability)
            .order_by(WeatherRow.id)).all()
        books = set(connection.execute(select(OddsSnapshotRow.book)).scalars())
    assert [row.is_indoor for row in weather[:3]] == [False, True, False]
    assert weather[0].temperature_f == 71.6 and weather[0].precipitation_probability == 0.15
    assert {"draftkings", "fanduel", "betmgm", "pinnacle"} <= books
    checks = [e for e in nfl.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    assert len(checks) == 4 and all(e.event_specific_data.passed for e in checks)
    quota = instance.get_latest_materialization_event(ODDS_API_SNAPSHOTS).asset_materialization.metadata
    assert quota["requests_remaining"].value == 480
    logs = " ".join(str(record) for record in instance.all_logs(nfl.run_id))
    assert not any(secret in logs for secret in SECRETS)


def test_sensor_requests_the_days_predictions_when_new_odds_land(database_url, collectors, httpserver, instance):
    serve_day(httpserver)
    assert run([espn_games, the_odds_api_snapshots], NFL_KEY, database_url, collectors, instance).success
    first = new_odds_sensor.evaluate_tick(build_sensor_context(instance=instance, definitions=definitions()))
    assert [request.partition_key for request in first.run_requests] == [NFL_KEY]
    again = new_odds_sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor, definitions=definitions()))
    assert not again.run_requests  # nothing new since the cursor
    httpserver.clear()
    serve_day(httpserver, odds=_moved_odds())
    assert run([the_odds_api_snapshots], NFL_KEY, database_url, collectors, instance).success
    later = new_odds_sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor, definitions=definitions()))
    assert [request.partition_key for request in later.run_requests] == [NFL_KEY]
    assert later.run_requests[0].run_key != first.run_requests[0].run_key


@pytest.mark.parametrize(("sensor", "partition", "job"), [
    # the month's raw files and features, so the 06:00 predictions find features for the games collected at 04:00
    (features_after_collection_sensor, "2025-09-01|NFL", "collection_job"),
    (settlement_after_collection_sensor, NFL_KEY, "settlement_job"),  # the day's final scores settle it
])
def test_a_successful_collection_requests_its_follow_up(database_url, collectors, httpserver, instance, sensor,
                                                         partition, job):
    """The run-status sensors ask for their job on the collected day's partition."""
    serve_day(httpserver)
    result = run([espn_games], NFL_KEY, database_url, collectors, instance)
    success = [e for e in result.all_events if e.event_type == DagsterEventType.RUN_SUCCESS][0]
    context = build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=success,
        dagster_instance=instance, dagster_run=instance.get_run_by_id(result.run_id),
    )
    assert [r.partition_key for r in sensor(context)] == [partition]
    assert sensor.job_name == job


def _moved_odds():
    moved = fixture_json("odds_api_nfl.json")
    for event in moved:
        for book in event["bookmakers"]:
            book["last_update"] = "2025-09-07T09:00:00Z"
            for market in book["markets"]:
                market["last_update"] = "2025-09-07T09:00:00Z"
    return moved


def _renamed_odds():
    odds = fixture_json("odds_api_nfl.json")
    odds[0]["commenceTime"] = odds[0].pop("commence_time")
    return odds


def _espn(edit):
    board = fixture_json("espn_nfl_scoreboard.json")
    for competitor in board["events"][0]["competitions"][0]["competitors"]:
        competitor["score"] = "24" if competitor["homeAway"] == "home" else "17"
    board["events"][0]["competitions"][0]["status"]["type"].update(state="post", completed=True)
    edit(board)
    return board


def _unknown_team(board):
    board["events"][2]["competitions"][0]["competitors"][1]["team"]["abbreviation"] = "XYZ"


def _duplicate(board):
    board["events"].append(copy.deepcopy(board["events"][0]))


ODDS_PATH = "/oddsapi/v4/sports/americanfootball_nfl/odds"


def _ordered(httpserver, first: Response | None, then_json):
    def slow(_request):
        time.sleep(0.8)  # longer than the 0.5 s read timeout of the test settings
        return Response("[]", content_type="application/json")

    if first is None:
        httpserver.expect_ordered_request(ODDS_PATH).respond_with_handler(slow)
    else:
        httpserver.expect_ordered_request(ODDS_PATH).respond_with_response(first)
    httpserver.expect_ordered_request(ODDS_PATH).respond_with_json(then_json, headers=QUOTA)


BAD_DAYS = {
    # name: (how to serve it, expected error text or None for success, counts after)
    "429 with Retry-After": ("retry", Response("slow down", status=429, headers={"Retry-After": "1"}), None),
    "500 then success": ("retry", Response("oops", status=500), None),
    "timeout then success": ("retry", None, None),
    "HTML instead of JSON": ("odds", "<!DOCTYPE html><html><body>Service error</body></html>", "an HTML page"),
    "truncated body": ("odds", '[{"id": "e9", "sport_key": "americanfootball_nfl", "home_te', "not valid JSON"),
    "renamed field": ("odds", _renamed_odds, "field 'events.0.commence_time': missing"),
    "empty slate": ("espn", lambda board: board.update(events=[]), None),
    "duplicate events": ("espn", _duplicate, "field 'events.3.id': event 401772510 appears twice"),
    "unknown team": ("espn", _unknown_team, "field 'events.2.away.team.abbreviation': 'XYZ' is not a known NFL team"),
}


@pytest.mark.parametrize("bad_day", list(BAD_DAYS))
def test_bad_day(bad_day, database_url, collectors, httpserver, instance):
    serve_day(httpserver)
    assert run([espn_games, the_odds_api_snapshots], NFL_KEY, database_url, collectors, instance).success
    before = counts(database_url)
    assert before == {"games": 3, "odds_snapshots": 14, "weather": 0, "injuries": 3}
    httpserver.clear()
    kind, served, expected_error = BAD_DAYS[bad_day]
    started = time.monotonic()
    if kind == "retry":
        _ordered(httpserver, served, _moved_odds())
        result = run([the_odds_api_snapshots], NFL_KEY, database_url, collectors, instance)
    elif kind == "odds":
        serve_day(httpserver, odds=served() if callable(served) else served)
        result = run([the_odds_api_snapshots], NFL_KEY, database_url, collectors, instance)
    else:
        serve_day(httpserver, scoreboard=_espn(served))
        result = run([espn_games], NFL_KEY, database_url, collectors, instance)
    after = counts(database_url)
    if expected_error is None:
        assert result.success
        if kind == "retry":  # retried and succeeded: the moved lines are appended, the old ones kept
            assert after == {**before, "odds_snapshots": 28}
            assert len(httpserver.log) == 2
            if "Retry-After" in bad_day:
                assert time.monotonic() - started >= 1.0
        else:  # an empty slate writes nothing and loses nothing; its check warns
            assert after == before
            checks = [e for e in result.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
            assert not checks[0].event_specific_data.passed
            assert "empty slate" in str(checks[0].event_specific_data.metadata["warnings"].value)
        return
    assert not result.success
    message = failure_message(result)
    assert expected_error in message
    source = "espn" if kind == "espn" else "the_odds_api"
    assert message.startswith(f"dagster._core.definitions.events.Failure: {source} request http://") or (
        f"{source} request http://127.0.0.1" in message)
    assert not any(secret in message for secret in SECRETS)
    assert after == before  # nothing partial from the bad payload, nothing lost from before
    if kind == "espn":  # the final score in the rejected payload did not land either
        engine = DatabaseResource(url=database_url).engine()
        with engine.connect() as connection:
            statuses = set(connection.execute(select(GameRow.status)).scalars())
        assert statuses == {"scheduled"}
    assert instance.get_latest_materialization_event(ESPN_GAMES) is not None


def test_a_collected_day_reaches_the_features_injuries_weather_and_consensus_lines(
    database_url, collectors, httpserver, instance, tmp_path
):
    """The 04:00 collection feeds the feature set: ESPN injury reports, Open-Meteo forecasts and
    several books' lines become the game's features (the month partition the sensor asks for)."""
    import pandas as pd

    serve_day(httpserver)
    assert run(ALL, NFL_KEY, database_url, collectors, instance).success
    games, features = month_features(database_url, instance, tmp_path, "NFL", date(2025, 9, 1))
    games, features = games.set_index("source_game_id"), features.set_index("game_id")
    jets = features.loc[games.loc[games["home_team"].eq("NYJ") | games["away_team"].eq("NYJ"), "game_id"].iloc[0]]
    jets_home = games.loc[games["game_id"] == jets.name, "home_team"].iloc[0] == "NYJ"
    jets_side, steelers_side = ("home", "away") if jets_home else ("away", "home")
    assert jets["injuries_available"] == 1
    assert jets[f"{jets_side}_injury_count"] == 2 and jets[f"{jets_side}_injury_impact"] == 1.0 + 0.4
    assert jets[f"{steelers_side}_injury_count"] == 1 and jets[f"{steelers_side}_injury_impact"] == 0.75
    assert (features["weather_available"] == 1).all()
    assert features["closing_spread_home"].notna().sum() >= 2  # consensus of the books quoting before kick-off
    assert 0 < jets["market_home_win_probability"] < 1 and not pd.isna(jets["closing_spread_home"])
