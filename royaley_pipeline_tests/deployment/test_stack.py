"""The Compose stack built and run for real on a Docker engine.

Both images are built from the repository, `docker-compose up` starts the seven services and every
health check must pass; then, as an operator would: one NFL season ingested and one sklearn model
trained through `docker-compose run`, a second season submitted to the webserver over GraphQL
and launched by the daemon in its own container, a training request sent to the REST API
service (another launched run), and the results read back from PostgreSQL and MLflow. The stack
is removed with its volumes at the end, whatever happened.

Each phase is timed; the table is printed at the end (the README's numbers come from it).
Skipped only outside CI when no Docker engine answers; in CI (CI=true) that is a failure.
Uses the fixed names of docker-compose.yml (network `royaley`, volume `royaley_data`): do not run
it on a host whose own stack is up.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import date

import pytest
from dagster._core.storage.tags import DOCKER_IMAGE_TAG
from dagster_docker.docker_run_launcher import DOCKER_CONTAINER_ID_TAG
from mlflow import MlflowClient

from royaley_pipeline.launch import COLLECTION_JOB, range_tags
from royaley_pipeline_tests.deployment.conftest import REPOSITORY, free_port
from royaley_pipeline_tests.deployment.test_compose import COMPOSE_FILE, SERVICES, docker_compose

pytestmark = pytest.mark.docker_stack

PROJECT = "royaley_stack_test"
TAG = "stack-test"
IMAGES = {"user-code": "docker/Dockerfile.user_code", "dagster": "docker/Dockerfile.dagster"}
BASE_IMAGES = ("python:3.11-slim-bookworm", "postgres:16-bookworm")
INGESTED_SEASON = ("2022-09-01", "2023-02-28")  # NFL 2022, through `compose run`
LAUNCHED_SEASON = (date(2023, 9, 1), date(2024, 2, 29))  # NFL 2023, a run the daemon launches
MODEL_NAME = "royaley-nfl-moneyline"
HEALTHY_WITHIN = 600
RUN_WITHIN = 900


def docker_engine() -> str:
    docker = shutil.which("docker")
    answered = docker is not None and subprocess.run(
        [docker, "info"], capture_output=True, timeout=60
    ).returncode == 0
    if not answered:
        reason = "no Docker engine answers `docker info`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: .ci/run installs Debian's docker.io and starts dockerd")
        pytest.skip(f"{reason} (apt-get install docker.io docker-compose; start dockerd)")
    return docker


class Phases:
    """Wall-clock time of each phase, printed as a table at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str]] = []

    @contextmanager
    def timed(self, name: str):
        notes: list[str] = []
        started = time.monotonic()
        try:
            yield notes
        finally:
            self.rows.append((name, time.monotonic() - started, "; ".join(notes)))

    def table(self) -> str:
        width = max(len(name) for name, _, _ in self.rows)
        lines = [f"{'phase':<{width}}  {'seconds':>8}  notes", "-" * (width + 30)]
        lines += [f"{name:<{width}}  {seconds:8.1f}  {note}" for name, seconds, note in self.rows]
        return "\n".join(lines)


class Stack:
    """docker-compose on docker/docker-compose.yml with a throw-away env file and free ports."""

    def __init__(self, docker: str, env_file, ports: dict[str, int]) -> None:
        self.docker = docker
        self.compose = [docker_compose(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "-p", PROJECT]
        self.ports = ports

    def run(self, *arguments: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([*self.compose, *arguments], cwd=REPOSITORY, capture_output=True, text=True,
                                timeout=timeout)
        if check:
            assert result.returncode == 0, f"docker-compose {' '.join(arguments)}:\n{result.stdout[-4000:]}\n" \
                                           f"{result.stderr[-4000:]}"
        return result

    def health(self) -> dict[str, str]:
        """Each service's container health: healthy, starting, unhealthy (or the state if it has none)."""
        states = {}
        for service in SERVICES:
            container = self.run("ps", "-q", service).stdout.strip()
            if not container:
                states[service] = "absent"
                continue
            inspected = subprocess.run(
                [self.docker, "inspect", "-f", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}"
                                               "{{end}}", container],
                capture_output=True, text=True, timeout=60,
            ).stdout.split()
            states[service] = inspected[-1] if inspected else "absent"
        return states

    def sql(self, database: str, query: str) -> str:
        """One value from psql inside the postgres service (its port is not published)."""
        return self.run("exec", "-T", "postgres", "psql", "-U", "postgres", "-d", database, "-tAc", query,
                        timeout=60).stdout.strip()

    def logs(self) -> str:
        return self.run("logs", "--no-color", "--tail", "60", timeout=120, check=False).stdout[-12000:]


def write_env_file(path, ports: dict[str, int]) -> str:
    token = secrets.token_hex(24)
    values = {
        "POSTGRES_PASSWORD": secrets.token_hex(24),
        "ROYALEY_DB_PASSWORD": secrets.token_hex(24),
        "DAGSTER_PG_PASSWORD": secrets.token_hex(24),
        "MLFLOW_DB_PASSWORD": secrets.token_hex(24),
        "ROYALEY_API_TOKEN": token,
        "DOCKER_GID": str(os.stat("/var/run/docker.sock").st_gid),
        "ROYALEY_IMAGE_TAG": TAG,
        "DAGSTER_UI_PORT": str(ports["ui"]),
        "MLFLOW_UI_PORT": str(ports["mlflow"]),
        "API_PORT": str(ports["api"]),
        "H2O_MEMORY": "1g",
        "ROYALEY_SCHEDULED_SPORTS": "NFL",
    }
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return token


def build(docker: str, image: str, dockerfile: str) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run([docker, "build", "-f", dockerfile, "-t", f"royaley-{image}:{TAG}", "."],
                            cwd=REPOSITORY, capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"building {dockerfile} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    size = int(subprocess.run([docker, "image", "inspect", "-f", "{{.Size}}", f"royaley-{image}:{TAG}"],
                              capture_output=True, text=True, check=True).stdout)
    return seconds, f"{size / 1e9:.2f} GB"


def http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict | list]:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_for(condition, what: str, timeout: float, stack: Stack):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s:\n{stack.logs()}")
        time.sleep(3)


def launched_run_outcome(stack: Stack, run_id: str) -> str | None:
    status = stack.sql("dagster", f"SELECT status FROM runs WHERE run_id = '{run_id}'")
    return status if status in ("SUCCESS", "FAILURE", "CANCELED") else None


def container_of(stack: Stack, run_id: str) -> str:
    """The container the DockerRunLauncher started for the run (the tag it writes on the run)."""
    return stack.sql("dagster", f"SELECT value FROM run_tags WHERE run_id = '{run_id}' "
                                f"AND key = '{DOCKER_CONTAINER_ID_TAG}'")


def test_the_compose_stack_builds_starts_and_runs_the_pipeline(tmp_path, capsys):
    docker = docker_engine()
    missing = [image for image in BASE_IMAGES
               if subprocess.run([docker, "image", "inspect", image], capture_output=True).returncode != 0
               and subprocess.run([docker, "pull", image], capture_output=True, timeout=300).returncode != 0]
    assert not missing, (f"base images {missing} are neither present nor pullable: .ci/run builds stand-ins "
                         "with ../shared/tools/offline-base-images.sh")
    ports = {"ui": free_port(), "mlflow": free_port(), "api": free_port()}
    env_file = tmp_path / "stack.env"
    token = write_env_file(env_file, ports)
    stack = Stack(docker, env_file, ports)
    phases = Phases()
    try:
        for image, dockerfile in IMAGES.items():
            with phases.timed(f"build {image} image") as notes:
                seconds, size = build(docker, image, dockerfile)
                notes.append(size)

        with phases.timed("up -d → every service healthy") as notes:
            started = stack.run("up", "-d", "--no-build", timeout=600, check=False)
            assert started.returncode == 0, f"{started.stderr[-3000:]}\n{stack.logs()}"
            wait_for(lambda: set(stack.health().values()) == {"healthy"}, "every service healthy", HEALTHY_WITHIN,
                     stack)
            notes.append(f"{len(SERVICES)} services")

        with phases.timed("ingest NFL 2022 (compose run)") as notes:
            stack.run("run", "--rm", "user_code", "royaley", "ingest", "--sport", "NFL",
                      "--start", INGESTED_SEASON[0], "--end", INGESTED_SEASON[1])
            notes.append(f"{stack.sql('royaley', 'SELECT count(*) FROM games')} games")

        with phases.timed("season backfill NFL 2023 (launched run)") as notes:
            from dagster_graphql import DagsterGraphQLClient

            client = DagsterGraphQLClient("127.0.0.1", port_number=ports["ui"], timeout=60)
            backfill_run = client.submit_job_execution(
                COLLECTION_JOB, tags=range_tags(COLLECTION_JOB, "NFL", *LAUNCHED_SEASON))
            outcome = wait_for(lambda: launched_run_outcome(stack, backfill_run), "the backfill run to finish",
                               RUN_WITHIN, stack)
            assert outcome == "SUCCESS", stack.logs()
            notes.append(f"{stack.sql('royaley', 'SELECT count(*) FROM games')} games in all")
        # The daemon started the run in a container of the user-code image, not in its own process.
        assert container_of(stack, backfill_run), "the run carries no docker/container_id tag"
        assert stack.sql("dagster", f"SELECT value FROM run_tags WHERE run_id = '{backfill_run}' "
                                    f"AND key = '{DOCKER_IMAGE_TAG}'") == f"royaley-user-code:{TAG}"

        with phases.timed("train sklearn NFL moneyline (compose run)"):
            stack.run("run", "--rm", "user_code", "royaley", "train", "--sport", "NFL", "--bet-type", "moneyline",
                      "--framework", "sklearn")

        api = f"http://127.0.0.1:{ports['api']}/api/v1"
        request = {"sport_code": "NFL", "bet_type": "moneyline", "framework": "sklearn"}
        status, body = http("POST", f"{api}/models/train", request)
        assert status == 401, body  # the token from the env file is required
        with phases.timed("train via the API service (launched run)"):
            status, body = http("POST", f"{api}/models/train", request, token=token)
            assert status == 202, body
            training_run = body["run_id"]

            def finished():
                state = http("GET", f"{api}/models/training/{training_run}")[1]
                return state if state.get("status") in ("success", "failure") else None

            trained = wait_for(finished, "the API's training run to finish", RUN_WITHIN, stack)
        assert trained["status"] == "success", trained
        assert container_of(stack, training_run), "the training run was not launched in a container"

        with phases.timed("read back: PostgreSQL, MLflow, API"):
            status, versions = http("GET", f"{api}/models?sport_code=NFL&bet_type=moneyline")
            assert status == 200 and len(versions) == 2, versions
            assert trained["model_id"] in {version["model_id"] for version in versions}
            mlflow = MlflowClient(tracking_uri=f"http://127.0.0.1:{ports['mlflow']}",
                                  registry_uri=f"http://127.0.0.1:{ports['mlflow']}")
            assert len(mlflow.search_model_versions(f"name = '{MODEL_NAME}'")) == 2
            champion = mlflow.get_model_version_by_alias(MODEL_NAME, "champion")
            assert champion.source and mlflow.get_run(champion.run_id).info.status == "FINISHED"
            assert stack.sql("mlflow", f"SELECT count(*) FROM model_versions WHERE name = '{MODEL_NAME}'") == "2"
            seasons = stack.sql("royaley", "SELECT string_agg(DISTINCT season::text, ',' ORDER BY season::text) "
                                           "FROM games JOIN sports ON sports.id = games.sport_id "
                                           "WHERE sports.code = 'NFL'")
            assert seasons == "2022,2023", seasons
            assert int(stack.sql("royaley", "SELECT count(*) FROM features")) > 500
            assert stack.sql("dagster", "SELECT count(*) FROM runs WHERE status = 'SUCCESS'") == "4"
    finally:
        with phases.timed("down -v"):
            stack.run("down", "-v", "--remove-orphans", timeout=300, check=False)
        with capsys.disabled():
            print(f"\nCompose stack phases (docker/docker-compose.yml, project {PROJECT}):\n{phases.table()}")
