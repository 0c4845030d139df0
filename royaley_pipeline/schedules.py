"""Schedules that replace the original cron lines, each naming the partitions it targets.

Times are in the settings' ``schedule_timezone`` (``ROYALEY_SCHEDULE_TIMEZONE``, default
America/New_York, where most of the slate is played); the sports scheduled are the settings'
``scheduled_sports`` (``ROYALEY_SCHEDULED_SPORTS``). Both are read when the definitions are
built, not when this module is imported.
"""

from datetime import timedelta

from dagster import RunRequest, ScheduleDefinition, ScheduleEvaluationContext, schedule

from royaley_pipeline.config import Settings
from royaley_pipeline.jobs import live_collection_job, predictions_job, training_job
from royaley_pipeline.launch import Origin, run_tags
from royaley_pipeline.partitions import model_key, sport_day_key
from royaley_pipeline.sports import get_sport


def _local_date(context: ScheduleEvaluationContext):
    return context.scheduled_execution_time.date()


def build_schedules(settings: Settings) -> list[ScheduleDefinition]:
    sports = settings.scheduled_sports

    def daily_collection_schedule(context: ScheduleEvaluationContext):
        today = _local_date(context)
        for sport in sports:
            for day in (today - timedelta(days=1), today):
                key = sport_day_key(sport, day)
                yield RunRequest(run_key=f"collect-{key}-{today}", partition_key=key,
                                 tags=run_tags(Origin.SCHEDULE, sport))

    def weekly_retraining_schedule(context: ScheduleEvaluationContext):
        week = _local_date(context).isoformat()
        for sport_code in sports:
            for bet_type in get_sport(sport_code).bet_types:
                key = model_key(sport_code, bet_type)
                yield RunRequest(run_key=f"train-{key}-{week}", partition_key=key,
                                 tags=run_tags(Origin.SCHEDULE, sport_code, bet_type))

    def daily_predictions_schedule(context: ScheduleEvaluationContext):
        today = _local_date(context)
        for sport in sports:
            key = sport_day_key(sport, today)
            yield RunRequest(run_key=f"predict-{key}", partition_key=key, tags=run_tags(Origin.SCHEDULE, sport))

    timetable = [
        (daily_collection_schedule, live_collection_job, "0 4 * * *",
         "04:00 daily: yesterday's final scores and today's slate, odds, weather and injuries from the live "
         "sources; a run-status sensor then refreshes the month's raw files and features."),
        (weekly_retraining_schedule, training_job, "0 2 * * 0",
         "Sunday 02:00: retrain every bet type of every scheduled sport."),
        (daily_predictions_schedule, predictions_job, "0 6 * * *",
         "06:00 daily: today's games (not yesterday's) scored by the champions."),
    ]
    return [
        schedule(job=job, cron_schedule=cron, execution_timezone=settings.schedule_timezone, description=text)(run)
        for run, job, cron, text in timetable
    ]
