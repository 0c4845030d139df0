"""Data-contract queries over the stored raw tables; the asset checks report what they find."""

from __future__ import annotations

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import aliased

from royaley_pipeline.storage.models import GameRow, OddsSnapshotRow, SportRow

# Generous bounds: a line outside them is a parsing or sign error, not a real market.
SPREAD_LIMIT = 60.0
TOTAL_RANGE = (1.0, 400.0)


def duplicate_games(engine: Engine) -> list[tuple]:
    """Same sport, date and pairing stored twice (e.g. under two source ids)."""
    pairing = (
        SportRow.code,
        GameRow.game_date,
        GameRow.home_team_id,
        GameRow.away_team_id,
        GameRow.home_player_id,
        GameRow.away_player_id,
    )
    query = select(*pairing, func.count()).join(SportRow).group_by(*pairing).having(func.count() > 1)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query).all()]


def negative_scores(engine: Engine) -> list[str]:
    query = select(GameRow.source_game_id).where(or_(GameRow.home_score < 0, GameRow.away_score < 0))
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def games_without_both_sides(engine: Engine) -> list[str]:
    query = select(GameRow.source_game_id).where(
        or_(
            (GameRow.home_team_id.is_(None)) & (GameRow.home_player_id.is_(None)),
            (GameRow.away_team_id.is_(None)) & (GameRow.away_player_id.is_(None)),
        )
    )
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def lines_out_of_range(engine: Engine) -> list[tuple]:
    odds = aliased(OddsSnapshotRow)
    query = (
        select(GameRow.source_game_id, odds.book, odds.market, odds.side, odds.line)
        .join(GameRow, GameRow.id == odds.game_id)
        .where(
            or_(
                (odds.market == "spread") & (func.abs(odds.line) > SPREAD_LIMIT),
                (odds.market == "total") & ((odds.line < TOTAL_RANGE[0]) | (odds.line > TOTAL_RANGE[1])),
                (odds.price.is_not(None)) & (func.abs(odds.price) < 100),
            )
        )
        .limit(20)
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query).all()]
