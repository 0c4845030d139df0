"""Reading injury reports back in the domain shape the feature builder takes."""

from __future__ import annotations

from datetime import datetime, time

import pandas as pd
from sqlalchemy import Engine, select

from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.models import InjuryRow, SportRow, TeamRow
from royaley_pipeline.storage.records import as_utc

INJURY_REPORT_COLUMNS = ["team", "player_name", "position", "status", "observed_at", "source"]


def load_injuries(engine: Engine, sport_code: str, observed_until=None) -> pd.DataFrame:
    """Every report of a sport observed up to `observed_until` (a date means its end), team as its code."""
    query = (
        select(TeamRow.code.label("team"), InjuryRow.player_name, InjuryRow.position, InjuryRow.status,
               InjuryRow.observed_at, InjuryRow.source)
        .join(SportRow, SportRow.id == InjuryRow.sport_id)
        .join(TeamRow, TeamRow.id == InjuryRow.team_id)
        .where(SportRow.code == get_sport(sport_code).code)
    )
    if observed_until is not None:
        if not isinstance(observed_until, datetime):
            observed_until = datetime.combine(observed_until, time.max)
        query = query.where(InjuryRow.observed_at <= observed_until)
    with engine.connect() as connection:
        frame = pd.read_sql(query.order_by(InjuryRow.observed_at), connection)
    frame["observed_at"] = as_utc(frame["observed_at"])
    return frame[INJURY_REPORT_COLUMNS]
