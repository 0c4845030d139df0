"""What a run of the pipeline is: job and op names, typed run config, tags and partition ranges.

Every launcher — the CLI, the REST API, the schedules, the sensors and the tests — builds its runs
from these, so a job's name, the model op's config and the tags a run carries are written once.
Executing a run on the instance is ``runner.py``'s job: this module sits below the definitions
(jobs, schedules and sensors import it), so it cannot reach the ``Definitions`` without a cycle.
Partition keys are built and parsed by ``partitions.py``, next to the partition definitions.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from dagster import RunConfig

from royaley_pipeline.assets.models import TrainingConfig, game_outcome_model
from royaley_pipeline.partitions import sport_day_key, sport_month_key

COLLECTION_JOB = "collection_job"
LIVE_COLLECTION_JOB = "live_collection_job"
FEATURES_JOB = "features_job"
TRAINING_JOB = "training_job"
PREDICTIONS_JOB = "predictions_job"
DAILY_JOBS = frozenset({PREDICTIONS_JOB, LIVE_COLLECTION_JOB})  # partitioned by sport × day, not month

MODEL_OP = game_outcome_model.op.name  # "models__game_outcome_model", the step a training run fails in

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
ORIGIN_TAG = "royaley/origin"
SPORT_TAG = "royaley/sport"
BET_TYPE_TAG = "royaley/bet_type"
TRIGGER_TAG = "royaley/trigger"
STAGE_TAG = "royaley/stage"


class Origin(StrEnum):
    """Who started a run, tagged ``royaley/origin`` on every run."""

    CLI = "cli"
    API = "api"
    UI = "ui"  # the jobs' default: a run started from the Dagster UI carries no other origin
    SCHEDULE = "schedule"
    SENSOR = "sensor"
    REPLAY = "replay"


def run_tags(origin: Origin, sport: str | None = None, bet_type: str | None = None, **extra: str) -> dict[str, str]:
    """The tags of a run: its origin, and the sport and bet type it works on when it has one."""
    tags = {ORIGIN_TAG: Origin(origin).value, **extra}
    if sport:
        tags[SPORT_TAG] = sport
    if bet_type:
        tags[BET_TYPE_TAG] = bet_type
    return tags


def range_tags(job_name: str, sport: str, start: date, end: date) -> dict[str, str]:
    """A single-run backfill of one sport over [start, end]: days for daily jobs, months otherwise."""
    key = sport_day_key if job_name in DAILY_JOBS else sport_month_key
    return {RANGE_START_TAG: key(sport, start), RANGE_END_TAG: key(sport, end)}


def training_config(**fields) -> TrainingConfig:
    """The model op's typed config; fields left None keep their defaults."""
    return TrainingConfig(**{name: value for name, value in fields.items() if value is not None})


def run_config(
    training: TrainingConfig | None = None, *, execution: dict | None = None, log_level: str = "WARNING"
) -> RunConfig:
    """Typed run config. Console logs at WARNING by default: the CLI shows its own progress and the
    UI keeps the full event log."""
    return RunConfig(
        ops={MODEL_OP: training} if training is not None else None,
        loggers={"console": {"config": {"log_level": log_level}}},
        execution=execution,
    )
