"""Feature rows: replaced per sport and date window inside one transaction."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, select

from royaley_pipeline.domain.features import KEY_COLUMNS
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.games import load_games, load_odds_snapshots, load_weather
from royaley_pipeline.storage.injuries import load_injuries
from royaley_pipeline.storage.models import FeatureRow, GameRow, SportRow


def load_feature_inputs(engine: Engine, sport_code: str, end: date | None = None) -> dict[str, pd.DataFrame]:
    """Everything `build_feature_matrix` reads, up to `end`: games, odds snapshots, weather, injuries.

    One loader for the asset, the benchmarks and the model-quality scripts, so they all build
    features from the same inputs.
    """
    return {
        "games": load_games(engine, sport_code, end=end),
        "snapshots": load_odds_snapshots(engine, sport_code, end=end),
        "weather": load_weather(engine, sport_code, end=end),
        "injuries": load_injuries(engine, sport_code, observed_until=end),
    }


def replace_features(
    engine: Engine, sport_code: str, features: pd.DataFrame, version: str, start: date, end: date
) -> int:
    """Replace the features of games dated in [start, end]: re-runs leave the same rows."""
    sport = get_sport(sport_code)
    game_dates = pd.to_datetime(features["game_date"])
    window = features.loc[(game_dates >= pd.Timestamp(start)) & (game_dates <= pd.Timestamp(end))]
    value_columns = [c for c in window.columns if c not in KEY_COLUMNS]  # keys live on the games table
    computed_at = datetime.now(UTC)
    with engine.begin() as connection:
        sport_id = connection.execute(select(SportRow.id).where(SportRow.code == sport.code)).scalar_one()
        game_ids = select(GameRow.id).where(
            GameRow.sport_id == sport_id, GameRow.game_date.between(start, end)
        )
        connection.execute(
            delete(FeatureRow).where(
                FeatureRow.feature_set_version == version, FeatureRow.game_id.in_(game_ids)
            )
        )
        rows = [
            {
                "game_id": game_id,
                "sport_id": sport_id,
                "feature_set_version": version,
                "game_date": game_date,
                "season": season,
                "values": values,
                "computed_at": computed_at,
            }
            for game_id, game_date, season, values in zip(
                window["game_id"].astype("int64").tolist(),
                pd.to_datetime(window["game_date"]).to_numpy().astype("datetime64[D]").tolist(),
                window["season"].astype("int64").tolist(),
                json_values(window[value_columns]),
                strict=True,
            )
        ]
        if rows:
            connection.execute(FeatureRow.__table__.insert(), rows)
    return len(rows)


def json_values(frame: pd.DataFrame) -> list[dict]:
    """Each row's values as plain Python (NaN → None), converted column-wise: rewriting a whole
    history after an early change is thousands of rows of a hundred values each."""
    names = list(frame.columns)
    plain = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    return [dict(zip(names, row, strict=True)) for row in plain]


def load_features(
    engine: Engine, sport_code: str, version: str, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Stored features of a sport joined back to their game keys."""
    sport = get_sport(sport_code)
    query = (
        select(FeatureRow.game_id, FeatureRow.season, FeatureRow.game_date, FeatureRow.values)
        .join(SportRow, SportRow.id == FeatureRow.sport_id)
        .where(SportRow.code == sport.code, FeatureRow.feature_set_version == version)
    )
    if start is not None:
        query = query.where(FeatureRow.game_date >= start)
    if end is not None:
        query = query.where(FeatureRow.game_date <= end)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(FeatureRow.game_date, FeatureRow.game_id)).all()
    if not rows:
        return pd.DataFrame(columns=["game_id", "season", "game_date"])
    values = pd.DataFrame.from_records([json.loads(v) if isinstance(v, str) else v for *_, v in rows]).astype(
        float, errors="ignore"
    )
    keys = pd.DataFrame(rows, columns=["game_id", "season", "game_date", "values"]).drop(columns="values")
    keys["game_date"] = pd.to_datetime(keys["game_date"])
    return pd.concat([keys, values.drop(columns=[c for c in keys.columns if c in values])], axis=1)
