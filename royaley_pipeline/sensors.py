"""Sensors: predictions follow new odds, and the month's features follow each daily collection."""

from dagster import (
    AssetRecordsFilter,
    DagsterRunStatus,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_status_sensor,
    sensor,
)

from royaley_pipeline.assets.live import ODDS_ASSETS
from royaley_pipeline.jobs import collection_job, live_collection_job, predictions_job
from royaley_pipeline.partitions import parse_sport_date_keys, sport_day_partitions, sport_month_key

PARTITION_TAG = "dagster/partition"


@sensor(job=predictions_job, minimum_interval_seconds=120,
        description="Re-materialise a sport-day's predictions when new odds snapshots land for it.")
def new_odds_sensor(context: SensorEvaluationContext):
    """Cursor: the last storage id seen. A materialisation that wrote snapshots requests its day."""
    after = int(context.cursor) if context.cursor else None
    latest: dict[str, int] = {}
    newest = after or 0
    for key in ODDS_ASSETS:
        records = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=key, after_storage_id=after), limit=1000, ascending=True
        ).records
        for record in records:
            newest = max(newest, record.storage_id)
            metadata = record.asset_materialization.metadata if record.asset_materialization else {}
            written = getattr(metadata.get("snapshots_written"), "value", 0) or 0
            if record.partition_key and written > 0:
                latest[record.partition_key] = max(latest.get(record.partition_key, 0), record.storage_id)
    context.update_cursor(str(newest) if newest else context.cursor)
    if not latest:
        return SkipReason("no new odds snapshots")
    return [
        RunRequest(run_key=f"predict-{partition}-{storage_id}", partition_key=partition,
                   tags={"royaley/trigger": "new_odds"})
        for partition, storage_id in sorted(latest.items())
    ]


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[live_collection_job],
    request_job=collection_job,
    description="After a day's live collection, refresh its month's raw files and features so the "
    "06:00 predictions score today's games with today's features.",
)
def features_after_collection_sensor(context: RunStatusSensorContext):
    partition = context.dagster_run.tags.get(PARTITION_TAG)
    if not partition:
        return SkipReason("the collection run had no single partition")
    window = parse_sport_date_keys(sport_day_partitions, [partition])
    return [
        RunRequest(run_key=f"month-after-{context.dagster_run.run_id}", partition_key=sport_month_key(sport, window.start))
        for sport in window.sports
    ]


SENSORS = [new_odds_sensor, features_after_collection_sensor]
