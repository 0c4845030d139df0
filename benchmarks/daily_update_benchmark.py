"""What does a feature update cost once the whole history is stored, at the end and early on?

The feature asset recomputes a sport's features from the full stored history each time (Elo is a
path-dependent pass, and the pass is cheap), then rewrites its window and every later game (a
change in month M moves every later Elo and rolling stat). This measures both ends: the full NFL
history is stored once (raw tables through the storage write path, then one features run); then the latest month's features partition (the daily case: nothing
later to rewrite) and a month early in the history (a corrected score in October 2000: everything
after it rewritten, one materialisation per later month) are each materialised three times through
a real Dagster run, and the same work is timed stage by stage.

    python benchmarks/daily_update_benchmark.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from dagster import DagsterInstance

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from _common import machine_header, markdown_table  # noqa: E402

from royaley_pipeline.assets.features import write_feature_parquet  # noqa: E402
from royaley_pipeline.config import load_settings  # noqa: E402
from royaley_pipeline.domain.features import FEATURE_SET_VERSION, build_feature_matrix  # noqa: E402
from royaley_pipeline.launch import RANGE_END_TAG, RANGE_START_TAG, run_config  # noqa: E402
from royaley_pipeline.partitions import sport_month_key  # noqa: E402
from royaley_pipeline.runner import definitions as build_definitions  # noqa: E402
from royaley_pipeline.sources.catalog import read_sport_history  # noqa: E402
from royaley_pipeline.sports import get_sport  # noqa: E402
from royaley_pipeline.storage.collected import store_collected  # noqa: E402
from royaley_pipeline.storage.features import load_feature_inputs, replace_features  # noqa: E402

HISTORY = (date(1999, 9, 1), date(2025, 2, 28))
LATEST_MONTH = (date(2025, 1, 1), date(2025, 1, 31))
EARLY_MONTH = (date(2000, 10, 1), date(2000, 10, 31))


def run_months(defs, instance, job_name: str, start: date, end: date) -> tuple[float, float]:
    """Wall and CPU seconds of one in-process run (CPU: what it costs, whatever else the machine runs)."""
    tags = {RANGE_START_TAG: sport_month_key("NFL", start), RANGE_END_TAG: sport_month_key("NFL", end)}
    started, cpu_started = time.perf_counter(), time.process_time()
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, tags=tags, run_config=run_config(), raise_on_error=True
    )
    assert result.success
    return time.perf_counter() - started, time.process_time() - cpu_started


def timed(work) -> tuple[object, float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    value = work()
    return value, time.perf_counter() - started, time.process_time() - cpu_started


def stage_timings(engine, features_root: Path, month: tuple[date, date]) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each stage of the features step, done by hand."""
    sport = get_sport("NFL")
    timings = {}
    inputs, *timings["read history from the database"] = timed(lambda: load_feature_inputs(engine, "NFL"))
    matrix, *took = timed(lambda: build_feature_matrix(sport=sport, **inputs))
    timings[f"compute all features ({len(inputs['games']):,} games)"] = took
    through = max(month[1], matrix["game_date"].max().date())
    written, *took = timed(lambda: replace_features(engine, "NFL", matrix, FEATURE_SET_VERSION, month[0], through))
    timings[f"replace {month[0]:%Y-%m} → end ({written:,} rows)"] = took
    rewritten = matrix.loc[matrix["game_date"] >= pd.Timestamp(month[0])]
    seasons, *took = timed(lambda: write_feature_parquet(features_root, "NFL", matrix, rewritten))
    timings[f"rewrite Parquet ({len(seasons)} seasons)"] = took
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="royaley_bench_daily_") as scratch:
        settings = load_settings({"ROYALEY_HOME": scratch})
        settings.ensure_directories()
        defs = build_definitions(settings)
        instance = DagsterInstance.local_temp(str(Path(scratch) / "dagster"))
        print(machine_header("Daily feature update on a stored full NFL history (SQLite)"))
        print()
        engine = defs.resources["database"].engine()
        # Raw history through the storage write path (what the collection step does), then all
        # features in one features run: the stored state every later run starts from.
        _, load_wall, load_cpu = timed(lambda: store_collected(engine, "NFL", read_sport_history("NFL", settings)))
        history_wall, history_cpu = run_months(defs, instance, "features_job", *HISTORY)
        rows = [["store the raw NFL history 1999–2024 (no Dagster)", f"{load_wall:.1f}", f"{load_cpu:.1f}"],
                ["features_job over the full history (one run, 306 months)", f"{history_wall:.1f}",
                 f"{history_cpu:.1f}"]]
        for label, month in (("latest month", LATEST_MONTH), ("a month in 2000", EARLY_MONTH)):
            runs = [run_months(defs, instance, "features_job", *month) for _ in range(3)]
            stages = [stage_timings(engine, settings.features_path, month) for _ in range(3)]
            rows.append([f"features_job for {label} {month[0]:%Y-%m} (median of 3 runs)",
                         f"{statistics.median(wall for wall, _ in runs):.2f}",
                         f"{statistics.median(cpu for _, cpu in runs):.2f}"])
            rows += [[f"  of which: {name}", f"{statistics.median(stage[name][0] for stage in stages):.2f}",
                      f"{statistics.median(stage[name][1] for stage in stages):.2f}"] for name in stages[0]]
        print(markdown_table(["step", "wall s", "CPU s"], rows))


if __name__ == "__main__":
    main()
