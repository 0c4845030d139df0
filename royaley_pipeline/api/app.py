"""The FastAPI application: one instance, one registry, one database, one launcher per process."""

from __future__ import annotations

from contextlib import asynccontextmanager

from dagster import DagsterInstance
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from royaley_pipeline.api.auth import usable_token
from royaley_pipeline.api.guards import allowed_hosts, install_guards
from royaley_pipeline.api.launching import GraphQLLauncher, InProcessLauncher, Launcher
from royaley_pipeline.api.routes import ledger, models, predictions, training
from royaley_pipeline.config import Settings, load_settings
from royaley_pipeline.registry import ModelRegistry
from royaley_pipeline.storage.database import engine_for

DESCRIPTION = """
Train, inspect and promote Royaley's models and read its predictions.

Training requests become Dagster runs of the `models/game_outcome_model` partition (see them in
the Dagster UI); models and their evidence live in the MLflow registry. `POST` endpoints need
`Authorization: Bearer <ROYALEY_API_TOKEN>` when a token is configured.
"""


def default_launcher(settings: Settings, instance: DagsterInstance) -> Launcher:
    if settings.dagster_graphql_url:
        return GraphQLLauncher(settings.dagster_graphql_url)
    return InProcessLauncher(instance, max_waiting=settings.api_max_queued_trainings)


def create_app(
    settings: Settings | None = None,
    *,
    instance: DagsterInstance | None = None,
    launcher: Launcher | None = None,
    api_token: str | None = None,
) -> FastAPI:
    """Build the app; everything not given comes from the settings (as ``royaley api`` does)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.launcher.close()

    app = FastAPIOffline(
        title="Royaley API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Create the MLflow stores and migrate the database once, here, before requests and training
    # threads exist: MLflow's first-time table creation on a fresh SQLite store is not thread-safe.
    app.state.registry = ModelRegistry.for_settings(settings)
    app.state.engine = engine_for(settings.database_url)
    app.state.instance = instance or DagsterInstance.get()
    app.state.launcher = launcher or default_launcher(settings, app.state.instance)
    app.state.api_token = usable_token(api_token if api_token is not None else settings.api_token)
    install_guards(app, max_body_bytes=settings.api_max_body_bytes,
                   hosts=allowed_hosts(settings.api_allowed_hosts, app.state.api_token))
    for module in (training, models, predictions, ledger):
        app.include_router(module.router, prefix="/api/v1")
    return app
