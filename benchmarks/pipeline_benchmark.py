"""`make run` after installation, stage by stage, on a fresh ROYALEY_HOME (SQLite + local MLflow).

Each stage is its own `python -m royaley_pipeline.cli ...` child on the same home, as a user
would type it, so its wall time includes the interpreter start and imports a user waits for,
and its peak RSS is that child's alone. The stages are the ones `royaley run` chains: ingest +
features over the whole bundled history (one run), one training run per bet type (sklearn
logistic, the default), then the latest slate date with closing lines.

    python benchmarks/pipeline_benchmark.py
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from _common import machine_header, markdown_table, pipeline_environment, python, run_measured

SPORT = "NFL"
BET_TYPES = ("moneyline", "spread", "total")


def cli(*arguments: str) -> list[str]:
    return [python(), "-m", "royaley_pipeline.cli", *arguments]


def latest_slate(home: Path) -> date:
    """The date `royaley run` would predict: asked of the stored data, outside any timed stage."""
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.quality_report import latest_slate_date

    day = latest_slate_date(engine_for(f"sqlite:///{home / 'royaley.db'}"), SPORT)
    if day is None:
        raise RuntimeError("no NFL game with a closing line after ingestion")
    return day


def run_stage(name: str, command: list[str], home: Path, logs: Path) -> list:
    """One measured CLI child; a failed stage stops the benchmark with its log's location."""
    log = logs / f"{name.replace(' ', '_').replace('+', 'and')}.log"
    measured = run_measured(command, pipeline_environment(home), log)
    if measured.exit_code != 0:
        raise RuntimeError(f"stage {name!r} failed (exit {measured.exit_code}):\n{log.read_text()[-3000:]}")
    return [name, " ".join(["python", *command[1:]]), measured.wall_seconds, measured.peak_rss_mb]


def stages(home: Path, logs: Path) -> list[list]:
    rows = [run_stage("ingest + features", cli("ingest", "--sport", SPORT), home, logs)]
    for bet_type in BET_TYPES:
        rows.append(run_stage(f"train {bet_type}", cli("train", "--sport", SPORT, "--bet-type", bet_type), home, logs))
    day = latest_slate(home).isoformat()
    rows.append(run_stage(f"predict {day}", cli("predict", "--sport", SPORT, "--date", day), home, logs))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, default=None, help="use this folder as ROYALEY_HOME and keep it")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="royaley_bench_pipeline_") as scratch:
        home = arguments.keep or Path(scratch) / "home"
        rows = stages(home, Path(scratch) / "logs")
    table = [[name, f"`{command}`", f"{seconds:.1f}", f"{rss:.0f}"]
             for name, command, seconds, rss in rows]
    table.append(["**total**", "", f"{sum(row[2] for row in rows):.1f}", f"{max(row[3] for row in rows):.0f} (max)"])
    print(machine_header(f"`make run` stage by stage, {SPORT}, fresh ROYALEY_HOME (SQLite + local MLflow)"))
    print()
    print(markdown_table(["stage", "command", "wall s", "peak RSS MB"], table))


if __name__ == "__main__":
    main()
