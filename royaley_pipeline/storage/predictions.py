"""Predictions: what was predicted for each game, with which model version, at which price."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, delete, select

from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.models import GameRow, PredictionRow, SportRow
from royaley_pipeline.storage.records import as_utc, frame_records

PREDICTION_COLUMNS = [
    "game_id",
    "game_date",
    "bet_type",
    "side",
    "model_name",
    "model_version",
    "probability",
    "market_probability",
    "line",
    "price_american",
    "decimal_odds",
    "book",
    "edge",
    "tier",
    "kelly_stake",
    "predicted_at",
]


def _sport_id(connection, sport_code: str) -> int:
    code = get_sport(sport_code).code
    return connection.execute(select(SportRow.id).where(SportRow.code == code)).scalar_one()


def replace_predictions(engine: Engine, sport_code: str, game_date: date, predictions: pd.DataFrame) -> int:
    """Replace a sport's predictions for one date in one transaction (the partition's rows)."""
    with engine.begin() as connection:
        sport_id = _sport_id(connection, sport_code)
        connection.execute(
            delete(PredictionRow).where(
                PredictionRow.sport_id == sport_id, PredictionRow.game_date == game_date
            )
        )
        if predictions.empty:
            return 0
        frame = predictions.assign(sport_id=sport_id)
        frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.date
        rows = frame_records(frame, ["sport_id", *PREDICTION_COLUMNS])
        connection.execute(PredictionRow.__table__.insert(), rows)
    return len(rows)


def load_predictions(
    engine: Engine,
    sport_code: str | None = None,
    game_date: date | None = None,
    min_edge: float | None = None,
    tier: str | None = None,
) -> pd.DataFrame:
    query = (
        select(
            SportRow.code.label("sport"),
            GameRow.source_game_id,
            GameRow.start_time,
            *[getattr(PredictionRow, c) for c in PREDICTION_COLUMNS],
        )
        .join(GameRow, GameRow.id == PredictionRow.game_id)
        .join(SportRow, SportRow.id == PredictionRow.sport_id)
        .order_by(PredictionRow.edge.desc())
    )
    if sport_code:
        query = query.where(SportRow.code == get_sport(sport_code).code)
    if game_date:
        query = query.where(PredictionRow.game_date == game_date)
    if min_edge is not None:
        query = query.where(PredictionRow.edge >= min_edge)
    if tier:
        query = query.where(PredictionRow.tier == tier.upper())
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["start_time"] = as_utc(frame["start_time"])
    frame["predicted_at"] = as_utc(frame["predicted_at"])
    return frame
