"""Schemathesis against the published OpenAPI schema of a real server: no input yields a 5xx."""

import re
import subprocess
import sys
from pathlib import Path

from royaley_pipeline_tests.api.server import running_api

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
TOKEN = "fuzz-token"


def test_no_generated_request_gets_a_server_error(tmp_path):
    with running_api(tmp_path, TOKEN) as api:
        done = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{api.base_url}/openapi.json",
             "--checks", "not_a_server_error",
             "--phases", "examples,coverage,fuzzing",
             "--max-examples", "25", "--seed", "7", "--workers", "1",
             "--header", f"Authorization: Bearer {TOKEN}",
             "--request-timeout", "30"],
            capture_output=True, text=True, timeout=300,
        )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    generated, passed = re.search(r"(\d+) generated, (\d+) passed", done.stdout).groups()
    assert int(generated) > 100 and generated == passed, done.stdout[-2000:]
