"""Models per sport and bet type: walk-forward validated, calibrated, registered in MLflow."""

import base64
import sys
from contextlib import nullcontext
from importlib import import_module

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
)
from pydantic import Field

from royaley_pipeline import frameworks as frameworks_module
from royaley_pipeline.assets.catalog import code_version
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.domain.features import (
    FEATURE_COLUMNS,
    FEATURE_SET_VERSION,
    LABEL_COLUMN,
    MARKET_PROBABILITY_COLUMN,
)
from royaley_pipeline.domain.plausibility import LEAK_MARGIN, WORSE_MARGIN, compare_with_market
from royaley_pipeline.domain.promotion import DEFAULT_ECE_TOLERANCE, PromotionDecision
from royaley_pipeline.domain.trainers import Trainer
from royaley_pipeline.domain.training import TrainingResult, TrainingService
from royaley_pipeline.frameworks import (
    DEFAULT_FRAMEWORK,
    FRAMEWORKS,
    get_framework,
)
from royaley_pipeline.partitions import every_partition, model_partitions, parse_model_key
from royaley_pipeline.registry import MOCK_FRAMEWORK, ModelRegistry, RegisteredVersion, TrainingData
from royaley_pipeline.reports import REPORT_FOLDER, TrainingReport, build_report, champions_table
from royaley_pipeline.resources import (
    DatabaseResource,
    H2OClusterResource,
    ModelRegistryResource,
    PathsResource,
)
from royaley_pipeline.storage.features import load_features
from royaley_pipeline.storage.games import load_games
from royaley_pipeline.trainers import build_trainer
from royaley_pipeline.validation import model_request

MODELS_GROUP = "models"
MARKET_BAND_CHECK = "walk_forward_within_market_band"
# Kinds are static per asset: every framework's model is a scikit-learn-compatible estimator with
# scikit-learn calibration, stored in MLflow. Which framework fitted a version is its run's metadata.
MODELS_KINDS = {"scikitlearn", "mlflow"}
MODELS_CODE_VERSION = code_version(
    sys.modules[__name__], frameworks_module,
    *[import_module(f"royaley_pipeline.domain.{name}") for name in (
        "training", "calibration", "trainers", "walk_forward", "holdout", "metrics", "promotion")],
    extra=FEATURE_SET_VERSION,
)


class TrainingConfig(Config):
    framework: str = Field(default=DEFAULT_FRAMEWORK, description=f"one of {', '.join(FRAMEWORKS)}")
    algorithm: str | None = Field(
        default=None,
        description="sklearn: logistic (default) or hist_gradient_boosting; h2o: automl (default) or gbm",
    )
    mock: bool = Field(default=False, description="the quick real Elo-baseline logistic model instead")
    search: bool = Field(default=True, description="sklearn: small hyper-parameter search inside training folds")
    calibration: str = Field(default="auto", description="auto, sigmoid, isotonic or none")
    first_test_season: int | None = Field(
        default=None,
        description="first walk-forward test season; default 2015, or three seasons into the data",
    )
    promotion_margin: float = Field(default=0.0, description="log-loss improvement a challenger needs")
    ece_tolerance: float = Field(
        default=DEFAULT_ECE_TOLERANCE, description="how much worse a challenger's ECE may be and still win"
    )
    max_runtime_seconds: int | None = Field(
        default=None, description="time budget per model fit for H2O AutoML and AutoGluon (default 60)"
    )


@asset(
    key=["models", "game_outcome_model"],
    deps=[AssetDep(game_features, partition_mapping=every_partition)],
    partitions_def=model_partitions,
    group_name=MODELS_GROUP,
    kinds=MODELS_KINDS,
    owners=["team:modelling"],
    code_version=MODELS_CODE_VERSION,
    check_specs=[AssetCheckSpec(
        MARKET_BAND_CHECK, asset=["models", "game_outcome_model"],
        description=f"Walk-forward log loss within a plausible band of the closing market's on the same games: "
        f"better by over {LEAK_MARGIN} nats (and 3 standard errors) fails as a probable leak; worse by over "
        f"{WORSE_MARGIN} warns.",
    )],
    metadata={"frameworks": f"{', '.join(FRAMEWORKS)}: the one a version used is its materialisation's `framework`"},
)
def game_outcome_model(
    context: AssetExecutionContext,
    config: TrainingConfig,
    database: DatabaseResource,
    model_registry: ModelRegistryResource,
    paths: PathsResource,
    h2o_cluster: H2OClusterResource,
) -> MaterializeResult:
    """Train, validate walk-forward by season, report, register as challenger, promote if it beats the champion."""
    sport_code, bet_type = parse_model_key(context.partition_key)
    # The same check as the CLI's and the API's: a BadRequest here marks the run's failure as bad input.
    sport = model_request(sport_code, bet_type, DEFAULT_FRAMEWORK if config.mock else config.framework).sport
    trainer = build_trainer(
        config.framework, config.algorithm, mock=config.mock,
        max_runtime_seconds=config.max_runtime_seconds, search=config.search,
    )
    frame = training_frame(database.engine(), sport.code)
    dataset_path = paths.path("datasets") / sport.code / bet_type / f"{FEATURE_SET_VERSION}.parquet"
    dataset_path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(dataset_path, index=False)  # the exact rows this version was trained on

    first_test_season = config.first_test_season or default_first_test_season(frame["season"])
    service = TrainingService(trainer, first_test_season=first_test_season, calibration=config.calibration)
    registry = model_registry.registry()
    tags = {"dagster_run_id": context.run.run_id, "dataset_path": str(dataset_path),
            **model_registry.dagster_run_tags(context.run.run_id)}
    # The MLflow run is open for the whole training, so its duration in the MLflow UI is the training's.
    with registry.training_run(sport.code, bet_type, tags) as mlflow_run_id:
        with h2o_cluster.session() if get_framework(trainer.framework).needs_h2o_cluster else nullcontext():
            result = service.run(
                frame, FEATURE_COLUMNS[bet_type], LABEL_COLUMN[bet_type], MARKET_PROBABILITY_COLUMN[bet_type]
            )
        report = build_report(result, bet_type, frame)
        report_folder = report.write_plots(dataset_path.parent / "reports")
        version = registry.log_training(
            result,
            sport=sport.code,
            bet_type=bet_type,
            feature_set_version=FEATURE_SET_VERSION,
            extra_params={"mock": config.mock, "max_runtime_seconds": config.max_runtime_seconds},
            tags=tags,
            extra_metrics=report.metrics,
            artifacts=report.artifacts(),
            run_id=mlflow_run_id,
            training_data=TrainingData(frame, str(dataset_path), LABEL_COLUMN[bet_type]),
            mock=config.mock,
        )
    decision = registry.promote_if_better(
        sport.code, bet_type, version.version, margin=config.promotion_margin, ece_tolerance=config.ece_tolerance,
    )
    return MaterializeResult(
        check_results=[market_band_result(result)],
        metadata={
            # First what the overview should show at a glance: every champion, the links, the plots.
            "champions": champions_metadata(registry.champions()),
            **links(registry, version),
            **plots_metadata(registry, version, report),
            **describe(version, trainer, decision, config, result, report),
            "walk_forward_seasons": f"{first_test_season}–{int(frame['season'].max())}",
            "report_folder": MetadataValue.path(str(report_folder)),
            "dataset": MetadataValue.path(str(dataset_path)),
        }
    )


def describe(
    version: RegisteredVersion,
    trainer: Trainer,
    decision: PromotionDecision,
    config: TrainingConfig,
    result: TrainingResult,
    report: TrainingReport,
) -> dict:
    """The materialisation's metadata: the registered version, the promotion decision and the report."""
    return {
        "model_name": version.name,
        "model_version": version.version,
        "mlflow_run_id": version.run_id,
        "framework": MOCK_FRAMEWORK if config.mock else trainer.framework,
        "trainer": trainer.name,
        "promoted_to_champion": decision.promoted,
        "promotion_reason": decision.reason,
        "promotion": MetadataValue.json({
            "promoted": decision.promoted,
            "challenger_log_loss": decision.challenger_log_loss,
            "champion_log_loss": decision.champion_log_loss,
            "challenger_ece": decision.challenger_ece,
            "champion_ece": decision.champion_ece,
            "seasons_compared": decision.seasons_compared,
            "margin": config.promotion_margin,
            "ece_tolerance": config.ece_tolerance,
        }),
        "model_log_loss": _plain(result.overall.get("model_log_loss")),
        "market_log_loss": _plain(result.overall.get("market_log_loss")),
        "model_brier": _plain(result.overall.get("model_brier")),
        "market_brier": _plain(result.overall.get("market_brier")),
        "model_ece": _plain(report.metrics.get("overall_model_ece")),
        **{name: MetadataValue.md(table) for name, table in report.markdown().items()},
    }


def plots_metadata(registry: ModelRegistry, version: RegisteredVersion, report: TrainingReport) -> dict:
    """The report's plots as markdown images. The Dagster UI shows markdown under 1,000 characters
    inline and longer markdown behind a "[Show Markdown]" button: with the MLflow UI's address set,
    each plot is a short link to the run's artifact (inline on the asset's page); without it, the
    PNG itself as a data URI (a click away, and working with no server at all)."""
    metadata = {}
    for name, image in report.plots.items():
        url = registry.artifact_url(version.run_id, f"{REPORT_FOLDER}/{name}")
        source = url or f"data:image/png;base64,{base64.b64encode(image).decode('ascii')}"
        metadata[f"plot_{name.removesuffix('.png')}"] = MetadataValue.md(f"![{name}]({source})")
    return metadata


def market_band_result(result: TrainingResult) -> AssetCheckResult:
    oof = result.out_of_fold
    comparison = compare_with_market(oof["label"], oof["probability"], oof["market_probability"])
    return AssetCheckResult(
        check_name=MARKET_BAND_CHECK,
        passed=comparison.passed and comparison.verdict == "plausible",
        severity=AssetCheckSeverity.ERROR if not comparison.passed else AssetCheckSeverity.WARN,
        metadata={
            "verdict": comparison.verdict,
            "priced_games": comparison.games,
            "model_log_loss": comparison.model_log_loss,
            "market_log_loss": comparison.market_log_loss,
            "model_minus_market": comparison.difference,
            "standard_error": comparison.standard_error,
        },
    )


def links(registry: ModelRegistry, version: RegisteredVersion) -> dict:
    """Links to the MLflow run and registered version, when the MLflow UI's address is configured."""
    run_url, version_url = registry.run_url(version.run_id), registry.version_url(version.name, version.version)
    if not run_url:
        return {}
    return {"mlflow_run": MetadataValue.url(run_url), "mlflow_model_version": MetadataValue.url(version_url)}


def champions_metadata(champions) -> MetadataValue:
    """Every sport × bet type's champion against the market, as a table value (which the Dagster UI
    always shows inline), so the asset's overview shows them all whichever partition ran last."""
    table = champions_table(champions)
    if table.empty:
        return MetadataValue.md("_no champion yet_")
    return MetadataValue.table(
        records=[TableRecord({k: (None if pd.isna(v) else v) for k, v in row.items()})
                 for row in table.to_dict("records")],
        schema=TableSchema(columns=[TableColumn(str(name), _column_type(table[name])) for name in table.columns]),
    )


def _column_type(column: pd.Series) -> str:
    return "int" if pd.api.types.is_integer_dtype(column) else "float" if pd.api.types.is_float_dtype(column) else "string"


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
