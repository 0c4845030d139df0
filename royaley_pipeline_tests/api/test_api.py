"""The REST API over a real uvicorn server: real Dagster runs on the instance, real MLflow versions."""

import subprocess
import sys
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance
from mlflow import MlflowClient

from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.launch import MODEL_OP
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline_tests.api.server import ROYALEY, free_port, running_api
from royaley_pipeline_tests.assets.conftest import Pipeline

TOKEN = "test-token-7f3a"
HISTORY = (date(2014, 9, 1), date(2019, 2, 28))  # NFL seasons 2014-2018
SLATE_DAY = date(2018, 12, 23)
TRAIN = {"sport_code": "NFL", "bet_type": "moneyline", "framework": "sklearn", "max_runtime_seconds": 300}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A pipeline home holding five real NFL seasons of raw data and features."""
    home = tmp_path_factory.mktemp("api-home")
    pipeline = Pipeline(home)
    result = pipeline.run_months("collection_job", "NFL", *HISTORY)
    assert result.success, failure_message(result)
    return home


@pytest.fixture(scope="module")
def api(home):
    with running_api(home, TOKEN) as client:
        yield client


@pytest.fixture(scope="module")
def trained(api, home):
    """Two moneyline versions trained through the API, submitted back to back (the second queues)."""
    first_status, first = api.post("/api/v1/models/train", TRAIN)
    second_status, second = api.post("/api/v1/models/train", {**TRAIN, "max_runtime_seconds": None})
    assert (first_status, second_status) == (202, 202), (first, second)
    assert first["partition_key"] == "moneyline|NFL"
    waiting = api.get(second["status_url"])[1]
    assert waiting["status"] in ("queued", "started", "success"), waiting
    return api.wait_for_run(first["run_id"]), api.wait_for_run(second["run_id"]), waiting


def mlflow_client(home) -> MlflowClient:
    uri = f"sqlite:///{home / 'mlflow.db'}"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def test_a_training_request_becomes_a_dagster_run_that_registers_a_model(trained, home):
    first, second, waiting = trained
    assert waiting["status"] == "queued", "one worker: the second run waits for the first"
    for done in (first, second):
        assert done["status"] == "success", done
        assert done["partition_key"] == "moneyline|NFL" and done["failed_step"] is None
        assert done["model_id"] == f"royaley-nfl-moneyline:{done['model_version']}"
        assert 0.55 < done["metrics"]["model_log_loss"] < 0.7
        assert 0.15 < done["metrics"]["model_brier"] < 0.26
    assert {first["model_version"], second["model_version"]} == {1, 2}
    instance = DagsterInstance.from_config(str(home / "dagster"))
    run = instance.get_run_by_id(first["run_id"])
    assert run.job_name == "training_job" and run.tags["dagster/partition"] == "moneyline|NFL"
    assert (run.tags["royaley/origin"], run.tags["royaley/sport"], run.tags["royaley/bet_type"]) == (
        "api", "NFL", "moneyline")
    assert run.run_config["ops"][MODEL_OP]["config"]["max_runtime_seconds"] == 300
    client = mlflow_client(home)
    champion = client.get_model_version_by_alias("royaley-nfl-moneyline", "champion")
    assert client.get_run(champion.run_id).data.tags["dagster_run_id"] in (first["run_id"], second["run_id"])


def test_models_lists_versions_with_aliases_metrics_window_and_framework(trained, api):
    status, versions = api.get("/api/v1/models?sport_code=nfl&bet_type=moneyline")
    assert status == 200
    assert [v["model_id"] for v in versions] == ["royaley-nfl-moneyline:2", "royaley-nfl-moneyline:1"]
    assert any("champion" in v["aliases"] for v in versions)
    assert "challenger" in versions[0]["aliases"]
    for version in versions:
        assert version["framework"] == "sklearn" and version["mock"] is False
        assert version["data_window"]["first_season"] == 2014  # seasons are ints, as everywhere
        assert version["data_window"]["last_season"] == 2018
        assert not {"champion", "challenger"} <= set(version["aliases"])  # one role per version
        assert version["metrics"]["overall_model_log_loss"] > 0.5
    assert api.get("/api/v1/models?sport_code=NFL&bet_type=spread") == (200, [])
    assert [v["version"] for v in api.get("/api/v1/models?bet_type=moneyline")[1]] == [2, 1]


def test_promote_moves_the_champion_alias_and_records_who_and_why(trained, api, home):
    client = mlflow_client(home)
    before = int(client.get_model_version_by_alias("royaley-nfl-moneyline", "champion").version)
    target = 3 - before
    body = {"reason": "back-test on 2018 favours it", "promoted_by": "alice"}
    status, promoted = api.post(f"/api/v1/models/royaley-nfl-moneyline:{target}/promote", body)
    assert status == 200, promoted
    assert promoted["champion_version"] == target and promoted["previous_champion_version"] == before
    champion = client.get_model_version_by_alias("royaley-nfl-moneyline", "champion")
    assert int(champion.version) == target
    assert champion.tags["promoted_by"] == "alice"
    assert champion.tags["promotion_reason"] == "back-test on 2018 favours it"
    assert champion.current_stage == "Production"
    listed = {v["version"]: v["aliases"] for v in api.get("/api/v1/models?sport_code=NFL")[1]}
    assert "champion" in listed[target] and "champion" not in listed[before]


def test_promote_rejects_bad_ids_and_unknown_versions(trained, api):
    body = {"reason": "r", "promoted_by": "bob"}
    status, error = api.post("/api/v1/models/nfl-moneyline-3/promote", body)
    assert status == 422 and "name:version" in error["detail"]
    status, error = api.post("/api/v1/models/royaley-atp-spread:1/promote", body)
    assert status == 422 and "ATP does not offer bet type 'spread'" in error["detail"]
    status, error = api.post("/api/v1/models/royaley-nfl-moneyline:99/promote", body)
    assert status == 404 and "royaley-nfl-moneyline:99" in error["detail"]
    status, error = api.post("/api/v1/models/royaley-nfl-total:1/promote", body)
    assert status == 404
    assert api.post("/api/v1/models/royaley-nfl-moneyline:1/promote", {"reason": "r", "by": "x"})[0] == 422


def test_promote_without_a_body_records_the_defaults(trained, api, home):
    """The endpoint's original form took no body: it still works, as a manual promotion by the API."""
    client = mlflow_client(home)
    champion = client.get_model_version_by_alias("royaley-nfl-moneyline", "champion").version
    status, promoted = api.post(f"/api/v1/models/royaley-nfl-moneyline:{champion}/promote")
    assert status == 200, promoted
    assert (promoted["promoted_by"], promoted["reason"]) == ("api", "manual promotion")
    tags = client.get_model_version("royaley-nfl-moneyline", champion).tags
    assert (tags["promoted_by"], tags["promotion_reason"]) == ("api", "manual promotion")


def test_a_failing_training_run_reports_the_failing_step_and_its_error(api):
    status, launched = api.post("/api/v1/models/train", {"sport_code": "NBA", "bet_type": "total"})
    assert status == 202
    done = api.wait_for_run(launched["run_id"])
    assert done["status"] == "failure"
    assert done["failed_step"] == MODEL_OP
    assert done["error"] == f"no {FEATURE_SET_VERSION} features stored for NBA: materialise features first"
    assert done["model_id"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**TRAIN, "sport_code": "CURLING"}, "sport_code", "unknown sport 'CURLING'; known sports: NFL"),
        ({**TRAIN, "sport_code": "ATP"}, None, "ATP does not offer bet type 'moneyline'; it offers match_winner"),
        ({**TRAIN, "bet_type": "parlay"}, None, "NFL does not offer bet type 'parlay'"),
        ({**TRAIN, "framework": "tensorflow"}, "framework", "unknown framework 'tensorflow'"),
        ({**TRAIN, "max_runtime_seconds": 0}, "max_runtime_seconds", "greater than or equal to 1"),
        ({**TRAIN, "learning_rate": 0.1}, "learning_rate", "Extra inputs are not permitted"),
        ({"bet_type": "moneyline"}, "sport_code", "Field required"),
    ],
)
def test_train_validation_errors_are_422_with_a_clear_message(api, body, field, message):
    status, error = api.post("/api/v1/models/train", body)
    assert status == 422, error
    (detail,) = error["detail"]
    assert message in detail["msg"]
    if field:
        assert detail["loc"][-1] == field


def test_a_framework_that_cannot_run_here_is_refused_before_any_run(home):
    """A server whose PATH has no `java` cannot train H2O: 422 with the reason, and no run is made."""
    with running_api(home, TOKEN, extra_env={"PATH": str(Path(sys.executable).parent)}) as client:
        status, error = client.post("/api/v1/models/train", {**TRAIN, "framework": "h2o"})
    assert status == 422, error
    assert error["detail"][0]["msg"] == (
        "Value error, H2O needs a Java runtime (java not found on PATH); use --framework sklearn"
    )


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/models/train", TRAIN), ("/api/v1/models/royaley-nfl-moneyline:1/promote", {"reason": "r", "promoted_by": "m"})],
)
def test_mutating_endpoints_need_the_bearer_token(api, path, body, token):
    status, error = api.post(path, body, token=token)
    assert status == 401
    assert "bearer token" in error["detail"]


def test_a_basic_auth_header_is_not_a_bearer_token(api):
    status, _ = api.post("/api/v1/models/train", TRAIN, token=None, headers={"authorization": f"Basic {TOKEN}"})
    assert status == 401


def test_unknown_run_ids_and_runs_that_are_not_training_are_404(api, home):
    status, error = api.get("/api/v1/models/training/0d5e3f7a-0000-4000-8000-000000000000")
    assert status == 404 and "no training run" in error["detail"]
    instance = DagsterInstance.from_config(str(home / "dagster"))
    (collection_run,) = [r for r in instance.get_runs() if r.job_name == "collection_job"]
    assert api.get(f"/api/v1/models/training/{collection_run.run_id}")[0] == 404


def test_reading_needs_no_token_and_bad_filters_are_422(api):
    assert api.get("/api/v1/models", token=None)[0] == 200
    status, error = api.get("/api/v1/models?sport_code=XFL", token=None)
    assert status == 422 and error["detail"].startswith("unknown sport 'XFL'")
    status, error = api.get("/api/v1/models?sport_code=ATP&bet_type=total", token=None)
    assert status == 422 and "ATP does not offer bet type 'total'" in error["detail"]
    status, error = api.get("/api/v1/models?bet_type=parlay", token=None)
    assert status == 422 and error["detail"].startswith("unknown bet type 'parlay'")
    assert api.get("/api/v1/predictions?sport_code=XFL")[0] == 422
    assert api.get("/api/v1/predictions?tier=E")[0] == 422
    assert api.get("/api/v1/predictions?date=2018-13-40")[0] == 422
    assert api.get("/api/v1/predictions?min_edge=abc")[0] == 422


def test_predictions_are_served_with_their_filters(trained, api, home):
    pipeline = Pipeline(home)
    result = pipeline.run_days("predictions_job", "NFL", SLATE_DAY, SLATE_DAY)
    assert result.success, failure_message(result)
    status, slate = api.get(f"/api/v1/predictions?sport_code=NFL&date={SLATE_DAY}")
    assert status == 200
    assert len(slate) == 13  # one moneyline bet per game that Sunday
    assert {row["game_date"] for row in slate} == {str(SLATE_DAY)}
    assert {row["bet_type"] for row in slate} == {"moneyline"}
    champion = int(mlflow_client(home).get_model_version_by_alias("royaley-nfl-moneyline", "champion").version)
    assert {row["model_version"] for row in slate} == {champion}  # an int, as in /models and /models/training
    edges = [row["edge"] for row in slate]
    assert edges == sorted(edges, reverse=True)
    positive = api.get(f"/api/v1/predictions?sport_code=NFL&date={SLATE_DAY}&min_edge=0.0")[1]
    assert positive and all(row["edge"] >= 0 for row in positive) and len(positive) < len(slate)
    for tier in "ABCD":
        tiered = api.get(f"/api/v1/predictions?date={SLATE_DAY}&tier={tier}")[1]
        assert len(tiered) == sum(row["tier"] == tier for row in slate)
    assert api.get("/api/v1/predictions?sport_code=NBA")[1] == []
    assert api.get(f"/api/v1/predictions?date={date(2018, 12, 24)}")[1] == []


def test_the_openapi_schema_and_docs_are_published(api):
    status, schema = api.get("/openapi.json")
    assert status == 200
    assert {"/api/v1/models/train", "/api/v1/models/training/{run_id}", "/api/v1/models",
            "/api/v1/models/{model_id}/promote", "/api/v1/predictions"} <= set(schema["paths"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    with urllib.request.urlopen(f"{api.base_url}/docs", timeout=30) as response:
        assert response.status == 200 and "swagger-ui" in response.read().decode().lower()


def test_without_a_token_a_loopback_server_is_open_and_an_unreachable_webserver_is_503(tmp_path):
    with running_api(tmp_path, None, {"ROYALEY_DAGSTER_GRAPHQL_URL": f"http://127.0.0.1:{free_port()}"}) as api:
        status, error = api.post("/api/v1/models/royaley-nfl-total:1/promote", {"reason": "r", "promoted_by": "m"})
        assert status == 404, error  # reached the registry: no token asked for on loopback
        status, error = api.post("/api/v1/models/train", TRAIN)
        assert status == 503 and "the Dagster webserver did not accept the run" in error["detail"]


def test_the_server_refuses_an_open_api_on_a_reachable_address(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "ROYALEY_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster")}
    done = subprocess.run([str(ROYALEY), "api", "--host", "0.0.0.0", "--port", "0"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "refusing to serve on 0.0.0.0: set ROYALEY_API_TOKEN" in done.stdout


def test_every_dagster_run_status_has_an_api_status():
    from dagster import DagsterRunStatus

    from royaley_pipeline.api.launching import _STATUS_NAMES
    from royaley_pipeline.api.schemas import TrainingStatusResponse

    assert set(_STATUS_NAMES) == set(DagsterRunStatus)
    allowed = set(TrainingStatusResponse.model_fields["status"].annotation.__args__)
    assert set(_STATUS_NAMES.values()) <= allowed
