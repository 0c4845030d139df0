"""Running the jobs through the Dagster instance under ROYALEY_HOME, so CLI runs show in the UI.

The definitions accessor and the execution of a run live here, above ``definitions.py``; what a
run is (names, config, tags) is ``launch.py``'s, below it.
"""

from __future__ import annotations

import os
from datetime import date

from dagster import DagsterInstance, Definitions, ExecuteInProcessResult, RunConfig

from royaley_pipeline.config import Settings, load_settings
from royaley_pipeline.definitions import build_definitions
from royaley_pipeline.home import initialise_home
from royaley_pipeline.launch import TRAINING_JOB, Origin, range_tags, run_config, run_tags
from royaley_pipeline.partitions import model_key

_EMBEDDED_INSTANCE_YAML = """\
# The embedded Dagster instance of `make run` / `make ui`: SQLite storage in this folder.
# The production instance (PostgreSQL storage, run queue, a container per run) is docker/dagster.yaml.
telemetry:
  enabled: false
"""


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


def definitions(settings: Settings | None = None) -> Definitions:
    """The code location wired to ``settings`` (read from the environment now, by default)."""
    return build_definitions(settings or load_settings())


def execute(
    job_name: str,
    *,
    tags: dict[str, str],
    partition_key: str | None = None,
    config: RunConfig | None = None,
    run_id: str | None = None,
    dagster_instance: DagsterInstance | None = None,
    defs: Definitions | None = None,
) -> ExecuteInProcessResult:
    """Execute one run of ``job_name`` in this process, recorded on the instance."""
    job = (defs or definitions()).resolve_job_def(job_name)
    return job.execute_in_process(
        run_id=run_id,
        instance=dagster_instance or instance(),
        partition_key=partition_key,
        tags=tags,
        run_config=config or run_config(),
        raise_on_error=False,
    )


def run_sport_dates(
    job_name: str,
    sport: str,
    start: date,
    end: date,
    *,
    origin: Origin = Origin.CLI,
    dagster_instance: DagsterInstance | None = None,
    defs: Definitions | None = None,
) -> ExecuteInProcessResult:
    """One run over one sport × [start, end]: the same single-run backfill the UI launches.

    One sport per run: Dagster resolves a multi-partition range dimension by dimension in the
    sports' declared order, so a range "from ATP to NFL" would cover the sports in between (or
    none), never just the two asked for.
    """
    tags = {**run_tags(origin, sport), **range_tags(job_name, sport, start, end)}
    return execute(job_name, tags=tags, dagster_instance=dagster_instance, defs=defs)


def run_model(
    sport: str,
    bet_type: str,
    *,
    config: RunConfig | None = None,
    origin: Origin = Origin.CLI,
    dagster_instance: DagsterInstance | None = None,
    defs: Definitions | None = None,
) -> ExecuteInProcessResult:
    return execute(
        TRAINING_JOB,
        tags=run_tags(origin, sport, bet_type),
        partition_key=model_key(sport, bet_type),
        config=config,
        dagster_instance=dagster_instance,
        defs=defs,
    )


def where_to_look(run_id: str, settings: Settings) -> str:
    """Where to read about a run: its page in `royaley ui`, and its logs on disk."""
    logs = settings.dagster_home / "storage" / run_id
    return f"see `royaley ui` → /runs/{run_id}, compute logs under {logs}"
