"""Sensors: predictions follow new odds, the month's features follow each daily collection, and a
failing run is reported where people look (the log, and a webhook when configured)."""

from dagster import (
    AssetRecordsFilter,
    DagsterEventType,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)

from royaley_pipeline.alerts import FailureAlert, post_alert
from royaley_pipeline.assets.live import ODDS_ASSETS
from royaley_pipeline.config import load_settings
from royaley_pipeline.jobs import collection_job, live_collection_job, predictions_job, settlement_job
from royaley_pipeline.launch import PARTITION_TAG, TRIGGER_TAG, Origin, run_tags
from royaley_pipeline.partitions import (
    parse_sport_date_keys,
    sport_day_key,
    sport_day_partitions,
    sport_month_key,
)
from royaley_pipeline.run_failures import root_cause_message


def _after_collection_sensor(name: str, request_job, prefix: str, partition_of, description: str):
    """A sensor that, after each successful live collection, requests ``request_job`` for the
    collected sport-day's ``partition_of(sport, day)`` (see ``_after_collection``)."""

    @run_status_sensor(name=name, run_status=DagsterRunStatus.SUCCESS, monitored_jobs=[live_collection_job],
                       request_job=request_job, description=description)
    def _sensor(context: RunStatusSensorContext):
        return _after_collection(context, prefix, partition_of)

    return _sensor


@sensor(job=predictions_job, minimum_interval_seconds=120,
        description="Re-materialise a sport-day's predictions when new odds snapshots land for it.")
def new_odds_sensor(context: SensorEvaluationContext):
    """Cursor: the last storage id seen. A materialisation that wrote snapshots of its own day
    (not only the look-ahead days') requests its day."""
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
            # Snapshots of the partition's own days: look-ahead odds for later days do not re-price it.
            written = getattr(metadata.get("rows_written_own_days", metadata.get("rows_written")), "value", 0) or 0
            if record.partition_key and written > 0:
                latest[record.partition_key] = max(latest.get(record.partition_key, 0), record.storage_id)
    context.update_cursor(str(newest) if newest else context.cursor)
    if not latest:
        return SkipReason("no new odds snapshots")
    return [
        RunRequest(run_key=f"predict-{partition}-{storage_id}", partition_key=partition,
                   tags=run_tags(Origin.SENSOR, **{TRIGGER_TAG: "new_odds"}))
        for partition, storage_id in sorted(latest.items())
    ]


features_after_collection_sensor = _after_collection_sensor(
    "features_after_collection_sensor", collection_job, "month-after", sport_month_key,
    "After a day's live collection, refresh its month's raw files and features so the "
    "06:00 predictions score today's games with today's features.")


def failure_alert(context: RunFailureSensorContext) -> FailureAlert:
    """The failing steps, the assets they were materialising, and the root error."""
    run = context.dagster_run
    failures = context.get_step_failure_events()
    steps = [event.step_key for event in failures if event.step_key]
    errors = [
        root_cause_message(event.step_failure_data.error)
        for event in failures
        if event.step_failure_data and event.step_failure_data.error
    ]
    planned = {
        record.dagster_event.step_key: record.dagster_event.event_specific_data.asset_key.to_user_string()
        for record in context.instance.all_logs(
            run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        )
        if record.dagster_event and record.dagster_event.step_key in steps
    }
    return FailureAlert(
        run_id=run.run_id,
        job_name=run.job_name,
        partition_key=run.tags.get(PARTITION_TAG),
        failed_steps=steps,
        failed_assets=sorted(set(planned.values())),
        error="; ".join(error for error in errors if error) or context.failure_event.message or "run failed",
    )


@run_failure_sensor(
    name="run_failure_alert",
    description="Logs the failing asset, step and error of every failed run; posts them to "
    "ROYALEY_ALERT_WEBHOOK_URL when set.",
    monitor_all_code_locations=False,
    default_status=DefaultSensorStatus.RUNNING,
)
def run_failure_alert(context: RunFailureSensorContext) -> None:
    alert = failure_alert(context)
    context.log.error(alert.payload()["text"])
    url = load_settings().alert_webhook_url  # read at each evaluation: a secret, never in the definitions
    if url:
        status = post_alert(url, alert)
        context.log.info(f"failure alert for run {alert.run_id} posted to the webhook (HTTP {status})")


settlement_after_collection_sensor = _after_collection_sensor(
    "settlement_after_collection_sensor", settlement_job, "settle-after", sport_day_key,
    "After a day's live collection, settle that day's predictions whose games are now final "
    "(the 04:00 run collects yesterday's final scores).")


def _after_collection(context: RunStatusSensorContext, prefix: str, partition_of) -> list[RunRequest] | SkipReason:
    """One run per sport of a successful live collection's day, on ``partition_of(sport, day)``."""
    partition = context.dagster_run.tags.get(PARTITION_TAG)
    if not partition:
        return SkipReason("the collection run had no single partition")
    window = parse_sport_date_keys(sport_day_partitions, [partition])
    return [
        RunRequest(run_key=f"{prefix}-{context.dagster_run.run_id}", partition_key=partition_of(sport, window.start),
                   tags=run_tags(Origin.SENSOR, sport, **{TRIGGER_TAG: "live_collection"}))
        for sport in window.sports
    ]


SENSORS = [new_odds_sensor, features_after_collection_sensor, settlement_after_collection_sensor, run_failure_alert]
