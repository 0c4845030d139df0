"""Each client against a real loopback HTTP server serving the documented-format fixtures."""

from __future__ import annotations

import base64
import logging
import time
from datetime import date

import pandas as pd
import pytest
from werkzeug import Response

from royaley_pipeline.collectors import espn, odds_api, open_meteo, pinnacle, sportsdb
from royaley_pipeline.collectors.errors import (
    PayloadError,
    QuotaExhaustedError,
    RequestRejectedError,
    ServiceUnavailableError,
)
from royaley_pipeline.collectors.files import FileClient, collect_nflverse, collect_tennis
from royaley_pipeline.sources.errors import UnknownTeamError
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline_tests.collectors.conftest import ODDS_KEY, PINNACLE_PASSWORD, SPORTSDB_KEY, fixture_json

NFL_DAY = date(2025, 9, 7)


def our_logs(caplog) -> str:
    """Log text of everything but the test server itself (werkzeug logs the URLs it received)."""
    return "\n".join(record.getMessage() for record in caplog.records if record.name != "werkzeug")
TEAMS = TeamDirectory()


def test_espn_scoreboard_and_injuries(httpserver, fast_retry):
    httpserver.expect_request("/football/nfl/scoreboard", query_string="dates=20250907").respond_with_json(
        fixture_json("espn_nfl_scoreboard.json"))
    httpserver.expect_request("/football/nfl/summary", query_string="event=401772510").respond_with_json(
        fixture_json("espn_summary_injuries.json"))
    client = espn.EspnClient(httpserver.url_for(""), retry=fast_retry)
    slate = espn.parse_scoreboard(client.fetch_scoreboard("NFL", NFL_DAY), "NFL", TEAMS)
    assert list(slate.games["home_team"]) == ["NYJ", "NO", "DEN"]
    assert list(slate.games["roof"]) == ["outdoors", "dome", "outdoors"]
    assert (slate.games["status"] == "scheduled").all() and slate.games["home_score"].isna().all()
    assert str(slate.games["start_time"].dt.tz) == "UTC"
    injuries = espn.parse_injuries(client.fetch_summary("NFL", "401772510"), "NFL", "401772510", TEAMS)
    assert sorted(injuries["team"]) == ["NYJ", "NYJ", "PIT"]
    assert set(injuries["status"]) == {"Out", "Questionable", "Doubtful"}


def test_odds_api_snapshots_and_quota_headers(httpserver, fast_retry):
    httpserver.expect_request("/v4/sports/americanfootball_nfl/odds").respond_with_json(
        fixture_json("odds_api_nfl.json"),
        headers={"x-requests-remaining": "16", "x-requests-used": "484", "x-requests-last": "3"})
    client = odds_api.OddsApiClient(ODDS_KEY, httpserver.url_for(""), quota_reserve=10, retry=fast_retry)
    fetched = client.fetch_odds("NFL", NFL_DAY)
    sent = httpserver.log[0][0]
    assert sent.args["apiKey"] == ODDS_KEY and sent.args["markets"] == "h2h,spreads,totals"
    assert sent.args["commenceTimeFrom"] == "2025-09-07T04:00:00Z"  # midnight US Eastern
    assert ODDS_KEY not in fetched.request and "apiKey" not in fetched.request
    odds = odds_api.parse_odds(fetched, "NFL", TEAMS)
    assert client.quota == odds_api.Quota(16, 484, 3)
    jets = odds[(odds["home_team"] == "NYJ") & (odds["book"] == "draftkings")]
    spread = jets[jets["market"] == "spread"].set_index("side")
    assert spread.loc["home", "line"] == 2.5 and spread.loc["away", "line"] == -2.5
    assert set(odds["market"]) == {"spread", "moneyline", "total"}
    assert len(odds) == 6 + 2 + 4 + 2  # every outcome of every market of every book
    # 16 left, a call costs 3, 10 kept in reserve: the next call would leave 13 ≥ 10, the one after 10.
    client.fetch_odds("NFL", NFL_DAY)
    client.quota = odds_api.Quota(12, None, None)
    with pytest.raises(QuotaExhaustedError) as stopped:
        client.fetch_odds("NFL", NFL_DAY)
    assert len(httpserver.log) == 2 and ODDS_KEY not in str(stopped.value)


def test_pinnacle_sharp_lines_with_basic_auth(httpserver, fast_retry):
    httpserver.expect_request("/v1/fixtures").respond_with_json(fixture_json("pinnacle_fixtures_nfl.json"))
    httpserver.expect_request("/v2/odds").respond_with_json(fixture_json("pinnacle_odds_nfl.json"))
    client = pinnacle.PinnacleClient("royaley", PINNACLE_PASSWORD, httpserver.url_for(""), retry=fast_retry)
    fixtures, odds = client.fetch_fixtures("NFL"), client.fetch_odds("NFL")
    expected = "Basic " + base64.b64encode(f"royaley:{PINNACLE_PASSWORD}".encode()).decode()
    assert httpserver.log[0][0].headers["Authorization"] == expected
    rows = pinnacle.parse_pinnacle(fixtures, odds, "NFL", NFL_DAY, TEAMS)
    assert set(rows["book"]) == {pinnacle.SHARP_REFERENCE_BOOK}
    assert set(rows["event_id"]) == {"1611234567"}  # not the live copy, not next week's game
    spread = rows[rows["market"] == "spread"].set_index("side")
    assert spread.loc["home", "line"] == 2.5 and spread.loc["away", "line"] == -2.5  # main line, not alt
    assert len(rows) == 6


def test_open_meteo_kickoff_hour(httpserver, fast_retry):
    httpserver.expect_request("/v1/forecast").respond_with_json(fixture_json("open_meteo_forecast.json"))
    client = open_meteo.OpenMeteoClient(httpserver.url_for(""), httpserver.url_for("/archive"), retry=fast_retry)
    fetched = client.fetch_hourly(40.8135, -74.0745, NFL_DAY, archive=False)
    assert httpserver.log[0][0].args["temperature_unit"] == "fahrenheit"
    weather = open_meteo.parse_kickoff_weather(fetched, pd.Timestamp("2025-09-07T17:00Z"))
    assert weather == {"temperature_f": 71.6, "wind_mph": 8.1, "precipitation_probability": 0.15}
    with pytest.raises(PayloadError, match="hourly.time"):
        open_meteo.parse_kickoff_weather(fetched, pd.Timestamp("2025-09-08T17:00Z"))
    archived = fixture_json("open_meteo_forecast.json")
    del archived["hourly"]["precipitation_probability"]
    httpserver.expect_request("/archive/v1/archive").respond_with_json(archived)
    fetched = client.fetch_hourly(40.8135, -74.0745, NFL_DAY, archive=True)
    assert fetched.request.startswith(httpserver.url_for("/archive/v1/archive"))
    assert "precipitation_probability" not in httpserver.log[-1][0].args["hourly"]
    past = open_meteo.parse_kickoff_weather(fetched, pd.Timestamp("2025-09-07T17:00Z"))
    assert past["temperature_f"] == 71.6 and pd.isna(past["precipitation_probability"])


def test_sportsdb_key_in_path_is_masked(httpserver, fast_retry):
    httpserver.expect_request(f"/{SPORTSDB_KEY}/eventsday.php").respond_with_json(
        fixture_json("sportsdb_eventsday_nfl.json"))
    client = sportsdb.SportsDbClient(SPORTSDB_KEY, httpserver.url_for(""), retry=fast_retry)
    fetched = client.fetch_events_day("NFL", NFL_DAY)
    assert SPORTSDB_KEY not in fetched.request and "***/eventsday.php" in fetched.request
    games = sportsdb.parse_events(fetched, "NFL", TEAMS)
    assert list(games["home_team"]) == ["NYJ", "DEN"] and games["season"].tolist() == [2025, 2025]
    httpserver.expect_request(f"/{SPORTSDB_KEY}/eventsday.php", query_string="d=2025-09-08&l=NFL").respond_with_json(
        {"events": None})


def test_file_sources_from_url_and_path(httpserver, fast_retry, tmp_path):
    header = open("royaley_pipeline/data/nflverse/games.csv").readline()
    rows = [line for line in open("royaley_pipeline/data/nflverse/games.csv") if line.startswith("2023_01_")]
    httpserver.expect_request("/nflverse/games.csv").respond_with_data(header + "".join(rows), content_type="text/csv")
    client = FileClient(source="nflverse", base_url="file:", retry=fast_retry)
    batch = collect_nflverse(httpserver.url_for("/nflverse/games.csv"), day=date(2023, 9, 10), client=client)
    assert len(batch.games) > 5 and (batch.games["game_date"] == "2023-09-10").all()
    tennis = "royaley_pipeline/data/tennis_atp/atp_matches_{year}.csv"
    matches = collect_tennis(tennis, day=date(2023, 1, 2))
    assert len(matches.games) > 0
    with pytest.raises(Exception, match="cannot be read"):
        collect_tennis(str(tmp_path / "missing_{year}.csv"), day=date(2023, 1, 2))


def test_retry_after_is_honoured_then_succeeds(httpserver, fast_retry):
    httpserver.expect_ordered_request("/football/nfl/scoreboard").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"})
    httpserver.expect_ordered_request("/football/nfl/scoreboard").respond_with_json(
        fixture_json("espn_nfl_scoreboard.json"))
    client = espn.EspnClient(httpserver.url_for(""), retry=fast_retry)
    started = time.monotonic()
    fetched = client.fetch_scoreboard("NFL", NFL_DAY)
    assert time.monotonic() - started >= 1.0 and fetched.status == 200 and len(httpserver.log) == 2


def test_hopeless_4xx_is_not_retried_and_secrets_stay_out(httpserver, fast_retry, caplog):
    httpserver.expect_request("/v4/sports/basketball_nba/odds").respond_with_data(
        f"invalid api key {ODDS_KEY}", status=401)
    client = odds_api.OddsApiClient(ODDS_KEY, httpserver.url_for(""), retry=fast_retry)
    with caplog.at_level(logging.DEBUG), pytest.raises(RequestRejectedError) as rejected:
        client.fetch_odds("NBA", NFL_DAY)
    assert len(httpserver.log) == 1
    assert "HTTP 401" in str(rejected.value) and "the_odds_api" in str(rejected.value)
    assert ODDS_KEY not in str(rejected.value) and ODDS_KEY not in our_logs(caplog)
    assert rejected.value.__cause__ is None and rejected.value.__context__ is None


def test_persistent_timeouts_and_connection_errors_fail_naming_the_request(httpserver, fast_retry, caplog):
    def slow(_request):
        time.sleep(0.8)
        return Response("[]", content_type="application/json")

    httpserver.expect_request("/v4/sports/americanfootball_nfl/odds").respond_with_handler(slow)
    client = odds_api.OddsApiClient(ODDS_KEY, httpserver.url_for(""), retry=fast_retry)
    with caplog.at_level(logging.DEBUG), pytest.raises(ServiceUnavailableError, match="timed out after 3 attempts"):
        client.fetch_odds("NFL", NFL_DAY)
    closed = odds_api.OddsApiClient(ODDS_KEY, "http://127.0.0.1:9", retry=fast_retry)
    with pytest.raises(ServiceUnavailableError, match="connection failed") as failed:
        closed.fetch_odds("NFL", NFL_DAY)
    assert ODDS_KEY not in str(failed.value) and ODDS_KEY not in our_logs(caplog)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html><body>502 Bad Gateway</body></html>", "an HTML page"),
        ('[{"id": "e1", "sport_key": "americanfootball_nfl", "commence_time": "2025-09-07T17:00:00Z", "home_', "not valid JSON"),
    ],
)
def test_html_and_truncated_bodies_are_payload_errors(httpserver, fast_retry, body, problem):
    httpserver.expect_request("/v4/sports/americanfootball_nfl/odds").respond_with_data(body, status=200)
    client = odds_api.OddsApiClient(ODDS_KEY, httpserver.url_for(""), retry=fast_retry)
    with pytest.raises(PayloadError, match=problem) as error:
        odds_api.parse_odds(client.fetch_odds("NFL", NFL_DAY), "NFL", TEAMS)
    assert "the_odds_api request http://" in str(error.value) and ODDS_KEY not in str(error.value)


def test_renamed_field_unknown_team_and_duplicates_name_the_field(httpserver, fast_retry):
    board = fixture_json("espn_nfl_scoreboard.json")
    renamed = {"events": [dict(board["events"][0], startDate=board["events"][0]["date"])]}
    del renamed["events"][0]["date"]
    unknown = fixture_json("espn_nfl_scoreboard.json")
    unknown["events"][1]["competitions"][0]["competitors"][1]["team"]["abbreviation"] = "XYZ"
    twice = {"events": [board["events"][0], board["events"][0]]}
    client = espn.EspnClient(httpserver.url_for(""), retry=fast_retry)
    for payload, error, field in (
        (renamed, PayloadError, "events.0.date"),
        (unknown, UnknownTeamError, "events.1.away.team.abbreviation"),
        (twice, PayloadError, "events.1.id"),
    ):
        httpserver.clear()
        httpserver.expect_request("/football/nfl/scoreboard").respond_with_json(payload)
        with pytest.raises(error) as raised:
            espn.parse_scoreboard(client.fetch_scoreboard("NFL", NFL_DAY), "NFL", TEAMS)
        assert raised.value.field == field and raised.value.source == "espn"
        assert "scoreboard?dates=20250907" in str(raised.value)
