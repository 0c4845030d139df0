"""Predictions: what was predicted for each game, with which model version, at which price."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, delete, select

from royaley_pipeline.domain.slate import PICK_COLUMNS
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.models import GameRow, PredictionRow, SportRow
from royaley_pipeline.storage.records import as_utc, frame_records, to_python

PREDICTION_COLUMNS = ["game_id", "game_date", "bet_type", "side", "model_name", "model_version", *PICK_COLUMNS,
                      "predicted_at", "snapshot_cutoff"]


def _sport_id(connection, sport_code: str) -> int:
    code = get_sport(sport_code).code
    return connection.execute(select(SportRow.id).where(SportRow.code == code)).scalar_one()


def replace_predictions(engine: Engine, sport_code: str, game_date: date, predictions: pd.DataFrame) -> int:
    """Store one prediction run's rows for a date in one transaction.

    A prediction is identified by its game, bet type and ``predicted_at``: re-running the same run
    (same instant) replaces its rows, a later run adds re-predictions next to the earlier ones.
    """
    if predictions.empty:
        return 0
    frame = predictions.copy()
    frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.date
    instants = [to_python(moment) for moment in pd.to_datetime(frame["predicted_at"], utc=True).unique()]
    with engine.begin() as connection:
        sport_id = _sport_id(connection, sport_code)
        connection.execute(
            delete(PredictionRow).where(
                PredictionRow.sport_id == sport_id,
                PredictionRow.game_date == game_date,
                PredictionRow.predicted_at.in_(instants),
            )
        )
        rows = frame_records(frame.assign(sport_id=sport_id), ["sport_id", *PREDICTION_COLUMNS])
        connection.execute(PredictionRow.__table__.insert(), rows)
    return len(rows)


def load_predictions(
    engine: Engine,
    sport_code: str | None = None,
    game_date: date | None = None,
    min_edge: float | None = None,
    tier: str | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    history: bool = False,
) -> pd.DataFrame:
    """Stored predictions, largest edge first: the latest of each game and bet type, or every one
    of them with ``history=True`` (what the settlement reads)."""
    query = (
        select(
            SportRow.code.label("sport"),
            GameRow.source_game_id,
            GameRow.start_time,
            *[getattr(PredictionRow, c) for c in PREDICTION_COLUMNS],
        )
        .join(GameRow, GameRow.id == PredictionRow.game_id)
        .join(SportRow, SportRow.id == PredictionRow.sport_id)
        .order_by(PredictionRow.predicted_at)
    )
    if sport_code:
        query = query.where(SportRow.code == get_sport(sport_code).code)
    if game_date:
        query = query.where(PredictionRow.game_date == game_date)
    if start:
        query = query.where(PredictionRow.game_date >= start)
    if end:
        query = query.where(PredictionRow.game_date <= end)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    for column in ("start_time", "predicted_at", "snapshot_cutoff"):
        frame[column] = as_utc(frame[column])
    if not history:
        frame = frame.drop_duplicates(["game_id", "bet_type"], keep="last")
    if min_edge is not None:
        frame = frame.loc[frame["edge"] >= min_edge]
    if tier:
        frame = frame.loc[frame["tier"] == tier.upper()]
    return frame.sort_values("edge", ascending=False, kind="stable", na_position="last").reset_index(drop=True)

