"""The run-failure sensor on a real failed run, posting to a real webhook server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dagster import build_run_status_sensor_context

from royaley_pipeline.config import ALERT_WEBHOOK_URL as WEBHOOK_VARIABLE
from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.launch import MODEL_OP
from royaley_pipeline.sensors import run_failure_alert
from royaley_pipeline_tests.assets.conftest import Pipeline


@pytest.fixture
def webhook():
    """A loopback HTTP server that records every POSTed JSON body."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append({"content_type": self.headers["content-type"], "body": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/royaley", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def failed_run(tmp_path):
    """Training with no features stored fails in the model step: a real failed Dagster run."""
    pipeline = Pipeline(tmp_path)
    result = pipeline.train("NFL", "spread")
    assert not result.success
    return pipeline, result


def evaluate_sensor(pipeline, result):
    context = build_run_status_sensor_context(
        sensor_name=run_failure_alert.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=pipeline.instance,
        dagster_run=result.dagster_run,
        repository_def=pipeline.defs.get_repository_def(),
    ).for_run_failure()
    run_failure_alert(context)


def test_a_failed_run_is_posted_to_the_webhook_with_asset_step_and_error(failed_run, webhook, monkeypatch):
    url, received = webhook
    monkeypatch.setenv(WEBHOOK_VARIABLE, url)
    pipeline, result = failed_run
    evaluate_sensor(pipeline, result)
    (alert,) = received
    assert alert["content_type"] == "application/json"
    body = alert["body"]
    assert body["run_id"] == result.run_id
    assert body["job_name"] == "training_job"
    assert body["partition_key"] == "spread|NFL"
    assert body["failed_steps"] == [MODEL_OP]
    assert body["failed_assets"] == ["models/game_outcome_model"]
    assert body["error"] == f"no {FEATURE_SET_VERSION} features stored for NFL: materialise features first"
    assert "models/game_outcome_model" in body["text"] and body["error"] in body["text"]


def test_without_a_webhook_the_failure_is_only_logged(failed_run, webhook, monkeypatch, capfd):
    _, received = webhook
    monkeypatch.delenv(WEBHOOK_VARIABLE, raising=False)
    pipeline, result = failed_run
    capfd.readouterr()
    evaluate_sensor(pipeline, result)
    assert received == []
    logged = capfd.readouterr().err
    assert f"Royaley run {result.run_id} failed at models/game_outcome_model [spread|NFL]" in logged
    assert "materialise features first" in logged


def test_the_sensor_is_part_of_the_code_location_and_runs_by_default():
    from dagster import DefaultSensorStatus

    from royaley_pipeline.runner import definitions

    sensor = definitions().get_sensor_def("run_failure_alert")
    assert sensor.default_status == DefaultSensorStatus.RUNNING
