"""`GET /api/v1/ledger` on a real server over settlements of real NFL games."""

from datetime import date

import pandas as pd
import pytest

from royaley_pipeline.config import load_settings
from royaley_pipeline.domain.ledger import ledger
from royaley_pipeline.domain.market import market_lines
from royaley_pipeline.domain.settlement import settle
from royaley_pipeline.sources.catalog import read_sport_history
from royaley_pipeline.storage.database import engine_for
from royaley_pipeline.storage.games import load_games, load_odds_snapshots
from royaley_pipeline.storage.predictions import load_predictions, replace_predictions
from royaley_pipeline.storage.settlements import replace_settlements
from royaley_pipeline_tests.api.server import running_api
from royaley_pipeline_tests.storage.test_settlements import predict, store_week_one

WEEK_ONE = (date(2023, 9, 7), date(2023, 9, 11))


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """Week one of 2023 predicted at 10:00 and 12:00 UTC on each game day, settled, served."""
    home = tmp_path_factory.mktemp("ledger-home")
    settings = load_settings({"ROYALEY_HOME": str(home)})
    engine = engine_for(settings.database_url)
    store_week_one(engine, read_sport_history("NFL", load_settings(), start=WEEK_ONE[0], end=WEEK_ONE[1]))
    games = load_games(engine, "NFL", *WEEK_ONE)
    snapshots = load_odds_snapshots(engine, "NFL", *WEEK_ONE)
    for day, day_games in games.groupby("game_date"):
        day = pd.Timestamp(day).date()
        for hour, stake in ((10, 0.02), (12, 0.04)):
            moment = pd.Timestamp(f"{day} {hour}:00", tz="UTC")
            replace_predictions(engine, "NFL", day, predict(day_games, snapshots, moment, stake))
        history = load_predictions(engine, "NFL", day, history=True)
        replace_settlements(engine, "NFL", day, settle(history, day_games, market_lines(day_games, snapshots)))
    with running_api(home) as client:
        client.settled = settle(load_predictions(engine, "NFL", start=WEEK_ONE[0], end=WEEK_ONE[1], history=True),
                                games, market_lines(games, snapshots))
        yield client


def test_the_served_ledger_is_the_ledger_of_the_stored_settlements(api):
    status, body = api.get("/api/v1/ledger?sport_code=nfl")
    assert status == 200, body
    assert body["sport_code"] == "NFL"
    expected = ledger(api.settled)
    rows = {row["group"]: row for row in body["rows"]}
    assert list(rows) == list(expected["group"])
    overall = expected.set_index("group").loc["all"]
    assert rows["all"]["bets"] == overall["bets"] > 0
    assert rows["all"]["units"] == pytest.approx(overall["units"])
    assert rows["all"]["kelly_bankroll"] == pytest.approx(overall["kelly_bankroll"])
    assert rows["all"]["hit_rate_low"] < rows["all"]["hit_rate"] < rows["all"]["hit_rate_high"]


def test_filters_narrow_the_ledger(api):
    sunday = api.get("/api/v1/ledger?since=2023-09-10&until=2023-09-10")[1]["rows"][0]
    everything = api.get("/api/v1/ledger")[1]["rows"][0]
    assert 0 < sunday["bets"] < everything["bets"]
    assert api.get("/api/v1/ledger?tier=B&bet_type=spread")[1]["rows"][0]["bets"] == everything["bets"]
    assert api.get("/api/v1/ledger?tier=A")[1]["rows"][0]["bets"] == 0


@pytest.mark.parametrize(("query", "message"), [
    ("sport_code=CURLING", "unknown sport"),
    ("since=2023-09-11&until=2023-09-07", "is after"),
    ("tier=E", "tier"),
    ("bet_type=parlay", "bet type"),
    ("sport_code=ATP&bet_type=spread", "does not offer"),
    ("since=yesterday", "date"),
])
def test_bad_filters_are_422_with_the_reason(api, query, message):
    status, body = api.get(f"/api/v1/ledger?{query}")
    assert status == 422
    assert message in str(body["detail"])
