"""The catalogue of broken source files, through `royaley ingest` on SQLite and PostgreSQL.

Each case breaks one row of a real nflverse games file the way a bad download, a wrong export or a
hostile file would, and asks for two months the file covers, one of them already stored. Every case must: exit 2, print one line
naming the file, the row and the field, write nothing (row counts of every raw table unchanged),
and fail at once (a data error is not retried by the asset's RetryPolicy).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance
from sqlalchemy import func, select

from royaley_pipeline import cli
from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.storage.database import engine_for
from royaley_pipeline.storage.models import GameRow, OddsSnapshotRow, VenueRow, WeatherRow
from royaley_pipeline_tests.conftest import drop_postgres_database, fresh_postgres_database

SEPTEMBER = ("--start", "2023-09-01", "--end", "2023-09-30")
TWO_MONTHS = ("--start", "2023-09-01", "--end", "2023-10-31")
ORIGINAL = (PACKAGE_DATA / "nflverse" / "games.csv").read_bytes().split(b"\n")
HEADER = ORIGINAL[0].split(b",")
ROWS = [line for line in ORIGINAL if line.startswith(b"2023_")]  # the 2023 season: 285 games
BROKEN = 20  # the index in ROWS of the row each case breaks: a game of week 2
BROKEN_LINE = BROKEN + 2  # its line in the file (line 1 is the header)


def column(name: str) -> int:
    return HEADER.index(name.encode())


def with_field(name: str, value: bytes) -> bytes:
    fields = ROWS[BROKEN].split(b",")
    fields[column(name)] = value
    return with_row(b",".join(fields))


def with_row(row: bytes) -> bytes:
    rows = list(ROWS)
    rows[BROKEN] = row
    return b"\n".join([ORIGINAL[0], *rows]) + b"\n"


def under_another_id() -> bytes:
    copy = ROWS[BROKEN].replace(ROWS[BROKEN].split(b",")[0], b"2023_02_SEEN_TWICE", 1)
    return b"\n".join([ORIGINAL[0], *ROWS[: BROKEN + 1], copy, *ROWS[BROKEN + 1 :]]) + b"\n"


# case → (file bytes, what the one line must say besides the file's path)
CASES = {
    "row cut to 12 fields": (with_row(b",".join(ROWS[BROKEN].split(b",")[:12])),
                             [f"row {BROKEN_LINE}", "field 'result'", "12 fields where the header has 46"]),
    "venue over the column size": (with_field("stadium", b"V" * 121),
                                   [f"row {BROKEN_LINE}", "field 'stadium'", "121 characters, longer than the 120"]),
    "20 MB venue name": (with_field("stadium", b"V" * 20_000_000),
                         [f"row {BROKEN_LINE}", "field 'stadium'", "runs past 65,536 bytes"]),
    "NUL byte in a venue": (with_field("stadium", b"Lincoln\x00Financial Field"),
                            [f"row {BROKEN_LINE}", "field 'stadium'", "NUL byte at byte offset"]),
    "Latin-1 venue": (with_field("stadium", "Estádio Azteca".encode("latin-1")),
                      [f"row {BROKEN_LINE}", "field 'stadium'", "byte 0xe1 at byte offset", "is not UTF-8"]),
    "binary file": (bytes(range(256)) * 64, ["header", "NUL byte at byte offset 0"]),
    "empty file": (b"", ["is empty: no header row"]),
    "header only": (ORIGINAL[0] + b"\n", ["has a header but no rows"]),
    "60 MB line": (with_row(b"A" * 60_000_000), [f"row {BROKEN_LINE}", "runs past 65,536 bytes"]),
    "negative score": (with_field("home_score", b"-3"), [f"row {BROKEN_LINE}", "field 'home_score'", "'-3' is negative"]),
    "one game under two ids": (under_another_id(),
                               [f"row {BROKEN_LINE + 1}", "field 'game_id'", f"the game of row {BROKEN_LINE}",
                                "under another id"]),
}


class Home:
    """A pipeline home on one database backend, with September 2023 ingested."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root, self.database_url = root, database_url
        self.data = root / "data"
        (self.data / "nflverse").mkdir(parents=True)
        self.games_file = self.data / "nflverse" / "games.csv"
        self.environ = {"ROYALEY_HOME": str(root / "home"), "DAGSTER_HOME": str(root / "home" / "dagster"),
                        "ROYALEY_DATABASE_URL": database_url, "ROYALEY_SOURCE_DATA": str(self.data),
                        "ROYALEY_NFELO_PATH": ""}

    def write(self, content: bytes) -> None:
        self.games_file.write_bytes(content)

    def ingest(self, monkeypatch, capsys, *dates: str) -> tuple[int, str]:
        for name, value in self.environ.items():
            monkeypatch.setenv(name, value)
        code = cli.main(["ingest", "--sport", "NFL", *dates])
        return code, " ".join(capsys.readouterr().out.split())

    def counts(self) -> dict[str, int]:
        with engine_for(self.database_url).connect() as connection:
            return {table.__tablename__: connection.execute(select(func.count()).select_from(table)).scalar_one()
                    for table in (GameRow, OddsSnapshotRow, WeatherRow, VenueRow)}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def home(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"bad-files-{request.param}")
    url = f"sqlite:///{root / 'royaley.db'}" if request.param == "sqlite" else fresh_postgres_database()
    home = Home(root, url)
    home.write(b"\n".join([ORIGINAL[0], *ROWS]) + b"\n")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in home.environ.items():
            monkeypatch.setenv(name, value)
        assert cli.main(["ingest", "--sport", "NFL", *SEPTEMBER]) == 0
    try:
        yield home
    finally:
        if request.param == "postgresql":
            drop_postgres_database(url)


@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_file_exits_2_naming_file_row_and_field_and_writes_nothing(home, case, monkeypatch, capsys):
    content, expected = CASES[case]
    home.write(content)
    before = home.counts()
    assert before["games"] == 49  # September's: ingesting October too would have changed them
    code, output = home.ingest(monkeypatch, capsys, *TWO_MONTHS)
    assert code == 2, output
    assert output.startswith("error: ingest NFL") and str(home.games_file) in output
    for fragment in expected:
        assert fragment in output, output
    assert len(output) < 600  # one line, never the offending value itself
    assert home.counts() == before
    run_id = re.search(r"\(run ([0-9a-f-]{36})\)", output).group(1)
    instance = DagsterInstance.get()
    retries = instance.all_logs(run_id, of_type=DagsterEventType.STEP_UP_FOR_RETRY)
    assert retries == []  # the same file would fail again: no retry


def test_the_command_line_fails_fast_on_a_60_mb_line(home, tmp_path):
    """As a user runs it: a real process, which must end (no hang) with the one line and exit 2."""
    home.write(CASES["60 MB line"][0])
    environ = {**home.environ, "COLUMNS": "200"}
    result = subprocess.run([sys.executable, "-m", "royaley_pipeline.cli", "ingest", "--sport", "NFL", *TWO_MONTHS],
                            env={**os.environ, **environ}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stdout + result.stderr
    output = " ".join(result.stdout.split())
    assert f"row {BROKEN_LINE}" in output and "runs past 65,536 bytes" in output
    assert len(result.stdout) + len(result.stderr) < 100_000  # the line itself is not echoed anywhere

