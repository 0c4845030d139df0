"""Writes of the live collectors: one transaction per payload, snapshots appended, games shared.

Different feeds describe the same game under their own ids (ESPN ``401…``, nflverse ``2025_01_…``,
TheSportsDB ``20…``). A collected game that matches a stored one by sport, slate date and both
teams is written onto that row instead of becoming a duplicate, and odds from feeds without a
schedule of their own (The Odds API, Pinnacle) are attached to the stored game they describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, or_, select

from royaley_pipeline.collectors.common import slate_date
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.venues import INDOOR_ROOFS
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.games import WriteSummary, write_source_batch
from royaley_pipeline.storage.models import (
    GameRow,
    InjuryRow,
    OddsSnapshotRow,
    SportRow,
    TeamRow,
    VenueRow,
    WeatherRow,
)
from royaley_pipeline.storage.records import as_utc, frame_records
from royaley_pipeline.storage.upsert import upsert_rows


@dataclass(frozen=True)
class CollectedSummary:
    games: WriteSummary
    injuries: int
    rekeyed_games: int

    def as_metadata(self) -> dict[str, int]:
        return {**self.games.as_metadata(), "injuries_written": self.injuries,
                "games_matched_to_other_sources": self.rekeyed_games}


@dataclass(frozen=True)
class OddsSummary:
    snapshots_written: int
    events_matched: int
    unmatched_events: list[str] = field(default_factory=list)
    snapshots_by_day: dict[date, int] = field(default_factory=dict)  # per slate day of the games


def store_collected(
    engine: Engine, sport_code: str, batch: SourceBatch, injuries: pd.DataFrame | None = None
) -> CollectedSummary:
    """Games (with odds/weather) and injury reports of one collection, all or nothing."""
    sport = get_sport(sport_code)
    with engine.begin() as connection:
        sport_id = _sport_id(connection, sport.code)
        batch, injuries, rekeyed = _rekey_to_stored_games(connection, sport_id, batch, injuries)
        games = write_source_batch(connection, sport.code, batch)
        written = _store_injuries(connection, sport_id, injuries) if injuries is not None else 0
    return CollectedSummary(games, written, rekeyed)


def store_event_odds(engine: Engine, sport_code: str, odds: pd.DataFrame) -> OddsSummary:
    """Append snapshots of events matched to stored games; unmatched events are listed, not dropped
    silently (the schedule feed may not have run yet for that day)."""
    sport = get_sport(sport_code)
    if odds.empty:
        return OddsSummary(0, 0, [])
    with engine.begin() as connection:
        sport_id = _sport_id(connection, sport.code)
        team_ids = _team_ids(connection, sport_id)
        events = odds.drop_duplicates("event_id")[["event_id", "home_team", "away_team", "commence_time"]]
        days = {slate_date(when) for when in events["commence_time"]}
        stored = connection.execute(
            select(GameRow.id, GameRow.game_date, GameRow.home_team_id, GameRow.away_team_id).where(
                GameRow.sport_id == sport_id, GameRow.game_date.in_(days)
            )
        ).all()
        by_pairing = {(row.game_date, row.home_team_id, row.away_team_id): row.id for row in stored}
        game_of_event, unmatched = {}, []
        for event in events.itertuples(index=False):
            key = (slate_date(event.commence_time), team_ids[event.home_team], team_ids[event.away_team])
            if key in by_pairing:
                game_of_event[event.event_id] = by_pairing[key]
            else:
                unmatched.append(f"{event.away_team} @ {event.home_team} {event.commence_time:%Y-%m-%d %H:%MZ}")
        matched = odds[odds["event_id"].isin(game_of_event)].assign(
            game_id=lambda frame: frame["event_id"].map(game_of_event)
        )
        columns = ["game_id", "book", "market", "side", "line", "price", "captured_at", "source"]
        upsert_rows(
            connection,
            OddsSnapshotRow.__table__,
            frame_records(matched, columns),
            ["game_id", "book", "market", "side", "captured_at"],
            update=False,  # a snapshot, once seen, is history: never overwritten
        )
    by_day = matched["commence_time"].map(slate_date).value_counts()
    return OddsSummary(len(matched), len(game_of_event), unmatched,
                       {day: int(count) for day, count in by_day.items()})


def weather_targets(engine: Engine, sport_code: str, day: date) -> pd.DataFrame:
    """The day's games with their venue, roof and coordinates (indoor games included, flagged)."""
    query = (
        select(
            GameRow.id.label("game_id"),
            GameRow.source_game_id,
            GameRow.start_time,
            GameRow.roof.label("game_roof"),
            VenueRow.name.label("venue"),
            VenueRow.roof.label("venue_roof"),
            VenueRow.latitude,
            VenueRow.longitude,
        )
        .join(SportRow, SportRow.id == GameRow.sport_id)
        .outerjoin(VenueRow, VenueRow.id == GameRow.venue_id)
        .where(SportRow.code == get_sport(sport_code).code, GameRow.game_date == day)
        .order_by(GameRow.start_time, GameRow.id)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["start_time"] = as_utc(frame["start_time"])
    roof = frame["game_roof"].fillna(frame["venue_roof"])
    frame["is_indoor"] = roof.isin(INDOOR_ROOFS)
    return frame


def store_weather(engine: Engine, rows: pd.DataFrame) -> int:
    columns = ["game_id", "source", "observed_at", "temperature_f", "wind_mph", "precipitation_probability",
               "is_indoor"]
    with engine.begin() as connection:
        return upsert_rows(connection, WeatherRow.__table__, frame_records(rows, columns),
                           ["game_id", "source", "observed_at"])


def count_collected(engine: Engine, sport_code: str, day: date) -> dict[str, object]:
    """Rows per table for a sport's slate day, with the latest capture times (for asset checks)."""
    sport = get_sport(sport_code)
    on_day = and_(SportRow.code == sport.code, GameRow.game_date == day)
    with engine.connect() as connection:
        def one(query):
            return connection.execute(query).one()

        games = one(select(func.count()).select_from(GameRow).join(SportRow).where(on_day))[0]
        odds = one(
            select(func.count(), func.max(OddsSnapshotRow.captured_at), func.min(OddsSnapshotRow.price),
                   func.max(func.abs(OddsSnapshotRow.line)))
            .select_from(OddsSnapshotRow).join(GameRow).join(SportRow).where(on_day)
        )
        small_prices = one(
            select(func.count()).select_from(OddsSnapshotRow).join(GameRow).join(SportRow)
            .where(on_day, OddsSnapshotRow.price > -100, OddsSnapshotRow.price < 100)
        )[0]
        weather = one(
            select(func.count(), func.min(WeatherRow.temperature_f), func.max(WeatherRow.temperature_f),
                   func.max(WeatherRow.wind_mph))
            .select_from(WeatherRow).join(GameRow).join(SportRow).where(on_day)
        )
        injuries = one(
            select(func.count(), func.max(InjuryRow.observed_at))
            .select_from(InjuryRow).join(GameRow, GameRow.id == InjuryRow.game_id)
            .join(SportRow, SportRow.id == GameRow.sport_id).where(on_day)
        )
        bad_scores = one(
            select(func.count()).select_from(GameRow).join(SportRow)
            .where(on_day, or_(GameRow.home_score < 0, GameRow.away_score < 0))
        )[0]
    return {
        "games": games, "negative_scores": bad_scores,
        "odds_snapshots": odds[0], "latest_odds_capture": odds[1], "prices_between_minus_100_and_100": small_prices,
        "largest_abs_line": odds[3],
        "weather": weather[0], "min_temperature_f": weather[1], "max_temperature_f": weather[2],
        "max_wind_mph": weather[3],
        "injuries": injuries[0], "latest_injury_report": injuries[1],
    }


def _sport_id(connection: Connection, code: str) -> int:
    return connection.execute(select(SportRow.id).where(SportRow.code == code)).scalar_one()


def _team_ids(connection: Connection, sport_id: int) -> dict[str, int]:
    return dict(connection.execute(select(TeamRow.code, TeamRow.id).where(TeamRow.sport_id == sport_id)).all())


def _rekey_to_stored_games(connection, sport_id, batch: SourceBatch, injuries):
    """Give each collected game the id of the stored game with the same date and teams, if any.

    Only unambiguous pairings are matched (a doubleheader stays two games), and a game already
    stored as final is never set back to scheduled by a feed that lags behind.
    """
    games = batch.games
    if games.empty or get_sport_kind(connection, sport_id) == "individual":
        return batch, injuries, 0
    team_ids = _team_ids(connection, sport_id)
    days = sorted({pd.Timestamp(day).date() for day in games["game_date"]})
    stored = connection.execute(
        select(GameRow.source_game_id, GameRow.game_date, GameRow.home_team_id, GameRow.away_team_id,
               GameRow.status, GameRow.home_score, GameRow.away_score)
        .where(GameRow.sport_id == sport_id, GameRow.game_date.in_(days))
    ).all()
    by_pairing: dict[tuple, list] = {}
    for row in stored:
        by_pairing.setdefault((row.game_date, row.home_team_id, row.away_team_id), []).append(row)
    keys = [
        (pd.Timestamp(game.game_date).date(), team_ids.get(game.home_team), team_ids.get(game.away_team))
        for game in games.itertuples(index=False)
    ]
    incoming = pd.Series(keys).value_counts()
    renames, games = {}, games.copy()
    for position, key in enumerate(keys):
        matches = by_pairing.get(key, [])
        if len(matches) != 1 or incoming[key] != 1:
            continue
        known = matches[0]
        label = games.index[position]
        if known.status == "final" and games.at[label, "status"] != "final":
            games.loc[label, ["status", "home_score", "away_score"]] = ["final", known.home_score, known.away_score]
        if known.source_game_id != games.at[label, "source_game_id"]:
            renames[games.at[label, "source_game_id"]] = known.source_game_id

    def rename(frame):
        return frame.assign(source_game_id=frame["source_game_id"].replace(renames)) if renames else frame

    batch = SourceBatch(rename(games), rename(batch.odds), rename(batch.weather), batch.players)
    return batch, (rename(injuries) if injuries is not None else None), len(renames)


def get_sport_kind(connection: Connection, sport_id: int) -> str:
    return connection.execute(select(SportRow.kind).where(SportRow.id == sport_id)).scalar_one()


def _store_injuries(connection: Connection, sport_id: int, injuries: pd.DataFrame) -> int:
    if injuries.empty:
        return 0
    team_ids = _team_ids(connection, sport_id)
    ids = dict(
        connection.execute(
            select(GameRow.source_game_id, GameRow.id).where(
                GameRow.sport_id == sport_id, GameRow.source_game_id.in_(set(injuries["source_game_id"]))
            )
        ).all()
    )
    frame = injuries.assign(
        sport_id=sport_id,
        team_id=injuries["team"].map(team_ids),
        game_id=injuries["source_game_id"].map(ids),
    )
    columns = ["sport_id", "team_id", "game_id", "player_name", "position", "status", "observed_at", "source"]
    return upsert_rows(
        connection, InjuryRow.__table__, frame_records(frame, columns),
        ["sport_id", "team_id", "player_name", "observed_at", "source"],
    )
