"""Sackmann-format tennis matches of the day (a URL or a path; ``{year}`` is filled in)."""

from __future__ import annotations

from royaley_pipeline.assets.live.contracts import games_problems
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors.files import TENNIS_SOURCE, collect_tennis, file_client


def collect(run: SportDay) -> None:
    run.store_games("matches", collect_tennis(run.collectors.value("tennis_location"), day=run.day, client=run.client))


SOURCE = LiveSource(
    name="sackmann",
    tables=(Table("matches", "Sackmann-format ATP matches (URL or path) of the day, with players."),),
    client=lambda collectors, context: file_client(collectors, TENNIS_SOURCE),
    collect=collect,
    contract=Contract("tennis_collection_contract", "Matches collected, sets non-negative.", games_problems),
)
