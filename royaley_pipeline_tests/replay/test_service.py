"""The replay service against the collectors' own clients and parsers, on a real loopback server."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import requests

from royaley_pipeline.collectors import espn, odds_api, open_meteo
from royaley_pipeline.collectors.files import NFLVERSE_SOURCE, collect_nflverse, file_client
from royaley_pipeline.collectors.settings import collectors_from_settings
from royaley_pipeline.config import load_settings
from royaley_pipeline.replay.history import history_files, load_replay_history
from royaley_pipeline.replay.service import ReplayClock, ReplayServer, build_app, replay_environment
from royaley_pipeline.sources.teams import TeamDirectory

SUNDAY = date(2024, 10, 6)
BEFORE_SUNDAY = pd.Timestamp("2024-10-06 08:00", tz="UTC")  # 04:00 US Eastern
AFTER_SUNDAY = pd.Timestamp("2024-10-08 08:00", tz="UTC")
NBA_DAY = date(2024, 1, 10)


@pytest.fixture(scope="module")
def histories():
    files = history_files(load_settings())
    return {
        "NFL": load_replay_history(files, "NFL", date(2024, 10, 1), date(2024, 10, 14)),
        "NBA": load_replay_history(files, "NBA", date(2024, 1, 9), date(2024, 1, 11)),
    }


@pytest.fixture(scope="module")
def replay(histories):
    clock = ReplayClock(BEFORE_SUNDAY)
    with ReplayServer(build_app(histories, clock)) as server, pytest.MonkeyPatch.context() as patch:
        environment = replay_environment(server.base_url)
        for name, value in environment.items():
            patch.setenv(name, value)
        yield server, clock, collectors_from_settings(load_settings(environment))


def _games(histories, day=SUNDAY):
    games = histories["NFL"].games
    return games[games["game_date"] == day]


def test_scoreboard_shows_scores_only_once_games_have_ended(replay, histories):
    server, clock, collectors = replay
    client, teams = espn.client(collectors), TeamDirectory()
    clock.set(BEFORE_SUNDAY)
    before = espn.parse_scoreboard(client.fetch_scoreboard("NFL", SUNDAY), "NFL", teams).games
    expected = _games(histories)
    assert len(before) == len(expected) > 10
    assert (before["status"] == "scheduled").all() and before["home_score"].isna().all()
    first = expected.iloc[0]
    clock.set(first["end_time"] - pd.Timedelta(minutes=1))  # the first game is still being played
    during = espn.parse_scoreboard(client.fetch_scoreboard("NFL", SUNDAY), "NFL", teams).games
    assert (during["status"] == "scheduled").all()
    clock.set(AFTER_SUNDAY)
    after = espn.parse_scoreboard(client.fetch_scoreboard("NFL", SUNDAY), "NFL", teams).games
    assert (after["status"] == "final").all()
    merged = after.merge(expected, on=["home_team", "away_team"], suffixes=("", "_history"))
    assert len(merged) == len(expected)
    assert (merged["home_score"] == merged["home_score_history"]).all()
    assert (merged["away_score"] == merged["away_score_history"]).all()
    assert (merged["start_time"] == merged["start_time_history"]).all()
    summary = espn.parse_injuries(client.fetch_summary("NFL", after["source_game_id"].iloc[0]), "NFL",
                                  after["source_game_id"].iloc[0], teams)
    assert summary.empty  # the history has no injury reports


def test_odds_are_the_snapshots_captured_by_then_and_close_at_the_history(replay, histories):
    server, clock, collectors = replay
    client, teams = odds_api.client(collectors), TeamDirectory()
    clock.set(BEFORE_SUNDAY)
    odds = odds_api.parse_odds(client.fetch_odds("NFL", SUNDAY), "NFL", teams)
    assert set(odds["market"]) == {"spread", "moneyline", "total"}
    assert (odds["captured_at"] <= BEFORE_SUNDAY).all()
    assert (odds["captured_at"] < odds["commence_time"]).all()
    assert odds["event_id"].nunique() == len(_games(histories))
    remaining = client.quota.remaining
    assert client.quota.last_cost == 3 and remaining is not None

    game = _games(histories).iloc[0]
    clock.set(game["start_time"] - pd.Timedelta(seconds=30))
    closing = odds_api.parse_odds(client.fetch_odds("NFL", SUNDAY), "NFL", teams)
    assert client.quota.remaining == remaining - 3
    home_spread = closing[(closing["home_team"] == game["home_team"]) & (closing["market"] == "spread")
                          & (closing["side"] == "home")]
    nflverse = pd.read_csv(load_settings().source_data_path / "nflverse" / "games.csv")
    row = nflverse[nflverse["game_id"] == game["game_key"]].iloc[0]
    assert home_spread["line"].item() == -row["spread_line"]  # the nflverse closer, home line
    assert home_spread["captured_at"].item() == game["start_time"] - pd.Timedelta(minutes=1)
    opener_seen = odds[(odds["home_team"] == game["home_team"]) & (odds["market"] == "spread")]
    assert opener_seen["captured_at"].max() < home_spread["captured_at"].item()

    clock.set(game["start_time"])  # kicked off: no more pre-game odds for it
    live = odds_api.parse_odds(client.fetch_odds("NFL", SUNDAY), "NFL", teams)
    assert game["home_team"] not in set(live["home_team"])
    client.close()


def test_scores_endpoint_reports_completed_games_with_scores(replay, histories):
    server, clock, _ = replay
    clock.set(AFTER_SUNDAY)
    answer = requests.get(f"{server.base_url}/odds-api/v4/sports/americanfootball_nfl/scores",
                          params={"apiKey": "k", "daysFrom": 3}, timeout=10)
    assert answer.status_code == 200 and answer.headers["x-requests-last"] == "2"
    completed = [event for event in answer.json() if event["completed"]]
    sunday = _games(histories)
    assert {event["home_team"] for event in completed} >= set(sunday["home_name"])
    assert all(event["scores"] is not None for event in completed)
    assert all(event["scores"] is None for event in answer.json() if not event["completed"])


def test_kick_off_weather_at_outdoor_venues(replay, histories):
    server, clock, collectors = replay
    weather = histories["NFL"].weather.merge(_games(histories)[["game_key", "start_time"]], on="game_key")
    assert not weather.empty
    row = weather.iloc[0]
    client = open_meteo.client(collectors)
    clock.set(BEFORE_SUNDAY)
    forecast = open_meteo.parse_kickoff_weather(
        client.fetch_hourly(row["latitude"], row["longitude"], SUNDAY, archive=False), row["start_time"])
    assert forecast["temperature_f"] == pytest.approx(row["temperature_f"], abs=0.05)
    assert forecast["wind_mph"] == pytest.approx(row["wind_mph"], abs=0.05)
    clock.set(AFTER_SUNDAY)
    archived = open_meteo.parse_kickoff_weather(
        client.fetch_hourly(row["latitude"], row["longitude"], SUNDAY, archive=True), row["start_time"])
    assert archived["temperature_f"] == forecast["temperature_f"]
    client.close()


def test_nflverse_file_has_results_and_closing_lines_only_after_the_game(replay, histories):
    server, clock, collectors = replay
    location = f"{server.base_url}/nflverse/games.csv"
    clock.set(BEFORE_SUNDAY)
    before = collect_nflverse(location, day=SUNDAY, client=file_client(collectors, NFLVERSE_SOURCE))
    assert len(before.games) == len(_games(histories))
    assert (before.games["status"] == "scheduled").all() and before.odds.empty
    clock.set(AFTER_SUNDAY)
    after = collect_nflverse(location, day=SUNDAY, client=file_client(collectors, NFLVERSE_SOURCE))
    assert (after.games["status"] == "final").all()
    assert (after.odds["captured_at"] < after.odds["source_game_id"].map(
        after.games.set_index("source_game_id")["start_time"])).all()


def test_nba_slate_and_odds_parse_with_the_collectors(replay, histories):
    server, clock, collectors = replay
    clock.set(pd.Timestamp("2024-01-10 09:00", tz="UTC"))
    teams = TeamDirectory()
    slate = espn.parse_scoreboard(espn.client(collectors).fetch_scoreboard("NBA", NBA_DAY), "NBA", teams)
    expected = histories["NBA"].games[histories["NBA"].games["game_date"] == NBA_DAY]
    assert len(slate.games) == len(expected) > 0 and slate.venues["indoor"].all()
    odds = odds_api.parse_odds(odds_api.client(collectors).fetch_odds("NBA", NBA_DAY), "NBA", teams)
    assert set(odds["home_team"]) == set(expected["home_team"])


def test_bad_requests_are_refused_as_the_services_do(replay):
    server, _, _ = replay
    base = server.base_url
    assert requests.get(f"{base}/odds-api/v4/sports/basketball_nba/odds", timeout=10).status_code == 401
    assert requests.get(f"{base}/odds-api/v4/sports/curling/odds", params={"apiKey": "k"},
                        timeout=10).status_code == 404
    assert requests.get(f"{base}/espn/football/nfl/scoreboard", params={"dates": "2024-10-06"},
                        timeout=10).status_code == 400
    answer = requests.get(f"{base}/open-meteo/v1/forecast", params={"latitude": "x"}, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] is True


def test_the_same_replay_serves_the_same_bytes(histories):
    requests_made = [
        ("/espn/football/nfl/scoreboard", {"dates": "20241006"}),
        ("/odds-api/v4/sports/americanfootball_nfl/odds",
         {"apiKey": "k", "markets": "h2h,spreads,totals", "oddsFormat": "american"}),
        ("/odds-api/v4/sports/americanfootball_nfl/scores", {"apiKey": "k", "daysFrom": 2}),
        ("/nflverse/games.csv", {}),
    ]
    answers = []
    for _ in range(2):
        files = history_files(load_settings())
        fresh = {"NFL": load_replay_history(files, "NFL", date(2024, 10, 1), date(2024, 10, 14))}
        with ReplayServer(build_app(fresh, ReplayClock(pd.Timestamp("2024-10-07 08:00", tz="UTC")))) as server:
            answers.append([
                (response.content, response.headers.get("x-requests-remaining"))
                for response in (requests.get(server.base_url + path, params=params, timeout=10)
                                 for path, params in requests_made)
            ])
    assert answers[0] == answers[1]
    assert all(len(body) > 100 for body, _ in answers[0])
