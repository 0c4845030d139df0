"""TheSportsDB, nflverse and tennis assets, cross-source game matching and the quota stop."""

from __future__ import annotations

from datetime import date

from dagster import DagsterEventType
from sqlalchemy import select

from royaley_pipeline.assets.live import LIVE_ASSETS_BY_SOURCE
from royaley_pipeline.partitions import sport_day_key
from royaley_pipeline.resources import DatabaseResource
from royaley_pipeline.storage.models import GameRow
from royaley_pipeline_tests.collectors.conftest import SPORTSDB_KEY, fixture_json, make_collectors
from royaley_pipeline_tests.collectors.test_live_assets import (
    NFL_KEY,
    counts,
    failure_message,
    instance,  # noqa: F401 - the fixture
    run,
    serve_day,
)

espn_games, the_odds_api_snapshots, thesportsdb_events, tennis_matches, nflverse_games = (
    LIVE_ASSETS_BY_SOURCE[name] for name in ("espn", "the_odds_api", "thesportsdb", "sackmann", "nflverse"))


def test_sportsdb_events_land_on_the_games_espn_already_stored(database_url, collectors, httpserver, instance):  # noqa: F811
    serve_day(httpserver)
    httpserver.expect_request(f"/sportsdb/{SPORTSDB_KEY}/eventsday.php").respond_with_json(
        fixture_json("sportsdb_eventsday_nfl.json"))
    assert run([espn_games], NFL_KEY, database_url, collectors, instance).success
    result = run([thesportsdb_events], NFL_KEY, database_url, collectors, instance)
    assert result.success
    assert counts(database_url)["games"] == 3  # the two TheSportsDB events matched ESPN's games
    engine = DatabaseResource(url=database_url).engine()
    with engine.connect() as connection:
        ids = set(connection.execute(select(GameRow.source_game_id)).scalars())
    assert ids == {"401772510", "401772511", "401772512"}


def test_nflverse_and_tennis_files_through_their_assets(database_url, collectors, httpserver, instance, tmp_path):  # noqa: F811
    header = open("royaley_pipeline/data/nflverse/games.csv").readline()
    rows = [line for line in open("royaley_pipeline/data/nflverse/games.csv") if line.startswith("2023_01_")]
    httpserver.expect_request("/nflverse/games.csv").respond_with_data(header + "".join(rows))
    configured = make_collectors(
        httpserver,
        nflverse_location=httpserver.url_for("/nflverse/games.csv"),
        tennis_location="royaley_pipeline/data/tennis_atp/atp_matches_{year}.csv",
    )
    nfl = run([nflverse_games], sport_day_key("NFL", date(2023, 9, 10)), database_url, configured, instance)
    assert nfl.success
    after_nfl = counts(database_url)
    assert after_nfl["games"] > 5 and after_nfl["odds_snapshots"] > 0 and after_nfl["weather"] > 0
    atp = run([tennis_matches], sport_day_key("ATP", date(2023, 1, 2)), database_url, configured, instance)
    assert atp.success
    assert counts(database_url)["games"] > after_nfl["games"]


def test_the_odds_api_stops_before_the_quota_runs_out(database_url, collectors, httpserver, instance):  # noqa: F811
    league = "football/nfl"
    httpserver.expect_request(f"/espn/{league}/scoreboard").respond_with_json(fixture_json("espn_nfl_scoreboard.json"))
    httpserver.expect_request(f"/espn/{league}/summary").respond_with_json(fixture_json("espn_summary_empty.json"))
    httpserver.expect_request("/oddsapi/v4/sports/americanfootball_nfl/odds").respond_with_json(
        fixture_json("odds_api_nfl.json"), headers={"x-requests-remaining": "12", "x-requests-used": "488"})
    assert run([espn_games, the_odds_api_snapshots], NFL_KEY, database_url, collectors, instance).success
    calls = len([entry for entry in httpserver.log if "oddsapi" in entry[0].path])
    second = run([the_odds_api_snapshots], NFL_KEY, database_url, collectors, instance)
    assert not second.success
    assert "x-requests-remaining" in failure_message(second) and "12 request(s) left" in failure_message(second)
    assert len([entry for entry in httpserver.log if "oddsapi" in entry[0].path]) == calls  # no call was made
    assert not [e for e in second.all_events if e.event_type == DagsterEventType.STEP_RESTARTED]
