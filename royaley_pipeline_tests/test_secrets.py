"""A planted secret appears nowhere (issue 15, item 2).

Every secret-bearing variable the settings read gets a distinct recognisable value: the passwords
of the application database and of MLflow's store (both PostgreSQL, which accepts any password
under the test server's trust authentication), the live sources' keys, the API token and the alert
webhook's URL. Then real things run with them as a user runs them: ingest, ``train --mock``, a
training through the API, ``predict``, a live collection against the loopback replay service (The
Odds API answers; Pinnacle and TheSportsDB, configured with keys, fail with 404 from the same
server), ``models``, a bad request, API errors, and the failure sensor posting to a webhook that
answers 500. Each planted value is then searched for in the definition snapshot the UI is served,
every run and event record of the instance (run config and tags included), every file under the
home (compute logs, the instance's SQLite files, MLflow's artifacts, the API's log), MLflow's
params, tags, descriptions and artifacts as its client reads them, every row of both databases,
the CLI's output, the API's responses, the webhook's payload and the sensor's error. The search is
shown to find a planted value where one is put (the same definitions built with the values inline).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, build_run_status_sensor_context
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster._serdes import serialize_value
from dagster._utils.error import serializable_error_info_from_exc_info
from mlflow import MlflowClient
from sqlalchemy import MetaData, create_engine, make_url, select

from royaley_pipeline.alerts import AlertDeliveryError
from royaley_pipeline.collectors.settings import declared_settings
from royaley_pipeline.config import (
    ALERT_WEBHOOK_URL,
    API_TOKEN,
    DATABASE_URL,
    MLFLOW_TRACKING_URI,
    load_settings,
)
from royaley_pipeline.replay.history import history_files, load_replay_history
from royaley_pipeline.replay.service import ReplayClock, ReplayServer, build_app, replay_environment
from royaley_pipeline.runner import definitions
from royaley_pipeline.sensors import run_failure_alert
from royaley_pipeline_tests.api.server import running_api
from royaley_pipeline_tests.conftest import drop_postgres_database, fresh_postgres_database
from royaley_pipeline_tests.test_cli import royaley

RUN = uuid.uuid4().hex[:10]
PLANTED = {  # letters and digits only: no encoding a URL or JSON applies can hide them
    DATABASE_URL: f"plantedDatabasePassword{RUN}",
    MLFLOW_TRACKING_URI: f"plantedMlflowPassword{RUN}",
    "ODDS_API_KEY": f"plantedOddsApiKey{RUN}",
    "PINNACLE_USERNAME": f"plantedPinnacleUser{RUN}",
    "PINNACLE_PASSWORD": f"plantedPinnaclePassword{RUN}",
    "THESPORTSDB_API_KEY": f"plantedSportsDbKey{RUN}",
    API_TOKEN: f"plantedApiToken{RUN}LongEnoughToServe",
    ALERT_WEBHOOK_URL: f"plantedWebhookPath{RUN}",
}
# The forms a value could leak in besides itself: Pinnacle's Basic authorisation header.
ENCODED = {
    "PINNACLE_PASSWORD (Basic auth)": base64.b64encode(
        f"{PLANTED['PINNACLE_USERNAME']}:{PLANTED['PINNACLE_PASSWORD']}".encode()).decode(),
}
HISTORY = ("2015-09-01", "2018-02-28")  # NFL seasons 2015-2017
SLATE_DAY = "2017-12-24"
COLLECTED_DAY = "2024-10-06"


def found(content: str | bytes) -> list[str]:
    """The variables whose planted value (or an encoded form of it) occurs in ``content``."""
    text = content.decode("latin-1") if isinstance(content, bytes) else content
    return [name for name, value in {**PLANTED, **ENCODED}.items() if value in text]


def test_every_secret_the_settings_read_is_planted():
    """A new secret variable (in config.py, or a source's SETTINGS) fails here until this test plants it."""
    source_secrets = {setting.variable for setting in declared_settings().values() if setting.secret}
    assert set(PLANTED) == {DATABASE_URL, MLFLOW_TRACKING_URI, API_TOKEN, ALERT_WEBHOOK_URL, *source_secrets}


class Webhook:
    """A loopback webhook that answers 500 (the failure path, where an error could name the URL)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(self.rfile.read(int(self.headers["content-length"])).decode())
                self.send_response(500)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{PLANTED[ALERT_WEBHOOK_URL]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def secrets_environment():
    """The planted variables (PostgreSQL databases made for them), and service locations on loopback."""
    databases = [fresh_postgres_database(), fresh_postgres_database()]  # skips without a test server
    history = load_replay_history(history_files(load_settings()), "NFL", pd.Timestamp(COLLECTED_DAY).date(),
                                  pd.Timestamp("2024-10-07").date())
    webhook = Webhook()
    try:
        with ReplayServer(build_app({"NFL": history}, ReplayClock(pd.Timestamp("2024-10-08 08:00", tz="UTC")))) as replay:
            yield {
                **replay_environment(replay.base_url),
                "ROYALEY_PINNACLE_BASE_URL": f"{replay.base_url}/pinnacle",  # not replayed: 404 with the keys sent
                "ROYALEY_SPORTSDB_BASE_URL": f"{replay.base_url}/sportsdb",
                "ROYALEY_COLLECTOR_RETRY_DELAY": "0",
                **{name: value for name, value in PLANTED.items()
                   if name not in (DATABASE_URL, MLFLOW_TRACKING_URI, ALERT_WEBHOOK_URL)},
                DATABASE_URL: with_password(databases[0], PLANTED[DATABASE_URL]),
                MLFLOW_TRACKING_URI: with_password(databases[1], PLANTED[MLFLOW_TRACKING_URI]),
                ALERT_WEBHOOK_URL: webhook.url,
            }, webhook
    finally:
        webhook.close()
        for database in databases:
            drop_postgres_database(database)


@pytest.fixture(scope="module")
def scene(secrets_environment, tmp_path_factory):
    """Everything run with the planted values; what each command and request answered."""
    environment, _ = secrets_environment
    home = tmp_path_factory.mktemp("secrets") / "royaley"
    outputs: dict[str, str] = {}

    def command(label: str, *args: str, expect: int = 0):
        result = royaley(home, *args, **environment)
        outputs[label] = result.stdout + result.stderr
        assert result.returncode == expect, outputs[label]
        return result

    command("ingest", "ingest", "--sport", "NFL", "--start", HISTORY[0], "--end", HISTORY[1])
    command("train --mock", "train", "--sport", "NFL", "--bet-type", "moneyline", "--mock",
            "--first-test-season", "2017")
    token = PLANTED[API_TOKEN]
    api_environment = {name: value for name, value in environment.items() if name != API_TOKEN}
    with running_api(home, token, api_environment) as api:
        train = {"sport_code": "NFL", "bet_type": "moneyline", "framework": "sklearn"}
        responses = [api.post("/api/v1/models/train", train, token=f"{token}-wrong"),  # 401
                     api.post("/api/v1/models/train", {**train, "sport_code": "XFL"}),  # 422
                     api.post("/api/v1/models/royaley-nfl-moneyline:99/promote", {"reason": "drill"})]  # 404
        status, launched = api.post("/api/v1/models/train", train)
        assert status == 202, launched
        finished = api.wait_for_run(launched["run_id"])
        assert finished["status"] == "success", finished
        predict = command("predict", "predict", "--sport", "NFL", "--date", SLATE_DAY,
                          "--output", str(home / "slate.json"))
        assert json.loads((home / "slate.json").read_text())["predictions"], predict.stdout
        responses += [(status, launched), (200, finished), api.get("/api/v1/models"),
                      api.get(f"/api/v1/predictions?sport_code=NFL&date={SLATE_DAY}")]
    assert [status for status, _ in responses[:3]] == [401, 422, 404]
    assert responses[-1][1], "the API listed no predictions"
    outputs["api"] = json.dumps(responses)
    collect = command("collect", "collect", "--sport", "NFL", "--date", COLLECTED_DAY, expect=1)
    output = " ".join(collect.stdout.split())
    # The keys reached the sources: The Odds API collected, Pinnacle and TheSportsDB were asked (and failed).
    assert f"odds_api NFL {COLLECTED_DAY}: " in output and "quota left" in output
    assert f"error: pinnacle NFL {COLLECTED_DAY}:" in output and f"error: thesportsdb NFL {COLLECTED_DAY}:" in output
    command("models", "models", "--sport", "NFL")
    command("bad request", "train", "--sport", "XFL", "--bet-type", "spread", expect=2)
    # A database that refuses connections: exit 1 before any run, its traceback kept in a file under the home.
    unreachable = with_password("postgresql+psycopg2://postgres@127.0.0.1:9/nothing", PLANTED[DATABASE_URL])
    refused = royaley(home, "models", **{**environment, DATABASE_URL: unreachable})
    outputs["unreachable database"] = refused.stdout + refused.stderr
    assert refused.returncode == 1 and "traceback: " in outputs["unreachable database"], outputs["unreachable database"]
    return home, outputs


def assert_nowhere(place: str, content: str | bytes) -> None:
    leaked = found(content)
    assert not leaked, f"planted values of {leaked} found in {place}"


def test_the_search_finds_a_planted_value_where_one_is_put(secrets_environment, monkeypatch, tmp_path):
    """The definitions built from a mapping (not the process environment) hold the values inline:
    the snapshot search finds them, so its finding nothing below means something."""
    environment, _ = secrets_environment
    inline = definitions(load_settings({"ROYALEY_HOME": str(tmp_path), **environment}))
    leaked = found(serialize_value(RepositorySnap.from_def(inline.get_repository_def())))
    assert {DATABASE_URL, MLFLOW_TRACKING_URI, "ODDS_API_KEY", "PINNACLE_PASSWORD"} <= set(leaked)
    (tmp_path / "log.txt").write_bytes(f"x {ENCODED['PINNACLE_PASSWORD (Basic auth)']} y".encode())
    assert found((tmp_path / "log.txt").read_bytes()) == ["PINNACLE_PASSWORD (Basic auth)"]


def test_no_secret_in_the_definition_snapshot(secrets_environment, monkeypatch, tmp_path):
    """What the code location serves the UI, built the way Dagster loads it (from the process environment)."""
    environment, _ = secrets_environment
    for name, value in {**environment, "ROYALEY_HOME": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    defs = definitions(load_settings())
    assert defs.resources["database"].url == DATABASE_URL  # an EnvVar, read when a run starts
    assert_nowhere("the definition snapshot", serialize_value(RepositorySnap.from_def(defs.get_repository_def())))


def test_no_secret_in_runs_or_their_events(scene):
    home, _ = scene
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        runs = instance.get_runs()
        assert {run.job_name for run in runs} >= {"collection_job", "training_job", "predictions_job",
                                                   "live_collection_job"}
        for run in runs:  # run config, tags, status
            assert_nowhere(f"run {run.run_id}", serialize_value(run))
            for record in instance.all_logs(run.run_id):
                assert_nowhere(f"an event of run {run.run_id}", serialize_value(record))


def test_no_secret_in_any_file_under_the_home(scene):
    """Compute logs, the instance's storage, MLflow's artifacts, datasets, slates, the API's log."""
    home, _ = scene
    files = [path for path in home.rglob("*") if path.is_file()]
    assert any("compute_logs" in path.parts for path in files), "no compute logs were searched"
    assert any(path.name == "MLmodel" for path in files) and any(path.name.startswith("api-") for path in files)
    for path in files:
        assert_nowhere(str(path.relative_to(home)), path.read_bytes())


def test_no_secret_in_mlflow(scene, secrets_environment):
    home, _ = scene
    environment, _ = secrets_environment
    uri = environment[MLFLOW_TRACKING_URI]
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiments = client.search_experiments()
    runs = client.search_runs([experiment.experiment_id for experiment in experiments])
    assert len(runs) >= 2
    for run in runs:
        assert_nowhere(f"MLflow run {run.info.run_id}", json.dumps(
            [run.info.artifact_uri, run.info.run_name, run.data.params, run.data.tags, list(run.data.metrics)]))
        pending = [""]
        while pending:
            for entry in client.list_artifacts(run.info.run_id, pending.pop() or None):
                if entry.is_dir:
                    pending.append(entry.path)
                else:
                    local = client.download_artifacts(run.info.run_id, entry.path, str(home.parent / "downloads"))
                    assert_nowhere(f"artifact {entry.path}", Path(local).read_bytes())
    for model in client.search_registered_models():
        assert_nowhere(f"registered model {model.name}", json.dumps([model.description, model.tags]))
        for version in client.search_model_versions(f"name = '{model.name}'"):
            assert_nowhere(f"{model.name} v{version.version}",
                           json.dumps([version.description, version.tags, version.source]))


def test_no_secret_in_either_database(secrets_environment):
    environment, _ = secrets_environment
    for variable in (DATABASE_URL, MLFLOW_TRACKING_URI):
        engine = create_engine(environment[variable].replace("postgresql://", "postgresql+psycopg2://", 1))
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                rows = connection.execute(select(table)).all()
                assert_nowhere(f"table {table.name} of {variable}'s database", repr(rows))
        engine.dispose()


def test_no_secret_in_command_output_or_api_responses(scene):
    _, outputs = scene
    assert "unknown sport 'XFL'" in outputs["bad request"]
    for label, output in outputs.items():
        assert_nowhere(f"the output of {label}", output)


def test_no_secret_in_the_failure_alert_or_the_sensors_error(scene, secrets_environment, monkeypatch, capfd):
    """The failed collection run through the failure sensor, as the daemon evaluates it: the webhook
    answers 500, so the sensor fails; its error (what the daemon stores on the tick), its log and
    the payload the webhook received name no secret."""
    home, _ = scene
    environment, webhook = secrets_environment
    for name, value in {**environment, "ROYALEY_HOME": str(home)}.items():
        monkeypatch.setenv(name, value)
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        failed = instance.get_runs()
        failed = next(run for run in failed if run.status == DagsterRunStatus.FAILURE)
        (failure,) = instance.all_logs(failed.run_id, of_type=DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name=run_failure_alert.name, dagster_event=failure.dagster_event, dagster_instance=instance,
            dagster_run=failed, repository_def=definitions(load_settings()).get_repository_def(),
        ).for_run_failure()
        with pytest.raises(AlertDeliveryError, match=r"\(ROYALEY_ALERT_WEBHOOK_URL\) answered HTTP 500") as raised:
            run_failure_alert(context)
    error = serializable_error_info_from_exc_info((raised.type, raised.value, raised.tb))
    assert webhook.received, "the sensor did not post to the webhook"
    assert_nowhere("the sensor's error", serialize_value(error))
    assert_nowhere("the sensor's log", "".join(capfd.readouterr()))
    assert_nowhere("the webhook's payload", "".join(webhook.received))
