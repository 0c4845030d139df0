"""The Dagster UI after `make ui`: `dagster dev` on a small populated home, read and driven over the
GraphQL API the UI itself uses and in a real browser. One dagster dev process (and one MLflow UI)
serves every test in this module: the asset graph, partitions, schedules and sensor are there; a
season backfill launched the way the Materialize dialog does runs as a single run; the REST API
submits training runs through the webserver; headless Chromium sees the graph, a model's evidence,
the backfill dialog and the MLflow model page (screenshots in each test's temporary folder)."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from royaley_pipeline.assets.live import LIVE_FEATURE_INPUTS, LIVE_GROUP
from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.launch import MODEL_OP
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline_tests.api.server import free_port, running_api
from royaley_pipeline_tests.assets.conftest import Pipeline
from royaley_pipeline_tests.browser import browser_page
from royaley_pipeline_tests.processes import stop_session

REPOSITORY = Path(__file__).resolve().parents[1]
SEASON_2023 = ["2023-09-01|NFL", "2023-10-01|NFL", "2023-11-01|NFL", "2023-12-01|NFL", "2024-01-01|NFL",
               "2024-02-01|NFL"]
RAW_AND_FEATURES = [["raw", "games"], ["raw", "odds_snapshots"], ["raw", "weather"], ["features", "game_features"]]


# What the home holds before the UI starts: two NFL seasons, a trained moneyline model (logistic,
# without the search, to keep it quick) and one day of predictions.
POPULATED_MONTHS = (date(2021, 9, 1), date(2023, 2, 28))
PREDICTED_DAY = date(2023, 1, 8)
LOCATION = "royaley_pipeline.definitions:defs"  # workspace.yaml's code location, as the UI names it


class DagsterDev:
    def __init__(self, home: Path, port: int, mlflow_url: str):
        self.home, self.port, self.mlflow_url = home, port, mlflow_url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/graphql", body,
                                         {"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


def populate(home: Path, links: dict[str, str]) -> None:
    pipeline = Pipeline(home, links)
    result = pipeline.run_months("collection_job", "NFL", *POPULATED_MONTHS)
    assert result.success, failure_message(result)
    result = pipeline.train("NFL", "moneyline", search=False)  # a real model: a mock is never champion
    assert result.success, failure_message(result)
    result = pipeline.run_days("predictions_job", "NFL", PREDICTED_DAY, PREDICTED_DAY)
    assert result.success, failure_message(result)


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=REPOSITORY, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """The server and everything it started (its session): SIGTERM, then SIGKILL after 60 s."""
    stop_session(process)


def wait_until(ready, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"{what} did not answer within {timeout:.0f} s")


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory):
    home = tmp_path_factory.mktemp("ui-home")
    port, mlflow_port = free_port(), free_port()
    # Each UI links to the other: Dagster metadata to MLflow runs and versions, MLflow runs back.
    links = {"ROYALEY_MLFLOW_UI_URL": f"http://127.0.0.1:{mlflow_port}", "ROYALEY_DAGSTER_UI_URL": f"http://127.0.0.1:{port}"}
    env = {**os.environ, **links, "ROYALEY_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
           "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1"}
    (home / "dagster").mkdir()
    (home / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    populate(home, links)
    bin_folder = Path(sys.executable).parent
    # The MLflow UI as `mlflow server` serves it; without its GenAI job workers (seven processes).
    mlflow = start([str(bin_folder / "mlflow"), "server", "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
                    "--host", "127.0.0.1", "--port", str(mlflow_port), "--workers", "1"],
                   {**env, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})
    dagster = start([str(bin_folder / "dagster"), "dev", "-p", str(port), "-h", "127.0.0.1", "-w",
                     str(REPOSITORY / "workspace.yaml")], env)
    server = DagsterDev(home, port, links["ROYALEY_MLFLOW_UI_URL"])
    try:
        wait_until(lambda: server.graphql("{ assetNodes { id } }")["assetNodes"], "dagster dev")
        wait_until(lambda: urllib.request.urlopen(server.mlflow_url, timeout=5).status == 200, "mlflow server")
        yield server
    finally:
        stop(dagster)
        stop(mlflow)


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
                          "models/game_outcome_model", "predictions/game_predictions",
                          "settlements/game_settlements"} | live
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


def test_partitions_are_sport_by_month_day_and_the_models_that_exist(dagster_dev):
    nodes = {"/".join(n["assetKey"]["path"]): n for n in dagster_dev.graphql(ASSET_GRAPH)["assetNodes"]}

    def dimensions(key):
        return {d["name"]: d["partitionKeys"] for d in nodes[key]["partitionKeysByDimension"]}

    (model_keys,) = dimensions("models/game_outcome_model").values()  # one static dimension
    assert {"spread|NFL", "moneyline|NFL", "total|NFL", "moneyline|NBA", "match_winner|ATP"} <= set(model_keys)
    assert "match_winner|NFL" not in model_keys and "moneyline|ATP" not in model_keys
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
    assert set(sensors) == {"run_failure_alert", "new_odds_sensor", "features_after_collection_sensor",
                            "settlement_after_collection_sensor"}
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


# ------------------------------------------------------------------------------------ in a browser


def dagster_page(page, dagster_dev, path: str):
    """Open a Dagster UI page; the one-off "Join the Dagster community" prompt is skipped if it shows."""
    page.add_locator_handler(page.get_by_text("Join the Dagster community"),
                             lambda: page.get_by_role("button", name="Skip").click())
    page.goto(dagster_dev.url + path)
    return page


def test_the_asset_graph_shows_five_groups_and_collector_nodes_named_by_their_source(dagster_dev, tmp_path):
    with browser_page(height=2400) as page:  # tall enough for the eight collector nodes stacked
        dagster_page(page, dagster_dev, "/asset-groups")
        for group in ("collectors", "features", "models", "predictions", "raw"):
            page.get_by_text(group, exact=True).first.wait_for()
        page.screenshot(path=str(tmp_path / "asset_graph_groups.png"))
        page.goto(f"{dagster_dev.url}/locations/{LOCATION}/asset-groups/{LIVE_GROUP}")
        for node in ("espn_games", "espn_injuries", "the_odds_api_odds_snapshots", "pinnacle_odds_snapshots",
                     "open_meteo_weather", "nflverse_games", "sackmann_matches", "thesportsdb_events"):
            page.get_by_text(node, exact=True).first.wait_for(state="attached")
        page.screenshot(path=str(tmp_path / "asset_graph_collectors.png"))
        for repeated in ("games", "odds_snapshots", "weather"):  # the raw group's node names
            assert page.get_by_text(repeated, exact=True).count() == 0, repeated


def test_the_model_page_shows_the_champions_the_reliability_plot_and_links_to_mlflow(dagster_dev, tmp_path):
    with browser_page(height=1400) as page:
        dagster_page(page, dagster_dev, "/assets/models/game_outcome_model")
        champions = page.locator("tr", has_text="champions").first
        champions.get_by_text("royaley-nfl-moneyline").first.wait_for()
        text = champions.inner_text()
        assert "walk-forward seasons" in text and "market log loss" in text and "2022" in text, text
        page.screenshot(path=str(tmp_path / "model_overview.png"))
        for plot in ("reliability_diagram", "season_log_loss"):
            page.get_by_placeholder("Filter metadata keys").fill(f"plot_{plot}")
            image = page.locator(f"img[src*='{plot}.png']")
            image.wait_for()
            page.wait_for_function("image => image.complete && image.naturalWidth > 300", arg=image.element_handle())
            assert image.get_attribute("src").startswith(f"{dagster_dev.mlflow_url}/get-artifact?")
            page.screenshot(path=str(tmp_path / f"model_{plot}.png"))
        page.get_by_placeholder("Filter metadata keys").fill("mlflow_model_version")
        link = page.locator(f"a[href='{dagster_dev.mlflow_url}/#/models/royaley-nfl-moneyline/versions/1']")
        link.first.wait_for()
        page.get_by_placeholder("Filter metadata keys").fill("")
        page.get_by_role("tab", name="Checks").click()
        # The list truncates long names in the middle; the full name is in the page.
        page.get_by_text("walk_forward_within_market_band").first.wait_for(state="attached")
        page.screenshot(path=str(tmp_path / "model_checks.png"))


def test_the_backfill_dialog_offers_the_season_as_one_range(dagster_dev, tmp_path):
    """The dialog the README's season backfill goes through, up to (not including) the launch."""
    with browser_page() as page:
        dagster_page(page, dagster_dev, "/assets/raw/games")
        page.get_by_role("button", name="Materialize…").first.click()
        # raw/games is written with odds and weather in one transaction: the UI says so first.
        page.get_by_text("Additional assets will be materialized").wait_for()
        page.get_by_role("button", name="Confirm").click()
        dialog = page.locator(".dagster-dialog")
        dialog.get_by_text(re.compile(r"Launch runs to materialize \d+ assets")).first.wait_for()
        dates = dialog.get_by_placeholder("ex: 1999-09-01", exact=False)
        dates.fill("[2023-09-01...2024-02-01]")
        dates.press("Enter")
        dialog.get_by_text("Select a partition or create one").click()
        page.keyboard.type("NFL")
        page.locator(".dagster-popover span", has_text="NFL").last.click()
        page.keyboard.press("Escape")
        dialog.get_by_text("6 partitions").wait_for()  # September to February, NFL
        assert dialog.get_by_role("button", name="Launch backfill").is_enabled()
        page.screenshot(path=str(tmp_path / "backfill_dialog.png"))


def test_the_mlflow_model_page_shows_the_description_aliases_and_the_dagster_run(dagster_dev, tmp_path):
    with browser_page() as page:
        page.goto(f"{dagster_dev.mlflow_url}/#/models/royaley-nfl-moneyline")
        page.get_by_text("Royaley NFL moneyline model").first.wait_for()
        page.get_by_text("@ champion").first.wait_for()
        assert page.get_by_text("@ challenger").count() == 0  # one role per version
        page.screenshot(path=str(tmp_path / "mlflow_model.png"))
        page.goto(f"{dagster_dev.mlflow_url}/#/models/royaley-nfl-moneyline/versions/1")
        page.get_by_text("Trained on seasons 2021–2022").first.wait_for()  # the data window
        page.get_by_text("vs closing market").first.wait_for()  # walk-forward scores against the market
        page.locator(f"a[href^='{dagster_dev.url}/runs/']").first.wait_for()  # back to the Dagster run
        page.screenshot(path=str(tmp_path / "mlflow_version.png"))
