"""Processes that meet a fresh PostgreSQL database at once all end up on a migrated schema.

In the Compose stack the code server, the run containers and the CLI start together against an
empty database; without the advisory lock in upgrade_to_head one of them failed on
"relation already exists" every time.
"""

import subprocess
import sys
import time

from royaley_pipeline_tests.conftest import drop_postgres_database, fresh_postgres_database

MIGRATE = """
import sys, time
from pathlib import Path
from royaley_pipeline.storage.database import engine_for
Path(sys.argv[3]).touch()
while not Path(sys.argv[2]).exists():
    time.sleep(0.001)
engine_for(sys.argv[1])
"""


def test_processes_migrating_a_fresh_database_at_once_all_succeed(tmp_path):
    url = fresh_postgres_database()
    try:
        go = tmp_path / "go"
        ready = [tmp_path / f"ready-{number}" for number in range(3)]
        processes = [
            subprocess.Popen([sys.executable, "-c", MIGRATE, url, str(go), str(flag)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for flag in ready
        ]
        deadline = time.monotonic() + 120
        while not all(flag.exists() for flag in ready):
            assert time.monotonic() < deadline and all(p.poll() is None for p in processes)
            time.sleep(0.01)
        go.touch()
        for process in processes:
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr[-3000:]
    finally:
        drop_postgres_database(url)
