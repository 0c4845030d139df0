"""Ingesting the bundled NFL history through Dagster's `collection_job`, and why dates are monthly.

Table 1: the full history (1999-09 to 2025-02) as ONE single-run backfill over the whole range,
and as a season backfill (one single-run backfill per season, 26 runs), on SQLite and on a fresh
PostgreSQL database. Each case runs in its own child process so that its peak RSS is its own.
Wall time is the Dagster runs only (the child's imports and start-up are left out); the Dagster
instance itself is a local_temp SQLite instance in every case, the backend is the app database.

Table 2: Dagster's per-partition event bookkeeping, measured on a no-op asset defined here: one
NFL season as ~180 daily partitions vs 6 monthly ones, extrapolated to the 26 bundled seasons.

    python benchmarks/ingestion_benchmark.py            # everything (several minutes)
    python benchmarks/ingestion_benchmark.py --quick    # table 1 on three seasons only
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from _common import (
    drop_postgres_database,
    fresh_postgres_database,
    machine_header,
    markdown_table,
    pipeline_environment,
    python,
    run_measured,
)

FIRST_SEASON, LAST_SEASON = 1999, 2024  # 1999-09 .. 2025-02: the bundled nflverse history
QUICK_SEASONS = (2022, 2024)
BACKENDS = ("sqlite", "postgresql")
MODES = ("one run", "season backfill")
NOOP_SEASON = 2023


@dataclass(frozen=True)
class Case:
    backend: str
    mode: str
    first_season: int
    last_season: int

    def windows(self) -> list[tuple[date, date]]:
        """(first month, last month) of each run: a season spans September to February."""
        if self.mode == "one run":
            return [season_months(self.first_season)[0:1] + season_months(self.last_season)[1:]]
        return [season_months(season) for season in range(self.first_season, self.last_season + 1)]


def season_months(season: int) -> tuple[date, date]:
    return date(season, 9, 1), date(season + 1, 2, 1)


# --- the child: one case in a fresh process -------------------------------------------------


def run_case_in_this_process(case: Case, result_path: Path) -> None:
    """Run the case's windows through `collection_job` and write timings and row counts as JSON."""
    from dagster import DagsterInstance

    from royaley_pipeline.config import load_settings
    from royaley_pipeline.launch import RANGE_END_TAG, RANGE_START_TAG, run_config
    from royaley_pipeline.partitions import sport_month_key
    from royaley_pipeline.runner import definitions as build_definitions
    from royaley_pipeline.storage.database import engine_for

    settings = load_settings()
    settings.ensure_directories()
    engine_for(settings.database_url)  # migrate and seed before the clock starts, as `make install` does
    job = build_definitions(settings).resolve_job_def("collection_job")
    instance = DagsterInstance.local_temp(str(settings.home / "dagster"))
    run_seconds = []
    for start, end in case.windows():
        tags = {RANGE_START_TAG: sport_month_key("NFL", start), RANGE_END_TAG: sport_month_key("NFL", end)}
        started = time.perf_counter()
        result = job.execute_in_process(instance=instance, tags=tags, run_config=run_config(), raise_on_error=False)
        run_seconds.append(time.perf_counter() - started)
        if not result.success:
            raise SystemExit(f"collection_job failed for {start}..{end} (run {result.run_id})")
    result_path.write_text(json.dumps({"run_seconds": run_seconds, **stored_row_counts(settings.database_url)}))


def stored_row_counts(database_url: str) -> dict[str, int]:
    """Rows in the raw tables after the case: what the runs wrote, since each case starts empty."""
    from sqlalchemy import func, select

    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.models import GameRow, OddsSnapshotRow, WeatherRow

    with engine_for(database_url).connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in (("games", GameRow), ("odds", OddsSnapshotRow), ("weather", WeatherRow))
        }


# --- the parent: one child per case -----------------------------------------------------------


def measure_case(case: Case, scratch: Path) -> dict:
    """Run a case in a fresh child on a fresh home (and a fresh PostgreSQL database)."""
    slug = f"{case.backend}_{case.mode.replace(' ', '_')}"
    home = scratch / slug
    database_name = f"royaley_bench_ingest_{slug}"
    database_url = fresh_postgres_database(database_name) if case.backend == "postgresql" else None
    result_path = scratch / f"{slug}.json"
    command = [
        python(), __file__, "--child", case.backend, case.mode,
        str(case.first_season), str(case.last_season), str(result_path),
    ]
    try:
        measured = run_measured(command, pipeline_environment(home, database_url), scratch / f"{slug}.log")
        if measured.exit_code != 0:
            raise RuntimeError(f"{slug} failed (exit {measured.exit_code}); see {scratch / f'{slug}.log'}")
        outcome = json.loads(result_path.read_text())
    finally:
        if database_url:
            drop_postgres_database(database_name)
    return {**outcome, "peak_rss_mb": measured.peak_rss_mb, "process_seconds": measured.wall_seconds}


def ingestion_row(case: Case, outcome: dict) -> list:
    seconds = sum(outcome["run_seconds"])
    runs = len(outcome["run_seconds"])
    rows = outcome["games"] + outcome["odds"] + outcome["weather"]
    return [
        case.backend, case.mode, runs, seconds, seconds / runs, outcome["games"], outcome["odds"],
        outcome["weather"], round(rows / seconds), round(outcome["peak_rss_mb"]),
    ]


def ingestion_table(first_season: int, last_season: int, scratch: Path) -> str:
    rows = []
    for backend in BACKENDS:
        for mode in MODES:
            case = Case(backend, mode, first_season, last_season)
            rows.append(ingestion_row(case, measure_case(case, scratch)))
    headers = ["backend", "mode", "runs", "wall s", "s / run", "games", "odds snapshots", "weather",
               "rows/s", "peak RSS MB"]
    return markdown_table(headers, rows)


# --- table 2: the cost of a partition --------------------------------------------------------


def noop_definitions():
    """A no-op asset per date grain, sport × date like the raw assets, single-run backfill policy."""
    from dagster import (
        BackfillPolicy,
        BetaWarning,
        DailyPartitionsDefinition,
        Definitions,
        MonthlyPartitionsDefinition,
        MultiPartitionsDefinition,
        StaticPartitionsDefinition,
        asset,
        define_asset_job,
    )

    warnings.filterwarnings("ignore", category=BetaWarning)  # backfill_policy is beta; the raw assets use it too
    sports = StaticPartitionsDefinition(["NFL"])
    grains = {
        "daily": DailyPartitionsDefinition(start_date="1999-09-01"),
        "monthly": MonthlyPartitionsDefinition(start_date="1999-09-01"),
    }
    assets, jobs = [], []
    for grain, dates in grains.items():
        @asset(name=f"noop_{grain}", partitions_def=MultiPartitionsDefinition({"date": dates, "sport": sports}),
               backfill_policy=BackfillPolicy.single_run())
        def noop(context) -> None:
            """Touches nothing: whatever the run costs is Dagster's own bookkeeping."""
            context.partition_key_range  # noqa: B018 - read the range like the real assets do

        assets.append(noop)
        jobs.append(define_asset_job(f"noop_{grain}_job", selection=[noop.key]))
    return Definitions(assets=assets, jobs=jobs)


def time_noop_run(definitions, instance, grain: str, start: str, end: str) -> tuple[float, int]:
    """Seconds for one ranged run of the grain's no-op asset, and how many partitions it covered."""
    from dagster import MultiPartitionKey

    from royaley_pipeline.launch import RANGE_END_TAG, RANGE_START_TAG, run_config

    job = definitions.resolve_job_def(f"noop_{grain}_job")
    tags = {
        RANGE_START_TAG: str(MultiPartitionKey({"date": start, "sport": "NFL"})),
        RANGE_END_TAG: str(MultiPartitionKey({"date": end, "sport": "NFL"})),
    }
    started = time.perf_counter()
    result = job.execute_in_process(instance=instance, tags=tags, run_config=run_config(), raise_on_error=False)
    seconds = time.perf_counter() - started
    if not result.success:
        raise RuntimeError(f"no-op {grain} run failed")
    materialised = [event for event in result.all_events if event.is_step_materialization]
    return seconds, len(materialised)


def partition_cost_table(scratch: Path) -> str:
    """One season daily vs monthly, after a warm-up run so that neither pays the first-run cost."""
    from dagster import DagsterInstance

    definitions = noop_definitions()
    full_history_days = (date(LAST_SEASON + 1, 2, 28) - date(FIRST_SEASON, 9, 1)).days + 1
    full_history_months = (LAST_SEASON + 1 - FIRST_SEASON) * 12 + (2 - 9) + 1  # 1999-09 .. 2025-02
    seasons = LAST_SEASON - FIRST_SEASON + 1
    start, last_day = f"{NOOP_SEASON}-09-01", f"{NOOP_SEASON + 1}-02-29"
    (scratch / "noop_dagster").mkdir(parents=True, exist_ok=True)
    measured = {}
    with DagsterInstance.local_temp(str(scratch / "noop_dagster")) as instance:
        time_noop_run(definitions, instance, "monthly", "2000-01-01", "2000-01-01")  # warm-up
        time_noop_run(definitions, instance, "daily", "2000-01-01", "2000-01-01")
        for grain, end in (("daily", last_day), ("monthly", f"{NOOP_SEASON + 1}-02-01")):
            measured[grain] = time_noop_run(definitions, instance, grain, start, end)
    fixed, marginal = run_cost_model(measured["daily"], measured["monthly"])
    rows = []
    for grain, (seconds, partitions) in measured.items():
        history_partitions = full_history_days if grain == "daily" else full_history_months
        rows.append([
            grain, partitions, f"{seconds:.2f}", f"{seconds / partitions * 1000:.1f}",
            f"{seconds * seasons:.1f}", history_partitions, f"{fixed + marginal * history_partitions:.1f}",
        ])
    headers = ["date grain", "partitions (1 season)", "wall s", "ms / partition",
               f"{seasons} season runs, s (×{seasons})", "partitions 1999-09..2025-02",
               "one run over them, s (est.)"]
    note = (f"Marginal cost {marginal * 1000:.1f} ms per partition per asset on top of {fixed:.2f} s per run "
            f"(fitted on the two rows); `collection_job` has 4 assets, so its bookkeeping is about 4× this.")
    return markdown_table(headers, rows) + "\n\n" + note


def run_cost_model(daily: tuple[float, int], monthly: tuple[float, int]) -> tuple[float, float]:
    """Fixed seconds per run and marginal seconds per partition, from two runs of one season.

    Dividing a run by its partition count would charge the run's fixed cost to each of the six
    monthly partitions; the difference between the two grains isolates what a partition adds.
    """
    (daily_seconds, daily_partitions), (monthly_seconds, monthly_partitions) = daily, monthly
    marginal = (daily_seconds - monthly_seconds) / (daily_partitions - monthly_partitions)
    return monthly_seconds - marginal * monthly_partitions, marginal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"table 1 on seasons {QUICK_SEASONS} only")
    parser.add_argument("--child", nargs=5, metavar=("BACKEND", "MODE", "FIRST", "LAST", "RESULT"),
                        help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    if arguments.child:
        backend, mode, first, last, result_path = arguments.child
        run_case_in_this_process(Case(backend, mode, int(first), int(last)), Path(result_path))
        return

    first, last = QUICK_SEASONS if arguments.quick else (FIRST_SEASON, LAST_SEASON)
    with tempfile.TemporaryDirectory(prefix="royaley_bench_ingest_") as scratch:
        print(machine_header(f"NFL ingestion through collection_job, seasons {first}–{last}"))
        print()
        print(ingestion_table(first, last, Path(scratch)))
        print()
        print(f"**Per-partition bookkeeping**: a no-op sport × date asset over the {NOOP_SEASON} NFL season "
              f"(one single-run backfill, local_temp SQLite instance)")
        print()
        print(partition_cost_table(Path(scratch)))


if __name__ == "__main__":
    main()
