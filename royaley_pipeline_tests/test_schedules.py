"""Each schedule, evaluated at a given tick, asks for exactly the partitions it should."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from dagster import build_schedule_context

from royaley_pipeline.config import load_settings
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.launch import BET_TYPE_TAG, ORIGIN_TAG, SPORT_TAG
from royaley_pipeline.runner import definitions

NEW_YORK = ZoneInfo("America/New_York")


def schedules(sports: str = "NFL,NBA,ATP", **environ: str) -> dict:
    settings = load_settings({"ROYALEY_HOME": "/nonexistent", "ROYALEY_SCHEDULED_SPORTS": sports, **environ})
    defs = definitions(settings)
    return {schedule.name: (schedule, defs) for schedule in defs.schedules}


def requests(scheduled, name: str, when: datetime):
    schedule, defs = scheduled[name]
    context = build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def())
    return list(schedule.evaluate_tick(context).run_requests)


def test_cron_lines_replace_the_original_crontab():
    crons = {name: schedule.cron_schedule for name, (schedule, _) in schedules().items()}
    assert crons == {"daily_collection_schedule": "0 4 * * *", "weekly_retraining_schedule": "0 2 * * 0",
                     "daily_predictions_schedule": "0 6 * * *"}
    assert {schedule.execution_timezone for schedule, _ in schedules().values()} == {"America/New_York"}


def test_daily_collection_targets_yesterday_and_today_of_each_sport_in_the_live_job():
    scheduled = schedules("NFL,NBA")
    runs = requests(scheduled, "daily_collection_schedule", datetime(2024, 1, 7, 4, 0, tzinfo=NEW_YORK))
    assert scheduled["daily_collection_schedule"][0].job_name == "live_collection_job"
    assert sorted(r.partition_key for r in runs) == [
        "2024-01-06|NBA", "2024-01-06|NFL", "2024-01-07|NBA", "2024-01-07|NFL",
    ]
    assert {(r.tags[ORIGIN_TAG], r.tags[SPORT_TAG]) for r in runs} == {("schedule", "NBA"), ("schedule", "NFL")}


def test_daily_collection_on_the_first_reaches_back_into_the_previous_month():
    runs = requests(schedules("NFL"), "daily_collection_schedule", datetime(2024, 2, 1, 4, 0, tzinfo=NEW_YORK))
    assert [r.partition_key for r in runs] == ["2024-01-31|NFL", "2024-02-01|NFL"]
    assert len({r.run_key for r in runs}) == 2


def test_daily_predictions_target_todays_games_not_yesterdays():
    runs = requests(schedules("NFL,ATP"), "daily_predictions_schedule", datetime(2024, 1, 7, 6, 0, tzinfo=NEW_YORK))
    assert sorted(r.partition_key for r in runs) == ["2024-01-07|ATP", "2024-01-07|NFL"]


def test_weekly_retraining_covers_every_bet_type_each_sport_offers():
    runs = requests(schedules("NFL,ATP"), "weekly_retraining_schedule", datetime(2024, 1, 7, 2, 0, tzinfo=NEW_YORK))
    assert sorted(r.partition_key for r in runs) == [
        "match_winner|ATP", "moneyline|NFL", "spread|NFL", "total|NFL",
    ]
    assert len({r.run_key for r in runs}) == len(runs)
    assert {r.tags[BET_TYPE_TAG] for r in runs} == {"match_winner", "moneyline", "spread", "total"}


def test_the_timezone_is_a_setting_read_when_the_definitions_are_built():
    london = schedules(ROYALEY_SCHEDULE_TIMEZONE="Europe/London")
    assert {schedule.execution_timezone for schedule, _ in london.values()} == {"Europe/London"}


def test_an_unknown_scheduled_sport_is_refused_naming_the_variable():
    with pytest.raises(BadRequest, match="ROYALEY_SCHEDULED_SPORTS: unknown sport 'XFL'"):
        schedules("NFL,XFL")
