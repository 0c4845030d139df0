"""Where a local MLflow store keeps its artifacts, and how those locations follow a moved home.

MLflow's SQL store records absolute URIs: each experiment's artifact location, each run's artifact
URI, each logged model's and each registered version's storage location. A home copied or moved
elsewhere (``cp -a`` of ``ROYALEY_HOME``) would still read its models from, and write new ones to,
the old folder; with the old folder gone its models would not load. A store kept beside its artifact
root (a home: ``mlflow.db`` next to ``mlartifacts/``) therefore moves with it: when it is opened,
the locations recorded under another root are rewritten to the same places under this one
(``rehome``). A store kept elsewhere (``MLFLOW_TRACKING_URI`` set to a shared file or a server) is
left as it is: it does not belong to one home.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

SQLITE_PREFIX = "sqlite:///"
# Every column of MLflow's SQL store that holds an artifact location (tables missing from an older
# or newer schema are skipped).
LOCATION_COLUMNS = (
    ("experiments", "artifact_location"),
    ("runs", "artifact_uri"),
    ("logged_models", "artifact_location"),
    ("model_versions", "storage_location"),
    ("model_versions", "source"),
)


def artifact_root_uri(artifact_location: str) -> str:
    """The root as MLflow records it: a local folder as an absolute ``file://`` URI, else as given."""
    if "://" in artifact_location:
        return artifact_location.rstrip("/")
    return Path(artifact_location).resolve().as_uri().rstrip("/")


def experiment_location(artifact_location: str, experiment_name: str) -> str:
    """Where a new experiment's artifacts go: ``<root>/<experiment name>``."""
    return f"{artifact_root_uri(artifact_location)}/{experiment_name}"


def moves_with_its_artifacts(tracking_uri: str, artifact_location: str | None) -> bool:
    """A local SQLite store in the folder that also holds its (local) artifact root: a home's."""
    if not artifact_location or "://" in artifact_location or not tracking_uri.startswith(SQLITE_PREFIX):
        return False
    database = Path(tracking_uri.removeprefix(SQLITE_PREFIX)).resolve()
    return database.parent == Path(artifact_location).resolve().parent


def rehome(tracking_uri: str, artifact_location: str) -> dict[str, str]:
    """Rewrite the locations recorded under another root to ``artifact_location``; the old roots
    found → the new root. An experiment made here is ``<root>/<name>`` (``experiment_location``),
    so its recorded location names the root it was made under; every location under that root
    (experiment, runs, logged models, versions) moves with it, in one transaction."""
    new_root = artifact_root_uri(artifact_location)
    engine = create_engine(tracking_uri)
    try:
        with engine.begin() as connection:
            old_roots = {
                location[: -len(name) - 1]
                for name, location in connection.execute(text("SELECT name, artifact_location FROM experiments"))
                if location and location.startswith("file://") and location.endswith(f"/{name}")
            } - {new_root}
            tables = set(inspect(connection).get_table_names())
            for old_root in old_roots:
                for table, column in LOCATION_COLUMNS:
                    if table not in tables:
                        continue
                    # Names are this module's constants; the roots are bound parameters.
                    connection.execute(
                        text(f"UPDATE {table} SET {column} = :new || substr({column}, :cut) "  # noqa: S608
                             f"WHERE substr({column}, 1, :length) = :old"),
                        {"new": new_root, "old": f"{old_root}/", "length": len(old_root) + 1,
                         "cut": len(old_root) + 1},
                    )
    finally:
        engine.dispose()
    return dict.fromkeys(sorted(old_roots), new_root)
