"""Commands started together on a fresh home all succeed, and the home is sound afterwards.

Each trial starts five `royaley ingest` processes on a new ROYALEY_HOME (SQLite everywhere, or the
application database on a new PostgreSQL database); they import everything, wait at a barrier and
are released at once, so they meet the missing storages together. Before the first-use lock, one
of three such processes died on `UNIQUE constraint failed: alembic_version.version_num` in four
trials out of four, and every later command failed on the instance's two Alembic heads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline_tests.conftest import drop_postgres_database, fresh_postgres_database

PROCESSES = 5
TRIALS = 3
OFF_SEASON = ["ingest", "--sport", "NFL", "--start", "2023-07-01", "--end", "2023-07-31"]  # a short run
INGEST = ["ingest", "--sport", "NFL", "--start", "2023-09-01", "--end", "2023-09-30"]
AT_THE_BARRIER = """
import sys, time
from pathlib import Path
from royaley_pipeline import cli
Path(sys.argv[1]).touch()
while not Path(sys.argv[2]).exists():
    time.sleep(0.001)
sys.exit(cli.main(sys.argv[3:]))
"""


def small_source(folder: Path) -> Path:
    """The 2023 season's first weeks only: the runs stay short, the race is the same."""
    lines = (PACKAGE_DATA / "nflverse" / "games.csv").read_text().splitlines()
    (folder / "nflverse").mkdir(parents=True)
    rows = [line for line in lines if line.startswith(("2023_01_", "2023_02_", "2023_03_", "2023_04_"))]
    (folder / "nflverse" / "games.csv").write_text("\n".join([lines[0], *rows]) + "\n")
    return folder


def start_together(folder: Path, environ: dict[str, str], args: list[str]) -> list[subprocess.CompletedProcess]:
    go = folder / "go"
    ready = [folder / f"ready-{number}" for number in range(PROCESSES)]
    processes = [
        subprocess.Popen([sys.executable, "-c", AT_THE_BARRIER, str(flag), str(go), *args],
                         env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for flag in ready
    ]
    deadline = time.monotonic() + 300
    while not all(flag.exists() for flag in ready):
        assert time.monotonic() < deadline and all(p.poll() is None for p in processes), "a process died early"
        time.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=600) for p in processes]
    return [subprocess.CompletedProcess(p.args, p.returncode, *output) for p, output in zip(processes, outputs, strict=True)]


def run(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "royaley_pipeline.cli", *args], env=environ,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_five_commands_at_once_on_a_fresh_home_all_succeed(backend, tmp_path):
    source = small_source(tmp_path / "source")
    for trial in range(TRIALS):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        environ = {**os.environ, "ROYALEY_HOME": str(folder / "home"), "ROYALEY_SOURCE_DATA": str(source),
                   "ROYALEY_NFELO_PATH": "", "COLUMNS": "200"}
        environ.pop("DAGSTER_HOME", None)
        database = fresh_postgres_database() if backend == "postgresql" else None
        if database:
            environ["ROYALEY_DATABASE_URL"] = database
        try:
            results = start_together(folder, environ, OFF_SEASON)
            for result in results:
                assert result.returncode == 0, f"trial {trial}: {result.stdout[-2000:]}{result.stderr[-3000:]}"
            again = run(environ, *INGEST)  # the home still works: one head per storage
            assert again.returncode == 0, again.stdout + again.stderr[-3000:]
            assert "ingest NFL 2023-09-01..2023-09-30" in again.stdout
        finally:
            if database:
                drop_postgres_database(database)
