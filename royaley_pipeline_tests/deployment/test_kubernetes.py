"""The documented next step (docker/kubernetes/) stays in step with the Compose stack it grows from."""

from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
KUBERNETES = DOCKER / "kubernetes"


def helm_values() -> dict:
    return yaml.safe_load((KUBERNETES / "dagster-values.yaml").read_text())


def test_helm_values_run_the_same_code_location_with_the_k8s_run_launcher():
    values = helm_values()
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "royaley_pipeline.definitions", "-a", "defs"]
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    env = {item["name"]: item["value"] for item in deployment["env"]}
    assert env["ROYALEY_H2O_URL"].startswith("http://h2o.") and env["ROYALEY_H2O_URL"].endswith(":54321")
    assert {"name": "royaley-secrets"} in deployment["envSecrets"]


def test_helm_values_keep_postgres_scheme_and_the_queue_limits_of_the_compose_instance():
    values = helm_values()
    assert values["postgresql"]["enabled"] is False
    assert values["postgresql"]["postgresqlScheme"] == "postgresql+psycopg2"
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    compose = yaml.safe_load((DOCKER / "dagster.yaml").read_text())["run_coordinator"]["config"]

    def limits(entries):
        return sorted((entry["key"], str(entry.get("value")), entry["limit"]) for entry in entries)

    assert limits(queued["tagConcurrencyLimits"]) == limits(compose["tag_concurrency_limits"])


def test_h2o_statefulset_forms_one_cloud_behind_its_headless_service():
    service, statefulset = yaml.safe_load_all((KUBERNETES / "h2o-cluster.yaml").read_text())
    assert service["kind"] == "Service" and service["spec"]["clusterIP"] == "None"
    assert statefulset["kind"] == "StatefulSet" and statefulset["spec"]["serviceName"] == service["metadata"]["name"]
    assert service["spec"]["selector"] == statefulset["spec"]["template"]["metadata"]["labels"]
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["H2O_NODE_EXPECTED_COUNT"] == str(statefulset["spec"]["replicas"])
    assert env["H2O_KUBERNETES_SERVICE_DNS"].startswith(f"{service['metadata']['name']}.")
    # The URL the code location is given is that Service.
    url = {item["name"]: item["value"] for item in helm_values()["dagster-user-deployments"]["deployments"][0]["env"]}
    assert url["ROYALEY_H2O_URL"] == f"http://{env['H2O_KUBERNETES_SERVICE_DNS']}:54321"
    # The nodes run the jar of the user-code image, where the Dockerfile links it.
    assert "/opt/royaley/h2o.jar" in container["command"]
    assert "/opt/royaley/h2o.jar" in (DOCKER / "Dockerfile.user_code").read_text()


def test_api_deployment_runs_the_compose_api_service_against_the_charts_webserver_and_instance():
    service, deployment = yaml.safe_load_all((KUBERNETES / "api.yaml").read_text())
    assert service["spec"]["selector"] == deployment["spec"]["template"]["metadata"]["labels"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    compose = yaml.safe_load((DOCKER / "docker-compose.yml").read_text())["services"]["api"]
    assert container["command"] == compose["command"]
    assert service["spec"]["ports"][0]["port"] == container["ports"][0]["containerPort"] == 8000
    # The image of the release's code location, so API and runs share one version of the code.
    user_code = helm_values()["dagster-user-deployments"]["deployments"][0]["image"]
    assert container["image"] == f"{user_code['repository']}:{user_code['tag']}"
    # The token and database URL come from Secrets, never from the manifest.
    secrets = {source["secretRef"]["name"] for source in container["envFrom"]}
    assert secrets == {"royaley-secrets", "royaley-api-token"}
    env = {item["name"]: item for item in container["env"]}
    assert "ROYALEY_API_TOKEN" not in env and "value" not in env["DAGSTER_PG_PASSWORD"]
    assert env["ROYALEY_DAGSTER_GRAPHQL_URL"]["value"].startswith("http://dagster-dagster-webserver.")
    (mount,) = container["volumeMounts"]
    assert mount["mountPath"] == f"{env['DAGSTER_HOME']['value']}/dagster.yaml"
