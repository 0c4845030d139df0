"""Features per game, computed only from what was known before each game started."""

import sys
from importlib import import_module
from pathlib import Path

import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from royaley_pipeline.assets.catalog import code_version, features_schema, row_count, schema_metadata
from royaley_pipeline.assets.live import LIVE_FEATURE_INPUTS
from royaley_pipeline.assets.raw import RAW_GAMES, RAW_ODDS, RAW_WEATHER
from royaley_pipeline.domain.features import FEATURE_COLUMNS, FEATURE_SET_VERSION, build_feature_matrix
from royaley_pipeline.domain.profiling import column_profile, profile_markdown
from royaley_pipeline.partitions import parse_sport_date_keys, same_sport_and_month, sport_month_partitions
from royaley_pipeline.resources import DatabaseResource, PathsResource
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage import features as feature_storage
from royaley_pipeline.storage.features import load_feature_inputs, replace_features

FEATURES_GROUP = "features"
# Every model input, once: the quality table shows how filled and how wide each one is.
PROFILED_COLUMNS = list(dict.fromkeys(column for columns in FEATURE_COLUMNS.values() for column in columns))
# The feature set's version and the source of every module that computes a feature value.
FEATURES_CODE_VERSION = code_version(
    sys.modules[__name__], feature_storage, *[import_module(f"royaley_pipeline.domain.{name}") for name in (
        "features", "elo", "team_stats", "momentum", "head_to_head", "weather", "injuries", "timeline",
        "labels", "market", "odds")],
    extra=FEATURE_SET_VERSION,
)


@asset(
    key=["features", "game_features"],
    deps=[
        AssetSpec(RAW_GAMES).key,
        AssetSpec(RAW_ODDS).key,
        AssetSpec(RAW_WEATHER).key,
        # Lineage from the daily live collectors: a month's features read every day collected in it.
        *[AssetDep(key, partition_mapping=same_sport_and_month) for key in LIVE_FEATURE_INPUTS],
    ],
    partitions_def=sport_month_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name=FEATURES_GROUP,
    kinds={"pandas", "parquet", "sql"},
    owners=["team:modelling"],
    metadata=schema_metadata(features_schema(PROFILED_COLUMNS, FEATURE_SET_VERSION)),
    code_version=FEATURES_CODE_VERSION,
)
def game_features(context: AssetExecutionContext, database: DatabaseResource, paths: PathsResource):
    """Elo, team form, momentum, head-to-head, weather, injuries and market lines per game, point-in-time exact.

    Features for the window's games are computed from the whole history up to the window's end:
    the domain builder only ever looks backwards, so earlier history is context, not leakage.
    """
    window = parse_sport_date_keys(sport_month_partitions, context.partition_keys)
    engine = database.engine()
    written, seasons_written, previews = 0, [], []
    for sport_code in window.sports:
        sport = get_sport(sport_code)
        inputs = load_feature_inputs(engine, sport.code, end=window.end)
        if inputs["games"].empty:
            context.log.info(f"{sport.code}: no games up to {window.end}; nothing to compute")
            continue
        matrix = build_feature_matrix(sport=sport, **inputs)
        written += replace_features(engine, sport.code, matrix, FEATURE_SET_VERSION, window.start, window.end)
        in_window = matrix.loc[
            matrix["game_date"].between(pd.Timestamp(window.start), pd.Timestamp(window.end))
        ]
        seasons_written += write_feature_parquet(paths.path("features"), sport.code, matrix, in_window)
        previews.append(in_window)
    window_rows = pd.concat(previews) if previews else pd.DataFrame()
    preview = window_rows.groupby("sport", group_keys=False).tail(5) if "sport" in window_rows else window_rows
    return MaterializeResult(
        metadata={
            "feature_set_version": FEATURE_SET_VERSION,
            **row_count(written),
            "rows_written": written,
            "sports": ", ".join(window.sports),
            "first_date": str(window.start),
            "last_date": str(window.end),
            "parquet_seasons": ", ".join(seasons_written) or "none",
            "preview": MetadataValue.md(_preview(preview)),
            "quality": MetadataValue.md(profile_markdown(column_profile(window_rows, PROFILED_COLUMNS))),
        }
    )


def write_feature_parquet(root: Path, sport: str, matrix: pd.DataFrame, in_window: pd.DataFrame) -> list[str]:
    """Rewrite each touched season's Parquet file from the full matrix (hive-style layout)."""
    written = []
    for season in sorted(in_window["season"].unique()):
        folder = root / f"sport={sport}" / f"season={int(season)}"
        folder.mkdir(parents=True, exist_ok=True)
        season_rows = matrix.loc[matrix["season"] == season].assign(feature_set_version=FEATURE_SET_VERSION)
        season_rows.to_parquet(folder / f"{FEATURE_SET_VERSION}.parquet", index=False)
        written.append(f"{sport}/{int(season)}")
    return written


def _preview(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_no games in this window_"
    columns = [
        c
        for c in (
            "game_date",
            "away_team",
            "home_team",
            "home_elo",
            "away_elo",
            "elo_diff",
            "form_last5_difference",
            "h2h_games",
            "weather_impact",
            "closing_spread_home",
            "market_home_win_probability",
        )
        if c in frame
    ]
    shown = frame[columns].copy()
    shown["game_date"] = shown["game_date"].astype(str).str[:10]
    return shown.round(3).to_markdown(index=False)
