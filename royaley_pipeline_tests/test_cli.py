"""The `royaley` console script, run as a user runs it: real processes, real Dagster instance."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterInstance

ROYALEY = [sys.executable, "-m", "royaley_pipeline.cli"]


def royaley(home: Path, *args: str, timeout: int = 600, **environ: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ROYALEY_HOME": str(home), "COLUMNS": "200", **environ}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run([*ROYALEY, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--sport", "XFL", "--bet-type", "spread"], "unknown sport 'XFL'"),
        (["train", "--sport", "ATP", "--bet-type", "spread"], "ATP does not offer bet type 'spread'"),
        (["train", "--sport", "NFL"], "give --bet-type, --all-bet-types or --all"),
        (["predict", "--sport", "NFL", "--date", "2023-07-04"], "no NFL games on 2023-07-04"),
        (["promote", "--sport", "NFL", "--bet-type", "match_winner", "--version", "1"], "does not offer"),
        (["ingest", "--sport", "NFL", "--start", "1850-01-01", "--end", "1850-02-01"],
         "NFL history starts 1999-09-01: --start 1850-01-01 is before it"),
        (["ingest", "--sport", "NBA", "--start", "2020-03-01", "--end", "2020-01-01"],
         "--start 2020-03-01 is after --end 2020-01-01"),
        (["features", "--sport", "NFL", "--start", "2020-01-01", "--end", "2150-01-01"],
         "--end 2150-01-01 is more than a year after today"),
        (["ingest", "--all", "--start", "2010-01-01", "--end", "2010-02-01"], "ATP history starts 2015-01-01"),
        (["run", "--sport", "NFL", "--output", "/nonexistent-folder/slate.json"], "folder /nonexistent-folder"),
        (["ingest", "--start", "2023-09-01"], "give --sport CODE or --all"),
    ],
)
def test_bad_requests_exit_2_with_one_line(tmp_path, args, message):
    result = royaley(tmp_path, *args)
    assert result.returncode == 2
    assert result.stdout.strip().splitlines() == [f"error: {result.stdout.strip()[len('error: '):]}"]
    assert message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_bad_setting_is_a_bad_request(tmp_path):
    result = royaley(tmp_path, "models", ROYALEY_H2O_NTHREADS="many")
    assert result.returncode == 2
    assert result.stdout.strip() == "error: ROYALEY_H2O_NTHREADS='many' is not a number"


def test_a_run_that_fails_inside_is_an_internal_error_with_its_run_id(tmp_path):
    """A database that cannot be reached is not the caller's mistake: exit 1, the run id, where to look."""
    result = royaley(tmp_path, "train", "--sport", "NFL", "--bet-type", "spread", "--mock",
                     ROYALEY_DATABASE_URL="postgresql+psycopg2://nobody@127.0.0.1:9/nothing")
    assert result.returncode == 1, result.stdout + result.stderr
    output = " ".join(result.stdout.split())
    assert output.startswith("internal error: train NFL spread (mock): step models__game_outcome_model failed:")
    assert "Connection refused" in output
    with DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        [run] = instance.get_runs()
    assert run.is_failure and run.tags["royaley/origin"] == "cli" and run.tags["royaley/bet_type"] == "spread"
    assert f"run {run.run_id}: see `royaley ui` → /runs/{run.run_id}" in output
    assert "Traceback" not in result.stdout + result.stderr


def test_h2o_without_java_says_so_and_suggests_sklearn(tmp_path):
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    result = royaley(tmp_path, "train", "--sport", "NFL", "--bet-type", "spread", "--framework", "h2o",
                     PATH=str(empty_path))
    assert result.returncode == 2
    output = " ".join(result.stdout.split())
    assert "Java runtime" in output and "use --framework sklearn" in output


def test_a_malformed_date_is_refused_by_the_parser(tmp_path):
    result = royaley(tmp_path, "predict", "--sport", "NFL", "--date", "2023-13-45")
    assert result.returncode == 2
    assert "is not a date" in result.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("royaley")


def test_ingest_train_predict_from_the_shell(home):
    ingest = royaley(home, "ingest", "--sport", "NFL", "--start", "2014-09-01", "--end", "2019-02-28")
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    train = royaley(home, "train", "--sport", "NFL", "--all-bet-types", "--algorithm", "logistic",
                    "--first-test-season", "2017")
    assert train.returncode == 0, train.stdout + train.stderr
    for bet_type in ("moneyline", "spread", "total"):
        assert f"train NFL {bet_type}" in train.stdout
    # A --mock model after the real ones: registered, but it never takes the champion's place.
    mock = royaley(home, "train", "--sport", "NFL", "--bet-type", "moneyline", "--mock", "--first-test-season", "2017")
    assert mock.returncode == 0, mock.stdout + mock.stderr
    output = home / "slate.json"
    predict = royaley(home, "predict", "--sport", "NFL", "--date", "2018-12-23", "--output", str(output))
    assert predict.returncode == 0, predict.stdout + predict.stderr
    slate = json.loads(output.read_text())
    assert len(slate) == 3 * 13
    assert {row["tier"] for row in slate} <= {"A", "B", "C", "D"}
    only_a = royaley(home, "predict", "--sport", "NFL", "--date", "2018-12-23", "--tier", "A",
                     "--output", str(home / "a.json"))
    assert only_a.returncode == 0
    assert all(row["tier"] == "A" for row in json.loads((home / "a.json").read_text()))


def test_train_with_h2o_starts_and_stops_its_own_cluster(home):
    """No ROYALEY_H2O_URL: the run starts a local cluster (ice_root under ROYALEY_HOME) and shuts it down."""
    train = royaley(home, "train", "--sport", "NFL", "--bet-type", "spread", "--framework", "h2o",
                    "--algorithm", "gbm", "--first-test-season", "2018", ROYALEY_H2O_URL="")
    assert train.returncode == 0, train.stdout + train.stderr
    assert "train NFL spread (h2o)" in train.stdout
    ice_root = home / "h2o"
    assert ice_root.is_dir()
    leftover = subprocess.run(["pgrep", "-f", str(ice_root)], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "the H2O JVM this run started is still running"
    listing = royaley(home, "models", "--sport", "NFL", "--bet-type", "spread")
    assert "h2o" in listing.stdout


def test_cli_runs_are_recorded_in_the_instance_the_ui_reads(home):
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    try:
        with DagsterInstance.get() as instance:
            jobs = [run.job_name for run in instance.get_runs()]
    finally:
        del os.environ["DAGSTER_HOME"]
    assert "collection_job" in jobs and "training_job" in jobs and "predictions_job" in jobs


def test_promote_by_hand_and_list_models(home):
    promote = royaley(home, "promote", "--sport", "NFL", "--bet-type", "spread", "--version", "1",
                      "--reason", "rollback drill")
    assert promote.returncode == 0, promote.stdout + promote.stderr
    listing = royaley(home, "models", "--sport", "NFL")
    assert listing.returncode == 0
    assert "royaley-nfl-spread" in listing.stdout and "champion" in listing.stdout
    mock_rows = [line for line in listing.stdout.splitlines() if "mock/elo-baseline" in line]
    assert len(mock_rows) == 1 and "royaley-nfl-moneyline" in mock_rows[0] and "champion" not in mock_rows[0]
    refused = royaley(home, "promote", "--sport", "NFL", "--bet-type", "moneyline", "--version", "2")
    assert refused.returncode == 2
    assert "royaley-nfl-moneyline:2: a --mock model (the Elo baseline) never becomes champion" in " ".join(
        refused.stdout.split())


def test_ingest_all_runs_each_sport_with_history_as_its_own_run(tmp_path):
    result = royaley(tmp_path, "ingest", "--all", "--start", "2023-09-01", "--end", "2023-09-30")
    assert result.returncode == 0, result.stdout + result.stderr
    for sport in ("NFL", "NBA", "ATP"):
        assert f"ingest {sport} 2023-09-01..2023-09-30" in result.stdout
    lines = {line.split()[2]: line for line in result.stdout.splitlines() if line.startswith("✓ ingest")}
    assert "49 games written" in lines["NFL"]
    assert "0 games written (no games in these dates)" in lines["NBA"]  # the NBA season starts in October
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.games import count_rows

    engine = engine_for(f"sqlite:///{tmp_path / 'royaley.db'}")
    assert count_rows(engine, "NFL")["games"] == 49 and count_rows(engine, "ATP")["games"] > 100
