"""Jobs: the stages as Dagster runs, shared by schedules, the CLI and the UI."""

from dagster import AssetSelection, define_asset_job

from royaley_pipeline.assets.features import FEATURES_GROUP
from royaley_pipeline.assets.live import LIVE_GROUP
from royaley_pipeline.assets.models import MODELS_GROUP
from royaley_pipeline.assets.predictions import PREDICTIONS_GROUP
from royaley_pipeline.assets.raw import RAW_GROUP
from royaley_pipeline.launch import (
    COLLECTION_JOB,
    FEATURES_JOB,
    LIVE_COLLECTION_JOB,
    PREDICTIONS_JOB,
    STAGE_TAG,
    TRAINING_JOB,
    Origin,
    run_tags,
)

# A run started from the UI carries only the job's tags; every other launcher sets its own origin.
UI_TAGS = run_tags(Origin.UI)

raw_selection = AssetSelection.groups(RAW_GROUP)
features_selection = AssetSelection.groups(FEATURES_GROUP)

collection_job = define_asset_job(
    COLLECTION_JOB, selection=raw_selection | features_selection, tags=UI_TAGS,
    description="Collect raw games, odds and weather, then recompute the features of the same partitions.",
)
live_collection_job = define_asset_job(
    LIVE_COLLECTION_JOB, selection=AssetSelection.groups(LIVE_GROUP), tags=UI_TAGS,
    description="Collect one sport-day from the live sources: ESPN, The Odds API, Pinnacle, Open-Meteo, "
    "TheSportsDB, Sackmann tennis and nflverse.",
)
features_job = define_asset_job(FEATURES_JOB, selection=features_selection, tags=UI_TAGS,
                                description="Recompute features from the stored raw tables.")
training_job = define_asset_job(
    TRAINING_JOB, selection=AssetSelection.groups(MODELS_GROUP), tags={**UI_TAGS, STAGE_TAG: "training"},
    description="Train, validate and register one sport × bet type model.",
)
predictions_job = define_asset_job(
    PREDICTIONS_JOB, selection=AssetSelection.groups(PREDICTIONS_GROUP), tags=UI_TAGS,
    description="Score a day's games with the champion models at the best available prices.",
)

JOBS = [collection_job, live_collection_job, features_job, training_job, predictions_job]
