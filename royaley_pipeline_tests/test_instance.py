"""The code location loads; `dagster dev` in the repository root gets an embedded instance with no
variables set; the production instance (docker/dagster.yaml) stores runs in PostgreSQL."""

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from dagster import DagsterInstance, execute_job, validate_run_config
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.instance.ref import InstanceRef
from sqlalchemy import create_engine, text

from royaley_pipeline.config import load_settings
from royaley_pipeline.launch import COLLECTION_JOB, range_tags, run_config
from royaley_pipeline.runner import definitions, run_sport_dates
from royaley_pipeline_tests.conftest import drop_postgres_database, fresh_postgres_database

REPOSITORY = Path(__file__).resolve().parents[1]


def test_dagster_definitions_validate(tmp_path):
    env = {**os.environ, "ROYALEY_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", str(REPOSITORY / "workspace.yaml")],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dg_checks_the_repository_as_one_project(tmp_path):
    """dg.toml makes the repository a dg project whose definitions are royaley_pipeline.definitions."""
    env = {**os.environ, "ROYALEY_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dg"), "check", "defs"],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0 and "All definitions loaded successfully" in result.stdout, \
        result.stdout + result.stderr


def test_dagster_dev_in_the_repository_root_needs_no_variables(tmp_path, monkeypatch):
    """Without DAGSTER_HOME, `dagster dev` makes a temporary home and reads dagster.yaml from the
    working directory (InstanceRef.from_dir(temporary, config_dir=cwd)): a fresh clone must not
    need the production PostgreSQL settings for that."""
    for name in [name for name in os.environ if name.startswith(("DAGSTER_PG_", "DAGSTER_HOME"))]:
        monkeypatch.delenv(name)
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path), config_dir=str(REPOSITORY))) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
        assert instance.get_settings("telemetry") == {"enabled": False}


def test_the_production_instance_keeps_runs_events_and_schedules_in_postgres(tmp_path, monkeypatch):
    url = fresh_postgres_database()
    try:
        user_and_host, database = url.split("://", 1)[1].rsplit("/", 1)
        user, host = user_and_host.split("@")
        monkeypatch.setenv("DAGSTER_PG_USERNAME", user.split(":")[0])
        monkeypatch.setenv("DAGSTER_PG_PASSWORD", user.split(":")[1] if ":" in user else "")
        monkeypatch.setenv("DAGSTER_PG_HOST", host.split(":")[0])
        monkeypatch.setenv("DAGSTER_PG_DB", database)
        home = tmp_path / "dagster_home"
        home.mkdir()
        # The instance of the deployment, as the images carry it.
        shutil.copy(REPOSITORY / "docker" / "dagster.yaml", home / "dagster.yaml")
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        monkeypatch.setenv("DAGSTER_COMPUTE_LOGS_DIR", str(tmp_path / "compute_logs"))
        settings = load_settings({"ROYALEY_HOME": str(tmp_path / "royaley")})
        defs = definitions(settings)
        with DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
            assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            month = date(2023, 9, 1)
            result = run_sport_dates(COLLECTION_JOB, "NFL", month, month, dagster_instance=instance, defs=defs)
            assert result.success
        engine = create_engine(url)
        with engine.connect() as connection:
            runs = connection.execute(text("SELECT count(*) FROM runs")).scalar_one()
            materialisations = connection.execute(
                text("SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'")
            ).scalar_one()
        engine.dispose()
        assert runs == 1
        assert materialisations == 4  # games, odds snapshots, weather, features for one month
    finally:
        drop_postgres_database(url)


def test_launched_runs_execute_in_one_process_unless_they_ask_for_multiprocess(tmp_path, monkeypatch):
    """A run started the way the daemon's launcher starts it (execute_job on the reconstructed code
    location, no execution config) runs its steps and asset checks in its own process."""
    monkeypatch.setenv("ROYALEY_HOME", str(tmp_path / "royaley"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    job = ReconstructableRepository.for_module("royaley_pipeline.definitions", "defs", str(REPOSITORY))
    month = date(2018, 7, 1)  # no NFL games: the run is almost only Dagster's own work
    with DagsterInstance.get() as instance:
        result = execute_job(job.get_reconstructable_job(COLLECTION_JOB), instance,
                             tags=range_tags(COLLECTION_JOB, "NFL", month, month),
                             run_config=run_config().to_config_dict())
        assert result.success
        engine_messages = [event.message for event in result.all_events if event.event_type_value == "ENGINE_EVENT"]
        steps = {event.step_key for event in result.all_events if event.step_key}
    assert any(message.startswith("Executing steps in process") for message in engine_messages), engine_messages
    # The four asset checks were steps of that same process, beside the raw and feature assets.
    assert len([key for key in steps if key.startswith(("raw__games_", "raw__odds_"))]) == 4, steps
    collection = definitions(load_settings({"ROYALEY_HOME": str(tmp_path / "royaley")})).resolve_job_def(
        COLLECTION_JOB)
    assert validate_run_config(collection, {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}})
