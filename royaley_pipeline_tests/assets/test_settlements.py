"""Predictions as of the moment they are made, their settlement and the ledger, through real Dagster
runs on the real 2022–2023 NFL seasons.

The bundled history has its closing lines captured a minute before kick-off. The test adds an
opening book for one Sunday, captured the Monday before, 1.5 points off the close at a generous
+110 both ways (a soft book's opener, as nfelo's openers or the replay's early snapshots would be),
moving to the close at −110 an hour before kick-off: a prediction at 06:00 (US Eastern) on game day
sees only openers, and a re-prediction a few seconds before kick-off sees the close.
"""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete

from royaley_pipeline.assets.predictions import PredictionConfig
from royaley_pipeline.domain.ledger import ledger
from royaley_pipeline.domain.settlement import BET, REPREDICTION
from royaley_pipeline.launch import run_config
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.games import load_games, load_odds_snapshots
from royaley_pipeline.storage.models import OddsSnapshotRow
from royaley_pipeline.storage.predictions import load_predictions
from royaley_pipeline.storage.settlements import load_settlements
from royaley_pipeline_tests.assets.conftest import Pipeline
from royaley_pipeline_tests.openers import insert_openers

HISTORY = (date(2022, 9, 1), date(2024, 2, 28))
SUNDAY = date(2023, 12, 17)  # early games kick off 18:00 UTC
MORNING = pd.Timestamp("2023-12-17 11:00", tz="UTC")  # 06:00 in New York
BEFORE_KICK_OFF = pd.Timestamp("2023-12-17 17:59:30", tz="UTC")  # after the 17:59 closing snapshots


OPENING = pd.Timestamp("2023-12-11 18:00", tz="UTC")
LATE_MOVE = pd.Timestamp("2023-12-17 17:00", tz="UTC")


def predict(pipeline: Pipeline, as_of: pd.Timestamp):
    config = run_config(prediction=PredictionConfig(as_of=as_of.isoformat()))
    result = pipeline.run_days("predictions_job", "NFL", SUNDAY, SUNDAY, config=config)
    assert result.success, failure_message(result)
    return load_predictions(pipeline.engine, "NFL", SUNDAY, history=True).query("predicted_at == @as_of")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("settlements"))
    result = pipeline.run_months("collection_job", "NFL", *HISTORY)
    assert result.success, failure_message(result)
    result = pipeline.train("NFL", "spread", first_test_season=2023, search=False)
    assert result.success, failure_message(result)
    add_openers(pipeline)
    return pipeline


def add_openers(pipeline: Pipeline) -> None:
    insert_openers(pipeline.engine, SUNDAY, OPENING, LATE_MOVE)


@pytest.fixture(scope="module")
def morning_and_close(pipeline):
    return predict(pipeline, MORNING), predict(pipeline, BEFORE_KICK_OFF)


def test_a_prediction_prices_and_scores_with_the_snapshots_before_it(pipeline, morning_and_close):
    morning, close = morning_and_close
    games = load_games(pipeline.engine, "NFL", SUNDAY, SUNDAY)
    assert len(morning) == len(close) == len(games)
    early = morning.loc[morning["start_time"] > MORNING]
    assert (early["snapshot_cutoff"] == MORNING).all()
    assert (close["snapshot_cutoff"] <= close["predicted_at"]).all()
    assert (close["snapshot_cutoff"] <= close["start_time"]).all()

    snapshots = load_odds_snapshots(pipeline.engine, "NFL", SUNDAY, SUNDAY)
    known = snapshots.loc[snapshots["captured_at"] < MORNING, ["game_id", "side", "book", "line"]]
    taken = morning[["game_id", "side", "book", "line"]].merge(known, how="left", indicator=True)
    assert (taken["_merge"] == "both").all(), "06:00 took a line quoted before 06:00"

    # The model reads the spread and its movement: the closing lines move the re-prediction's
    # probabilities (scoring the 04:00 stored features, as before, never would).
    both = morning.merge(close, on="game_id", suffixes=("_morning", "_close"))
    assert (both["line_morning"] != both["line_close"]).any()
    assert (~np.isclose(both["probability_morning"], both["probability_close"])).sum() >= len(both) / 2


def test_settlement_counts_the_first_staked_prediction_and_the_ledger_adds_up(pipeline, morning_and_close):
    morning, close = morning_and_close
    for _ in range(2):  # settling twice leaves the same rows
        result = pipeline.run_days("settlement_job", "NFL", SUNDAY, SUNDAY)
        assert result.success, failure_message(result)
    settled = load_settlements(pipeline.engine, "NFL", since=SUNDAY, until=SUNDAY)
    assert len(settled) == len(morning) + len(close), "every prediction of a final game is settled"
    staked_morning = set(morning.loc[morning["kelly_stake"] > 0, "game_id"])
    assert staked_morning, "the 06:00 slate has bets"
    bets = settled.loc[settled["role"] == BET]
    assert set(bets["game_id"]) == staked_morning | set(close.loc[close["kelly_stake"] > 0, "game_id"])
    assert (bets.loc[bets["game_id"].isin(staked_morning), "predicted_at"] == MORNING).all()
    assert (settled.loc[settled["role"] == REPREDICTION, "predicted_at"] == BEFORE_KICK_OFF).all()

    # The ledger by hand from the stored rows.
    games = load_games(pipeline.engine, "NFL", SUNDAY, SUNDAY).set_index("game_id")
    margin = bets["game_id"].map(games["home_score"] - games["away_score"])
    covered = np.where(bets["side"] == "home", margin + bets["line"], -margin + bets["line"])
    hand_units = np.where(covered > 0, bets["decimal_odds"] - 1, np.where(covered < 0, -1.0, 0.0))
    assert bets["units"].to_numpy() == pytest.approx(hand_units)
    overall = ledger(settled).set_index("group").loc["all"]
    assert overall["bets"] == len(bets)
    assert overall["units"] == pytest.approx(hand_units.sum())
    ordered = bets.sort_values(["start_time", "game_id"], kind="stable")
    hand_kelly = 100 * np.prod(1 + ordered["kelly_stake"] * ordered["units"])
    assert overall["kelly_bankroll"] == pytest.approx(hand_kelly)

    metadata = result.asset_materializations_for_node("settlements__game_settlements")[0].metadata
    assert metadata["settled"].value == len(settled)
    assert "| all" in metadata["ledger"].value
    assert "data:image/png;base64," in metadata["bankroll"].value


def test_the_same_information_gives_the_same_prediction(pipeline, morning_and_close):
    """Remove every snapshot captured from 06:00 on and rebuild the stored features: a prediction
    just before kick-off then knows what the 06:00 one knew, and must say the same."""
    morning, _ = morning_and_close
    with pipeline.engine.begin() as connection:
        connection.execute(delete(OddsSnapshotRow).where(OddsSnapshotRow.captured_at >= MORNING.to_pydatetime()))
    result = pipeline.run_months("features_job", "NFL", SUNDAY, SUNDAY)
    assert result.success, failure_message(result)
    again = predict(pipeline, BEFORE_KICK_OFF + pd.Timedelta(seconds=10))
    pairs = morning.merge(again, on="game_id", suffixes=("_morning", "_again"))
    assert len(pairs) == len(morning)
    assert pairs["probability_again"].to_numpy() == pytest.approx(pairs["probability_morning"].to_numpy())
    assert (pairs["line_again"] == pairs["line_morning"]).all()
