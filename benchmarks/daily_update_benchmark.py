"""What does a daily feature update cost once the whole history is stored?

The feature asset recomputes a sport's features from the full stored history each time (Elo is a
path-dependent pass, and the pass is cheap), then replaces only the materialised window. This
measures whether that stays cheap: the full NFL history is ingested once, then the latest month's
features partition is materialised three times through a real Dagster run, and the same work is
timed stage by stage (read from the database, compute, write).

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

from _common import machine_header, markdown_table  # noqa: E402

from royaley_pipeline.config import load_settings  # noqa: E402
from royaley_pipeline.domain.features import FEATURE_SET_VERSION, build_feature_matrix  # noqa: E402
from royaley_pipeline.launch import RANGE_END_TAG, RANGE_START_TAG, run_config  # noqa: E402
from royaley_pipeline.partitions import sport_month_key  # noqa: E402
from royaley_pipeline.runner import definitions as build_definitions  # noqa: E402
from royaley_pipeline.sports import get_sport  # noqa: E402
from royaley_pipeline.storage.features import load_feature_inputs, replace_features  # noqa: E402

HISTORY = (date(1999, 9, 1), date(2025, 2, 28))
LATEST_MONTH = (date(2025, 1, 1), date(2025, 1, 31))


def run_months(defs, instance, job_name: str, start: date, end: date) -> float:
    tags = {RANGE_START_TAG: sport_month_key("NFL", start), RANGE_END_TAG: sport_month_key("NFL", end)}
    started = time.perf_counter()
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, tags=tags, run_config=run_config(), raise_on_error=True
    )
    assert result.success
    return time.perf_counter() - started


def stage_timings(engine) -> dict[str, float]:
    sport = get_sport("NFL")
    timings = {}
    started = time.perf_counter()
    inputs = load_feature_inputs(engine, "NFL", end=LATEST_MONTH[1])
    timings["read history from the database"] = time.perf_counter() - started
    started = time.perf_counter()
    matrix = build_feature_matrix(sport=sport, **inputs)
    timings[f"compute all features ({len(inputs['games']):,} games)"] = time.perf_counter() - started
    started = time.perf_counter()
    replace_features(engine, "NFL", matrix, FEATURE_SET_VERSION, *LATEST_MONTH)
    timings["replace the month's rows"] = time.perf_counter() - started
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="royaley_bench_daily_") as scratch:
        settings = load_settings({"ROYALEY_HOME": scratch})
        settings.ensure_directories()
        defs = build_definitions(settings)
        instance = DagsterInstance.local_temp(str(Path(scratch) / "dagster"))
        print(machine_header("Daily feature update on a stored full NFL history (SQLite)"))
        print()
        history_seconds = run_months(defs, instance, "collection_job", *HISTORY)
        runs = [run_months(defs, instance, "features_job", *LATEST_MONTH) for _ in range(3)]
        stages = [stage_timings(defs.resources["database"].engine()) for _ in range(3)]
        rows = [["ingest + features, full history 1999–2024 (one run)", f"{history_seconds:.1f}"],
                ["features_job for the latest month (median of 3 runs)", f"{statistics.median(runs):.2f}"]]
        rows += [[f"  of which: {name}", f"{statistics.median(stage[name] for stage in stages):.2f}"]
                 for name in stages[0]]
        print(markdown_table(["step", "seconds"], rows))


if __name__ == "__main__":
    main()
