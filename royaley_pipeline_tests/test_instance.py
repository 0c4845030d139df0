"""The code location loads, and the production dagster.yaml stores runs in PostgreSQL."""

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from dagster import DagsterInstance
from sqlalchemy import create_engine, text

from royaley_pipeline.config import load_settings
from royaley_pipeline.launch import COLLECTION_JOB
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
        shutil.copy(REPOSITORY / "dagster.yaml", home / "dagster.yaml")
        monkeypatch.setenv("DAGSTER_HOME", str(home))
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
