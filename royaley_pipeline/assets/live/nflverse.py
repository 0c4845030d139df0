"""nflverse games of the day with closing lines, roof, surface and weather (a URL or a path)."""

from __future__ import annotations

from royaley_pipeline.assets.live.contracts import games_problems
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors.files import collect_nflverse
from royaley_pipeline.sources.frames import validate_batch
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.storage.collected import store_collected


def collect(run: SportDay) -> None:
    batch = validate_batch(collect_nflverse(run.collectors.nflverse_location, day=run.day, client=run.client,
                                            teams=TeamDirectory()))
    run.written.update(games=store_collected(run.engine, run.sport, batch).games.games)


SOURCE = LiveSource(
    name="nflverse",
    tables=(Table("games", "nflverse games of the day with closing lines, roof, surface and weather."),),
    client=lambda collectors, context: collectors.nflverse_files(),
    collect=collect,
    contract=Contract("nflverse_collection_contract", "Games collected, scores non-negative.", games_problems),
)
