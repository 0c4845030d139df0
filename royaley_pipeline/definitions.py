"""The Dagster code location: assets, checks, jobs, schedules, sensors and resources."""

from dagster import Definitions

from royaley_pipeline.assets.checks import RAW_CHECKS
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.assets.live import LIVE_ASSETS
from royaley_pipeline.assets.models import game_outcome_model
from royaley_pipeline.assets.predictions import game_predictions
from royaley_pipeline.assets.raw import historical_games
from royaley_pipeline.assets.settlements import game_settlements
from royaley_pipeline.config import Settings
from royaley_pipeline.jobs import JOBS
from royaley_pipeline.resources import build_resources
from royaley_pipeline.schedules import SCHEDULES
from royaley_pipeline.sensors import SENSORS

ASSETS = [historical_games, *LIVE_ASSETS, game_features, game_outcome_model, game_predictions, game_settlements]


def build_definitions(settings: Settings | None = None) -> Definitions:
    """The code location wired to ``settings`` (environment variables by default)."""
    return Definitions(
        assets=ASSETS,
        asset_checks=RAW_CHECKS,
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(settings),
    )


defs = build_definitions()
