"""Running the jobs through the Dagster instance under ROYALEY_HOME, so CLI runs show in the UI."""

from __future__ import annotations

import os
import re
from datetime import date

from dagster import DagsterInstance, ExecuteInProcessResult

from royaley_pipeline.config import Settings, load_settings
from royaley_pipeline.home import initialise_home
from royaley_pipeline.partitions import model_key, sport_day_key, sport_month_key

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

def prepare_environment(settings: Settings | None = None) -> Settings:
    """Point DAGSTER_HOME at ROYALEY_HOME's instance (unless set) and create the home's storages."""
    settings = settings or load_settings()
    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home))
    # One planned event per asset for a ranged run instead of one per partition: halves the event
    # bookkeeping of a season backfill (see benchmarks/). Failed runs then mark the run, not each partition.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    settings = load_settings()
    initialise_home(settings)
    return settings


def instance() -> DagsterInstance:
    return DagsterInstance.get()


def quiet(run_config: dict | None) -> dict:
    """Console logs at WARNING: the CLI shows its own progress; the UI keeps the full event log."""
    config = dict(run_config or {})
    config.setdefault("loggers", {"console": {"config": {"log_level": "WARNING"}}})
    return config


def _definitions():
    from royaley_pipeline.definitions import build_definitions

    return build_definitions(load_settings())


def run_sport_dates(
    job_name: str,
    sport: str,
    start: date,
    end: date,
    *,
    run_config=None,
    dagster_instance: DagsterInstance | None = None,
) -> ExecuteInProcessResult:
    """One run over one sport × [start, end]: the same single-run backfill the UI launches.

    One sport per run: Dagster resolves a multi-partition range dimension by dimension in the
    sports' declared order, so a range "from ATP to NFL" would cover the sports in between (or
    none), never just the two asked for.
    """
    job = _definitions().resolve_job_def(job_name)
    key = sport_day_key if job_name == "predictions_job" else sport_month_key
    tags = {RANGE_START_TAG: key(sport, start), RANGE_END_TAG: key(sport, end)}
    return job.execute_in_process(
        instance=dagster_instance or instance(), tags=tags, run_config=quiet(run_config), raise_on_error=False
    )


def run_model(
    sport: str, bet_type: str, *, run_config=None, dagster_instance: DagsterInstance | None = None
) -> ExecuteInProcessResult:
    job = _definitions().resolve_job_def("training_job")
    return job.execute_in_process(
        instance=dagster_instance or instance(),
        partition_key=model_key(sport, bet_type),
        run_config=quiet(run_config),
        raise_on_error=False,
    )


def training_run_config(**fields) -> dict:
    values = {name: value for name, value in fields.items() if value is not None}
    return {"ops": {"models__game_outcome_model": {"config": values}}}


def failure_message(result: ExecuteInProcessResult) -> str:
    """The first failing step's error, for a CLI message that says what went wrong."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            return f"step {event.step_key} failed: {root_cause_message(event.step_failure_data.error)}"
    return "run failed"


def root_cause_message(error) -> str | None:
    """The innermost cause of a serialised error: what actually went wrong, without framing."""
    if error is None:
        return None
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    prefix = re.match(rf"^[\w.]*{re.escape(error.cls_name)}: ", message) if error.cls_name else None
    return message[prefix.end():] if prefix else message
