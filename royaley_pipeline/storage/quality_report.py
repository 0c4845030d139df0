"""Questions the CLI asks of the stored data (which date has a slate worth showing)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select

from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.models import GameRow, OddsSnapshotRow, SportRow


def latest_slate_date(engine: Engine, sport_code: str) -> date | None:
    """The latest date whose games have a moneyline or spread price before kick-off."""
    query = (
        select(func.max(GameRow.game_date))
        .join(SportRow, SportRow.id == GameRow.sport_id)
        .join(OddsSnapshotRow, OddsSnapshotRow.game_id == GameRow.id)
        .where(SportRow.code == get_sport(sport_code).code, OddsSnapshotRow.captured_at < GameRow.start_time)
    )
    with engine.connect() as connection:
        value = connection.execute(query).scalar_one_or_none()
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
