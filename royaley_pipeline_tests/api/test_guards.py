"""The API's guards against hostile callers, on a real uvicorn server over loopback."""

import http.client
import json
import re
import subprocess
import threading
import time

import pytest
from dagster import DagsterInstance

from royaley_pipeline.api.launching import InProcessLauncher, QueueFullError, TrainingRequest
from royaley_pipeline_tests.api.server import ROYALEY, running_api

TRAIN = {"sport_code": "NFL", "bet_type": "moneyline", "framework": "sklearn"}


def raw_request(api, method, path, body: bytes = b"", headers=None, chunked=False):
    """One request with full control of the headers (urllib would fix Host and Content-Length)."""
    host, port = api.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        if chunked:
            connection.putrequest(method, path)
            for name, value in {"content-type": "application/json", "transfer-encoding": "chunked",
                                **(headers or {})}.items():
                connection.putheader(name, value)
            connection.endheaders()
            for start in range(0, len(body), 65536):
                piece = body[start:start + 65536]
                try:
                    connection.send(b"%x\r\n%s\r\n" % (len(piece), piece))
                except (BrokenPipeError, ConnectionResetError):
                    break
            else:
                connection.send(b"0\r\n\r\n")
        else:
            connection.request(method, path, body, {"content-type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def open_api(tmp_path_factory):
    """A tokenless server: loopback only, POSTs open to local callers."""
    with running_api(tmp_path_factory.mktemp("open-api"), None,
                     {"ROYALEY_API_MAX_QUEUED_TRAININGS": "1"}) as api:
        yield api


def test_a_tokenless_server_answers_only_to_loopback_host_names(open_api):
    for host in ("127.0.0.1", "localhost"):
        status, _, _ = raw_request(open_api, "GET", "/api/v1/models", headers={"Host": host})
        assert status == 200, host
    # A DNS-rebinding page reaches 127.0.0.1 under its own name: refused before any route runs.
    status, _, body = raw_request(open_api, "POST", "/api/v1/models/royaley-nfl-moneyline:1/promote",
                                  b"{}", headers={"Host": "attacker.example"})
    assert status == 400 and b"Invalid host header" in body


def test_configured_host_names_are_accepted(tmp_path):
    with running_api(tmp_path, None, {"ROYALEY_API_ALLOWED_HOSTS": "royaley.internal, 127.0.0.1"}) as api:
        assert raw_request(api, "GET", "/api/v1/models", headers={"Host": "royaley.internal"})[0] == 200
        assert raw_request(api, "GET", "/api/v1/models", headers={"Host": "localhost"})[0] == 400


def test_a_large_body_is_413_without_being_read_or_echoed(open_api):
    huge = json.dumps({**TRAIN, "sport_code": "N" * 20_000_000}).encode()
    status, _, body = raw_request(open_api, "POST", "/api/v1/models/train", huge)
    assert status == 413 and len(body) < 200 and b"NNNN" not in body
    status, _, body = raw_request(open_api, "POST", "/api/v1/models/train", huge, chunked=True)
    assert status == 413 and b"NNNN" not in body


def test_a_validation_error_names_the_field_but_never_echoes_the_value(open_api):
    status, _, body = raw_request(open_api, "POST", "/api/v1/models/train",
                                  json.dumps({**TRAIN, "sport_code": "Q" * 5000}).encode())
    assert status == 422
    detail = json.loads(body)["detail"]
    assert detail[0]["loc"] == ["body", "sport_code"] and "at most 16 characters" in detail[0]["msg"]
    assert b"QQQQ" not in body


def test_a_full_training_queue_is_429_with_retry_after(open_api):
    answers = [raw_request(open_api, "POST", "/api/v1/models/train", json.dumps(TRAIN).encode())
               for _ in range(8)]
    statuses = [status for status, _, _ in answers]
    assert statuses[:2] == [202, 202], answers[:2]  # one running, one waiting (limit 1)
    refused = [(headers, body) for status, headers, body in answers if status == 429]
    assert refused, statuses
    headers, body = refused[0]
    assert headers["retry-after"] == "60" and b"already waiting" in body


def test_the_launcher_bounds_its_queue(tmp_path):
    """One running and ``max_waiting`` waiting; the next is refused until one finishes."""
    release = threading.Event()

    def slow_execute(*_args, **_kwargs):
        release.wait(60)  # the worker is busy with the first request until released
        raise RuntimeError("the run is abandoned once released")

    instance = DagsterInstance.ephemeral()
    launcher = InProcessLauncher(instance, max_waiting=2, execute=slow_execute)
    request = TrainingRequest("NFL", "moneyline", "sklearn")
    try:
        ids = [launcher.launch(request) for _ in range(3)]
        assert all(launcher.pending(run_id) for run_id in ids)
        with pytest.raises(QueueFullError, match="2 training runs are already waiting"):
            launcher.launch(request)
        release.set()
        deadline = time.monotonic() + 60
        while any(launcher.pending(run_id) for run_id in ids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(launcher.pending(run_id) for run_id in ids)
        assert launcher.launch(request), "room again once the worker has caught up"
    finally:
        release.set()
        launcher.close()


@pytest.mark.parametrize(("token", "message"), [
    ("   ", "set ROYALEY_API_TOKEN"),
    ("short-token", "shorter than 24 characters"),
])
def test_off_loopback_the_token_must_be_real(tmp_path, token, message):
    env = {"PATH": "/usr/bin:/bin", "ROYALEY_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster"),
           "ROYALEY_API_TOKEN": token}
    done = subprocess.run([str(ROYALEY), "api", "--host", "0.0.0.0", "--port", "0"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stdout
    assert not token.strip() or token not in done.stdout, "the token itself is never printed"


def test_the_docs_pages_load_their_assets_from_this_server(open_api):
    """No CDN: every script and stylesheet of /docs and /redoc is served by the API itself."""
    for page in ("/docs", "/redoc"):
        status, _, html = raw_request(open_api, "GET", page)
        assert status == 200, page
        assets = re.findall(rb'(?:src|href)="([^"]+\.(?:js|css))"', html)
        assert assets, page
        for asset in assets:
            assert asset.startswith(b"/"), f"{page} loads {asset!r} from another host"
            asset_status, _, content = raw_request(open_api, "GET", asset.decode())
            assert asset_status == 200 and len(content) > 10_000, asset
