"""A short replay end to end, twice: the real schedules and sensors over the replay service."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from royaley_pipeline.replay.driver import ReplayPlan, run_replay
from royaley_pipeline.replay.report import replay_database_url, replay_ledger, replay_predictions
from royaley_pipeline.storage.database import engine_for

SUNDAY = date(2024, 10, 6)
# Sunday and Monday night; one bet type keeps the two trainings (production logistic) short.
PLAN = dict(sport="NFL", start=SUNDAY, days=2, history_from_season=2021, bet_types=("moneyline",))


@pytest.fixture(scope="module")
def replays(tmp_path_factory):
    results = []
    for attempt in ("first", "second"):
        home = tmp_path_factory.mktemp(f"replay-{attempt}") / "replay"
        results.append(run_replay(ReplayPlan(home=home, **PLAN), progress=lambda message: None))
    return results


def _stored(result, query: str) -> pd.DataFrame:
    with engine_for(replay_database_url(result)).connect() as connection:
        return pd.read_sql(text(query), connection)


def test_the_daily_loop_ran_through_the_schedules_and_sensors(replays):
    result = replays[0]
    assert not result.log.failures()
    launched = {(run.requested_by, run.job_name) for run in result.log.runs}
    assert ("daily_collection_schedule", "live_collection_job") in launched
    assert ("features_after_collection_sensor", "collection_job") in launched
    assert ("new_odds_sensor", "predictions_job") in launched  # re-priced on the 04:00 odds
    assert ("daily_predictions_schedule", "predictions_job") in launched
    assert ("settlement_after_collection_sensor", "settlement_job") in launched


def test_every_prediction_precedes_kick_off_and_uses_only_odds_captured_before_it(replays):
    result = replays[0]
    predictions = replay_predictions(result)
    games = _stored(result, "select id as game_id, start_time from games")
    assert len(predictions) > 10
    assert (predictions["predicted_at"] < predictions["start_time"]).all()
    snapshots = _stored(result, "select game_id, book, market, side, line, price, captured_at from odds_snapshots")
    snapshots["captured_at"] = pd.to_datetime(snapshots["captured_at"], utc=True)
    starts = pd.to_datetime(games.set_index("game_id")["start_time"], utc=True)
    assert (snapshots["captured_at"] < snapshots["game_id"].map(starts)).all()
    market = {"moneyline": "moneyline", "spread": "spread", "total": "total"}
    for row in predictions.itertuples(index=False):
        candidates = snapshots[(snapshots["game_id"] == row.game_id) & (snapshots["book"] == row.book)
                               & (snapshots["market"] == market[row.bet_type]) & (snapshots["side"] == row.side)
                               & (snapshots["price"] == row.price_american)]
        assert (candidates["captured_at"] < row.predicted_at).any(), row


def test_every_game_of_the_stretch_ends_final_with_the_historical_score(replays):
    games = _stored(replays[0], "select source, source_game_id, game_date, status, home_score, away_score from games "
                                "where game_date between '2024-10-06' and '2024-10-07'")
    assert len(games) == 13 and (games["status"] == "final").all()  # 12 on Sunday, Monday night's
    assert games["home_score"].notna().all()


def test_the_same_replay_twice_stores_the_same_predictions(replays):
    first, second = (replay_predictions(result).drop(columns=["model_name"]).reset_index(drop=True)
                     for result in replays)
    pd.testing.assert_frame_equal(first, second)


def test_every_final_game_of_the_stretch_is_settled(replays):
    keys = ["game_id", "bet_type", "predicted_at"]
    final = _stored(replays[0], "select id as game_id from games where status = 'final' "
                                "and game_date between '2024-10-06' and '2024-10-07'")
    predictions = _stored(replays[0], "select game_id, bet_type, predicted_at from predictions "
                                      f"where game_id in ({', '.join(map(str, final['game_id']))})")
    settled = _stored(replays[0], "select game_id, bet_type, predicted_at, result, settled_at from settlements")
    assert len(final) == 13 and set(settled["game_id"]) == set(final["game_id"])
    assert sorted(map(tuple, predictions[keys].astype(str).values)) == sorted(map(tuple, settled[keys].astype(str).values))
    assert set(settled["result"]) <= {"won", "lost", "push", "void"}
    # settled by the morning-after collections, at the replay's simulated time (not the wall clock)
    assert (pd.to_datetime(settled["settled_at"]).dt.year == 2024).all()


def test_the_ledger_equals_a_hand_computation_from_the_stored_rows(replays):
    rows = _stored(replays[0], "select role, result, price_american from settlements")
    bets = rows[rows["role"] == "bet"]
    won, lost, push = (int((bets["result"] == outcome).sum()) for outcome in ("won", "lost", "push"))
    assert won + lost > 5
    price = bets["price_american"].astype(float)
    decimal = np.where(price > 0, 1 + price / 100, 1 + 100 / price.abs())
    units = np.where(bets["result"] == "won", decimal - 1, np.where(bets["result"] == "lost", -1.0, 0.0))
    overall = replay_ledger(replays[0]).set_index("group").loc["all"]
    assert (overall["bets"], overall["won"], overall["lost"], overall["push"]) == (won + lost + push, won, lost, push)
    assert overall["units"] == pytest.approx(units.sum())
    assert overall["roi"] == pytest.approx(units.sum() / (won + lost + push))
    assert overall["hit_rate"] == pytest.approx(won / (won + lost))


def test_the_same_replay_twice_gives_the_same_ledger(replays):
    first, second = (replay_ledger(result) for result in replays)
    pd.testing.assert_frame_equal(first, second)
