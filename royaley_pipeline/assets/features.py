"""Features per game, computed only from what was known before each game started."""

import sys
from datetime import date
from importlib import import_module
from pathlib import Path

import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetMaterialization,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from royaley_pipeline.assets.catalog import code_version, features_schema, schema_metadata
from royaley_pipeline.assets.live import LIVE_FEATURE_INPUTS
from royaley_pipeline.assets.partition_summary import month_starts, partition_metadata, rows_by_partition
from royaley_pipeline.assets.raw import RAW_GAMES, RAW_ODDS, RAW_WEATHER
from royaley_pipeline.domain.features import FEATURE_COLUMNS, FEATURE_SET_VERSION, build_feature_matrix
from royaley_pipeline.domain.profiling import column_profile, profile_markdown
from royaley_pipeline.partitions import (
    parse_sport_date_keys,
    same_sport_and_month,
    sport_month_key,
    sport_month_partitions,
)
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

    Elo and rolling form carry the whole past forward, so a change anywhere in a sport's raw history
    (an earlier season loaded after a later one, a corrected score, a late game) moves every later
    game's features. The step therefore recomputes from the window's first day to the end of the
    sport's stored history, in this run: the window's partitions get their own materialisations,
    and every later month whose rows were rewritten gets one too, saying why. Loading seasons in
    any order ends with the features an oldest-first load gives.
    """
    window = parse_sport_date_keys(sport_month_partitions, context.partition_keys)
    engine = database.engine()
    written, rewritten_later, seasons_written, window_frames = 0, 0, [], []
    for sport_code in window.sports:
        sport = get_sport(sport_code)
        inputs = load_feature_inputs(engine, sport.code)
        if inputs["games"].empty:
            context.log.info(f"{sport.code}: no games stored; nothing to compute")
            continue
        matrix = build_feature_matrix(sport=sport, **inputs)
        through = max(window.end, matrix["game_date"].max().date())
        written += replace_features(engine, sport.code, matrix, FEATURE_SET_VERSION, window.start, through)
        recomputed = matrix.loc[matrix["game_date"] >= pd.Timestamp(window.start)]
        seasons_written += write_feature_parquet(paths.path("features"), sport.code, matrix, recomputed)
        window_frames.append(recomputed.loc[recomputed["game_date"] <= pd.Timestamp(window.end)])
        rewritten_later += record_later_months(context, sport.code, recomputed, window.start, window.end)
    window_rows = pd.concat(window_frames) if window_frames else pd.DataFrame(columns=["sport", "game_date"])
    for key, rows in rows_by_partition(window_rows, context.partition_keys).items():
        context.add_asset_metadata(
            {**partition_metadata(rows, key), "preview": MetadataValue.md(_preview(rows.tail(5))),
             "quality": MetadataValue.md(profile_markdown(column_profile(rows, PROFILED_COLUMNS)) if len(rows)
                                         else "_no games in this partition_")},
            partition_key=key,
        )
    context.log.info(
        f"features {FEATURE_SET_VERSION}: {written} rows written ({rewritten_later} after the window, "
        f"recomputed because history changed before them); parquet {', '.join(seasons_written) or 'none'}"
    )
    return MaterializeResult(metadata={"feature_set_version": FEATURE_SET_VERSION})


def record_later_months(context: AssetExecutionContext, sport: str, recomputed: pd.DataFrame,
                        start: date, end: date) -> int:
    """A materialisation for each later month whose features this run rewrote, so the UI shows
    when and why they last changed; returns the number of later rows."""
    later = recomputed.loc[recomputed["game_date"] > pd.Timestamp(end)]
    if later.empty:
        return 0
    keys = sorted(sport_month_key(sport, month) for month in month_starts(later["game_date"]).unique())
    for key, rows in rows_by_partition(later, keys).items():
        context.log_event(AssetMaterialization(
            asset_key=context.asset_key,
            partition=key,
            metadata={
                **partition_metadata(rows, key),
                "feature_set_version": FEATURE_SET_VERSION,
                "recomputed_because": f"{sport} history changed from {start} on (run over {start}..{end})",
            },
        ))
    return len(later)


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
