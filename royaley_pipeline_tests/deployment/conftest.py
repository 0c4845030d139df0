"""The deployment stack without containers: fresh PostgreSQL databases, a real MLflow server on
loopback with a PostgreSQL backend store, and a Dagster home holding docker/dagster.yaml."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from royaley_pipeline_tests.conftest import drop_postgres_database, fresh_postgres_database
from royaley_pipeline_tests.processes import stop_session

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Stack:
    """Where each part of the deployment lives, as the compose file wires it."""

    app_url: str
    dagster_url: str
    mlflow_store_url: str
    mlflow_uri: str
    mlflow_artifacts: Path
    home: Path
    dagster_home: Path

    def environment(self) -> dict[str, str]:
        """The variables the compose file gives the code location and its runs."""
        user_and_host, database = self.dagster_url.split("://", 1)[1].rsplit("/", 1)
        user, host = user_and_host.split("@")
        return {
            "ROYALEY_HOME": str(self.home),
            "ROYALEY_DATABASE_URL": self.app_url,
            "MLFLOW_TRACKING_URI": self.mlflow_uri,
            "DAGSTER_HOME": str(self.dagster_home),
            "DAGSTER_PG_USERNAME": user.split(":")[0],
            "DAGSTER_PG_PASSWORD": user.split(":")[1] if ":" in user else "",
            "DAGSTER_PG_HOST": host.split(":")[0],
            "DAGSTER_PG_DB": database,
            "DAGSTER_COMPUTE_LOGS_DIR": str(self.home / "compute_logs"),
        }


def scalar(url: str, query: str, **parameters):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query), parameters).scalar_one()
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_process(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    """A long-running server in its own process group, output to ``log``."""
    with log.open("wb") as output:
        return subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def run_quietly(command: list[str], environment: dict[str, str], capture: bool = False):
    """Run a command; the CompletedProcess when ``capture``, else whether it exited 0."""
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    return result if capture else result.returncode == 0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until(condition, what: str, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not pass within {timeout:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(1)


def start_mlflow_server(store_url: str, artifacts: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`mlflow server` as the compose file runs it: PostgreSQL store, artifacts served by the server."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--serve-artifacts", "--artifacts-destination", str(artifacts),
    ]
    environment = {**os.environ, "MLFLOW_BACKEND_STORE_URI": store_url}
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:
                if response.status == 200:
                    return server, uri
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise RuntimeError(f"mlflow server did not answer on {uri}:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server we started, with the workers in its own process group."""
    stop_session(process, timeout=20)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Three fresh databases (application, Dagster, MLflow) and an MLflow server on loopback."""
    root = tmp_path_factory.mktemp("stack")
    urls = []
    server = None
    try:
        for _ in range(3):
            urls.append(fresh_postgres_database())
        app_url, dagster_url, mlflow_store_url = urls
        artifacts = root / "mlflow-artifacts"
        server, mlflow_uri = start_mlflow_server(mlflow_store_url, artifacts, root / "mlflow.log")
        dagster_home = root / "dagster_home"
        dagster_home.mkdir()
        shutil.copy(REPOSITORY / "docker" / "dagster.yaml", dagster_home / "dagster.yaml")
        yield Stack(app_url, dagster_url, mlflow_store_url, mlflow_uri, artifacts, root / "royaley", dagster_home)
    finally:
        if server is not None:
            stop(server)
        for url in urls:
            drop_postgres_database(url)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "docker_stack: builds the images and runs the Compose stack on a Docker engine "
        "(`-m 'not docker_stack'` leaves it out; skipped outside CI when no engine answers)",
    )
