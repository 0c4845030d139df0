"""nflverse games of the day with closing lines, roof, surface and weather (a URL or a path)."""

from __future__ import annotations

from royaley_pipeline.assets.live.contracts import games_problems
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors.files import collect_nflverse
from royaley_pipeline.sources.teams import TeamDirectory


def collect(run: SportDay) -> None:
    location = run.collectors.nflverse_location
    run.store_games("games", collect_nflverse(location, day=run.day, client=run.client, teams=TeamDirectory()))


SOURCE = LiveSource(
    name="nflverse",
    tables=(Table("games", "nflverse games of the day with closing lines, roof, surface and weather."),),
    client=lambda collectors, context: collectors.nflverse_files(),
    collect=collect,
    contract=Contract("nflverse_collection_contract", "Games collected, scores non-negative.", games_problems),
)
