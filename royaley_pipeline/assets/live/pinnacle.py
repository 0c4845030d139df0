"""Pinnacle: the sharp reference book's main lines, appended as snapshots of book ``pinnacle``."""

from __future__ import annotations

from royaley_pipeline.assets.live.contracts import odds_problems
from royaley_pipeline.assets.live.espn import SOURCE as ESPN
from royaley_pipeline.assets.live.factory import Contract, LiveSource, SportDay, Table
from royaley_pipeline.collectors import pinnacle
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.storage.collected import store_event_odds


def collect(run: SportDay) -> None:
    """Fixtures and odds of the day's pre-game events."""
    odds = pinnacle.parse_pinnacle(run.client.fetch_fixtures(run.sport), run.client.fetch_odds(run.sport),
                                   run.sport, run.day, TeamDirectory())
    summary = store_event_odds(run.engine, run.sport, odds)
    run.written.update(odds_snapshots=summary.snapshots_written)
    run.note("unmatched_events", summary.unmatched_events)


SOURCE = LiveSource(
    name="pinnacle",
    tables=(Table("odds_snapshots", "Pinnacle: the sharp reference book's main lines, as snapshots."),),
    collector=pinnacle,
    collect=collect,
    contract=Contract("pinnacle_collection_contract", "Sharp snapshots present, fresh and priced.", odds_problems),
    deps=ESPN.keys[:1],
    notes=("unmatched_events",),
    metadata=lambda client: {"sharp_reference_book": pinnacle.SHARP_REFERENCE_BOOK},
)
