"""Settlements: graded predictions, replaced per sport and game day in one transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, select

from royaley_pipeline.domain.ledger import LedgerFilter, ledger
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.models import GameRow, SettlementRow, SportRow
from royaley_pipeline.storage.records import as_utc, frame_records

SETTLEMENT_ROW_COLUMNS = [
    "game_id", "game_date", "bet_type", "side", "predicted_at", "model_name", "model_version", "probability",
    "line", "price_american", "decimal_odds", "edge", "tier", "kelly_stake", "result", "role", "units",
    "kelly_return", "home_score", "away_score", "closing_line", "closing_price_american", "closing_probability",
    "clv_probability", "clv_line_points",
]


def replace_settlements(engine: Engine, sport_code: str, game_date: date, settled: pd.DataFrame,
                        settled_at: datetime | None = None) -> int:
    """Replace a sport-day's settlements: a re-run (a late score correction, a new prediction) leaves
    exactly the rows the current data gives, all or nothing. ``settled_at`` defaults to now (a
    replay passes its run's simulated time)."""
    settled_at = settled_at or datetime.now(UTC)
    with engine.begin() as connection:
        sport_id = connection.execute(
            select(SportRow.id).where(SportRow.code == get_sport(sport_code).code)
        ).scalar_one()
        connection.execute(
            delete(SettlementRow).where(SettlementRow.sport_id == sport_id, SettlementRow.game_date == game_date)
        )
        if settled.empty:
            return 0
        frame = settled.assign(sport_id=sport_id, settled_at=settled_at, game_date=game_date)
        rows = frame_records(frame, ["sport_id", "settled_at", *SETTLEMENT_ROW_COLUMNS])
        connection.execute(SettlementRow.__table__.insert(), rows)
    return len(rows)


def load_settlements(
    engine: Engine,
    sport_code: str | None = None,
    since: date | None = None,
    until: date | None = None,
    tier: str | None = None,
    bet_type: str | None = None,
) -> pd.DataFrame:
    """Settled predictions with their sport and kick-off, in kick-off order."""
    query = (
        select(SportRow.code.label("sport"), GameRow.source_game_id, GameRow.start_time,
               *[getattr(SettlementRow, column) for column in SETTLEMENT_ROW_COLUMNS])
        .join(GameRow, GameRow.id == SettlementRow.game_id)
        .join(SportRow, SportRow.id == SettlementRow.sport_id)
        .order_by(GameRow.start_time, SettlementRow.game_id, SettlementRow.bet_type, SettlementRow.predicted_at)
    )
    if sport_code:
        query = query.where(SportRow.code == get_sport(sport_code).code)
    if since:
        query = query.where(SettlementRow.game_date >= since)
    if until:
        query = query.where(SettlementRow.game_date <= until)
    if tier:
        query = query.where(SettlementRow.tier == tier.upper())
    if bet_type:
        query = query.where(SettlementRow.bet_type == bet_type)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    for column in ("start_time", "predicted_at"):
        frame[column] = as_utc(frame[column])
    frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.date
    return frame


def load_ledger(engine: Engine, query: LedgerFilter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger of the settled bets ``query`` selects, and those settlements."""
    settled = load_settlements(engine, query.sport, query.since, query.until, query.tier, query.bet_type)
    return ledger(settled), settled
