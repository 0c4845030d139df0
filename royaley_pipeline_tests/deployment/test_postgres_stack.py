"""The compose stack's wiring without containers: docker/dagster.yaml on PostgreSQL, MLflow
served over HTTP with a PostgreSQL backend store, the application database in PostgreSQL, and
raw → features → models → predictions through real Dagster runs."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from dagster import AssetKey, DagsterInstance
from mlflow import MlflowClient

from royaley_pipeline.config import load_settings
from royaley_pipeline.definitions import build_definitions
from royaley_pipeline.partitions import model_key, sport_day_key, sport_month_key
from royaley_pipeline.runner import RANGE_END_TAG, RANGE_START_TAG, failure_message, quiet
from royaley_pipeline_tests.deployment.conftest import REPOSITORY, Stack, scalar

HISTORY = (date(2014, 9, 1), date(2017, 2, 28))  # NFL seasons 2014-2016
SLATE_DAY = date(2016, 12, 24)
MODEL_NAME = "royaley-nfl-moneyline"
SCHEDULE = "daily_predictions_schedule"


def execute(defs, instance, job_name: str, run_config=None, **kwargs):
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, run_config=quiet(run_config), raise_on_error=False, **kwargs
    )
    assert result.success, failure_message(result)
    return result


def dagster_cli(stack: Stack, *arguments: str, environment=None) -> subprocess.CompletedProcess:
    env = {**os.environ, **stack.environment(), **(environment or {})}
    return subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), *arguments],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=300,
    )


def test_the_flow_runs_on_postgres_dagster_storage_and_a_postgres_backed_mlflow_server(stack, monkeypatch):
    for name, value in stack.environment().items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    defs = build_definitions(settings)
    with DagsterInstance.from_config(str(stack.dagster_home)) as instance:
        # docker/dagster.yaml exactly as the images carry it.
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert type(instance.run_launcher).__name__ == "DockerRunLauncher"
        months = {RANGE_START_TAG: sport_month_key("NFL", HISTORY[0]), RANGE_END_TAG: sport_month_key("NFL", HISTORY[1])}
        collection = execute(defs, instance, "collection_job", tags=months)
        training = execute(defs, instance, "training_job", partition_key=model_key("NFL", "moneyline"),
                           run_config={"ops": {"models__game_outcome_model": {"config": {"first_test_season": 2016}}}})
        slate = {RANGE_START_TAG: sport_day_key("NFL", SLATE_DAY), RANGE_END_TAG: sport_day_key("NFL", SLATE_DAY)}
        predictions = execute(defs, instance, "predictions_job", tags=slate)
    run_ids = {result.run_id for result in (collection, training, predictions)}

    # A schedule turned on from the CLI, as an operator would: its state is stored in PostgreSQL.
    started = dagster_cli(stack, "schedule", "start", SCHEDULE, "-m", "royaley_pipeline.definitions", "-a", "defs")
    assert started.returncode == 0, started.stdout + started.stderr

    # Dagster's runs, event log and schedule state are rows in the Dagster database.
    dagster = stack.dagster_url
    stored_runs = scalar(dagster, "SELECT count(*) FROM runs WHERE status = 'SUCCESS' AND run_id = ANY(:ids)",
                         ids=list(run_ids))
    assert stored_runs == 3
    materialised = {
        key: scalar(dagster, "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION' "
                             "AND asset_key = :key", key=AssetKey(list(key)).to_string())
        for key in (("raw", "games"), ("features", "game_features"), ("models", "game_outcome_model"),
                    ("predictions", "game_predictions"))
    }
    assert all(count >= 1 for count in materialised.values()), materialised
    assert scalar(dagster, "SELECT count(*) FROM instigators WHERE instigator_type = 'SCHEDULE' "
                           "AND status = 'RUNNING' AND instigator_body LIKE :name", name=f"%{SCHEDULE}%") == 1

    # The model version lives in MLflow's PostgreSQL store, reached through the server.
    store = stack.mlflow_store_url
    assert scalar(store, "SELECT count(*) FROM model_versions WHERE name = :name", name=MODEL_NAME) == 1
    champion_version = scalar(store, "SELECT version FROM registered_model_aliases WHERE name = :name "
                                     "AND alias = 'champion'", name=MODEL_NAME)
    client = MlflowClient(tracking_uri=stack.mlflow_uri, registry_uri=stack.mlflow_uri)
    champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
    assert int(champion.version) == champion_version
    # Artifacts went through the server (--serve-artifacts) into its artifact store, not the client's disk.
    assert client.get_run(champion.run_id).info.artifact_uri.startswith("mlflow-artifacts:")
    assert any(path.name == "MLmodel" for path in stack.mlflow_artifacts.rglob("MLmodel"))

    # The application's rows are in its own PostgreSQL database, scored by that champion.
    app = stack.app_url
    assert scalar(app, "SELECT count(*) FROM games") > 700
    scored = scalar(app, "SELECT count(*) FROM predictions WHERE game_date = :day AND bet_type = 'moneyline' "
                         "AND model_version = :version", day=SLATE_DAY, version=str(champion_version))
    assert scored == scalar(app, "SELECT count(*) FROM games WHERE game_date = :day", day=SLATE_DAY) > 0

    # Nothing fell back to the embedded SQLite defaults.
    leftovers = [path for path in (*stack.home.rglob("*.db"), *stack.dagster_home.rglob("*.db"))]
    assert leftovers == []
