"""Injury reports read back with team codes and UTC times, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from royaley_pipeline.storage.injuries import INJURY_REPORT_COLUMNS, load_injuries
from royaley_pipeline.storage.models import InjuryRow, SportRow, TeamRow


def test_reports_round_trip_with_team_codes_up_to_a_date(engine):
    with engine.begin() as connection:
        sport_id = connection.execute(select(SportRow.id).where(SportRow.code == "NFL")).scalar_one()
        team_id = connection.execute(
            select(TeamRow.id).where(TeamRow.sport_id == sport_id, TeamRow.code == "KC")
        ).scalar_one()
        connection.execute(InjuryRow.__table__.insert(), [
            {"sport_id": sport_id, "team_id": team_id, "player_name": "Travis Kelce", "position": "TE",
             "status": "Questionable", "observed_at": datetime(2024, 9, 4, 20, tzinfo=UTC), "source": "espn"},
            {"sport_id": sport_id, "team_id": team_id, "player_name": "Travis Kelce", "position": "TE",
             "status": "Out", "observed_at": datetime(2024, 9, 12, 20, tzinfo=UTC), "source": "espn"},
        ])
    reports = load_injuries(engine, "NFL", observed_until=date(2024, 9, 10))
    assert list(reports.columns) == INJURY_REPORT_COLUMNS
    assert reports[["team", "player_name", "status"]].values.tolist() == [["KC", "Travis Kelce", "Questionable"]]
    assert str(reports.loc[0, "observed_at"].tz) == "UTC"
    assert reports.loc[0, "observed_at"].hour == 20
    assert len(load_injuries(engine, "NFL")) == 2
    assert load_injuries(engine, "NBA").empty
