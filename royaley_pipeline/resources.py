"""Dagster resources wrapping the adapters, configured from environment-variable settings."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from sqlalchemy import Engine

from royaley_pipeline.collectors.settings import collectors_from_environment
from royaley_pipeline.config import Settings, load_settings
from royaley_pipeline.registry import ModelRegistry
from royaley_pipeline.storage.database import engine_for


class DatabaseResource(ConfigurableResource):
    """The application database (SQLite file by default, PostgreSQL in production)."""

    url: str

    def engine(self) -> Engine:
        return engine_for(self.url)


class ModelRegistryResource(ConfigurableResource):
    """MLflow tracking and model registry."""

    tracking_uri: str

    def registry(self) -> ModelRegistry:
        return ModelRegistry(self.tracking_uri)


class PathsResource(ConfigurableResource):
    """Where files go: feature Parquet, training datasets, prediction JSON, and source data."""

    features_path: str
    datasets_path: str
    predictions_path: str
    source_data_path: str

    def path(self, name: str) -> Path:
        path = Path(getattr(self, f"{name}_path"))
        path.mkdir(parents=True, exist_ok=True)
        return path


def build_resources(settings: Settings | None = None) -> dict[str, ConfigurableResource]:
    settings = settings or load_settings()
    return {
        "database": DatabaseResource(url=settings.database_url),
        "model_registry": ModelRegistryResource(tracking_uri=settings.mlflow_tracking_uri),
        "collectors": collectors_from_environment(),
        "paths": PathsResource(
            features_path=str(settings.features_path),
            datasets_path=str(settings.datasets_path),
            predictions_path=str(settings.predictions_path),
            source_data_path=str(settings.source_data_path),
        ),
    }
