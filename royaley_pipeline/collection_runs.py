"""The daily live collection from a shell: chosen sources, sports and days as Dagster runs.

Each source is its own run per sport-day (a subset of ``live_collection_job``), so its progress
shows as it finishes, one failing source leaves the others' rows in place, and every run is in
the instance and the UI like the 04:00 schedule's. Sources that feed games run before those that
attach odds and weather to stored games.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dagster import DagsterInstance, ExecuteInProcessResult

from royaley_pipeline.assets.live import LIVE_SOURCES
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.launch import Origin, run_config, run_tags
from royaley_pipeline.partitions import sport_day_key
from royaley_pipeline.run_failures import failure_message

# Source name as the CLI takes it (the original scripts' names) → the live source, in collection
# order: the feeds that store games first, then those that attach odds and weather to them.
SOURCES: dict[str, str] = {
    "espn": "espn",
    "nflverse": "nflverse",
    "thesportsdb": "thesportsdb",
    "tennis": "sackmann",
    "odds_api": "the_odds_api",
    "pinnacle": "pinnacle",
    "open_meteo": "open_meteo",
}
MAX_DAYS = 31  # a longer range is a backfill: the UI's single-run backfill of the live assets


class CollectionRequestError(BadRequest):
    """A request naming an unknown source or an impossible date range (exit 2, nothing written)."""


@dataclass(frozen=True)
class CollectionRequest:
    sources: tuple[str, ...]
    sports: tuple[str, ...]
    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range((self.end - self.start).days + 1)]


def parse_sources(text: str | None) -> tuple[str, ...]:
    """``espn,odds_api`` → the sources in collection order; None or empty = all of them."""
    if not text:
        return tuple(SOURCES)
    asked = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in asked if name not in SOURCES]
    if unknown:
        raise CollectionRequestError(f"unknown source {unknown[0]!r}; known sources: {', '.join(SOURCES)}")
    return tuple(name for name in SOURCES if name in asked)


def collection_days(day: date | None, start: date | None, end: date | None, timezone: str) -> tuple[date, date]:
    """``--date`` or ``--start``/``--end`` (inclusive); neither = today in the schedules' timezone."""
    if day is not None and (start is not None or end is not None):
        raise CollectionRequestError("give --date or --start/--end, not both")
    if day is not None:
        return day, day
    if start is None and end is None:
        today = datetime.now(ZoneInfo(timezone)).date()
        return today, today
    if start is None or end is None:
        raise CollectionRequestError("--start and --end go together")
    if end < start:
        raise CollectionRequestError(f"--end {end} is before --start {start}")
    if (end - start).days + 1 > MAX_DAYS:
        raise CollectionRequestError(
            f"{(end - start).days + 1} days asked; collect at most {MAX_DAYS} days at once "
            "(longer ranges: backfill the live assets in the UI)")
    return start, end


@dataclass
class SourceOutcome:
    """One source's run for one sport-day: rows per table, quota left, why it skipped or failed."""

    source: str
    sport: str
    day: date
    run_id: str
    success: bool
    error: str | None = None
    rows_written: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None
    quota_remaining: int | None = None


def collect(request: CollectionRequest, instance: DagsterInstance, job,
            progress: Callable[[SourceOutcome], None] = lambda outcome: None) -> list[SourceOutcome]:
    """Run every requested source for every sport-day; failures are recorded, not raised."""
    outcomes = []
    for sport in request.sports:
        for day in request.days:
            for source in request.sources:
                result = job.execute_in_process(
                    instance=instance, partition_key=sport_day_key(sport, day), asset_selection=list(LIVE_SOURCES[SOURCES[source]].keys),
                    run_config=run_config(), tags={**run_tags(Origin.CLI, sport), "royaley/source": source},
                    raise_on_error=False,
                )
                outcome = _outcome(source, sport, day, result)
                if not result.success:
                    outcome.error = failure_message(result)
                outcomes.append(outcome)
                progress(outcome)
    return outcomes


def _outcome(source: str, sport: str, day: date, result: ExecuteInProcessResult) -> SourceOutcome:
    """Rows per table, quota and skip reason from the uniform metadata of the live assets."""
    outcome = SourceOutcome(source, sport, day, result.run_id, result.success)
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        metadata = {name: getattr(value, "value", value) for name, value in materialization.metadata.items()}
        outcome.rows_written[materialization.asset_key.to_user_string()] = int(metadata.get("rows_written") or 0)
        if metadata.get("skipped") not in (None, "none"):
            outcome.skipped = str(metadata["skipped"])
        elif sport in str(metadata.get("sports_not_covered", "")).split(", "):
            outcome.skipped = f"{source} does not cover {sport}"
        remaining = metadata.get("quota_remaining")
        if isinstance(remaining, (int, float)) and remaining >= 0:
            outcome.quota_remaining = int(remaining)
    return outcome
