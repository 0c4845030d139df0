"""Daily predictions: champion models score a date's games against the best available prices."""

import json
import sys
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    BackfillPolicy,
    Config,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
)
from pydantic import Field

from royaley_pipeline.assets.catalog import PREDICTIONS_SCHEMA, code_version, row_count, schema_metadata
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.assets.models import game_outcome_model
from royaley_pipeline.domain.features import (
    DEFAULT_SETTINGS,
    FEATURE_SET_VERSION,
    MARKET_PROBABILITY_COLUMN,
    OBSERVED_COLUMNS,
    features_as_of,
)
from royaley_pipeline.domain.market import best_available_prices
from royaley_pipeline.domain.model_names import ModelName
from royaley_pipeline.domain.plausibility import stake_problems
from royaley_pipeline.domain.slate import (
    GAME_DESCRIPTION_COLUMNS,
    SLATE_GAME_COLUMNS,
    SLATE_ORDER,
    price_bets,
)
from royaley_pipeline.partitions import (
    every_partition,
    parse_sport_date_keys,
    same_sport_and_month,
    sport_day_partitions,
)
from royaley_pipeline.registry import ModelRegistry
from royaley_pipeline.resources import DatabaseResource, ModelRegistryResource, PathsResource
from royaley_pipeline.run_clock import run_time
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage import predictions as predictions_storage
from royaley_pipeline.storage.features import load_feature_inputs, load_features
from royaley_pipeline.storage.predictions import replace_predictions

PREDICTIONS_GROUP = "predictions"
SLATE_CHECK = "slate_present_on_game_days"
RANGES_CHECK = "probabilities_and_stakes_in_range"
PREDICTIONS_CODE_VERSION = code_version(
    sys.modules[__name__], predictions_storage,
    *[import_module(f"royaley_pipeline.domain.{name}") for name in ("slate", "staking", "market", "odds")],
)


class PredictionConfig(Config):
    kelly_fraction: float = Field(default=0.25, description="share of the full Kelly stake")
    kelly_cap: float = Field(default=0.05, description="largest stake as a share of bankroll")
    as_of: str | None = Field(
        default=None,
        description="the instant the prediction is made (ISO 8601, UTC unless it names a zone; default: "
        "now): prices, lines, weather and injury reports observed from then on are not used",
    )

    def instant(self) -> pd.Timestamp:
        moment = pd.Timestamp(self.as_of) if self.as_of else pd.Timestamp.now(tz="UTC")
        return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


@asset(
    key=["predictions", "game_predictions"],
    deps=[
        AssetDep(game_features, partition_mapping=same_sport_and_month),
        AssetDep(game_outcome_model, partition_mapping=every_partition),
    ],
    partitions_def=sport_day_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name=PREDICTIONS_GROUP,
    kinds={"sql", "json"},
    owners=["team:betting"],
    metadata=schema_metadata(PREDICTIONS_SCHEMA),
    code_version=PREDICTIONS_CODE_VERSION,
    check_specs=[
        AssetCheckSpec(SLATE_CHECK, asset=["predictions", "game_predictions"],
                       description="Every day of the run with games, for a sport with a champion, has predictions."),
        AssetCheckSpec(RANGES_CHECK, asset=["predictions", "game_predictions"],
                       description="Probabilities in [0, 1]; Kelly stakes in [0, cap]."),
    ],
)
def game_predictions(
    context: AssetExecutionContext,
    config: PredictionConfig,
    database: DatabaseResource,
    model_registry: ModelRegistryResource,
    paths: PathsResource,
) -> MaterializeResult:
    """Probability, edge against the best price, signal tier and Kelly stake for every game."""
    window = parse_sport_date_keys(sport_day_partitions, context.partition_keys)
    engine = database.engine()
    registry = model_registry.registry()
    # An explicit as_of (`royaley predict --as-of`) wins; else the run's own time: now, or the
    # simulated time a replay tags its runs with.
    as_of = config.instant() if config.as_of else run_time(context)
    champion_sports = {champion.model.sport for champion in registry.champions()}
    slates, files, missing_days = [], [], []
    for sport_code in window.sports:
        sport = get_sport(sport_code)
        inputs = load_feature_inputs(
            engine, sport.code, start=window.start - timedelta(days=DEFAULT_SETTINGS.injury_lookback_days),
            end=window.end,
        )
        games = inputs["games"].loc[inputs["games"]["game_date"] >= pd.Timestamp(window.start)]
        if games.empty:
            context.log.info(f"{sport.code}: no games between {window.start} and {window.end}")
            continue
        features = observed_as_of(
            load_features(engine, sport.code, FEATURE_SET_VERSION, window.start, window.end),
            features_as_of(sport=sport, as_of=as_of, **inputs),
        )
        prices = best_available_prices(games, inputs["snapshots"], as_of=as_of)
        slate = predict_slate(sport, games, features, prices, registry, config, context.log, predicted_at=as_of)
        if sport.code in champion_sports:
            predicted = set(pd.to_datetime(slate["game_date"]).dt.date) if len(slate) else set()
            missing_days += [f"{sport.code} {day}" for day in sorted(set(pd.to_datetime(games["game_date"]).dt.date))
                             if day not in predicted]
        for day, day_slate in slate.groupby("game_date") if not slate.empty else []:
            day = pd.Timestamp(day).date()
            replace_predictions(engine, sport.code, day, day_slate)
            files.append(write_slate_json(paths.path("predictions"), sport.code, day, day_slate))
        slates.append(slate)
    slate = pd.concat(slates, ignore_index=True) if slates else pd.DataFrame()
    problems = stake_problems(slate, config.kelly_cap) if len(slate) else []
    return MaterializeResult(
        check_results=[
            AssetCheckResult(check_name=SLATE_CHECK, passed=not missing_days,
                             metadata={"game_days_without_predictions": ", ".join(missing_days) or "none"}),
            AssetCheckResult(check_name=RANGES_CHECK, passed=not problems,
                             metadata={"problems": "; ".join(problems) or "none", "predictions": len(slate)}),
        ],
        metadata={
            **row_count(len(slate)),
            "predictions_written": len(slate),
            "sports": ", ".join(window.sports),
            "first_date": str(window.start),
            "last_date": str(window.end),
            "predicted_at": as_of.isoformat(),
            "tier_counts": MetadataValue.json(slate["tier"].value_counts().to_dict() if len(slate) else {}),
            "files": MetadataValue.md("\n".join(f"- `{f}`" for f in files) or "_none_"),
            "slate": slate_table(slate),
        }
    )


def observed_as_of(stored: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """Stored features with their odds, weather and injury columns replaced by what was observed
    before the prediction (`features_as_of`), plus each game's ``snapshot_cutoff``."""
    kept = stored.drop(columns=[column for column in OBSERVED_COLUMNS if column in stored])
    return kept.merge(observed, on="game_id", how="left")


def predict_slate(sport, games, features, prices, registry: ModelRegistry, config: PredictionConfig, log,
                  predicted_at: pd.Timestamp):
    """Score each bet type the sport offers with its champion; bet types without one are skipped."""
    rows = features.merge(games[["game_id", *GAME_DESCRIPTION_COLUMNS]], on="game_id")
    if rows.empty:
        # Games stored before their month's features were refreshed (a sensor can fire first): no
        # inputs yet, nothing to score; the run after the refresh scores them.
        log.warning(f"{sport.code}: {len(games)} game(s) without features yet: nothing to score")
        return pd.DataFrame()
    slates = []
    for bet_type in sport.bet_types:
        try:
            champion = registry.load_champion(sport.code, bet_type)
        except LookupError as missing:
            log.warning(str(missing))
            continue
        frame = rows.reindex(columns=[*rows.columns, *[c for c in champion.feature_columns if c not in rows]])
        probabilities = pd.DataFrame(
            {
                "game_id": frame["game_id"],
                "probability": champion.model.predict_proba(frame[champion.feature_columns])[:, 1],
                "market_probability": pd.to_numeric(
                    frame.get(MARKET_PROBABILITY_COLUMN[bet_type], pd.Series(index=frame.index)),
                    errors="coerce",
                ),
            }
        )
        slate = price_bets(
            bet_type, probabilities, prices, kelly_fraction=config.kelly_fraction, kelly_cap=config.kelly_cap
        )
        slate["model_name"] = str(ModelName(sport.code, bet_type))
        slate["model_version"] = str(champion.version)
        slates.append(slate)
    if not slates:
        return pd.DataFrame()
    slate = pd.concat(slates, ignore_index=True).merge(
        rows[[*SLATE_GAME_COLUMNS, "snapshot_cutoff"]], on="game_id"
    )
    slate["predicted_at"] = predicted_at
    return slate.sort_values(SLATE_ORDER).reset_index(drop=True)


def write_slate_json(root: Path, sport: str, day: date, slate: pd.DataFrame) -> Path:
    path = root / sport / f"{day.isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    records = json.loads(slate.to_json(orient="records", date_format="iso"))
    path.write_text(json.dumps({"sport": sport, "date": day.isoformat(), "predictions": records}, indent=2))
    return path


SLATE_COLUMNS = {  # shown name: (slate column, type, decimals)
    "game": ("game", "string", None), "bet": ("bet_type", "string", None), "side": ("side", "string", None),
    "line": ("line", "float", 1), "price": ("price_american", "int", None), "p": ("probability", "float", 3),
    "market p": ("market_probability", "float", 3), "edge": ("edge", "float", 3), "tier": ("tier", "string", None),
    "stake": ("kelly_stake", "float", 4),
}


def slate_table(slate: pd.DataFrame) -> MetadataValue:
    """The slate as a table value: shown inline and whole on the asset's page (markdown this long is
    a pop-up), short headers, away@home without spaces so a game stays on one line, and no line
    for a moneyline (an empty cell, not "nan")."""
    if slate.empty:
        return MetadataValue.md("_no predictions_")
    shown = slate.assign(game=slate["away_team"] + "@" + slate["home_team"])
    records = []
    for row in shown.to_dict("records"):
        record = {}
        for name, (column, kind, decimals) in SLATE_COLUMNS.items():
            value = row.get(column)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                record[name] = None
            elif kind == "int":
                record[name] = int(value)
            elif kind == "float":
                record[name] = round(float(value), decimals)
            else:
                record[name] = str(value)
        records.append(TableRecord(record))
    schema = TableSchema(columns=[TableColumn(name, kind) for name, (_, kind, _) in SLATE_COLUMNS.items()])
    return MetadataValue.table(records=records, schema=schema)
