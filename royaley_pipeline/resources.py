"""Dagster resources wrapping the adapters, configured from the settings.

The database URL and the MLflow tracking URI can carry passwords: when they come from the
environment they are passed as ``EnvVar``s, read by Dagster when a run starts, so they never enter
the definitions snapshot, the run config or the UI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource
from sqlalchemy import Engine

from royaley_pipeline.collectors.settings import collectors_from_settings
from royaley_pipeline.config import DATABASE_URL, MLFLOW_TRACKING_URI, Settings
from royaley_pipeline.registry import ModelRegistry
from royaley_pipeline.storage.database import engine_for


class DatabaseResource(ConfigurableResource):
    """The application database (SQLite file by default, PostgreSQL in production)."""

    url: str

    def engine(self) -> Engine:
        return engine_for(self.url)


class ModelRegistryResource(ConfigurableResource):
    """MLflow tracking and model registry, and the UIs' addresses for links between them."""

    tracking_uri: str
    database: DatabaseResource  # where the digests of registered model files are kept
    mlflow_ui_url: str = ""  # ROYALEY_MLFLOW_UI_URL: Dagster metadata links to MLflow runs and versions
    dagster_ui_url: str = ""  # ROYALEY_DAGSTER_UI_URL: MLflow runs link back to their Dagster run
    artifact_location: str = ""  # new experiments' artifact folder; empty: the tracking server's default

    def registry(self) -> ModelRegistry:
        return ModelRegistry(self.tracking_uri, artifact_location=self.artifact_location or None,
                             database=self.database.engine(), ui_url=self.mlflow_ui_url or None)

    def dagster_run_tags(self, run_id: str) -> dict[str, str]:
        """``dagster_run_url`` for an MLflow run, when the Dagster UI's address is configured."""
        return {"dagster_run_url": f"{self.dagster_ui_url.rstrip('/')}/runs/{run_id}"} if self.dagster_ui_url else {}


class H2OClusterResource(ConfigurableResource):
    """Where H2O training runs: an existing cluster (``url``) or a local one started per run.

    A local cluster is started only when an H2O model is trained, and shut down after it; a
    cluster reached by URL is left running.
    """

    url: str | None = None
    nthreads: int = 2
    max_mem_size: str = "2G"
    ice_root: str | None = None

    @contextmanager
    def session(self) -> Iterator[str]:
        from royaley_pipeline.h2o_cluster import h2o_cluster

        with h2o_cluster(self.url or None, self.nthreads, self.max_mem_size, self.ice_root) as url:
            yield url


class PathsResource(ConfigurableResource):
    """Where files go: feature Parquet, training datasets, prediction JSON, and source data."""

    features_path: str
    datasets_path: str
    predictions_path: str
    source_data_path: str
    nfelo_path: str = ""  # empty: no nfelo copy configured

    def path(self, name: str) -> Path:
        path = Path(getattr(self, f"{name}_path"))
        path.mkdir(parents=True, exist_ok=True)
        return path


def build_resources(settings: Settings) -> dict[str, ConfigurableResource]:
    database = DatabaseResource(url=settings.config_value(DATABASE_URL, settings.database_url))
    return {
        "database": database,
        "model_registry": ModelRegistryResource(
            tracking_uri=settings.config_value(MLFLOW_TRACKING_URI, settings.mlflow_tracking_uri),
            database=database,
            mlflow_ui_url=settings.mlflow_ui_url or "",
            dagster_ui_url=settings.dagster_ui_url or "",
            artifact_location=settings.mlflow_artifact_location or "",
        ),
        "collectors": collectors_from_settings(settings),
        "h2o_cluster": H2OClusterResource(
            url=settings.h2o_url,
            nthreads=settings.h2o_nthreads,
            max_mem_size=settings.h2o_max_mem_size,
            ice_root=str(settings.home / "h2o"),
        ),
        "paths": PathsResource(
            features_path=str(settings.features_path),
            datasets_path=str(settings.datasets_path),
            predictions_path=str(settings.predictions_path),
            source_data_path=str(settings.source_data_path),
            nfelo_path=str(settings.nfelo_path or ""),
        ),
    }
