"""What one sport × month partition holds, for that partition's own materialisation.

A single-run backfill materialises every partition of its range in one step; without this each
month would carry the run's totals (26 seasons of rows on `2025-10-01|NFL`). Each partition gets
its own row count (Dagster's standard `dagster/row_count`) and first and last game, and a month
without games says so (`games: 0`, `empty: true`) instead of looking like a full one.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from royaley_pipeline.partitions import sport_month_of_key


def month_starts(game_dates: pd.Series) -> pd.Series:
    """The first day of each game's month, as dates: the date dimension of its partition."""
    return pd.to_datetime(game_dates).dt.to_period("M").dt.start_time.dt.date


def rows_by_partition(rows: pd.DataFrame, partition_keys) -> dict[str, pd.DataFrame]:
    """The rows (with `sport` and `game_date`) of each sport × month key, empty frames included."""
    months = month_starts(rows["game_date"]) if len(rows) else pd.Series(dtype=object)
    grouped = {key: frame for key, frame in rows.groupby([rows["sport"], months])} if len(rows) else {}
    result = {}
    for key in partition_keys:
        sport, month = sport_month_of_key(key)
        result[str(key)] = grouped.get((sport, month), rows.iloc[0:0])
    return result


def partition_metadata(rows: pd.DataFrame, key: str, row_count: int | None = None) -> dict:
    """Rows, first and last game of one partition; `row_count` when the table's rows are not games
    (odds snapshots, weather observations)."""
    sport, month = sport_month_of_key(key)
    count = len(rows) if row_count is None else row_count
    metadata: dict = {
        "dagster/row_count": count,
        "games": len(rows),
        "sport": sport,
        "month": month.strftime("%Y-%m"),
        "empty": len(rows) == 0,
    }
    if len(rows):
        game_dates = pd.to_datetime(rows["game_date"]).to_numpy()
        metadata["first_game"] = _game_label(rows.iloc[game_dates.argmin()])
        metadata["last_game"] = _game_label(rows.iloc[game_dates.argmax()])
    return metadata


def _game_label(game: pd.Series) -> str:
    day: date = pd.Timestamp(game["game_date"]).date()
    return f"{day} {game['away_team']} @ {game['home_team']}"
