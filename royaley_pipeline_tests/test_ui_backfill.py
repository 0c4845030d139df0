"""The Dagster UI after `make ui`: `dagster dev` on a fresh home, read and driven over the GraphQL
API the UI itself uses. One dagster dev process serves every test in this module: the asset graph,
partitions, schedules and sensor are there; a season backfill launched the way the Materialize
dialog does runs as a single run; the REST API submits training runs through the webserver."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from royaley_pipeline.assets.live import LIVE_FEATURE_INPUTS, LIVE_GROUP
from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.launch import MODEL_OP
from royaley_pipeline_tests.api.server import free_port, running_api

REPOSITORY = Path(__file__).resolve().parents[1]
SEASON_2023 = ["2023-09-01|NFL", "2023-10-01|NFL", "2023-11-01|NFL", "2023-12-01|NFL", "2024-01-01|NFL",
               "2024-02-01|NFL"]
RAW_AND_FEATURES = [["raw", "games"], ["raw", "odds_snapshots"], ["raw", "weather"], ["features", "game_features"]]


class DagsterDev:
    def __init__(self, home: Path, port: int):
        self.home, self.port = home, port

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/graphql", body,
                                         {"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory):
    home = tmp_path_factory.mktemp("ui-home")
    port = free_port()
    env = {**os.environ, "ROYALEY_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
           "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1"}
    (home / "dagster").mkdir()
    (home / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    dagster = Path(sys.executable).parent / "dagster"
    process = subprocess.Popen(
        [str(dagster), "dev", "-p", str(port), "-h", "127.0.0.1", "-w", str(REPOSITORY / "workspace.yaml")],
        cwd=REPOSITORY, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    server = DagsterDev(home, port)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if server.graphql("{ assetNodes { id } }")["assetNodes"]:
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("dagster dev did not serve the code location within 180 s")
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


ASSET_GRAPH = """{ assetNodes {
    assetKey { path } groupName description kinds
    owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    dependencyKeys { path }
    partitionKeysByDimension { name partitionKeys }
    assetChecksOrError { ... on AssetChecks { checks { name } } }
} }"""


def test_every_asset_is_grouped_by_stage_described_owned_and_kinded(dagster_dev):
    nodes = {"/".join(n["assetKey"]["path"]): n for n in dagster_dev.graphql(ASSET_GRAPH)["assetNodes"]}
    live = {key.to_user_string() for key in LIVE_FEATURE_INPUTS}
    assert set(nodes) == {"raw/games", "raw/odds_snapshots", "raw/weather", "features/game_features",
                          "models/game_outcome_model", "predictions/game_predictions"} | live
    for key, node in nodes.items():
        # the daily collectors are raw tables too, in their own group so the historical job skips them
        assert node["groupName"] == (LIVE_GROUP if key in live else key.split("/")[0])
        assert node["description"] and len(node["description"]) > 20, key
        assert node["owners"] and all(owner.get("team") for owner in node["owners"]), key
        assert node["kinds"], key
    deps = {key: sorted("/".join(d["path"]) for d in node["dependencyKeys"]) for key, node in nodes.items()}
    assert deps["features/game_features"] == sorted(["raw/games", "raw/odds_snapshots", "raw/weather", *live])
    assert deps["models/game_outcome_model"] == ["features/game_features"]
    assert deps["predictions/game_predictions"] == ["features/game_features", "models/game_outcome_model"]
    checks = {c["name"] for c in nodes["raw/games"]["assetChecksOrError"]["checks"]}
    assert checks == {"no_duplicate_games", "scores_non_negative", "both_sides_known"}
    assert {c["name"] for c in nodes["raw/odds_snapshots"]["assetChecksOrError"]["checks"]} == {"lines_within_range"}


def test_partitions_are_sport_by_month_day_and_bet_type(dagster_dev):
    nodes = {"/".join(n["assetKey"]["path"]): n for n in dagster_dev.graphql(ASSET_GRAPH)["assetNodes"]}

    def dimensions(key):
        return {d["name"]: d["partitionKeys"] for d in nodes[key]["partitionKeysByDimension"]}

    model = dimensions("models/game_outcome_model")
    assert model["bet_type"] == ["spread", "moneyline", "total", "match_winner"]
    assert {"NFL", "NBA", "ATP"} <= set(model["sport"])
    raw = dimensions("raw/games")
    assert raw["date"][0] == "1999-09-01" and "2023-09-01" in raw["date"]
    predictions = dimensions("predictions/game_predictions")
    assert predictions["date"][:2] == ["1999-09-01", "1999-09-02"]


def test_schedules_and_the_failure_sensor_are_loaded(dagster_dev):
    data = dagster_dev.graphql("""{ repositoriesOrError { ... on RepositoryConnection { nodes {
        schedules { name cronSchedule executionTimezone }
        sensors { name sensorType sensorState { status } } } } } }""")
    (repository,) = data["repositoriesOrError"]["nodes"]
    schedules = {s["name"]: s["cronSchedule"] for s in repository["schedules"]}
    assert schedules == {"daily_collection_schedule": "0 4 * * *", "daily_predictions_schedule": "0 6 * * *",
                         "weekly_retraining_schedule": "0 2 * * 0"}
    sensors = {sensor["name"]: sensor for sensor in repository["sensors"]}
    assert set(sensors) == {"run_failure_alert", "new_odds_sensor", "features_after_collection_sensor"}
    assert sensors["run_failure_alert"]["sensorType"] == "RUN_STATUS"
    assert sensors["run_failure_alert"]["sensorState"]["status"] == "RUNNING"
    assert sensors["new_odds_sensor"]["sensorType"] == "STANDARD"


def test_a_season_backfill_launched_from_the_ui_is_one_successful_run(dagster_dev):
    launched = dagster_dev.graphql(
        """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
             __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }""",
        {"params": {"partitionNames": SEASON_2023, "assetSelection": [{"path": p} for p in RAW_AND_FEATURES]}},
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    query = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
                 ... on PartitionBackfill { status runs(limit: 20) { status } } } }"""
    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        backfill = dagster_dev.graphql(query, {"id": launched["backfillId"]})["partitionBackfillOrError"]
        if backfill["status"] in ("COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"):
            break
        time.sleep(3)
    assert backfill["status"] == "COMPLETED_SUCCESS", backfill
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"]


def test_the_rest_api_submits_training_through_the_webserver_and_reports_the_failing_step(dagster_dev):
    """With ROYALEY_DAGSTER_GRAPHQL_URL the run is queued by the webserver and launched by its daemon."""
    url = f"http://127.0.0.1:{dagster_dev.port}"
    with running_api(dagster_dev.home, "t0ken", {"ROYALEY_DAGSTER_GRAPHQL_URL": url}) as api:
        status, launched = api.post("/api/v1/models/train", {"sport_code": "NBA", "bet_type": "total"})
        assert status == 202, launched
        done = api.wait_for_run(launched["run_id"], timeout=300)
    assert done["status"] == "failure", done
    assert done["failed_step"] == MODEL_OP
    assert done["error"] == f"no {FEATURE_SET_VERSION} features stored for NBA: materialise features first"
    run = dagster_dev.graphql(
        """query($id: ID!) { runOrError(runId: $id) { ... on Run { jobName status tags { key value } } } }""",
        {"id": launched["run_id"]},
    )["runOrError"]
    assert run["jobName"] == "training_job" and run["status"] == "FAILURE"
    assert {"key": "dagster/partition", "value": "total|NBA"} in run["tags"]
