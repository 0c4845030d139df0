"""The season backfill from the UI: `dagster dev` on a fresh home, a backfill launched over its
GraphQL API the way the UI's Materialize dialog does, run by the daemon as a single run."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
PORT = 3197
SEASON_2023 = ["2023-09-01|NFL", "2023-10-01|NFL", "2023-11-01|NFL", "2023-12-01|NFL", "2024-01-01|NFL",
               "2024-02-01|NFL"]
RAW_AND_FEATURES = [["raw", "games"], ["raw", "odds_snapshots"], ["raw", "weather"], ["features", "game_features"]]


def graphql(query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/graphql", body,
                                     {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


@pytest.fixture
def dagster_dev(tmp_path):
    env = {**os.environ, "ROYALEY_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster"),
           "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1"}
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    dagster = Path(sys.executable).parent / "dagster"
    process = subprocess.Popen(
        [str(dagster), "dev", "-p", str(PORT), "-h", "127.0.0.1", "-w", str(REPOSITORY / "workspace.yaml")],
        cwd=REPOSITORY, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if graphql("{ assetNodes { id } }")["assetNodes"]:
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("dagster dev did not serve the code location within 180 s")
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_a_season_backfill_launched_from_the_ui_is_one_successful_run(dagster_dev):
    launched = graphql(
        """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
             __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }""",
        {"params": {"partitionNames": SEASON_2023, "assetSelection": [{"path": p} for p in RAW_AND_FEATURES]}},
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    query = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
                 ... on PartitionBackfill { status runs(limit: 20) { status } } } }"""
    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        backfill = graphql(query, {"id": launched["backfillId"]})["partitionBackfillOrError"]
        if backfill["status"] in ("COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"):
            break
        time.sleep(3)
    assert backfill["status"] == "COMPLETED_SUCCESS", backfill
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"]
