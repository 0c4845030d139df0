"""The Dagster code location: assets, checks, jobs, schedules, sensors and resources.

``defs`` is built when Dagster loads the code location (``@definitions``), not when this module is
imported, so the settings are read at start time.
"""

import dagster as dg

from royaley_pipeline.assets.checks import RAW_CHECKS
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.assets.live import live_assets
from royaley_pipeline.assets.models import game_outcome_model
from royaley_pipeline.assets.predictions import game_predictions
from royaley_pipeline.assets.raw import historical_games
from royaley_pipeline.config import Settings, load_settings
from royaley_pipeline.jobs import JOBS
from royaley_pipeline.resources import build_resources
from royaley_pipeline.schedules import build_schedules
from royaley_pipeline.sensors import SENSORS

# Runs execute in one process unless their run config asks for `execution: {config: {multiprocess:
# {}}}`. Every job here is a chain (raw → checks → features; one model per run), and a process per
# step or check re-imports the code location for seconds of work: a season backfill took 6× as long
# with the multiprocess executor (benchmarks/deployment_benchmark.py).
IN_PROCESS_BY_DEFAULT = dg.multi_or_in_process_executor.configured(
    lambda chosen: chosen,
    config_schema=dg.Field(dg.multi_or_in_process_executor.config_schema.config_type,
                           default_value={"in_process": {}}),
    name="in_process_unless_multiprocess",
)


def build_definitions(settings: Settings) -> dg.Definitions:
    """The code location wired to ``settings`` (the live assets' retry delay included)."""
    live = live_assets(settings.collector_retry_delay).values()
    return dg.Definitions(
        assets=[historical_games, *live, game_features, game_outcome_model, game_predictions],
        asset_checks=RAW_CHECKS,
        jobs=JOBS,
        schedules=build_schedules(settings),
        sensors=SENSORS,
        resources=build_resources(settings),
        executor=IN_PROCESS_BY_DEFAULT,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())
