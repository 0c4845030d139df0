"""First use of a home: its storages are created once, under a file lock every process shares.

Commands started together on a fresh ``ROYALEY_HOME`` each found the Dagster instance's SQLite
storages missing and created and Alembic-stamped them at the same time: one died on ``UNIQUE
constraint failed: alembic_version.version_num`` and the home was left with two heads for good.
Here the first process creates the instance's storages (constructing the instance does it), the
application database (migrated to head) and MLflow's SQLite store while it holds a lock file in
the home; the others wait for the lock and then find everything made. Later commands take the
lock for the moment it takes to see that.
"""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance
from filelock import FileLock

from royaley_pipeline.config import Settings
from royaley_pipeline.storage.database import engine_for

LOCK_FILE = ".first-use.lock"
LOCK_TIMEOUT_SECONDS = 600  # a first use that takes longer than this is stuck, not slow

_EMBEDDED_INSTANCE_YAML = """\
# The embedded Dagster instance of `make run` / `make ui`: SQLite storage in this folder.
# The production block (PostgreSQL storage, daemon, run queue) is ../../dagster.yaml in the repository.
telemetry:
  enabled: false
"""


def initialise_home(settings: Settings) -> None:
    """Create the home's folders and storages unless they exist, one process at a time.

    ``settings.dagster_home`` must be the ``DAGSTER_HOME`` the process uses (``prepare_environment``
    sees to it).
    """
    settings.ensure_directories()
    with FileLock(settings.home / LOCK_FILE, timeout=LOCK_TIMEOUT_SECONDS):
        instance_yaml = settings.dagster_home / "dagster.yaml"
        if not instance_yaml.exists():
            instance_yaml.parent.mkdir(parents=True, exist_ok=True)
            instance_yaml.write_text(_EMBEDDED_INSTANCE_YAML)
        with DagsterInstance.get():  # constructing it creates (and stamps) its SQLite storages
            pass
        engine_for(settings.database_url)
        _create_mlflow_store(settings.mlflow_tracking_uri)


def _create_mlflow_store(tracking_uri: str) -> None:
    """MLflow creates its SQLite tables (with its own Alembic migrations) on first use of a new file."""
    if not tracking_uri.startswith("sqlite:///"):
        return  # a tracking server or a server database: created by whoever runs it
    if Path(tracking_uri.removeprefix("sqlite:///")).exists():
        return
    from mlflow import MlflowClient  # imported here: most commands never need MLflow

    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    client.search_experiments(max_results=1)
    client.search_registered_models(max_results=1)
