"""The model registry: MLflow behind a small, betting-shaped interface.

Assets and the CLI ask for "the NFL spread champion", not for run ids and URIs. Every model
version carries its evidence (walk-forward metrics per season, out-of-fold predictions, data
window, feature columns). This module is MLflow I/O only: it returns typed values, names models
through ``domain.model_names`` and leaves the promotion rule to ``domain.promotion``; which
flavour a model is logged and loaded with is its framework entry's (``frameworks``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import mlflow
import mlflow.artifacts
import mlflow.data
import numpy as np
import pandas as pd
from filelock import FileLock
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException
from sqlalchemy import Engine

from royaley_pipeline.config import Settings
from royaley_pipeline.domain.model_names import ModelName
from royaley_pipeline.domain.promotion import (
    DEFAULT_ECE_TOLERANCE,
    PromotionDecision,
    VersionEvidence,
    decide_promotion,
)
from royaley_pipeline.domain.training import TrainingResult
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.frameworks import DEFAULT_FRAMEWORK, get_framework
from royaley_pipeline.mlflow_locations import (
    SQLITE_PREFIX,
    experiment_location,
    moves_with_its_artifacts,
    rehome,
)
from royaley_pipeline.model_flavours import log_bytes, logged_model_digests
from royaley_pipeline.sports import BET_TYPES, check_bet_type, get_sport
from royaley_pipeline.storage.model_digests import record_digests, recorded_digests

logger = logging.getLogger(__name__)

CHAMPION = "champion"
CHALLENGER = "challenger"
MOCK_TAG = "mock"
MOCK_FRAMEWORK = "mock/elo-baseline"
"""What listings show as a `--mock` version's framework: it is logged with sklearn's flavour, but it
is the Elo baseline, not a model anyone trained to bet with."""
MOCK_NOT_PROMOTED = "a --mock model (the Elo baseline) never becomes champion: it is for pipeline checks"


class MockModelError(BadRequest):
    """A request to make a `--mock` version the champion."""
LEGACY_PRODUCTION_STAGE = "Production"

# Season metric columns and the MLflow metric each is logged as: one point per walk-forward test
# season (step = season), so the value MLflow shows beside the run is the LAST season's; the names
# say so ("by_season_"), and ``overall_*`` metrics cover every walk-forward season.
SEASON_METRIC_KEYS = {
    "n": "by_season_games",
    "model_log_loss": "by_season_model_log_loss",
    "model_brier": "by_season_model_brier",
    "model_accuracy": "by_season_model_accuracy",
    "model_auc": "by_season_model_auc",
    "market_n": "by_season_market_games",
    "market_log_loss": "by_season_market_log_loss",
    "market_brier": "by_season_market_brier",
    "market_accuracy": "by_season_market_accuracy",
    "market_auc": "by_season_market_auc",
    "model_log_loss_on_market_games": "by_season_model_log_loss_on_market_games",
    "model_brier_on_market_games": "by_season_model_brier_on_market_games",
    "baseline_log_loss": "by_season_elo_baseline_log_loss",
}
# Versions registered before the rename carry the per-season series under these names.
LEGACY_SEASON_METRIC_KEYS = {"by_season_model_log_loss": "walk_forward_log_loss",
                             "by_season_games": "walk_forward_n"}
DATA_WINDOW_SEASON_KEYS = ("first_season", "last_season")
DATA_WINDOW_KEYS = ("first_season", "last_season", "first_start_time", "last_start_time")
OUT_OF_FOLD_ARTIFACT = "evaluation/out_of_fold.csv"

_MLFLOW_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


class ChampionNotFoundError(LookupError):
    """Raised when a model has no champion yet (nothing was ever promoted)."""


class UnknownModelVersionError(BadRequest, LookupError):
    """A version number the model does not have (the API answers 404)."""


class NothingToRollBackError(BadRequest):
    """A rollback asked of a model whose champion replaced no earlier one."""


@dataclass(frozen=True)
class RegisteredVersion:
    name: str
    version: int
    run_id: str


@dataclass(frozen=True)
class TrainingData:
    """The rows a version was trained on, logged as the MLflow run's input dataset."""

    frame: pd.DataFrame
    source: str  # where the exact rows are kept (the Parquet file)
    label: str  # the target column


@dataclass
class ChampionModel:
    model: Any
    feature_columns: list[str]
    version: int
    run_id: str

    def predict_probability(self, frame: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(frame[self.feature_columns])[:, 1]


@dataclass(frozen=True)
class VersionSummary:
    """One registered version as listings show it: aliases, overall metrics, data window."""

    model: ModelName
    version: int
    aliases: list[str]
    run_id: str
    framework: str | None
    mock: bool
    feature_set_version: str | None
    data_window: dict[str, int | str | None]
    metrics: dict[str, float]
    promotion_decision: str | None
    created_at: str
    walk_forward_seasons: str | None = None

    @property
    def name(self) -> str:
        return str(self.model)

    @property
    def model_id(self) -> str:
        """``royaley-nfl-moneyline:3``."""
        return str(self.model.version(self.version))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_mock(version: Any) -> bool:
    return (version.tags or {}).get(MOCK_TAG) == "true"


def _finite(value: Any) -> bool:
    return value is not None and isinstance(value, int | float | np.number) and math.isfinite(float(value))


def _open_client(tracking_uri: str, artifact_location: str | None = None) -> MlflowClient:
    """A client whose store exists (MLflow may build the store when the client is made), and whose
    recorded artifact locations are under ``artifact_location`` when the store moves with it (a
    copied or moved home: ``mlflow_locations``)."""
    if not tracking_uri.startswith(SQLITE_PREFIX) or tracking_uri in _OPENED_STORES:
        return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    database = Path(tracking_uri.removeprefix(SQLITE_PREFIX))
    database.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{database}.create.lock", timeout=600):
        client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        _create_sqlite_store_once(client, tracking_uri)
        if moves_with_its_artifacts(tracking_uri, artifact_location):
            for old_root, new_root in rehome(tracking_uri, artifact_location).items():
                logger.info("MLflow artifact locations moved with the store: %s → %s", old_root, new_root)
    return client


def _create_sqlite_store_once(client: MlflowClient, tracking_uri: str) -> None:
    """MLflow creates a new SQLite store's tables (running its own Alembic migrations) on first use;
    processes doing that at once leave it with two heads. Each process opens the store first under
    a lock file beside the database (``_open_client``; the file exists as soon as one of them
    connects, so its existence says nothing): one creates it, the others wait and find it made."""
    client.search_experiments(max_results=1)
    client.search_registered_models(max_results=1)
    _OPENED_STORES.add(tracking_uri)


_OPENED_STORES: set[str] = set()


class ModelRegistry:
    """One MLflow tracking store and model registry, addressed by sport and bet type."""

    def __init__(
        self, tracking_uri: str, artifact_location: str | None = None, database: Engine | None = None,
        ui_url: str | None = None,
    ) -> None:
        """``database``: the application database, where the digests of registered model files are
        kept (needed to register models and to load pickled ones); ``ui_url``: the MLflow UI's
        address, for links."""
        self.tracking_uri = tracking_uri
        self.artifact_location = artifact_location
        self.database = database
        self.ui_url = ui_url.rstrip("/") if ui_url else None
        self.client = _open_client(tracking_uri, artifact_location)

    @classmethod
    def for_settings(cls, settings: Settings, database: Engine | None = None) -> ModelRegistry:
        """The settings' store, its artifacts under the home when it is local."""
        return cls(settings.mlflow_tracking_uri, artifact_location=settings.mlflow_artifact_location,
                   database=database)

    # -------------------------------------------------------------------------------------- links

    def run_url(self, run_id: str) -> str | None:
        """The MLflow UI page of a run, when the UI's address is configured."""
        if not self.ui_url:
            return None
        experiment_id = self.client.get_run(run_id).info.experiment_id
        return f"{self.ui_url}/#/experiments/{experiment_id}/runs/{run_id}"

    def artifact_url(self, run_id: str, path: str) -> str | None:
        """A run's artifact file as the MLflow server serves it (e.g. a report plot), when configured."""
        return f"{self.ui_url}/get-artifact?path={quote(path)}&run_uuid={run_id}" if self.ui_url else None

    def version_url(self, name: str, version: int) -> str | None:
        """The MLflow UI page of a registered version, when the UI's address is configured."""
        return f"{self.ui_url}/#/models/{name}/versions/{int(version)}" if self.ui_url else None

    # ----------------------------------------------------------------------------------- logging

    @contextmanager
    def training_run(self, sport: str, bet_type: str, tags: dict[str, str] | None = None) -> Iterator[str]:
        """An MLflow run open for the whole training (so its duration is the training's); yields its id.

        ``log_training`` with that ``run_id`` inside the block records into it; an exception marks
        the run FAILED.
        """
        model = ModelName(sport, bet_type)
        with self._store():
            experiment_id = self._experiment_id(model.experiment)
            with mlflow.start_run(experiment_id=experiment_id, run_name=f"{model}-{_now()}",
                                  tags={"mlflow.user": "royaley", **(tags or {})}) as run:
                yield run.info.run_id

    @contextmanager
    def _run(self, model: ModelName, run_id: str | None) -> Iterator[str]:
        """The open run ``run_id`` (from ``training_run``), or a new run for this call alone."""
        active = mlflow.active_run()
        if run_id is not None and active is not None and active.info.run_id == run_id:
            yield run_id
            return
        experiment_id = self._experiment_id(model.experiment)
        with mlflow.start_run(run_id=run_id, experiment_id=None if run_id else experiment_id,
                              run_name=None if run_id else f"{model}-{_now()}",
                              tags=None if run_id else {"mlflow.user": "royaley"}) as run:
            yield run.info.run_id

    def log_training(
        self,
        result: TrainingResult,
        *,
        sport: str,
        bet_type: str,
        feature_set_version: str,
        extra_params: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        extra_metrics: dict[str, float] | None = None,
        artifacts: dict[str, str | bytes] | None = None,
        run_id: str | None = None,
        training_data: TrainingData | None = None,
        mock: bool = False,
    ) -> RegisteredVersion:
        """Record one training run with its evidence, register its model, and mark it challenger.

        ``extra_metrics`` (e.g. the backtest) are logged as run metrics; ``artifacts`` maps a
        path inside the run to text or bytes (report tables, PNG plots); ``run_id`` is a run
        opened by ``training_run`` (else a new run is made); ``training_data`` is logged as the
        run's input dataset. The registered model and the version get descriptions a reader of
        the MLflow UI can judge them by. A ``mock`` version is
        tagged ``mock=true`` and is neither challenger nor ever champion.
        """
        model = ModelName(sport, bet_type)
        name = str(model)
        framework = str(result.params.get("framework", "unknown"))
        window = {key: result.data_window.get(key) for key in DATA_WINDOW_KEYS}
        params = {
            **result.params,
            "calibration_methods": json.dumps({str(s): m for s, m in result.calibration_methods.items()}),
            "production_calibration": result.production_calibration.method
            if result.production_calibration
            else None,
            "feature_columns_count": len(result.feature_columns),
            "feature_set_version": feature_set_version,
            **{f"data_{key}": value for key, value in window.items()},
            **(extra_params or {}),
        }
        run_tags = {
            "sport": sport.upper(),
            "bet_type": bet_type,
            "framework": framework,
            MOCK_TAG: str(bool(mock)).lower(),
            "feature_set_version": feature_set_version,
            "feature_columns": json.dumps(result.feature_columns),
            **{f"data_{key}": str(value) for key, value in window.items()},
            **(tags or {}),
        }
        run_tags["walk_forward_seasons"] = _season_span(result.season_metrics)
        with self._store():
            with self._run(model, run_id) as run_id:
                extra = [
                    Metric(key, float(value), int(datetime.now(UTC).timestamp() * 1000), 0)
                    for key, value in (extra_metrics or {}).items()
                    if _finite(value)
                ]
                self.client.log_batch(
                    run_id,
                    metrics=self._metrics(result) + extra,
                    params=[Param(key, str(value)) for key, value in params.items()],
                    tags=[RunTag(key, str(value)) for key, value in run_tags.items()],
                )
                self._log_evidence(result)
                if training_data is not None:
                    mlflow.log_input(
                        mlflow.data.from_pandas(training_data.frame, source=training_data.source,
                                                name=f"{name}-{feature_set_version}", targets=training_data.label),
                        context="training",
                    )
                example = result.input_example
                if example is None:
                    raise ValueError("the training result has no input example to describe the model's input")
                info = get_framework(framework).log_model(result, name, example)
                digests = logged_model_digests(info)
                for path, content in (artifacts or {}).items():
                    if isinstance(content, str):
                        mlflow.log_text(content, path)
                    else:
                        log_bytes(content, path)
        version = int(info.registered_model_version)
        if self.database is not None:
            record_digests(self.database, name, version, digests)
        version_tags = {key: value for key, value in run_tags.items() if key not in (tags or {})}
        version_tags["overall_model_log_loss"] = str(result.overall.get("model_log_loss"))
        for key, value in version_tags.items():
            self.client.set_model_version_tag(name, str(version), key, value)
        self.client.update_registered_model(name, description=model_description(model))
        self.client.update_model_version(
            name, str(version),
            description=version_description(result, feature_set_version, (tags or {}).get("dagster_run_url")),
        )
        if not mock:
            self.client.set_registered_model_alias(name, CHALLENGER, str(version))
        return RegisteredVersion(name=name, version=version, run_id=run_id)

    def _metrics(self, result: TrainingResult) -> list[Metric]:
        timestamp = int(datetime.now(UTC).timestamp() * 1000)
        metrics = []
        for row in result.season_metrics.to_dict("records"):
            for column, key in SEASON_METRIC_KEYS.items():
                if _finite(row.get(column)):
                    metrics.append(Metric(key, float(row[column]), timestamp, int(row["season"])))
        for key, value in result.overall.items():
            if _finite(value):
                metrics.append(Metric(f"overall_{key}", float(value), timestamp, 0))
        return metrics

    @staticmethod
    def _log_evidence(result: TrainingResult) -> None:
        mlflow.log_text(result.season_metrics.to_csv(index=False), "evaluation/season_metrics.csv")
        mlflow.log_text(result.out_of_fold.to_csv(index=False), OUT_OF_FOLD_ARTIFACT)
        summary = {
            "overall": result.overall,
            "calibration_methods": {str(s): m for s, m in result.calibration_methods.items()},
            "production_calibration": result.production_calibration.__dict__
            if result.production_calibration
            else None,
            "data_window": result.data_window,
            "feature_columns": result.feature_columns,
            "params": result.params,
        }
        mlflow.log_text(json.dumps(summary, indent=2, default=str), "evaluation/summary.json")

    # --------------------------------------------------------------------------------- promotion

    def promote_if_better(
        self,
        sport: str,
        bet_type: str,
        version: int,
        margin: float = 0.0,
        ece_tolerance: float = DEFAULT_ECE_TOLERANCE,
    ) -> PromotionDecision:
        """Promote ``version`` when ``domain.promotion.decide_promotion`` says it beats the champion.

        The decision, its numbers and its reason are tagged on the version either way.
        """
        name = str(ModelName(sport, bet_type))
        challenger = self.client.get_model_version(name, str(version))
        champion = self._champion_version(name)
        if _is_mock(challenger):
            self._tag_version(name, version, {"promotion_decision": "excluded", "promotion_reason": MOCK_NOT_PROMOTED,
                                              "promotion_decided_at": _now()})
            return PromotionDecision(False, MOCK_NOT_PROMOTED, None, None,
                                     previous_champion_version=int(champion.version) if champion else None)
        compared = champion is not None and int(champion.version) != int(version)
        decision = decide_promotion(
            self._evidence(int(version), challenger.run_id, with_forecasts=compared),
            self._evidence(int(champion.version), champion.run_id, with_forecasts=compared) if champion else None,
            margin,
            ece_tolerance,
        )
        self._tag_version(
            name,
            version,
            {
                "promotion_decision": "promoted" if decision.promoted else "rejected",
                "promotion_reason": decision.reason,
                "promotion_decided_at": _now(),
                "promotion_challenger_log_loss": str(decision.challenger_log_loss),
                "promotion_champion_log_loss": str(decision.champion_log_loss),
                "promotion_seasons_compared": json.dumps(decision.seasons_compared),
                "promotion_margin": str(margin),
                "promotion_challenger_ece": str(decision.challenger_ece),
                "promotion_champion_ece": str(decision.champion_ece),
                "promotion_ece_tolerance": str(ece_tolerance),
            },
        )
        if decision.promoted:
            self._set_champion(name, int(version), champion)
        return decision

    def promote(self, model: ModelName, version: int, *, reason: str, actor: str) -> PromotionDecision:
        """Make ``version`` the champion by hand (also the way to roll back to an earlier version)."""
        name = str(model)
        if _is_mock(self._require_version(name, version)):
            raise MockModelError(f"{model.version(version)}: {MOCK_NOT_PROMOTED}")
        champion = self._champion_version(name)
        self._tag_version(
            name,
            version,
            {
                "promotion_decision": "manual",
                "promotion_reason": reason,
                "promoted_by": actor,
                "promotion_decided_at": _now(),
            },
        )
        self._set_champion(name, int(version), champion)
        return PromotionDecision(
            True,
            f"manual promotion by {actor}: {reason}",
            None,
            None,
            [],
            int(champion.version) if champion else None,
        )

    def rollback(self, model: ModelName, *, reason: str, actor: str) -> PromotionDecision:
        """Give the champion alias back to the version the current champion replaced."""
        champion = self._champion_version(str(model))
        previous = (champion.tags or {}).get("previous_champion_version") if champion else None
        if not previous:
            raise NothingToRollBackError(f"{model} has no earlier champion to roll back to")
        return self.promote(model, int(previous), reason=f"rollback: {reason}", actor=actor)

    def _require_version(self, name: str, version: int) -> Any:
        """The registered version, or UnknownModelVersionError listing the versions there are."""
        try:
            return self.client.get_model_version(name, str(version))
        except MlflowException as error:
            if error.error_code not in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "INVALID_PARAMETER_VALUE"):
                raise
            known = sorted(int(found.version) for found in self.client.search_model_versions(f"name = '{name}'"))
            listed = ", ".join(map(str, known)) if known else "none"
            raise UnknownModelVersionError(f"{name} has no version {version} (registered versions: {listed})") from None

    def _set_champion(self, name: str, version: int, previous: Any) -> None:
        """Move the champion alias; a version holds one role, so a champion is no longer challenger."""
        self.client.set_registered_model_alias(name, CHAMPION, str(version))
        aliases = self.client.get_registered_model(name).aliases or {}
        if CHALLENGER in aliases and int(aliases[CHALLENGER]) == version:
            self.client.delete_registered_model_alias(name, CHALLENGER)
        tags = {"champion_since": _now()}
        if previous is not None and int(previous.version) != version:
            tags["previous_champion_version"] = str(previous.version)
            self._tag_version(name, int(previous.version), {"superseded_by_version": str(version)})
        self._tag_version(name, version, tags)
        self._mirror_legacy_stage(name, version)

    def _mirror_legacy_stage(self, name: str, version: int) -> None:
        """Keep the deprecated ``Production`` stage in step for tools that still read stages."""
        if not hasattr(self.client, "transition_model_version_stage"):
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self.client.transition_model_version_stage(
                    name, str(version), LEGACY_PRODUCTION_STAGE, archive_existing_versions=True
                )
            except Exception as error:  # noqa: BLE001 - the alias is the source of truth; stages are a courtesy
                logger.warning(
                    "could not mirror %s v%s to the %s stage: %s",
                    name,
                    version,
                    LEGACY_PRODUCTION_STAGE,
                    error,
                )

    # ----------------------------------------------------------------------------------- reading

    def load_champion(self, sport: str, bet_type: str) -> ChampionModel:
        """The champion model with the feature columns it expects, ready for ``predict_proba``.

        The alias is resolved once and the model loaded by that version, so the model, its
        feature columns and the reported version always belong together even if a promotion
        happens meanwhile.
        """
        name = str(ModelName(sport, bet_type))
        champion = self._champion_version(name)
        if champion is None:
            raise ChampionNotFoundError(
                f"model {name!r} has no {CHAMPION!r} version yet: train it and promote a version first"
            )
        framework = get_framework((champion.tags or {}).get("framework", DEFAULT_FRAMEWORK))
        recorded = recorded_digests(self.database, name, int(champion.version)) if self.database is not None else {}
        with self._store():
            model = framework.load_model(f"models:/{name}/{champion.version}", recorded)
        feature_columns = json.loads(champion.tags["feature_columns"])
        return ChampionModel(model, feature_columns, int(champion.version), champion.run_id)

    def list_versions(self, sport: str | None = None, bet_type: str | None = None) -> list[VersionSummary]:
        """Every registered version with its aliases, overall metrics and data window, newest first.

        ``sport`` and ``bet_type`` are checked against the sport registry first (BadRequest for an
        unknown one), so the MLflow filter is built from known codes only, never from raw input.
        """
        sport = get_sport(sport).code if sport else None
        if bet_type:
            if sport:
                check_bet_type(get_sport(sport), bet_type)
            elif bet_type not in BET_TYPES:
                raise BadRequest(f"unknown bet type {bet_type!r}; bet types: {', '.join(BET_TYPES)}")
        pattern = ModelName.like_pattern(sport, bet_type)
        filter_string = f"name = '{pattern}'" if sport and bet_type else f"name LIKE '{pattern}'"
        rows, aliases_by_model = [], {}
        for version in self.client.search_model_versions(filter_string):
            if version.name not in aliases_by_model:  # search results leave aliases empty; ask the model
                aliases_by_model[version.name] = self.client.get_registered_model(version.name).aliases or {}
            aliases = [
                alias
                for alias, aliased in aliases_by_model[version.name].items()
                if int(aliased) == int(version.version)
            ]
            run = self.client.get_run(version.run_id)
            tags = version.tags or {}
            rows.append(
                VersionSummary(
                    model=ModelName.parse(version.name),
                    version=int(version.version),
                    aliases=sorted(aliases),
                    run_id=version.run_id,
                    framework=MOCK_FRAMEWORK if _is_mock(version) else tags.get("framework"),
                    mock=_is_mock(version),
                    feature_set_version=tags.get("feature_set_version"),
                    data_window=_data_window(run.data.tags),
                    metrics={key: value for key, value in run.data.metrics.items() if key.startswith("overall_")},
                    promotion_decision=tags.get("promotion_decision"),
                    walk_forward_seasons=run.data.tags.get("walk_forward_seasons"),
                    created_at=datetime.fromtimestamp(version.creation_timestamp / 1000, UTC).isoformat(),
                )
            )
        return sorted(rows, key=lambda row: (row.created_at, row.version), reverse=True)

    def champions(self) -> list[VersionSummary]:
        """The champion of every registered model, by model name."""
        return sorted((row for row in self.list_versions() if CHAMPION in row.aliases), key=lambda row: row.name)

    # ---------------------------------------------------------------------------------- plumbing

    def _champion_version(self, name: str) -> Any:
        try:
            return self.client.get_model_version_by_alias(name, CHAMPION)
        except MlflowException as error:
            if error.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND"):
                return None
            raise

    def _evidence(self, version: int, run_id: str, *, with_forecasts: bool) -> VersionEvidence:
        """A version's per-season walk-forward log loss and, if asked, its out-of-fold forecasts."""
        losses = self._season_series(run_id, SEASON_METRIC_KEYS["model_log_loss"])
        games = self._season_series(run_id, SEASON_METRIC_KEYS["n"])
        seasons = {int(season): (loss, games[season]) for season, loss in losses.items() if season in games}
        return VersionEvidence(version, seasons, self._forecasts(run_id) if with_forecasts else None)

    def _season_series(self, run_id: str, key: str) -> dict[int, float]:
        history = self.client.get_metric_history(run_id, key) or self.client.get_metric_history(
            run_id, LEGACY_SEASON_METRIC_KEYS.get(key, key)
        )
        return {m.step: m.value for m in history}

    def _forecasts(self, run_id: str) -> pd.DataFrame | None:
        """A run's out-of-fold forecasts (None when the artifact is missing)."""
        try:
            with self._store():
                path = mlflow.artifacts.download_artifacts(
                    run_id=run_id, artifact_path=OUT_OF_FOLD_ARTIFACT, tracking_uri=self.tracking_uri
                )
        except (MlflowException, OSError):
            return None
        return pd.read_csv(path)

    def _tag_version(self, name: str, version: int, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            self.client.set_model_version_tag(name, str(version), key, value)

    def _experiment_id(self, experiment_name: str) -> str:
        experiment = self.client.get_experiment_by_name(experiment_name)
        if experiment is not None:
            return experiment.experiment_id
        location = experiment_location(self.artifact_location, experiment_name) if self.artifact_location else None
        return self.client.create_experiment(experiment_name, artifact_location=location)

    @contextmanager
    def _store(self) -> Iterator[None]:
        """Point MLflow's fluent API at this registry's store, then restore the caller's setting.

        ``mlflow.sklearn.log_model`` and ``load_model`` only use the process-wide URIs; restoring
        them keeps two registries (or a test and the app) from leaking into each other.
        """
        previous_tracking, previous_registry = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
        # set_tracking_uri also exports MLFLOW_TRACKING_URI; restoring "the previous URI" would then
        # pin the process (and our settings) to MLflow's cwd default, so restore the variables too.
        previous_environment = {name: os.environ.get(name) for name in _MLFLOW_URI_VARIABLES}
        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.tracking_uri)
        try:
            yield
        finally:
            mlflow.set_tracking_uri(previous_tracking)
            mlflow.set_registry_uri(previous_registry)
            for name, value in previous_environment.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _season_span(season_metrics: pd.DataFrame) -> str:
    seasons = season_metrics["season"]
    if not len(seasons):
        return "none"
    first, last = int(seasons.min()), int(seasons.max())
    return str(first) if first == last else f"{first}–{last}"


def _data_window(tags: dict[str, str]) -> dict[str, int | str | None]:
    """The data window from a run's ``data_*`` tags, seasons as ints."""
    window: dict[str, int | str | None] = {}
    for key in DATA_WINDOW_KEYS:
        value = tags.get(f"data_{key}")
        value = None if value in (None, "", "None") else value
        window[key] = int(value) if value is not None and key in DATA_WINDOW_SEASON_KEYS else value
    return window


def model_description(model: ModelName) -> str:
    """The registered model's description in the MLflow UI."""
    return (
        f"Royaley {model.sport} {model.bet_type} model: the probability of the bet type's event for the "
        f"home side (home win, home cover, over), from pre-game features only. Trained by the Dagster "
        f"asset models/game_outcome_model, partition {model.bet_type}|{model.sport}. Aliases: "
        f"`{CHAMPION}` is the version predictions use; `{CHALLENGER}` the newest version that did not (yet) "
        f"beat it. Each version's description gives its data window and walk-forward scores against "
        f"the closing market."
    )


def version_description(result: TrainingResult, feature_set_version: str, dagster_run_url: str | None) -> str:
    """A version's description: data window, feature set, trainer and walk-forward scores vs the market."""
    window, overall, params = result.data_window, result.overall, result.params

    def score(key: str) -> str:
        value = overall.get(key)
        return f"{float(value):.4f}" if _finite(value) else "n/a"

    lines = [
        f"Trained on seasons {window.get('first_season')}–{window.get('last_season')} "
        f"({window.get('games', 'n/a')} games, {str(window.get('first_start_time'))[:10]} to "
        f"{str(window.get('last_start_time'))[:10]}), feature set {feature_set_version}, "
        f"{len(result.feature_columns)} features, framework {params.get('framework')} "
        f"({params.get('trainer', params.get('model_algorithm', 'default'))}).",
        f"Walk-forward test seasons {_season_span(result.season_metrics)} ({int(overall.get('n', 0))} games): "
        f"log loss {score('model_log_loss')} (market-priced games {score('model_log_loss_on_market_games')}) "
        f"vs closing market {score('market_log_loss')} on {int(overall.get('market_n', 0) or 0)} priced games; "
        f"Brier {score('model_brier')} vs {score('market_brier')}; ECE {score('model_ece')} vs "
        f"{score('market_ece')}; Elo baseline log loss {score('baseline_log_loss')}.",
    ]
    if dagster_run_url:
        lines.append(f"Dagster run: {dagster_run_url}")
    return "\n\n".join(lines)
