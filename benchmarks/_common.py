"""Helpers shared by the benchmarks: the machine header, markdown tables, measured child processes.

Every benchmark prints markdown so its output can be pasted into the README as is, and each
table starts from the machine it ran on, because timings mean nothing without it.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
POSTGRES_URL_TEMPLATE = "postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"


def cpu_model() -> str:
    """The CPU model line of /proc/cpuinfo (the processor name, not the architecture)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def total_ram_gigabytes() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def machine_header(title: str) -> str:
    """One line naming the benchmark, the machine and the date, so pasted tables stay attributable."""
    return (
        f"**{title}** — {os.cpu_count()} cores ({cpu_model()}), {total_ram_gigabytes():.1f} GB RAM, "
        f"Python {platform.python_version()}, {datetime.now():%Y-%m-%d %H:%M}"
    )


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; numbers right-aligned, text left-aligned (judged on the first row)."""
    def align(value: object) -> str:
        return "---:" if _is_number(value) else ":---"

    first = rows[0] if rows else [""] * len(headers)
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(align(value) for value in first) + " |",
    ]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _is_number(value: object) -> bool:
    try:
        float(str(value).replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class ChildMeasurement:
    """What one child process cost: its wall time, its own peak RSS and its exit code."""

    wall_seconds: float
    peak_rss_mb: float
    exit_code: int


def run_measured(command: Sequence[str], env: dict[str, str], log_path: Path) -> ChildMeasurement:
    """Run ``command`` and read the peak RSS of that child alone.

    ``os.wait4`` returns the rusage of the one child it reaps, so cases measured one after the
    other never report each other's peak (RUSAGE_CHILDREN would keep the maximum over all).
    Output goes to a log file: a chatty child must not block on a full pipe.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started = time.perf_counter()
        child = subprocess.Popen(list(command), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPOSITORY)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    return ChildMeasurement(wall, usage.ru_maxrss / 1024, child.returncode)


def pipeline_environment(home: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a pipeline process on its own ROYALEY_HOME (SQLite and MLflow inside it)."""
    env = dict(os.environ)
    for name in ("DAGSTER_HOME", "FEATURES_PATH", "DATASETS_PATH", "ROYALEY_PREDICTIONS_PATH"):
        env.pop(name, None)  # a stray setting would point the run at another home
    env.update(
        ROYALEY_HOME=str(home),
        ROYALEY_DATABASE_URL=database_url or f"sqlite:///{home / 'royaley.db'}",
        MLFLOW_TRACKING_URI=f"sqlite:///{home / 'mlflow.db'}",
        DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def fresh_postgres_database(name: str) -> str:
    """Drop and recreate ``name`` (a royaley_bench_* database) and return its SQLAlchemy URL."""
    if not name.startswith("royaley_bench_"):
        raise ValueError(f"refusing to recreate {name!r}: benchmarks own only royaley_bench_* databases")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    return POSTGRES_URL_TEMPLATE.format(name=name)


def drop_postgres_database(name: str) -> None:
    if name.startswith("royaley_bench_"):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def python() -> str:
    """The interpreter running the benchmark, so children use the same virtualenv."""
    return sys.executable
