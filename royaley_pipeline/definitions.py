"""The Dagster code location: assets, checks, jobs, schedules, sensors and resources.

``defs`` is built when Dagster loads the code location (``@definitions``), not when this module is
imported, so the settings are read at start time.
"""

from pathlib import Path

import dagster as dg

from royaley_pipeline.assets.checks import FEATURE_CHECKS, RAW_CHECKS
from royaley_pipeline.assets.features import game_features
from royaley_pipeline.assets.freshness import with_freshness
from royaley_pipeline.assets.live import live_assets
from royaley_pipeline.assets.models import game_outcome_model
from royaley_pipeline.assets.predictions import game_predictions
from royaley_pipeline.assets.raw import historical_games
from royaley_pipeline.assets.settlements import game_settlements
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

REPOSITORY = Path(__file__).resolve().parents[1]


def catalogued(assets: list, settings: Settings) -> list:
    """The assets with freshness policies and code references: links to the source on the git host
    when ``ROYALEY_GIT_URL`` is set, else the local files (which ``dagster dev`` opens)."""
    assets = dg.with_source_code_references(with_freshness(assets, settings.schedule_timezone))
    if settings.git_url:
        assets = dg.link_code_references_to_git(
            assets, git_url=settings.git_url, git_branch=settings.git_branch,
            file_path_mapping=dg.AnchorBasedFilePathMapping(local_file_anchor=REPOSITORY,
                                                            file_anchor_path_in_repository=""),
        )
    return list(assets)


def build_definitions(settings: Settings) -> dg.Definitions:
    """The code location wired to ``settings`` (the live assets' retry delay included)."""
    live = live_assets(settings.collector_retry_delay).values()
    return dg.Definitions(
        assets=catalogued([historical_games, *live, game_features, game_outcome_model, game_predictions,
                           game_settlements], settings),
        asset_checks=[*RAW_CHECKS, *FEATURE_CHECKS],
        jobs=JOBS,
        schedules=build_schedules(settings),
        sensors=SENSORS,
        resources=build_resources(settings),
        executor=IN_PROCESS_BY_DEFAULT,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())
