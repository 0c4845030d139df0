"""docker/docker-compose.yml validates with docker-compose and has the stack's shape."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
DOCKER = REPOSITORY / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
SERVICES = {"postgres", "user_code", "dagster_webserver", "dagster_daemon", "mlflow", "h2o", "api"}
SECRETS = ("POSTGRES_PASSWORD", "ROYALEY_DB_PASSWORD", "DAGSTER_PG_PASSWORD", "MLFLOW_DB_PASSWORD",
           "ROYALEY_API_TOKEN")


def docker_compose() -> str:
    """Debian's docker-compose 1.29 (installed by .ci/run); in CI its absence is a failure."""
    path = shutil.which("docker-compose")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is not installed: .ci/run installs Debian's docker-compose package")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    return path


def compose_config(*env_file: Path) -> subprocess.CompletedProcess:
    arguments = [docker_compose()]
    for path in env_file:
        arguments += ["--env-file", str(path)]
    environment = {name: value for name, value in os.environ.items() if name not in SECRETS}
    return subprocess.run(
        [*arguments, "-f", str(COMPOSE_FILE), "config"],
        cwd=REPOSITORY, env=environment, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def resolved() -> dict:
    """The file as docker-compose resolves it with the example .env."""
    result = compose_config(ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_validates_with_the_example_env(resolved):
    assert set(resolved["services"]) == SERVICES


def test_compose_refuses_to_start_without_the_secrets():
    """No .env, no stack: a missing password is an error naming it, never an empty password."""
    result = compose_config()
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in docker/.env" in result.stderr


def test_every_long_running_service_has_a_health_check(resolved):
    for name, service in resolved["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test"), f"{name} has no health check"
        assert not check.get("disable", False), name


def test_services_start_after_what_they_need_is_healthy(resolved):
    services = resolved["services"]
    expectations = {
        "user_code": {"postgres", "mlflow"},
        "dagster_webserver": {"postgres", "user_code"},
        "dagster_daemon": {"postgres", "user_code"},
        "mlflow": {"postgres"},
        "api": {"postgres", "mlflow", "dagster_webserver"},
    }
    for name, needed in expectations.items():
        depends_on = services[name]["depends_on"]
        assert set(depends_on) == needed, name
        assert all(depends_on[dependency]["condition"] == "service_healthy" for dependency in needed), name


def test_state_lives_in_named_volumes(resolved):
    assert {"postgres_data", "mlflow_artifacts", "royaley_data"} <= set(resolved["volumes"])
    mounts = {name: [str(volume) for volume in service.get("volumes", [])]
              for name, service in resolved["services"].items()}
    assert any("postgres_data" in m and "/var/lib/postgresql/data" in m for m in mounts["postgres"])
    assert any("mlflow_artifacts" in m for m in mounts["mlflow"])
    assert any("royaley_data" in m and "/var/lib/royaley" in m for m in mounts["user_code"])


def test_secrets_come_from_the_env_file_and_are_not_in_the_compose_file(resolved):
    raw = COMPOSE_FILE.read_text()
    example = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if line and not line.startswith("#")
    )
    for secret in SECRETS:
        assert f"${{{secret}:?" in raw, f"{secret} must be required from .env"
        assert example[secret] not in raw, f"the example value of {secret} leaked into the compose file"
    services = resolved["services"]
    # The resolved file carries the example's values: they did come from the env file.
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == example["POSTGRES_PASSWORD"]
    assert example["ROYALEY_DB_PASSWORD"] in services["user_code"]["environment"]["ROYALEY_DATABASE_URL"]
    assert example["MLFLOW_DB_PASSWORD"] in services["mlflow"]["environment"]["MLFLOW_BACKEND_STORE_URI"]
    assert not any(example["MLFLOW_DB_PASSWORD"] in str(part) for part in services["mlflow"]["command"])


def test_env_file_is_ignored_by_git():
    patterns = {line.strip() for line in (REPOSITORY / ".gitignore").read_text().splitlines()}
    assert patterns & {".env", "docker/.env", "/docker/.env"}, "docker/.env must be git-ignored"
    ignored_in_context = (REPOSITORY / ".dockerignore").read_text().splitlines()
    assert "!docker/.env" not in ignored_in_context, "secrets must not reach the image build context"


def test_the_stack_wires_dagster_mlflow_and_h2o_together(resolved):
    services = resolved["services"]
    code = services["user_code"]["environment"]
    daemon = services["dagster_daemon"]["environment"]
    assert code["ROYALEY_DATABASE_URL"].startswith("postgresql+psycopg2://royaley:")
    assert code["ROYALEY_DATABASE_URL"].endswith("@postgres:5432/royaley")
    assert code["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert code["ROYALEY_H2O_URL"] == "http://h2o:54321"
    assert code["DAGSTER_CURRENT_IMAGE"] == services["user_code"]["image"]
    assert services["mlflow"]["environment"]["MLFLOW_BACKEND_STORE_URI"].startswith("postgresql+psycopg2://")
    assert "--serve-artifacts" in services["mlflow"]["command"]
    # The daemon hands these to every run container: it must hold each one the launcher names.
    launcher = yaml.safe_load((DOCKER / "dagster.yaml").read_text())["run_launcher"]["config"]
    assert set(launcher["env_vars"]) <= set(daemon)
    assert launcher["network"] in resolved["networks"] and resolved["networks"]["royaley"]["name"] == "royaley"
    shared_volume = launcher["container_kwargs"]["volumes"][0].split(":")[0]
    assert resolved["volumes"][shared_volume]["name"] == shared_volume
    # The REST API serves the code location's stores and hands training runs to the webserver's queue.
    api = services["api"]
    assert api["image"] == services["user_code"]["image"]
    assert api["command"][:2] == ["royaley", "api"] and "0.0.0.0" in api["command"]
    assert api["environment"]["ROYALEY_DAGSTER_GRAPHQL_URL"] == "http://dagster_webserver:3000"
    assert api["environment"]["ROYALEY_DATABASE_URL"] == code["ROYALEY_DATABASE_URL"]
    # The UI, MLflow and H2O have no login: nothing is published beyond the host's loopback.
    for name, service in services.items():
        for port in service.get("ports", []):
            # docker-compose 1.29 prints "127.0.0.1:3000:3000"; the v2 plugin a mapping with host_ip.
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"


def test_postgres_init_script_creates_one_database_per_consumer():
    script = (DOCKER / "postgres" / "init-databases.sh").read_text()
    for database, secret in (("royaley", "ROYALEY_DB_PASSWORD"), ("dagster", "DAGSTER_PG_PASSWORD"),
                             ("mlflow", "MLFLOW_DB_PASSWORD")):
        assert f'create_owned_database {database} "${secret}"' in script
    result = subprocess.run(["bash", "-n", str(DOCKER / "postgres" / "init-databases.sh")], capture_output=True)
    assert result.returncode == 0, result.stderr
