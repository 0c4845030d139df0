"""Jobs: the stages as Dagster runs, shared by schedules, the CLI and the UI."""

from dagster import AssetSelection, define_asset_job

from royaley_pipeline.assets.features import FEATURES_GROUP
from royaley_pipeline.assets.live import LIVE_GROUP
from royaley_pipeline.assets.models import MODELS_GROUP
from royaley_pipeline.assets.predictions import PREDICTIONS_GROUP
from royaley_pipeline.assets.raw import RAW_GROUP
from royaley_pipeline.assets.settlements import SETTLEMENTS_GROUP

raw_selection = AssetSelection.groups(RAW_GROUP)
features_selection = AssetSelection.groups(FEATURES_GROUP)

collection_job = define_asset_job(
    "collection_job", selection=raw_selection | features_selection,
    description="Collect raw games, odds and weather, then recompute the features of the same partitions.",
)
live_collection_job = define_asset_job(
    "live_collection_job", selection=AssetSelection.groups(LIVE_GROUP),
    description="Collect one sport-day from the live sources: ESPN, The Odds API, Pinnacle, Open-Meteo, "
    "TheSportsDB, Sackmann tennis and nflverse.",
)
features_job = define_asset_job("features_job", selection=features_selection,
                                description="Recompute features from the stored raw tables.")
training_job = define_asset_job(
    "training_job", selection=AssetSelection.groups(MODELS_GROUP), tags={"royaley/stage": "training"},
    description="Train, validate and register one sport × bet type model.",
)
predictions_job = define_asset_job(
    "predictions_job", selection=AssetSelection.groups(PREDICTIONS_GROUP),
    description="Score a day's games with the champion models at the best available prices.",
)

settlement_job = define_asset_job(
    "settlement_job", selection=AssetSelection.groups(SETTLEMENTS_GROUP),
    description="Settle a day's predictions whose games are final: result, profit, closing-line value.",
)

JOBS = [collection_job, live_collection_job, features_job, training_job, predictions_job, settlement_job]
