"""The Dagster code location: assets, checks, jobs, schedules, sensors and resources.

``defs`` is built when Dagster loads the code location (``@definitions``), not when this module is
imported, so the settings are read at start time.
"""

import dagster as dg

from royaley_pipeline.assets.checks import RAW_CHECKS
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.assets.live import LIVE_ASSETS
from royaley_pipeline.assets.models import game_outcome_model
from royaley_pipeline.assets.predictions import game_predictions
from royaley_pipeline.assets.raw import historical_games
from royaley_pipeline.config import Settings, load_settings
from royaley_pipeline.jobs import JOBS
from royaley_pipeline.resources import build_resources
from royaley_pipeline.schedules import build_schedules
from royaley_pipeline.sensors import SENSORS

ASSETS = [historical_games, *LIVE_ASSETS, game_features, game_outcome_model, game_predictions]


def build_definitions(settings: Settings) -> dg.Definitions:
    """The code location wired to ``settings``."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=RAW_CHECKS,
        jobs=JOBS,
        schedules=build_schedules(settings),
        sensors=SENSORS,
        resources=build_resources(settings),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())
