"""The compose stack's wiring without containers: docker/dagster.yaml on PostgreSQL, MLflow
served over HTTP with a PostgreSQL backend store, the application database in PostgreSQL, and
raw → features → models → predictions through real Dagster runs."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import yaml
from dagster import AssetKey, DagsterInstance
from mlflow import MlflowClient

from royaley_pipeline.config import load_settings
from royaley_pipeline.launch import COLLECTION_JOB, PREDICTIONS_JOB, run_config, training_config
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.runner import definitions, run_model, run_sport_dates
from royaley_pipeline_tests.deployment.conftest import (
    REPOSITORY,
    Stack,
    free_port,
    http_ok,
    run_quietly,
    scalar,
    start_process,
    stop,
    wait_until,
)

HISTORY = (date(2014, 9, 1), date(2017, 2, 28))  # NFL seasons 2014-2016
SLATE_DAY = date(2016, 12, 24)
MODEL_NAME = "royaley-nfl-moneyline"
SCHEDULE = "daily_predictions_schedule"


def succeeded(result):
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
    defs = definitions(settings)
    # The secrets reach the resources as EnvVars: the definitions hold variable names, not values.
    assert defs.resources["database"].url == "ROYALEY_DATABASE_URL"
    assert defs.resources["model_registry"].tracking_uri == "MLFLOW_TRACKING_URI"
    with DagsterInstance.from_config(str(stack.dagster_home)) as instance:
        # docker/dagster.yaml exactly as the images carry it.
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert type(instance.run_launcher).__name__ == "DockerRunLauncher"
        collection = succeeded(run_sport_dates(COLLECTION_JOB, "NFL", *HISTORY, dagster_instance=instance, defs=defs))
        training = succeeded(run_model("NFL", "moneyline", config=run_config(training_config(first_test_season=2016)),
                                       dagster_instance=instance, defs=defs))
        predictions = succeeded(run_sport_dates(PREDICTIONS_JOB, "NFL", SLATE_DAY, SLATE_DAY,
                                                dagster_instance=instance, defs=defs))
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

    # Step logs went where docker/dagster.yaml sends them (the shared volume in the stack).
    assert {folder.name for folder in (stack.home / "compute_logs").iterdir()} & run_ids

    # Nothing fell back to the embedded SQLite defaults.
    leftovers = [path for path in (*stack.home.rglob("*.db"), *stack.dagster_home.rglob("*.db"))]
    assert leftovers == []


def test_the_compose_services_processes_work_against_postgres(stack, tmp_path):
    """The commands the compose services run, on loopback: the code server over gRPC with its
    health check, the webserver and daemon through a grpc_server workspace like
    docker/workspace.yaml with theirs, and the README's "schedules on" command."""
    environment = {**os.environ, **stack.environment()}
    binaries = Path(sys.executable).parent
    grpc_port, web_port = free_port(), free_port()
    workspace = tmp_path / "workspace.yaml"
    compose_workspace = yaml.safe_load((REPOSITORY / "docker" / "workspace.yaml").read_text())
    entry = compose_workspace["load_from"][0]["grpc_server"]
    workspace.write_text(yaml.safe_dump(
        {"load_from": [{"grpc_server": {**entry, "host": "127.0.0.1", "port": grpc_port}}]}
    ))
    servers = []
    try:
        servers.append(start_process(
            [str(binaries / "dagster"), "code-server", "start", "-h", "127.0.0.1", "-p", str(grpc_port),
             "-m", "royaley_pipeline.definitions", "-a", "defs"], environment, tmp_path / "code-server.log"))
        wait_until(lambda: run_quietly([str(binaries / "dagster"), "api", "grpc-health-check", "-p", str(grpc_port)],
                                       environment), "code server health check", tmp_path / "code-server.log")

        def running_schedules() -> int:
            return scalar(stack.dagster_url, "SELECT count(*) FROM instigators WHERE instigator_type = 'SCHEDULE' "
                                             "AND status = 'RUNNING'")

        before = running_schedules()
        started = run_quietly([str(binaries / "dagster"), "schedule", "start", "--start-all", "-w", str(workspace)],
                              environment, capture=True)
        assert started.returncode == 0, started.stdout + started.stderr
        names = [schedule.name for schedule in definitions(load_settings(environment)).schedules]
        assert running_schedules() - before == len(names) == 3
        for name in names:
            assert scalar(stack.dagster_url, "SELECT count(*) FROM instigators WHERE status = 'RUNNING' "
                                             "AND instigator_body LIKE :name", name=f"%{name}%") >= 1

        servers.append(start_process(
            [str(binaries / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(web_port), "-w", str(workspace)],
            environment, tmp_path / "webserver.log"))
        wait_until(lambda: http_ok(f"http://127.0.0.1:{web_port}/server_info"), "webserver /server_info",
                   tmp_path / "webserver.log")

        servers.append(start_process([str(binaries / "dagster-daemon"), "run", "-w", str(workspace)],
                                     environment, tmp_path / "daemon.log"))
        wait_until(lambda: run_quietly([str(binaries / "dagster-daemon"), "liveness-check"], environment),
                   "daemon liveness check", tmp_path / "daemon.log")
        # The daemon's heartbeats are rows in the same PostgreSQL database.
        assert scalar(stack.dagster_url, "SELECT count(*) FROM daemon_heartbeats") >= 1
    finally:
        for server in reversed(servers):
            stop(server)
