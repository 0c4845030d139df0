"""Prediction history and settlements on real NFL games, on SQLite and PostgreSQL."""

from datetime import date

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import text

from royaley_pipeline.config import load_settings
from royaley_pipeline.domain.market import best_available_prices, market_lines
from royaley_pipeline.domain.settlement import BET, REPREDICTION, settle
from royaley_pipeline.sources.catalog import read_sport_history
from royaley_pipeline.storage.database import alembic_config, dispose_engine, engine_for
from royaley_pipeline.storage.games import load_games, load_odds_snapshots, store_source_batch
from royaley_pipeline.storage.predictions import load_predictions, replace_predictions
from royaley_pipeline.storage.settlements import load_settlements, replace_settlements
from royaley_pipeline_tests.openers import insert_openers

OPENING_DAY = date(2023, 9, 10)  # a Sunday of week one 2023


def store_week_one(engine, week_one) -> None:
    """Week one's games with an opening book captured the Monday before (closing lines at 16:59+)."""
    store_source_batch(engine, "NFL", week_one)
    for day in (date(2023, 9, 7), OPENING_DAY, date(2023, 9, 11)):
        insert_openers(engine, day, pd.Timestamp("2023-09-04 18:00", tz="UTC"),
                       pd.Timestamp(f"{day} 15:00", tz="UTC"))


@pytest.fixture(scope="module")
def week_one():
    return read_sport_history("NFL", load_settings(), start=date(2023, 9, 7), end=date(2023, 9, 11))


def predict(games: pd.DataFrame, snapshots: pd.DataFrame, predicted_at: pd.Timestamp, stake: float) -> pd.DataFrame:
    """A home-spread prediction of every game at the best price known at `predicted_at`."""
    prices = best_available_prices(games, snapshots, as_of=predicted_at)
    home = prices.loc[(prices["market"] == "spread") & (prices["side"] == "home")]
    slate = games[["game_id", "game_date", "start_time"]].merge(home, on="game_id")
    return slate.assign(
        bet_type="spread", side="home", model_name="royaley-nfl-spread", model_version="1", probability=0.55,
        market_probability=0.5, edge=0.05, tier="B", kelly_stake=stake, predicted_at=predicted_at,
        snapshot_cutoff=slate["start_time"].where(slate["start_time"] < predicted_at, predicted_at),
    )


def test_re_predictions_are_kept_and_settlements_replace_their_day(engine, week_one):
    store_week_one(engine, week_one)
    games = load_games(engine, "NFL", OPENING_DAY, OPENING_DAY)
    snapshots = load_odds_snapshots(engine, "NFL", OPENING_DAY, OPENING_DAY)
    morning = pd.Timestamp(f"{OPENING_DAY} 10:00", tz="UTC")
    noon = pd.Timestamp(f"{OPENING_DAY} 12:00", tz="UTC")
    for _ in range(2):  # the same run twice: the same rows
        replace_predictions(engine, "NFL", OPENING_DAY, predict(games, snapshots, morning, 0.02))
    assert len(load_predictions(engine, "NFL", OPENING_DAY, history=True)) == len(games)
    replace_predictions(engine, "NFL", OPENING_DAY, predict(games, snapshots, noon, 0.04))
    history = load_predictions(engine, "NFL", OPENING_DAY, history=True)
    latest = load_predictions(engine, "NFL", OPENING_DAY)
    assert len(history) == 2 * len(games)
    assert len(latest) == len(games) and (latest["predicted_at"] == noon).all()
    assert (history["snapshot_cutoff"] <= history["predicted_at"]).all()

    settled = settle(history, games, market_lines(games, snapshots))
    assert len(settled) == 2 * len(games)
    for _ in range(2):
        replace_settlements(engine, "NFL", OPENING_DAY, settled)
    stored = load_settlements(engine, "NFL", since=OPENING_DAY, until=OPENING_DAY)
    assert len(stored) == len(settled)
    bets = stored.loc[stored["role"] == BET]
    assert len(bets) == len(games) and (bets["predicted_at"] == morning).all()
    assert (stored.loc[stored["role"] == REPREDICTION, "predicted_at"] == noon).all()
    assert stored["result"].isin(["won", "lost", "push"]).all()
    assert stored["closing_line"].notna().all()
    assert load_settlements(engine, "NFL", tier="A").empty
    assert len(load_settlements(engine, bet_type="spread", until=OPENING_DAY)) == len(settled)

    replace_settlements(engine, "NFL", OPENING_DAY, settled.iloc[:0])
    assert load_settlements(engine, "NFL").empty


def test_downgrade_keeps_the_latest_prediction_and_upgrade_restores_the_schema(database_url, week_one):
    engine = engine_for(database_url)
    store_week_one(engine, week_one)
    games = load_games(engine, "NFL", OPENING_DAY, OPENING_DAY)
    snapshots = load_odds_snapshots(engine, "NFL", OPENING_DAY, OPENING_DAY)
    for hour in (10, 12):
        moment = pd.Timestamp(f"{OPENING_DAY} {hour}:00", tz="UTC")
        replace_predictions(engine, "NFL", OPENING_DAY, predict(games, snapshots, moment, 0.02))
    config = alembic_config(database_url)
    command.downgrade(config, "0002_drop_training_runs")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM predictions")).scalar_one() == len(games)
    command.upgrade(config, "head")
    dispose_engine(database_url)
    assert len(load_predictions(engine_for(database_url), "NFL", OPENING_DAY, history=True)) == len(games)
