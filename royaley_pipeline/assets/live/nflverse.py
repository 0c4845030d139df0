"""nflverse games of the day with closing lines, roof, surface and weather (a URL or a path)."""

from __future__ import annotations

from royaley_pipeline.assets.live.contracts import games_problems
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors.files import NFLVERSE_SOURCE, collect_nflverse, file_client
from royaley_pipeline.sources.teams import TeamDirectory


def collect(run: SportDay) -> None:
    location = run.collectors.value("nflverse_location")
    run.store_games("games", collect_nflverse(location, day=run.day, client=run.client, teams=TeamDirectory()))


SOURCE = LiveSource(
    name="nflverse",
    tables=(Table("games", "nflverse games of the day with closing lines, roof, surface and weather."),),
    client=lambda collectors, context: file_client(collectors, NFLVERSE_SOURCE),
    collect=collect,
    contract=Contract("nflverse_collection_contract", "Games collected, scores non-negative.", games_problems),
)
