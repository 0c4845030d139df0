"""A training run whose process is killed: the API answers `failure`, and the CLI marks such runs failed."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus

from royaley_pipeline.run_failures import failure_message
from royaley_pipeline_tests.api.server import running_api
from royaley_pipeline_tests.assets.conftest import Pipeline

ROYALEY = Path(sys.executable).parent / "royaley"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("killed-runs")
    result = Pipeline(home).run_months("collection_job", "NFL", date(2021, 9, 1), date(2024, 2, 28))
    assert result.success, failure_message(result)
    return home


def start_training(home: Path) -> subprocess.Popen:
    env = {**os.environ, "ROYALEY_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    return subprocess.Popen([str(ROYALEY), "train", "--sport", "NFL", "--bet-type", "moneyline"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_once_started(home: Path, process: subprocess.Popen, timeout: float = 180.0) -> str:
    """SIGKILL the process as soon as its training run is STARTED; the run id."""
    deadline = time.monotonic() + timeout
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        while time.monotonic() < deadline:
            runs = [run for run in instance.get_runs() if run.tags.get("royaley/pid") == str(process.pid)]
            if runs and runs[0].status == DagsterRunStatus.STARTED:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                return runs[0].run_id
            assert process.poll() is None, "the training process ended before its run started"
            time.sleep(0.1)
    raise AssertionError("the training run did not start")


def run_status(home: Path, run_id: str) -> DagsterRunStatus:
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        return instance.get_run_by_id(run_id).status


def test_a_killed_training_run_is_a_failure_for_the_api_and_the_cli(home):
    first = kill_once_started(home, start_training(home))
    assert run_status(home, first) == DagsterRunStatus.STARTED
    with running_api(home) as api:
        status, body = api.get(f"/api/v1/models/training/{first}")
    assert status == 200, body
    assert body["status"] == "failure"
    assert "is gone" in body["error"]

    second = kill_once_started(home, start_training(home))
    assert run_status(home, second) == DagsterRunStatus.STARTED
    env = {**os.environ, "ROYALEY_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    listing = subprocess.run([str(ROYALEY), "models"], env=env, capture_output=True, text=True, timeout=300)
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert f"run {second} was left STARTED by a process that is gone; marked failed" in " ".join(listing.stdout.split())
    assert run_status(home, second) == DagsterRunStatus.FAILURE
