"""Scale-out on one host: a season backfill under the multiprocess executor, and what
PostgreSQL-backed Dagster storage costs per run against SQLite.

1. Season backfill: NBA 2018-19 (sport × month, 2018-10 … 2019-06) as the single run a UI
   backfill launches, collection_job (raw → checks → features). Baseline: the
   in-process executor; then the multiprocess executor with 1 and 2 workers. Dagster storage
   and the application database are fresh PostgreSQL databases per case, as in the Compose stack.
2. Per-run overhead: the same one-month collection run repeated on a Dagster instance backed by
   SQLite (the embedded default) and by PostgreSQL (docker/dagster.yaml's storage block), with
   the application database on SQLite in both, so only Dagster's own bookkeeping differs.

Each case runs in its own child process (peak RSS is that child's); the child times the run
itself, after imports.

    python benchmarks/deployment_benchmark.py [--rounds 2] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    REPOSITORY,
    drop_postgres_database,
    fresh_postgres_database,
    machine_header,
    markdown_table,
    pipeline_environment,
    python,
    run_measured,
)

SEASON = ("2018-10-01", "2019-06-01")
SEASON_SPORTS = ("NBA",)
ONE_MONTH = ("2018-10-01", "2018-10-01")
POSTGRES_INSTANCE_YAML = (REPOSITORY / "dagster.yaml").read_text()
SQLITE_INSTANCE_YAML = "telemetry:\n  enabled: false\n"


# ----------------------------------------------------------------------------- child side


def _run_tags(sports: tuple[str, ...], start: str, end: str) -> dict[str, str]:
    from datetime import date

    from royaley_pipeline.partitions import sport_month_key
    from royaley_pipeline.runner import RANGE_END_TAG, RANGE_START_TAG

    return {RANGE_START_TAG: sport_month_key(sports[0], date.fromisoformat(start)),
            RANGE_END_TAG: sport_month_key(sports[-1], date.fromisoformat(end))}


def _games(url: str) -> int:
    from sqlalchemy import text

    from royaley_pipeline.storage.database import engine_for

    with engine_for(url).connect() as connection:
        return connection.execute(text("SELECT count(*) FROM games")).scalar_one()


def child_backfill(executor: str, result_path: Path) -> None:
    """One season backfill run with the given executor: 'in_process', 'multiprocess-1', 'multiprocess-2'."""
    from dagster import DagsterInstance, execute_job
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    from royaley_pipeline.runner import quiet

    if executor == "in_process":
        execution = {"config": {"in_process": {}}}
    else:
        execution = {"config": {"multiprocess": {"max_concurrent": int(executor.split("-")[1])}}}
    repository = ReconstructableRepository.for_module("royaley_pipeline.definitions", "defs", str(REPOSITORY))
    job = repository.get_reconstructable_job("collection_job")
    with DagsterInstance.get() as instance:
        started = time.perf_counter()
        result = execute_job(job, instance, run_config=quiet({"execution": execution}),
                             tags=_run_tags(SEASON_SPORTS, *SEASON))
        seconds = time.perf_counter() - started
        if not result.success:
            raise SystemExit(f"backfill failed with {executor}")
        steps = len({event.step_key for event in result.all_events if event.step_key})
    result_path.write_text(json.dumps({"seconds": seconds, "games": _games(os.environ["ROYALEY_DATABASE_URL"]),
                                       "steps": steps}))


def child_overhead(repeats: int, result_path: Path) -> None:
    """The one-month collection run, repeated in process on this DAGSTER_HOME's instance."""
    from dagster import DagsterInstance

    from royaley_pipeline.definitions import build_definitions
    from royaley_pipeline.runner import quiet

    job = build_definitions().resolve_job_def("collection_job")
    tags = _run_tags(("NFL",), *ONE_MONTH)
    timings, events = [], []
    with DagsterInstance.get() as instance:
        for _ in range(repeats + 1):  # the first run migrates the databases: not counted
            started = time.perf_counter()
            result = job.execute_in_process(instance=instance, tags=tags, run_config=quiet(None))
            timings.append(time.perf_counter() - started)
            events.append(len(instance.all_logs(result.run_id)))
    result_path.write_text(json.dumps({"seconds": timings[1:], "events": events[1:]}))


# ----------------------------------------------------------------------------- parent side


def environment(home: Path, database_url: str | None, instance_yaml: str, dagster_db: str | None) -> dict:
    env = pipeline_environment(home, database_url)
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(instance_yaml)
    env.update(DAGSTER_HOME=str(dagster_home), DAGSTER_PG_USERNAME="postgres", DAGSTER_PG_PASSWORD="",
               DAGSTER_PG_HOST="127.0.0.1", DAGSTER_PG_DB=dagster_db or "")
    return env


def run_child(arguments: list[str], env: dict, scratch: Path, name: str) -> tuple[dict, float]:
    result_path = scratch / f"{name}.json"
    log = scratch / f"{name}.log"
    measured = run_measured([python(), __file__, *arguments, "--result", str(result_path)], env, log)
    if measured.exit_code != 0:
        raise RuntimeError(f"{name} failed:\n{log.read_text()[-3000:]}")
    return json.loads(result_path.read_text()), measured.peak_rss_mb


EXECUTORS = ("in_process", "multiprocess-1", "multiprocess-2")


def backfill_table(scratch: Path, rounds: int) -> str:
    """Each executor ``rounds`` times, interleaved, so load from other users of the machine falls
    on all of them alike; the best round is the one least disturbed."""
    measured: dict[str, list] = {executor: [] for executor in EXECUTORS}
    for round_number in range(rounds):
        for executor in EXECUTORS:
            name = f"{executor}-{round_number}"
            app = fresh_postgres_database("royaley_bench_deploy_app")
            fresh_postgres_database("royaley_bench_deploy_dagster")
            try:
                env = environment(scratch / name, app, POSTGRES_INSTANCE_YAML, "royaley_bench_deploy_dagster")
                measured[executor].append(run_child(["--child-backfill", executor], env, scratch, name))
            finally:
                drop_postgres_database("royaley_bench_deploy_app")
                drop_postgres_database("royaley_bench_deploy_dagster")
    baseline = min(result["seconds"] for result, _ in measured["in_process"])
    rows = []
    for executor, results in measured.items():
        best = min(result["seconds"] for result, _ in results)
        median = statistics.median(result["seconds"] for result, _ in results)
        games = results[0][0]["games"]
        label = "in-process (baseline)" if executor == "in_process" else f"multiprocess, max_concurrent={executor[-1]}"
        rows.append([label, results[0][0]["steps"], games, f"{best:.1f}", f"{median:.1f}", f"{games / best:.0f}",
                     f"{best / baseline:.2f}×", f"{max(rss for _, rss in results):.0f}"])
    return markdown_table(
        ["executor", "steps", "games written", "best run s", "median run s", "games/s (best)", "time vs baseline",
         "peak RSS MB (largest process)"], rows
    )


def overhead_table(scratch: Path, repeats: int) -> str:
    rows = []
    measured = {}
    for storage in ("SQLite", "PostgreSQL"):
        home = scratch / f"overhead-{storage}"
        if storage == "PostgreSQL":
            fresh_postgres_database("royaley_bench_deploy_dagster")
            env = environment(home, None, POSTGRES_INSTANCE_YAML, "royaley_bench_deploy_dagster")
        else:
            env = environment(home, None, SQLITE_INSTANCE_YAML, None)
        try:
            result, _ = run_child(["--child-overhead", str(repeats)], env, scratch, f"overhead-{storage}")
        finally:
            drop_postgres_database("royaley_bench_deploy_dagster")
        measured[storage] = result
    sqlite_median = statistics.median(measured["SQLite"]["seconds"])
    for storage, result in measured.items():
        median = statistics.median(result["seconds"])
        rows.append([storage, len(result["seconds"]), result["events"][0], f"{median * 1000:.0f}",
                     f"{min(result['seconds']) * 1000:.0f}", f"{(median - sqlite_median) * 1000:+.0f}",
                     f"{median / sqlite_median:.2f}×"])
    return markdown_table(
        ["Dagster storage", "runs", "events per run", "median ms/run", "best ms/run", "vs SQLite ms", "ratio"], rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="runs per storage in the overhead table")
    parser.add_argument("--rounds", type=int, default=2, help="backfills per executor, interleaved")
    parser.add_argument("--child-backfill", help=argparse.SUPPRESS)
    parser.add_argument("--child-overhead", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child_backfill:
        return child_backfill(options.child_backfill, options.result)
    if options.child_overhead:
        return child_overhead(options.child_overhead, options.result)
    with tempfile.TemporaryDirectory(prefix="royaley_bench_deploy_") as scratch:
        backfill = backfill_table(Path(scratch), options.rounds)
        overhead = overhead_table(Path(scratch), options.repeats)
    print(machine_header(f"Season backfill {'+'.join(SEASON_SPORTS)} {SEASON[0][:7]}…{SEASON[1][:7]}, "
                         f"collection_job as one run, Dagster + application data on PostgreSQL, "
                         f"best of {options.rounds}"))
    print()
    print(backfill)
    print()
    print(machine_header(f"Per-run overhead of Dagster storage: collection_job NFL {ONE_MONTH[0][:7]}, "
                         "in-process, application data on SQLite"))
    print()
    print(overhead)


if __name__ == "__main__":
    sys.exit(main())
