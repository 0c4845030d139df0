"""Reference rows every database needs: the sport registry and the teams with their aliases."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from royaley_pipeline.sports import SPORTS
from royaley_pipeline.storage.models import SportRow, TeamAliasRow, TeamRow, VenueRow
from royaley_pipeline.storage.upsert import upsert_rows


def seed_reference_data(engine: Engine) -> None:
    """Upsert sports, teams and aliases; safe to run at every start."""
    from royaley_pipeline.sources.teams import load_reference_teams, team_spellings

    with engine.begin() as connection:
        upsert_rows(
            connection,
            SportRow.__table__,
            [{"code": s.code, "name": s.name, "kind": s.kind, "outdoor": s.outdoor} for s in SPORTS.values()],
            ["code"],
        )
        sport_ids = sport_id_map(connection)
        teams = load_reference_teams()
        upsert_rows(
            connection,
            TeamRow.__table__,
            [
                {"sport_id": sport_ids[row.sport], "code": row.code, "name": row.name}
                for row in teams.itertuples()
            ],
            ["sport_id", "code"],
        )
        team_ids = {
            (sport_id, code): team_id
            for team_id, sport_id, code in connection.execute(
                select(TeamRow.id, TeamRow.sport_id, TeamRow.code)
            )
        }
        aliases = []
        for row in teams.itertuples():
            sport_id = sport_ids[row.sport]
            for alias in dict.fromkeys(team_spellings(row)):
                aliases.append(
                    {"sport_id": sport_id, "alias": alias, "team_id": team_ids[(sport_id, row.code)]}
                )
        upsert_rows(connection, TeamAliasRow.__table__, aliases, ["sport_id", "alias"])
        _seed_venues(connection)


def _seed_venues(connection: Connection) -> None:
    """Venues with coordinates, so weather can be looked up where games are played."""
    from royaley_pipeline.sources.venues import load_reference_venues

    venues = load_reference_venues()
    rows = [
        {"name": row.name, "roof": row.roof or None, "latitude": float(row.latitude),
         "longitude": float(row.longitude)}
        for row in venues.itertuples()
    ]
    upsert_rows(connection, VenueRow.__table__, rows, ["name"])


def sport_id_map(connection: Connection) -> dict[str, int]:
    return dict(connection.execute(select(SportRow.code, SportRow.id)).all())
