"""Raw collector tables: games, odds snapshots and weather from the historical sources.

One multi-asset per source family writes all three tables in a single transaction, so a bad row
leaves none of them half-written. A season is one run: the single-run backfill policy hands the
whole date range to one execution.
"""

import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    multi_asset,
)

from royaley_pipeline.assets.catalog import (
    GAMES_SCHEMA,
    ODDS_SCHEMA,
    WEATHER_SCHEMA,
    code_version,
    schema_metadata,
)
from royaley_pipeline.assets.failures import bad_records_fail_without_retry
from royaley_pipeline.assets.partition_summary import partition_metadata, rows_by_partition
from royaley_pipeline.config import load_settings
from royaley_pipeline.domain.profiling import column_profile, profile_markdown
from royaley_pipeline.partitions import parse_sport_date_keys, sport_month_partitions
from royaley_pipeline.resources import DatabaseResource, PathsResource
from royaley_pipeline.sources import catalog as catalog_module
from royaley_pipeline.sources import frames as frames_module
from royaley_pipeline.sources.catalog import read_sport_history
from royaley_pipeline.storage import collected as collected_module
from royaley_pipeline.storage.collected import store_collected

RAW_GROUP = "raw"
RAW_GAMES = ["raw", "games"]
RAW_ODDS = ["raw", "odds_snapshots"]
RAW_WEATHER = ["raw", "weather"]
# The readers and the write path decide the rows; the asset module decides what is read.
RAW_CODE_VERSION = code_version(sys.modules[__name__], catalog_module, frames_module, collected_module)


@multi_asset(
    specs=[
        AssetSpec(
            RAW_GAMES,
            description="Games with teams, start times (UTC), status and scores.",
            group_name=RAW_GROUP,
            kinds={"sql", "pandas"},
            owners=["team:data"],
            metadata=schema_metadata(GAMES_SCHEMA),
            code_version=RAW_CODE_VERSION,
        ),
        AssetSpec(
            RAW_ODDS,
            description="Odds snapshots per book, market and side; opening and closing "
            "lines are derived from their history.",
            group_name=RAW_GROUP,
            kinds={"sql"},
            owners=["team:data"],
            metadata=schema_metadata(ODDS_SCHEMA),
            code_version=RAW_CODE_VERSION,
        ),
        AssetSpec(
            RAW_WEATHER,
            description="Weather at the venue at kick-off (outdoor sports).",
            group_name=RAW_GROUP,
            kinds={"sql"},
            owners=["team:data"],
            metadata=schema_metadata(WEATHER_SCHEMA),
            code_version=RAW_CODE_VERSION,
        ),
    ],
    partitions_def=sport_month_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    retry_policy=RetryPolicy(max_retries=2, delay=5),
    can_subset=False,
)
def historical_games(context: AssetExecutionContext, database: DatabaseResource, paths: PathsResource):
    """Load the bundled historical files for the run's sports and dates into the database."""
    window = parse_sport_date_keys(sport_month_partitions, context.partition_keys)
    engine = database.engine()
    settings = replace(load_settings(), source_data_path=Path(paths.source_data_path),
                       nfelo_path=Path(paths.nfelo_path) if paths.nfelo_path else None)
    totals = {
        "games_written": 0,
        "odds_snapshots_written": 0,
        "weather_rows_written": 0,
        "players_written": 0,
    }
    batches = []
    quirks: dict[str, dict[str, int]] = {}
    for sport in window.sports:
        with bad_records_fail_without_retry():
            batch = read_sport_history(sport, settings, start=window.start, end=window.end)
            # Matched onto games a live feed already stored (same date and teams) instead of duplicating them.
            summary = store_collected(engine, sport, batch).games
        context.log.info(f"{sport} {window.start}..{window.end}: {summary}")
        if batch.quirks:
            quirks[sport] = batch.quirks
            context.log.info(f"{sport} source quirks (rows kept, fixed or rejected): {batch.quirks}")
        for name, value in summary.as_metadata().items():
            totals[name] += value
        batches.append(batch)
    games, odds, weather = (_concat(batches, table) for table in ("games", "odds", "weather"))
    describe_partitions(context, context.partition_keys, games, odds, weather)
    # Run-wide totals stay in the run's log; each partition's materialisation carries its own rows.
    context.log.info(f"written in this run: {totals}")
    # Source quirks are counted per run (kept, fixed or rejected rows of each sport's files).
    yield MaterializeResult(asset_key=RAW_GAMES, metadata={"source_quirks": MetadataValue.json(quirks)})
    yield MaterializeResult(asset_key=RAW_ODDS)
    yield MaterializeResult(asset_key=RAW_WEATHER)


def describe_partitions(context, partition_keys, games: pd.DataFrame, odds: pd.DataFrame,
                        weather: pd.DataFrame) -> None:
    """One set of metadata per sport × month partition and table: its rows, first and last game."""
    games_by_key = rows_by_partition(games if len(games) else _no_games(), partition_keys)
    for key, month_games in games_by_key.items():
        ids = set(month_games["source_game_id"])
        month_odds = odds.loc[odds["source_game_id"].isin(ids)] if len(odds) else odds
        month_weather = weather.loc[weather["source_game_id"].isin(ids)] if len(weather) else weather
        context.add_asset_metadata(
            {**partition_metadata(month_games, key), "preview": MetadataValue.md(_preview(month_games)),
             "quality": _quality(month_games, ["season", "week", "home_score", "away_score", "start_time"])},
            asset_key=RAW_GAMES, partition_key=key,
        )
        context.add_asset_metadata(
            {**partition_metadata(month_games, key, row_count=len(month_odds)),
             "preview": MetadataValue.md(_head(month_odds, ODDS_PREVIEW_COLUMNS)),
             "quality": _quality(month_odds, ["book", "market", "side", "line", "price", "captured_at"])},
            asset_key=RAW_ODDS, partition_key=key,
        )
        context.add_asset_metadata(
            {**partition_metadata(month_games, key, row_count=len(month_weather)),
             "preview": MetadataValue.md(_head(month_weather, WEATHER_PREVIEW_COLUMNS)),
             "quality": _quality(month_weather, ["temperature_f", "wind_mph", "precipitation_probability"])},
            asset_key=RAW_WEATHER, partition_key=key,
        )


def _no_games() -> pd.DataFrame:
    return pd.DataFrame(columns=["sport", "game_date", "source_game_id", "home_team", "away_team"])


ODDS_PREVIEW_COLUMNS = ["source_game_id", "book", "market", "side", "line", "price", "captured_at"]
WEATHER_PREVIEW_COLUMNS = ["source_game_id", "observed_at", "temperature_f", "wind_mph", "is_indoor"]


def _concat(batches, table: str) -> pd.DataFrame:
    frames = [getattr(batch, table) for batch in batches if not getattr(batch, table).empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _preview(games: pd.DataFrame) -> str:
    if games.empty:
        return "_no games in this window_"
    columns = ["sport", "game_date", "away_team", "home_team", "away_score", "home_score", "status"]
    frame = games.head(10)[columns]
    frame["game_date"] = frame["game_date"].astype(str).str[:10]
    return frame.to_markdown(index=False)


def _head(frame: pd.DataFrame, columns: list[str]) -> str:
    if frame.empty:
        return "_no rows in this window_"
    return frame.head(10)[columns].astype(str).to_markdown(index=False)


def _quality(frame: pd.DataFrame, columns: list[str]) -> MetadataValue:
    """Share filled and value ranges per column: a quality table on the materialisation (none for
    an empty partition, whose `empty` flag says all there is)."""
    if frame.empty:
        return MetadataValue.md("_no rows in this partition_")
    return MetadataValue.md(profile_markdown(column_profile(frame, columns)))
