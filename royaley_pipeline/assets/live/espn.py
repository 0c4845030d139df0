"""ESPN: the day's games (schedule, status, scores, venues) and the injury reports of their teams,
plus the schedule of the next ``collection_lookahead_days`` days (stored as scheduled games, so
the odds of those days find their games)."""

from __future__ import annotations

import pandas as pd

from royaley_pipeline.assets.live.contracts import games_problems
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors import espn
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sources.venues import VenueDirectory


def collect(run: SportDay) -> None:
    """Scoreboard of the day and the look-ahead days, then (when the injuries table is selected)
    the summary of each of the day's own events; the games are always stored since the injury
    reports hang on them. One write per sport-day."""
    teams, venues = TeamDirectory(), VenueDirectory()
    slate = espn.parse_scoreboard(run.client.fetch_scoreboard(run.sport, run.day, run.through), run.sport, teams)
    todays = slate.games["game_date"].dt.date == run.day
    if not todays.any():
        run.warnings.append(f"{run.sport} {run.day}: the scoreboard listed no games (empty slate)")
    games = slate.games.copy()
    resolved = games["venue"].map(venues.resolve)
    run.note("unknown_venues", games.loc[resolved.isna() & games["venue"].notna(), "venue"])
    games["venue"] = resolved.fillna(games["venue"])
    injuries = [
        espn.parse_injuries(run.client.fetch_summary(run.sport, gid), run.sport, gid, teams)
        for gid in games.loc[todays.to_numpy(), "source_game_id"]
    ] if run.selected("injuries") else []
    run.store_games("games", SourceBatch(games=games), pd.concat(injuries, ignore_index=True) if injuries else None)


SOURCE = LiveSource(
    name="espn",
    tables=(Table("games", "ESPN scoreboard: schedule, status, scores and venues of the day's games."),
            Table("injuries", "ESPN summaries: injury reports of the teams playing that day.")),
    collector=espn,
    collect=collect,
    contract=Contract("espn_collection_contract", "Games collected, scores non-negative, reports fresh.",
                      games_problems),
    notes=("unknown_venues",),
    looks_ahead=True,
)
