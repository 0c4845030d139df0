"""The Dagster code location: assets, checks, jobs, schedules, sensors and resources."""

from dagster import Definitions, Field, multi_or_in_process_executor

from royaley_pipeline.assets.checks import RAW_CHECKS
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.assets.live import LIVE_ASSETS
from royaley_pipeline.assets.models import game_outcome_model
from royaley_pipeline.assets.predictions import game_predictions
from royaley_pipeline.assets.raw import historical_games
from royaley_pipeline.config import Settings
from royaley_pipeline.jobs import JOBS
from royaley_pipeline.resources import build_resources
from royaley_pipeline.schedules import SCHEDULES
from royaley_pipeline.sensors import SENSORS

ASSETS = [historical_games, *LIVE_ASSETS, game_features, game_outcome_model, game_predictions]

# Runs execute in one process unless their run config asks for `execution: {config: {multiprocess:
# {}}}`. Every job here is a chain (raw → checks → features; one model per run), and a process per
# step or check re-imports the code location for seconds of work: a season backfill took 5× as long
# with the multiprocess executor (benchmarks/deployment_benchmark.py).
IN_PROCESS_BY_DEFAULT = multi_or_in_process_executor.configured(
    lambda chosen: chosen,
    config_schema=Field(multi_or_in_process_executor.config_schema.config_type, default_value={"in_process": {}}),
    name="in_process_unless_multiprocess",
)


def build_definitions(settings: Settings | None = None) -> Definitions:
    """The code location wired to ``settings`` (environment variables by default)."""
    return Definitions(
        assets=ASSETS,
        asset_checks=RAW_CHECKS,
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(settings),
        executor=IN_PROCESS_BY_DEFAULT,
    )


defs = build_definitions()
