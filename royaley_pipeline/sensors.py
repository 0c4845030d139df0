"""Sensors: a failing run is reported where people look (the log, and a webhook when configured)."""

from __future__ import annotations

from dagster import DagsterEventType, DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from royaley_pipeline.alerts import FailureAlert, post_alert, webhook_url
from royaley_pipeline.runner import root_cause_message


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
        partition_key=run.tags.get("dagster/partition"),
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
    url = webhook_url()
    if url:
        status = post_alert(url, alert)
        context.log.info(f"failure alert for run {alert.run_id} posted to the webhook (HTTP {status})")


SENSORS = [run_failure_alert]
