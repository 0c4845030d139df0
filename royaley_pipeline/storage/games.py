"""Writing collected games, odds snapshots and weather; reading them back in the domain shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, select
from sqlalchemy.orm import aliased

from royaley_pipeline.sources.errors import UnknownTeamError
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.models import (
    GameRow,
    OddsSnapshotRow,
    PlayerRow,
    SportRow,
    TeamAliasRow,
    TeamRow,
    VenueRow,
    WeatherRow,
)
from royaley_pipeline.storage.records import as_date, as_utc, frame_records
from royaley_pipeline.storage.upsert import upsert_rows


@dataclass(frozen=True)
class WriteSummary:
    games: int
    odds_snapshots: int
    weather: int
    players: int

    def as_metadata(self) -> dict[str, int]:
        return {
            "games_written": self.games,
            "odds_snapshots_written": self.odds_snapshots,
            "weather_rows_written": self.weather,
            "players_written": self.players,
        }


def store_source_batch(engine: Engine, sport_code: str, batch: SourceBatch) -> WriteSummary:
    """Upsert one source batch in a single transaction: all of it lands, or none of it."""
    with engine.begin() as connection:
        return write_source_batch(connection, sport_code, batch)


def write_source_batch(connection: Connection, sport_code: str, batch: SourceBatch) -> WriteSummary:
    """The body of ``store_source_batch`` inside the caller's transaction (live collectors add
    injuries to the same transaction)."""
    sport = get_sport(sport_code)
    sport_id = connection.execute(select(SportRow.id).where(SportRow.code == sport.code)).scalar_one()
    players = _store_players(connection, sport_id, batch.players)
    games = batch.games
    if games.empty:
        return WriteSummary(0, 0, 0, players)
    venue_ids = _store_venues(connection, games)
    rows = _game_rows(connection, sport, sport_id, games, venue_ids)
    upsert_rows(connection, GameRow.__table__, rows, ["sport_id", "source_game_id"])
    game_ids = _game_id_map(connection, sport_id, games)
    odds = _attach_game_ids(batch.odds, game_ids, "odds")
    upsert_rows(
        connection,
        OddsSnapshotRow.__table__,
        frame_records(
            odds, ["game_id", "book", "market", "side", "line", "price", "captured_at", "source"]
        ),
        ["game_id", "book", "market", "side", "captured_at"],
    )
    weather = _attach_game_ids(batch.weather, game_ids, "weather")
    upsert_rows(
        connection,
        WeatherRow.__table__,
        frame_records(
            weather,
            [
                "game_id",
                "source",
                "observed_at",
                "temperature_f",
                "wind_mph",
                "precipitation_probability",
                "is_indoor",
            ],
        ),
        ["game_id", "source", "observed_at"],
    )
    return WriteSummary(len(rows), len(odds), len(weather), players)


def _store_players(connection: Connection, sport_id: int, players: pd.DataFrame) -> int:
    if players is None or players.empty:
        return 0
    frame = players.assign(sport_id=sport_id)
    frame["birth_date"] = pd.to_datetime(frame["birth_date"]).dt.date
    columns = ["sport_id", "source_player_id", "name", "hand", "country", "height_cm", "birth_date"]
    return upsert_rows(
        connection, PlayerRow.__table__, frame_records(frame, columns), ["sport_id", "source_player_id"]
    )


def _store_venues(connection: Connection, games: pd.DataFrame) -> dict[str, int]:
    venues = games.dropna(subset=["venue"]).drop_duplicates("venue", keep="last")
    if venues.empty:
        return {}
    upsert_rows(
        connection,
        VenueRow.__table__,
        frame_records(venues.rename(columns={"venue": "name"}), ["name", "roof", "surface"]),
        ["name"],
    )
    names = venues["venue"].tolist()
    return dict(connection.execute(select(VenueRow.name, VenueRow.id).where(VenueRow.name.in_(names))).all())


def _competitor_ids(connection: Connection, sport, sport_id: int) -> dict[str, int]:
    if sport.is_individual:
        query = select(PlayerRow.source_player_id, PlayerRow.id).where(PlayerRow.sport_id == sport_id)
    else:
        query = select(TeamAliasRow.alias, TeamAliasRow.team_id).where(TeamAliasRow.sport_id == sport_id)
    return dict(connection.execute(query).all())


def _game_rows(connection, sport, sport_id, games: pd.DataFrame, venue_ids: dict[str, int]) -> list[dict]:
    competitor_ids = _competitor_ids(connection, sport, sport_id)
    for side in ("home", "away"):
        unknown = games.loc[~games[f"{side}_team"].isin(competitor_ids)]
        if not unknown.empty:
            first = unknown.iloc[0]
            raise UnknownTeamError(
                source=str(first["source"]),
                record=f"game {first['source_game_id']}",
                field=f"{side}_team",
                message=f"{first[f'{side}_team']!r} is not a known {sport.code} "
                f"{'player' if sport.is_individual else 'team'} "
                f"({len(unknown)} game(s) affected)",
            )
    frame = games.copy()
    frame["sport_id"] = sport_id
    prefix = "player" if sport.is_individual else "team"
    frame[f"home_{prefix}_id"] = frame["home_team"].map(competitor_ids)
    frame[f"away_{prefix}_id"] = frame["away_team"].map(competitor_ids)
    frame["venue_id"] = frame["venue"].map(venue_ids)
    frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.date
    for column in ("home_rank", "away_rank"):
        if column not in frame:
            frame[column] = None
    columns = [
        "sport_id",
        "source",
        "source_game_id",
        "season",
        "week",
        "game_type",
        "game_date",
        "start_time",
        "start_time_estimated",
        f"home_{prefix}_id",
        f"away_{prefix}_id",
        "neutral_site",
        "status",
        "home_score",
        "away_score",
        "home_rank",
        "away_rank",
        "venue_id",
        "roof",
        "surface",
    ]
    return frame_records(frame, columns)


def _game_id_map(connection: Connection, sport_id: int, games: pd.DataFrame) -> dict[str, int]:
    first, last = (
        pd.to_datetime(games["game_date"]).min().date(),
        pd.to_datetime(games["game_date"]).max().date(),
    )
    query = select(GameRow.source_game_id, GameRow.id).where(
        GameRow.sport_id == sport_id, GameRow.game_date.between(first, last)
    )
    return dict(connection.execute(query).all())


def _attach_game_ids(frame: pd.DataFrame, game_ids: dict[str, int], what: str) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(game_id=pd.Series(dtype="int64"))
    frame = frame.assign(game_id=frame["source_game_id"].map(game_ids))
    orphans = frame.loc[frame["game_id"].isna()]
    if not orphans.empty:
        first = orphans.iloc[0]
        raise ValueError(
            f"{first.get('source', what)}: {len(orphans)} {what} row(s) refer to games not in this batch, "
            f"first: source_game_id={first['source_game_id']!r}"
        )
    return frame.assign(game_id=frame["game_id"].astype(int))


def load_games(
    engine: Engine, sport_code: str, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Games of a sport in the domain shape (`game_id`, teams as codes, UTC start times)."""
    sport = get_sport(sport_code)
    home, away = (
        (aliased(PlayerRow), aliased(PlayerRow))
        if sport.is_individual
        else (aliased(TeamRow), aliased(TeamRow))
    )
    home_code = home.source_player_id if sport.is_individual else home.code
    away_code = away.source_player_id if sport.is_individual else away.code
    home_key = GameRow.home_player_id if sport.is_individual else GameRow.home_team_id
    away_key = GameRow.away_player_id if sport.is_individual else GameRow.away_team_id
    query = (
        select(
            GameRow.id.label("game_id"),
            SportRow.code.label("sport"),
            GameRow.source_game_id,
            GameRow.season,
            GameRow.week,
            GameRow.game_type,
            GameRow.game_date,
            GameRow.start_time,
            home_code.label("home_team"),
            away_code.label("away_team"),
            GameRow.neutral_site,
            GameRow.status,
            GameRow.home_score,
            GameRow.away_score,
            GameRow.home_rank,
            GameRow.away_rank,
            GameRow.surface,
            GameRow.roof,
        )
        .join(SportRow, SportRow.id == GameRow.sport_id)
        .join(home, home.id == home_key)
        .join(away, away.id == away_key)
        .where(SportRow.code == sport.code, *_date_filters(GameRow.game_date, start, end))
        .order_by(GameRow.start_time, GameRow.id)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["game_date"] = as_date(frame["game_date"])
    frame["start_time"] = as_utc(frame["start_time"])
    frame["neutral_site"] = frame["neutral_site"].astype(bool)
    for column in ("home_score", "away_score", "home_rank", "away_rank"):
        frame[column] = frame[column].astype(float)
    return frame


def load_odds_snapshots(
    engine: Engine, sport_code: str, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    frame = _read_per_game(engine, sport_code, start, end, OddsSnapshotRow.game_id, (
        OddsSnapshotRow.book,
        OddsSnapshotRow.market,
        OddsSnapshotRow.side,
        OddsSnapshotRow.line,
        OddsSnapshotRow.price,
        OddsSnapshotRow.captured_at,
        OddsSnapshotRow.source,
    ))
    frame["captured_at"] = as_utc(frame["captured_at"])
    for column in ("line", "price"):
        frame[column] = frame[column].astype(float)
    return frame


def load_weather(
    engine: Engine, sport_code: str, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    frame = _read_per_game(engine, sport_code, start, end, WeatherRow.game_id, (
        WeatherRow.source,
        WeatherRow.observed_at,
        WeatherRow.temperature_f,
        WeatherRow.wind_mph,
        WeatherRow.precipitation_probability,
        WeatherRow.is_indoor,
    ))
    frame["observed_at"] = as_utc(frame["observed_at"])
    return frame


def count_rows(engine: Engine, sport_code: str, start: date | None = None, end: date | None = None) -> dict:
    """Row counts of a sport's games and odds in a window, for asset metadata and checks."""
    sport_filter = and_(
        SportRow.code == get_sport(sport_code).code, *_date_filters(GameRow.game_date, start, end)
    )
    with engine.connect() as connection:
        games = connection.execute(
            select(func.count()).select_from(GameRow).join(SportRow).where(sport_filter)
        ).scalar_one()
        odds = connection.execute(
            select(func.count()).select_from(OddsSnapshotRow).join(GameRow).join(SportRow).where(sport_filter)
        ).scalar_one()
    return {"games": games, "odds_snapshots": odds}


def _date_filters(column, start: date | None, end: date | None) -> list:
    filters = []
    if start is not None:
        filters.append(column >= start)
    if end is not None:
        filters.append(column <= end)
    return filters


def _read_per_game(engine: Engine, sport_code: str, start: date | None, end: date | None, game_id, columns) -> pd.DataFrame:
    """``game_id`` and ``columns`` of a per-game table (odds, weather) for one sport's games dated
    in [start, end]."""
    query = (
        select(game_id, *columns)
        .join(GameRow, GameRow.id == game_id)
        .join(SportRow, SportRow.id == GameRow.sport_id)
        .where(SportRow.code == get_sport(sport_code).code, *_date_filters(GameRow.game_date, start, end))
    )
    with engine.connect() as connection:
        return pd.read_sql(query, connection)
