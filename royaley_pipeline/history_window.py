"""Which dates an ingest or features request may cover, and what an ingest run wrote.

A request outside the data must say so in one line (exit 2), not reach Dagster as a partition
that does not exist (a traceback) or an empty range (`list index out of range`); a request inside
it that finds no games says "0 games written" rather than a bare tick.
"""

from __future__ import annotations

from datetime import date, timedelta

from dagster import ExecuteInProcessResult

from royaley_pipeline.errors import BadRequest
from royaley_pipeline.partitions import FIRST_DATE
from royaley_pipeline.sources.catalog import HISTORY_STARTS

FUTURE_LIMIT = timedelta(days=365)
RAW_GAMES_PATH = ["raw", "games"]


def history_start(sport: str) -> date:
    """The first month of a sport's bundled history; for sports without one, the first partition."""
    return HISTORY_STARTS.get(sport, date.fromisoformat(FIRST_DATE))


def check_date_range(sport: str, start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The [start, end] a request covers (defaults: the sport's history to today), or BadRequest
    with the one line the user sees."""
    first = history_start(sport)
    start, end = start or first, end or today
    if start > end:
        raise BadRequest(f"--start {start} is after --end {end}")
    if start < first:
        raise BadRequest(f"{sport} history starts {first}: --start {start} is before it")
    if end > today + FUTURE_LIMIT:
        raise BadRequest(f"--end {end} is more than a year after today ({today}); nothing is scheduled that far ahead")
    return start, end


def games_written(result: ExecuteInProcessResult) -> int:
    """Games the run's raw/games materialisations report, summed over its partitions."""
    return sum(
        event.materialization.metadata["dagster/row_count"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key.path == RAW_GAMES_PATH and "dagster/row_count" in event.materialization.metadata
    )
