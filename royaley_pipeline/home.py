"""First use of a home: its storages are created once, under a file lock every process shares.

Commands started together on a fresh ``ROYALEY_HOME`` each found the Dagster instance's SQLite
storages missing and created and Alembic-stamped them at the same time: one died on ``UNIQUE
constraint failed: alembic_version.version_num`` and the home was left with two heads for good.
Here the first process creates the instance's storages (constructing the instance does it) and the
application database (migrated to head) while it holds a lock file in the home; the others wait
for the lock and then find everything made. Later commands take the lock for the moment it takes
to see that. MLflow's SQLite store is created under its own lock file when a registry is first
opened (``registry.ModelRegistry``), so commands that never touch MLflow do not pay for it.
"""

from __future__ import annotations

from dagster import DagsterInstance
from filelock import FileLock

from royaley_pipeline.config import Settings
from royaley_pipeline.storage.database import engine_for

LOCK_FILE = ".first-use.lock"
LOCK_TIMEOUT_SECONDS = 600  # a first use that takes longer than this is stuck, not slow

_EMBEDDED_INSTANCE_YAML = """\
# The embedded Dagster instance of `make run` / `make ui`: SQLite storage in this folder.
# The production instance (PostgreSQL storage, run queue, a container per run) is docker/dagster.yaml.
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

