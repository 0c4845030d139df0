"""`royaley api` as a real uvicorn server on a free loopback port, for the API tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from royaley_pipeline_tests.processes import stop_session

ROYALEY = Path(sys.executable).parent / "royaley"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ApiClient:
    """Plain HTTP over loopback (urllib), so the tests exercise exactly what curl would."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.token = token

    def request(self, method: str, path: str, body=None, token: str | None = "default", headers=None):
        token = self.token if token == "default" else token
        all_headers = {"content-type": "application/json", **(headers or {})}
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data, all_headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def wait_for_run(self, run_id: str, timeout: float = 240) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.get(f"/api/v1/models/training/{run_id}")
            assert status == 200, body
            if body["status"] in ("success", "failure", "canceled"):
                return body
            time.sleep(1)
        raise AssertionError(f"training run {run_id} did not finish within {timeout} s: {body}")


@contextmanager
def running_api(home: Path, token: str | None = None, extra_env: dict[str, str] | None = None):
    """Start `royaley api` on a free port with ROYALEY_HOME=home; stop it (and its children) after."""
    port = free_port()
    env = {**os.environ, "ROYALEY_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"), **(extra_env or {})}
    env.pop("ROYALEY_API_TOKEN", None)
    if token:
        env["ROYALEY_API_TOKEN"] = token
    log = open(home / f"api-{port}.log", "w")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [str(ROYALEY), "api", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    client = ApiClient(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if client.get("/openapi.json")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"royaley api did not start: {(home / f'api-{port}.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield client
    finally:
        stop_session(process)
        log.close()
