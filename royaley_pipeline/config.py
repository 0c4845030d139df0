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
    )
