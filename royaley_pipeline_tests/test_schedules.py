"""Each schedule, evaluated at a given tick, asks for exactly the partitions it should."""

from datetime import datetime
from zoneinfo import ZoneInfo

from dagster import build_schedule_context

from royaley_pipeline.definitions import defs
from royaley_pipeline.schedules import (
    daily_collection_schedule,
    daily_predictions_schedule,
    weekly_retraining_schedule,
)

NEW_YORK = ZoneInfo("America/New_York")


def requests(schedule, when: datetime):
    context = build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def())
    return list(schedule.evaluate_tick(context).run_requests)


def test_cron_lines_replace_the_original_crontab():
    assert daily_collection_schedule.cron_schedule == "0 4 * * *"
    assert weekly_retraining_schedule.cron_schedule == "0 2 * * 0"
    assert daily_predictions_schedule.cron_schedule == "0 6 * * *"
    assert {s.execution_timezone for s in defs.schedules} == {"America/New_York"}


def test_daily_collection_targets_yesterday_and_today_of_each_sport_in_the_live_job(monkeypatch):
    monkeypatch.setenv("ROYALEY_SCHEDULED_SPORTS", "NFL,NBA")
    runs = requests(daily_collection_schedule, datetime(2024, 1, 7, 4, 0, tzinfo=NEW_YORK))
    assert daily_collection_schedule.job_name == "live_collection_job"
    assert sorted(r.partition_key for r in runs) == [
        "2024-01-06|NBA", "2024-01-06|NFL", "2024-01-07|NBA", "2024-01-07|NFL",
    ]


def test_daily_collection_on_the_first_reaches_back_into_the_previous_month(monkeypatch):
    monkeypatch.setenv("ROYALEY_SCHEDULED_SPORTS", "NFL")
    runs = requests(daily_collection_schedule, datetime(2024, 2, 1, 4, 0, tzinfo=NEW_YORK))
    assert [r.partition_key for r in runs] == ["2024-01-31|NFL", "2024-02-01|NFL"]
    assert len({r.run_key for r in runs}) == 2


def test_daily_predictions_target_todays_games_not_yesterdays(monkeypatch):
    monkeypatch.setenv("ROYALEY_SCHEDULED_SPORTS", "NFL,ATP")
    runs = requests(daily_predictions_schedule, datetime(2024, 1, 7, 6, 0, tzinfo=NEW_YORK))
    assert sorted(r.partition_key for r in runs) == ["2024-01-07|ATP", "2024-01-07|NFL"]


def test_weekly_retraining_covers_every_bet_type_each_sport_offers(monkeypatch):
    monkeypatch.setenv("ROYALEY_SCHEDULED_SPORTS", "NFL,ATP")
    runs = requests(weekly_retraining_schedule, datetime(2024, 1, 7, 2, 0, tzinfo=NEW_YORK))
    assert sorted(r.partition_key for r in runs) == [
        "match_winner|ATP", "moneyline|NFL", "spread|NFL", "total|NFL",
    ]
    assert len({r.run_key for r in runs}) == len(runs)


def test_the_timezone_is_configurable(monkeypatch):
    import importlib

    import royaley_pipeline.schedules as schedules

    monkeypatch.setenv("ROYALEY_SCHEDULE_TIMEZONE", "Europe/London")
    try:
        reloaded = importlib.reload(schedules)
        assert {s.execution_timezone for s in reloaded.SCHEDULES} == {"Europe/London"}
    finally:
        monkeypatch.delenv("ROYALEY_SCHEDULE_TIMEZONE")
        importlib.reload(schedules)


def test_by_default_every_sport_with_a_live_source_is_scheduled(monkeypatch):
    from royaley_pipeline.schedules import scheduled_sports

    monkeypatch.delenv("ROYALEY_SCHEDULED_SPORTS", raising=False)
    assert scheduled_sports() == ["NFL", "NCAAF", "NBA", "NCAAB", "NHL", "MLB", "ATP"]
    runs = requests(daily_predictions_schedule, datetime(2024, 1, 7, 6, 0, tzinfo=NEW_YORK))
    assert len(runs) == 7
