"""Schedules that replace the original cron lines, each naming the partitions it targets.

Times are in ``ROYALEY_SCHEDULE_TIMEZONE`` (default America/New_York, where most of the slate is
played); the sports scheduled come from ``ROYALEY_SCHEDULED_SPORTS``, by default every sport with
a live source in the sport registry (WTA has history but no live source yet, so no daily slate).
"""

import os
from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from royaley_pipeline.jobs import live_collection_job, predictions_job, training_job
from royaley_pipeline.partitions import model_key, sport_day_key
from royaley_pipeline.sports import SPORTS, get_sport

DEFAULT_TIMEZONE = "America/New_York"


def schedule_timezone() -> str:
    return os.environ.get("ROYALEY_SCHEDULE_TIMEZONE", DEFAULT_TIMEZONE)


def default_sports() -> str:
    """Every sport some live source covers, in registry order."""
    return ",".join(code for code, sport in SPORTS.items() if sport.sources)


def scheduled_sports() -> list[str]:
    codes = os.environ.get("ROYALEY_SCHEDULED_SPORTS") or default_sports()
    return [get_sport(code.strip()).code for code in codes.split(",") if code.strip()]


def _local_date(context: ScheduleEvaluationContext):
    return context.scheduled_execution_time.date()


@schedule(
    job=live_collection_job,
    cron_schedule="0 4 * * *",
    execution_timezone=schedule_timezone(),
    description="04:00 daily: yesterday's final scores and today's slate, odds, weather and injuries "
    "from the live sources; a run-status sensor then refreshes the month's raw files and features.",
)
def daily_collection_schedule(context: ScheduleEvaluationContext):
    today = _local_date(context)
    for sport in scheduled_sports():
        for day in (today - timedelta(days=1), today):
            key = sport_day_key(sport, day)
            yield RunRequest(run_key=f"collect-{key}-{today}", partition_key=key, tags={"royaley/sport": sport})


@schedule(
    job=training_job,
    cron_schedule="0 2 * * 0",
    execution_timezone=schedule_timezone(),
    description="Sunday 02:00: retrain every bet type of every scheduled sport.",
)
def weekly_retraining_schedule(context: ScheduleEvaluationContext):
    week = _local_date(context).isoformat()
    for sport_code in scheduled_sports():
        for bet_type in get_sport(sport_code).bet_types:
            key = model_key(sport_code, bet_type)
            yield RunRequest(
                run_key=f"train-{key}-{week}",
                partition_key=key,
                tags={"royaley/sport": sport_code, "royaley/bet_type": bet_type},
            )


@schedule(
    job=predictions_job,
    cron_schedule="0 6 * * *",
    execution_timezone=schedule_timezone(),
    description="06:00 daily: today's games (not yesterday's) scored by the champions.",
)
def daily_predictions_schedule(context: ScheduleEvaluationContext):
    today = _local_date(context)
    for sport in scheduled_sports():
        key = sport_day_key(sport, today)
        yield RunRequest(run_key=f"predict-{key}", partition_key=key, tags={"royaley/sport": sport})


SCHEDULES = [daily_collection_schedule, weekly_retraining_schedule, daily_predictions_schedule]
