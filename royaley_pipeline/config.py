"""Settings from environment variables, with embedded defaults under ``ROYALEY_HOME``.

One place decides where data lives so that the CLI, the Dagster assets and the tests agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    mlflow_tracking_uri: str
    features_path: Path
    datasets_path: Path
    predictions_path: Path
    dagster_home: Path
    source_data_path: Path
    api_allowed_hosts: tuple[str, ...] = ()
    """Host names the REST API answers to (``ROYALEY_API_ALLOWED_HOSTS``, comma-separated); empty:
    loopback names only when there is no token, any name with one."""
    api_max_body_bytes: int = 64 * 1024
    api_max_queued_trainings: int = 4
    mlflow_ui_url: str | None = None
    """``ROYALEY_MLFLOW_UI_URL``: the MLflow UI users open; Dagster metadata then links to runs and versions."""
    dagster_ui_url: str | None = None
    """``ROYALEY_DAGSTER_UI_URL``: the Dagster UI users open; MLflow runs then carry a ``dagster_run_url``."""
    git_url: str | None = None
    """``ROYALEY_GIT_URL``: the repository's web address; assets' code references then link to it."""
    git_branch: str = "main"

    def ensure_directories(self) -> None:
        for path in (self.home, self.features_path, self.datasets_path, self.predictions_path,
                     self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    home = Path(env.get("ROYALEY_HOME", "./.royaley")).resolve()
    return Settings(
        home=home,
        database_url=env.get("ROYALEY_DATABASE_URL", f"sqlite:///{home / 'royaley.db'}"),
        mlflow_tracking_uri=env.get("MLFLOW_TRACKING_URI", f"sqlite:///{home / 'mlflow.db'}"),
        features_path=Path(env.get("FEATURES_PATH", home / "features")),
        datasets_path=Path(env.get("DATASETS_PATH", home / "datasets")),
        predictions_path=Path(env.get("ROYALEY_PREDICTIONS_PATH", home / "predictions")),
        dagster_home=Path(env.get("DAGSTER_HOME", home / "dagster")),
        source_data_path=Path(env.get("ROYALEY_SOURCE_DATA", PACKAGE_DATA)),
        api_allowed_hosts=tuple(
            host.strip() for host in env.get("ROYALEY_API_ALLOWED_HOSTS", "").split(",") if host.strip()
        ),
        api_max_body_bytes=int(env.get("ROYALEY_API_MAX_BODY_BYTES", 64 * 1024)),
        api_max_queued_trainings=int(env.get("ROYALEY_API_MAX_QUEUED_TRAININGS", 4)),
        mlflow_ui_url=env.get("ROYALEY_MLFLOW_UI_URL") or None,
        dagster_ui_url=env.get("ROYALEY_DAGSTER_UI_URL") or None,
        git_url=env.get("ROYALEY_GIT_URL") or None,
        git_branch=env.get("ROYALEY_GIT_BRANCH", "main"),
    )
