"""TheSportsDB: events of leagues the other feeds miss, matched onto the games already stored."""

from __future__ import annotations

from royaley_pipeline.assets.live.contracts import games_problems
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors import sportsdb
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sources.venues import VenueDirectory


def collect(run: SportDay) -> None:
    games = sportsdb.parse_events(run.client.fetch_events_day(run.sport, run.day), run.sport, TeamDirectory())
    games["venue"] = games["venue"].map(VenueDirectory().resolve).fillna(games["venue"])
    run.store_games("events", SourceBatch(games=games))


SOURCE = LiveSource(
    name="thesportsdb",
    tables=(Table("events", "TheSportsDB: events of leagues the other feeds miss, onto shared games."),),
    collector=sportsdb,
    collect=collect,
    contract=Contract("thesportsdb_collection_contract", "Events collected, scores non-negative.", games_problems),
)
