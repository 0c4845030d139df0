"""Models per sport and bet type: walk-forward validated, calibrated, registered in MLflow."""

import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from royaley_pipeline.assets.features import game_features
from royaley_pipeline.domain.features import (
    FEATURE_COLUMNS,
    FEATURE_SET_VERSION,
    LABEL_COLUMN,
    MARKET_PROBABILITY_COLUMN,
)
from royaley_pipeline.domain.trainers import SklearnTrainer
from royaley_pipeline.domain.training import TrainingService
from royaley_pipeline.partitions import model_partitions, parse_model_key, same_sport
from royaley_pipeline.resources import DatabaseResource, ModelRegistryResource, PathsResource
from royaley_pipeline.sports import get_sport
from royaley_pipeline.storage.features import load_features
from royaley_pipeline.storage.games import load_games
from royaley_pipeline.storage.predictions import finish_training_run, start_training_run

MODELS_GROUP = "models"


class TrainingConfig(Config):
    framework: str = Field(
        default="sklearn", description="sklearn (H2O and AutoGluon arrive with the training issue)"
    )
    algorithm: str = Field(default="logistic", description="logistic or hist_gradient_boosting")
    first_test_season: int | None = Field(
        default=None,
        description="first walk-forward test season; default 2015, or three seasons into the data",
    )
    promotion_margin: float = Field(default=0.0, description="log-loss improvement a challenger needs")
    max_runtime_seconds: int | None = Field(
        default=None, description="time budget per model for H2O AutoML and AutoGluon"
    )


@asset(
    key=["models", "game_outcome_model"],
    deps=[AssetDep(game_features, partition_mapping=same_sport)],
    partitions_def=model_partitions,
    group_name=MODELS_GROUP,
    kinds={"scikitlearn", "mlflow"},
    owners=["team:modelling"],
)
def game_outcome_model(
    context: AssetExecutionContext,
    config: TrainingConfig,
    database: DatabaseResource,
    model_registry: ModelRegistryResource,
    paths: PathsResource,
) -> MaterializeResult:
    """Train, validate walk-forward by season, register as challenger, promote if it beats the champion."""
    sport_code, bet_type = parse_model_key(context.partition_key)
    sport = get_sport(sport_code)
    if not sport.offers(bet_type):
        raise Failure(f"{sport.code} does not offer {bet_type}; it offers {', '.join(sport.bet_types)}")
    if config.framework != "sklearn":
        raise Failure(f"framework {config.framework!r} is not available yet; use --framework sklearn")
    engine = database.engine()
    frame = training_frame(engine, sport.code)
    dataset_path = paths.path("datasets") / sport.code / bet_type / f"{FEATURE_SET_VERSION}.parquet"
    dataset_path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(dataset_path, index=False)

    first_test_season = config.first_test_season or default_first_test_season(frame["season"])
    trainer = SklearnTrainer(algorithm=config.algorithm)
    run_id = start_training_run(
        engine, sport.code, bet_type, config.framework, config.algorithm, context.run.run_id
    )
    try:
        result = TrainingService(trainer, first_test_season=first_test_season).run(
            frame, FEATURE_COLUMNS[bet_type], LABEL_COLUMN[bet_type], MARKET_PROBABILITY_COLUMN[bet_type]
        )
        registry = model_registry.registry()
        version = registry.log_training(
            result,
            sport=sport.code,
            bet_type=bet_type,
            feature_set_version=FEATURE_SET_VERSION,
            tags={"dagster_run_id": context.run.run_id, "dataset_path": str(dataset_path)},
        )
        decision = registry.promote_if_better(
            sport.code, bet_type, version.version, margin=config.promotion_margin
        )
    except Exception as error:
        finish_training_run(engine, run_id, status="failed", error=str(error))
        raise
    overall = {key: _plain(value) for key, value in result.overall.items()}
    finish_training_run(
        engine,
        run_id,
        status="success",
        mlflow_run_id=version.run_id,
        model_name=version.name,
        model_version=str(version.version),
        metrics=overall,
        data_first_season=int(frame["season"].min()),
        data_last_season=int(frame["season"].max()),
    )
    return MaterializeResult(
        metadata={
            "model_name": version.name,
            "model_version": str(version.version),
            "mlflow_run_id": version.run_id,
            "promoted_to_champion": decision.promoted,
            "promotion_reason": decision.reason,
            "walk_forward_seasons": f"{first_test_season}–{int(frame['season'].max())}",
            "model_log_loss": _plain(result.overall.get("model_log_loss")),
            "market_log_loss": _plain(result.overall.get("market_log_loss")),
            "model_brier": _plain(result.overall.get("model_brier")),
            "market_brier": _plain(result.overall.get("market_brier")),
            "season_metrics": MetadataValue.md(result.season_metrics.round(4).to_markdown(index=False)),
            "dataset": MetadataValue.path(str(dataset_path)),
        }
    )


def training_frame(engine, sport_code: str) -> pd.DataFrame:
    """Stored features joined to each game's start time, the order walk-forward needs."""
    features = load_features(engine, sport_code, FEATURE_SET_VERSION)
    if features.empty:
        raise Failure(
            f"no {FEATURE_SET_VERSION} features stored for {sport_code}: materialise features first"
        )
    games = load_games(engine, sport_code)[["game_id", "start_time"]]
    return features.merge(games, on="game_id", how="inner").sort_values(["start_time", "game_id"])


def default_first_test_season(seasons: pd.Series) -> int:
    first, last = int(seasons.min()), int(seasons.max())
    return min(max(2015, first + 3), last)


def _plain(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
