"""A run whose process is killed is reported failed; runs of live processes and other hosts are not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus

from royaley_pipeline.run_liveness import (
    HOST_TAG,
    fail_runs_whose_process_is_gone,
    process_alive,
    process_tags,
)

# A real run in a real process: an asset that waits until the test kills the process (or a minute).
RUNNER = """
import sys, time
from dagster import DagsterInstance, Definitions, asset, define_asset_job
from royaley_pipeline.run_liveness import process_tags

@asset
def slow():
    time.sleep(60)

job = Definitions(assets=[slow], jobs=[define_asset_job("slow_job", selection="*")]).resolve_job_def("slow_job")
tags = {**process_tags(), **dict(pair.split("=", 1) for pair in sys.argv[2:])}
job.execute_in_process(instance=DagsterInstance.local_temp(sys.argv[1]), tags=tags, raise_on_error=False)
"""


def start_run(home: Path, *tags: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(home), *tags], start_new_session=True)


def started_runs(instance: DagsterInstance, processes: list[subprocess.Popen], timeout: float = 120.0) -> list:
    """The STARTED run of each process, in the order of ``processes``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = {run.tags.get("royaley/pid"): run for run in instance.get_runs()
                if run.status == DagsterRunStatus.STARTED}
        if all(str(process.pid) in runs for process in processes):
            return [runs[str(process.pid)] for process in processes]
        assert all(process.poll() is None for process in processes), "a process ended before its run started"
        time.sleep(0.2)
    raise AssertionError("the runs did not start")


def test_a_killed_runs_process_is_reported_failed_and_live_ones_are_left(tmp_path):
    home = tmp_path / "dagster"
    home.mkdir()
    instance = DagsterInstance.local_temp(str(home))
    processes = [start_run(home), start_run(home), start_run(home, f"{HOST_TAG}=another-host")]
    killed, _, elsewhere = processes
    try:
        killed_run, alive_run, elsewhere_run = started_runs(instance, processes)
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
        os.killpg(elsewhere.pid, signal.SIGKILL)
        elsewhere.wait(timeout=30)
        assert instance.get_run_by_id(killed_run.run_id).status == DagsterRunStatus.STARTED

        assert fail_runs_whose_process_is_gone(instance) == [killed_run.run_id]
        assert instance.get_run_by_id(killed_run.run_id).status == DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive_run.run_id).status == DagsterRunStatus.STARTED
        # Another host's pid means nothing here: its run is left for that host (or the daemon).
        assert instance.get_run_by_id(elsewhere_run.run_id).status == DagsterRunStatus.STARTED
        failure = instance.all_logs(killed_run.run_id)[-1]
        assert f"pid {killed.pid}" in failure.dagster_event.message
        assert fail_runs_whose_process_is_gone(instance) == []
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def test_a_reused_pid_is_not_the_same_process():
    tags = process_tags()
    assert process_alive(int(tags["royaley/pid"]), tags.get("royaley/process_start"))
    assert not process_alive(int(tags["royaley/pid"]), "1")  # started at tick 1: some other process
