"""The Dagster code location: assets, checks, jobs, schedules, sensors and resources."""

from pathlib import Path

from dagster import (
    AnchorBasedFilePathMapping,
    Definitions,
    link_code_references_to_git,
    with_source_code_references,
)

from royaley_pipeline.assets.checks import FEATURE_CHECKS, RAW_CHECKS
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.assets.freshness import with_freshness
from royaley_pipeline.assets.live import LIVE_ASSETS
from royaley_pipeline.assets.models import game_outcome_model
from royaley_pipeline.assets.predictions import game_predictions
from royaley_pipeline.assets.raw import historical_games
from royaley_pipeline.config import Settings, load_settings
from royaley_pipeline.jobs import JOBS
from royaley_pipeline.resources import build_resources
from royaley_pipeline.schedules import SCHEDULES, schedule_timezone
from royaley_pipeline.sensors import SENSORS

ASSETS = [historical_games, *LIVE_ASSETS, game_features, game_outcome_model, game_predictions]


REPOSITORY = Path(__file__).resolve().parents[1]


def catalogued(assets: list, settings: Settings) -> list:
    """The assets with freshness policies and code references: links to the source on the git host
    when ``ROYALEY_GIT_URL`` is set, else the local files (which ``dagster dev`` opens)."""
    assets = with_source_code_references(with_freshness(assets, schedule_timezone()))
    if settings.git_url:
        assets = link_code_references_to_git(
            assets, git_url=settings.git_url, git_branch=settings.git_branch,
            file_path_mapping=AnchorBasedFilePathMapping(local_file_anchor=REPOSITORY, file_anchor_path_in_repository=""),
        )
    return list(assets)


def build_definitions(settings: Settings | None = None) -> Definitions:
    """The code location wired to ``settings`` (environment variables by default)."""
    settings = settings or load_settings()
    return Definitions(
        assets=catalogued(ASSETS, settings),
        asset_checks=[*RAW_CHECKS, *FEATURE_CHECKS],
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(settings),
    )


defs = build_definitions()
