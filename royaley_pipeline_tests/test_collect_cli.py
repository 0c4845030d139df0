"""`royaley collect` as a user runs it, against the replay service on loopback (real HTTP, real runs)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from dagster import DagsterInstance
from sqlalchemy import create_engine, text

from royaley_pipeline.collection_runs import SOURCES, CollectionRequestError, collection_days, parse_sources
from royaley_pipeline.config import load_settings
from royaley_pipeline.replay.history import history_files, load_replay_history
from royaley_pipeline.replay.service import ReplayClock, ReplayServer, build_app, replay_environment
from royaley_pipeline_tests.test_cli import royaley

SUNDAY = "2024-10-06"
SUNDAY_GAMES = 12  # week 5 of 2024: Thursday's game, 12 on Sunday (London included), Monday night


@pytest.fixture(scope="module")
def service():
    history = load_replay_history(history_files(load_settings()), "NFL", date(2024, 10, 6), date(2024, 10, 7))
    clock = ReplayClock(pd.Timestamp("2024-10-08 08:00", tz="UTC"))  # the Sunday games are over
    with ReplayServer(build_app({"NFL": history}, clock)) as server:
        yield server


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parse_sources("espn,curling"), "unknown source 'curling'; known sources: espn,"),
        (lambda: collection_days(None, date(2024, 10, 7), date(2024, 10, 6), "UTC"), "is before --start"),
        (lambda: collection_days(date(2024, 10, 6), date(2024, 10, 6), None, "UTC"), "not both"),
        (lambda: collection_days(None, date(2024, 10, 6), None, "UTC"), "--start and --end go together"),
        (lambda: collection_days(None, date(2024, 1, 1), date(2024, 3, 1), "UTC"), "collect at most 31 days"),
    ],
)
def test_requests_that_cannot_be_served_are_refused_with_one_line(call, message):
    with pytest.raises(CollectionRequestError, match=message):
        call()


def test_sources_run_in_collection_order_and_the_default_is_today_in_the_schedules_zone():
    assert parse_sources("open_meteo,espn") == ("espn", "open_meteo")
    assert parse_sources(None) == tuple(SOURCES)
    start, end = collection_days(None, None, None, "Pacific/Kiritimati")
    assert start == end == pd.Timestamp.now(tz="Pacific/Kiritimati").date()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "espn,curling", "--sport", "NFL"], "unknown source 'curling'; known sources: espn,"),
        (["--sport", "NFL", "--start", "2024-10-07", "--end", "2024-10-06"], "--end 2024-10-06 is before --start"),
        (["--sport", "XFL"], "unknown sport 'XFL'"),
    ],
)
def test_bad_requests_exit_2_with_one_line_and_start_no_run(tmp_path, args, message):
    result = royaley(tmp_path, "collect", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr
    dagster_home = tmp_path / "dagster"
    if (dagster_home / "dagster.yaml").exists():
        with DagsterInstance.from_config(str(dagster_home)) as instance:
            assert instance.get_runs_count() == 0


def test_collects_each_source_as_its_own_run_and_reports_rows_quota_and_skips(tmp_path, service):
    environment = {**replay_environment(service.base_url), "ROYALEY_COLLECTOR_RETRY_DELAY": "0"}
    result = royaley(tmp_path, "collect", "--sport", "NFL", "--date", SUNDAY, **environment)
    output = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("espn NFL 2024-10-06: ", "odds_api NFL 2024-10-06", "pinnacle NFL 2024-10-06: not configured (PINNACLE_USERNAME",
                 "thesportsdb NFL 2024-10-06: not configured (THESPORTSDB_API_KEY is not set)", "tennis NFL 2024-10-06: tennis does not cover NFL"):
        assert line in output
    assert "raw/espn_games" in output and "raw/nflverse_games" in output and "quota left" in output
    engine = create_engine(f"sqlite:///{tmp_path / 'royaley.db'}")
    with engine.connect() as connection:
        finals = connection.execute(text("select count(*) from games where status = 'final'")).scalar()
        closers = connection.execute(text("select count(*) from odds_snapshots")).scalar()
    engine.dispose()
    assert finals == SUNDAY_GAMES and closers > 0  # the nflverse file's closing lines, known once the games are over
    with DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        assert instance.get_runs_count() == 7  # one run per source


def test_a_failing_source_is_exit_1_with_its_error_while_the_others_collect(tmp_path, service):
    environment = {**replay_environment(service.base_url), "ROYALEY_COLLECTOR_RETRY_DELAY": "0",
                   "ROYALEY_ESPN_BASE_URL": f"{service.base_url}/no-such-service"}
    result = royaley(tmp_path, "collect", "--source", "espn,nflverse", "--sport", "NFL", "--date", SUNDAY,
                     **environment)
    output = " ".join(result.stdout.split())
    assert result.returncode == 1, output
    assert "error: espn NFL 2024-10-06:" in output and "404" in output
    assert f"nflverse NFL 2024-10-06: {SUNDAY_GAMES} row(s)" in output
