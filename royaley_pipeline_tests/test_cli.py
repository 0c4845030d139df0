"""The `royaley` console script, run as a user runs it: real processes, real Dagster instance."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
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
        (["predict", "--sport", "CURLING"], "unknown sport 'CURLING'"),
        (["predict", "--sport", "NFL", "--output", "/dev/null/slate.json"], "cannot write there"),
        (["predict", "--sport", "NFL", "--as-of", "2999-01-01T00:00Z"], "is in the future"),
        (["predict", "--sport", "NFL", "--all"], "not both"),
        (["ledger", "--since", "2024-02-01", "--until", "2024-01-01"], "since 2024-02-01 is after until 2024-01-01"),
        (["ledger", "--tier", "E"], "tier 'E' is not one of A, B, C, D"),
        (["ledger", "--sport", "ATP", "--bet-type", "spread"], "ATP does not offer bet type 'spread'"),
        (["ledger", "--bet-type", "parlay"], "bet type 'parlay' is not one of"),
        (["settle", "--sport", "NFL", "--start", "2024-02-01", "--end", "2024-01-01"], "is before --start"),
        (["promote", "--sport", "NFL", "--bet-type", "match_winner", "--version", "1"], "does not offer"),
        (["ingest", "--sport", "NFL", "--start", "1850-01-01", "--end", "1850-02-01"],
         "NFL history starts 1999-09-01: --start 1850-01-01 is before it"),
        (["ingest", "--sport", "NBA", "--start", "2020-03-01", "--end", "2020-01-01"],
         "--start 2020-03-01 is after --end 2020-01-01"),
        (["features", "--sport", "NFL", "--start", "2020-01-01", "--end", "2150-01-01"],
         "--end 2150-01-01 is more than a year after today"),
        (["ingest", "--sport", "ATP", "--start", "2010-01-01", "--end", "2010-02-01"], "ATP history starts 2015-01-01"),
        (["run", "--sport", "NFL", "--output", "/dev/null/slate.json"], "--output /dev/null/slate.json: cannot write"),
        (["ingest", "--start", "2023-09-01"], "give --sport CODE or --all"),
        (["promote", "--sport", "NFL", "--bet-type", "spread", "--version", "99"],
         "royaley-nfl-spread has no version 99 (registered versions: none)"),
        (["promote", "--sport", "NFL", "--bet-type", "spread", "--rollback"],
         "royaley-nfl-spread has no earlier champion to roll back to"),
        (["models", "--sport", "x' OR name LIKE '%"], "unknown sport \"x' OR name LIKE '%\""),
        (["models", "--bet-type", "spread' OR name LIKE '%"], "unknown bet type"),
        (["models", "--sport", "CURLING"], "unknown sport 'CURLING'"),
    ],
)
def test_bad_requests_exit_2_with_one_line(tmp_path, args, message):
    result = royaley(tmp_path, *args)
    assert result.returncode == 2
    assert result.stdout.strip().splitlines() == [f"error: {result.stdout.strip()[len('error: '):]}"]
    assert message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("edge", ["-1", "nan", "inf", "lots"])
def test_a_min_edge_that_is_not_an_edge_is_refused_in_one_line(tmp_path, edge):
    result = royaley(tmp_path, "predict", "--sport", "NFL", "--date", "2024-12-22", "--min-edge", edge)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: royaley predict: argument --min-edge: {edge!r} is not an edge (a number from 0, e.g. 0.05 "
        "for 5%) (see royaley predict --help)"
    ]


def test_a_bad_setting_is_a_bad_request(tmp_path):
    result = royaley(tmp_path, "models", ROYALEY_H2O_NTHREADS="many")
    assert result.returncode == 2
    assert result.stdout.strip() == "error: ROYALEY_H2O_NTHREADS='many' is not a number"


def test_an_unreachable_database_is_an_internal_error_in_one_line(tmp_path):
    """A database that cannot be reached is not the caller's mistake: exit 1, one line saying what
    failed, the traceback kept in a file, the password nowhere."""
    result = royaley(tmp_path, "train", "--sport", "NFL", "--bet-type", "spread", "--mock",
                     ROYALEY_DATABASE_URL="postgresql+psycopg2://nobody:s3cret-pw@127.0.0.1:9/nothing")
    assert result.returncode == 1, result.stdout + result.stderr
    output = " ".join(result.stdout.split())
    assert output.startswith("internal error (no run started): OperationalError:")
    assert "Connection refused" in output and "s3cret-pw" not in result.stdout + result.stderr
    saved = Path(output.split("traceback: ", 1)[1].strip())
    assert "Traceback" in saved.read_text() and "Traceback" not in result.stdout + result.stderr


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
    assert (slate["date"], slate["sports"], slate["skipped"]) == ("2018-12-23", ["NFL"], [])
    assert len(slate["predictions"]) == 3 * 13
    assert {row["tier"] for row in slate["predictions"]} <= {"A", "B", "C", "D"}
    only_a = royaley(home, "predict", "--sport", "NFL", "--date", "2018-12-23", "--tier", "A",
                     "--output", str(home / "a.json"))
    assert only_a.returncode == 0
    assert all(row["tier"] == "A" for row in json.loads((home / "a.json").read_text())["predictions"])


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
    from royaley_pipeline.config import load_settings
    from royaley_pipeline.sources.catalog import sports_with_history

    sports = sports_with_history(load_settings())
    assert {"NFL", "NBA", "ATP"} <= set(sports)  # and every sport whose files are in ROYALEY_SHARED_DATA
    for sport in sports:
        assert f"ingest {sport} 2023-09-01..2023-09-30" in result.stdout
    lines = {line.split()[2]: line for line in result.stdout.splitlines() if line.startswith("✓ ingest")}
    assert "49 games written" in lines["NFL"]
    assert "0 games written (no games in these dates)" in lines["NBA"]  # the NBA season starts in October
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.games import count_rows

    engine = engine_for(f"sqlite:///{tmp_path / 'royaley.db'}")
    assert count_rows(engine, "NFL")["games"] == 49 and count_rows(engine, "ATP")["games"] > 100


def test_predict_all_predicts_the_sports_with_games_and_names_the_others(home):
    """The 06:00 cron line: every sport, one JSON file (parent folders made), a line per sport skipped."""
    output = home / "predictions" / "2018" / "2018-12-23.json"
    result = royaley(home, "predict", "--all", "--date", "2018-12-23", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any("no NBA games on 2018-12-23; none stored after it" in line for line in lines)  # only NFL stored
    assert any("predict NFL 2018-12-23" in line for line in lines)
    document = json.loads(output.read_text())
    assert document["sports"] == ["NFL"] and len(document["predictions"]) == 3 * 13
    assert {entry["sport"] for entry in document["skipped"]} == {"NBA", "ATP", *_other_sports()}
    assert [path.name for path in output.parent.iterdir()] == [output.name]  # no temporary left


def _other_sports() -> set[str]:
    from royaley_pipeline.sports import SPORTS

    return set(SPORTS) - {"NFL", "NBA", "ATP"}


def test_a_day_without_games_is_said_with_the_next_date_and_exits_0(home):
    result = royaley(home, "predict", "--sport", "NFL", "--date", "2018-07-04", "--output", str(home / "july.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no NFL games on 2018-07-04; next stored games: 2018-09-06" in " ".join(result.stdout.split())
    assert json.loads((home / "july.json").read_text())["predictions"] == []
    today = royaley(home, "predict", "--sport", "NFL", ROYALEY_SCHEDULE_TIMEZONE="Pacific/Kiritimati")
    assert today.returncode == 0, today.stdout + today.stderr
    from datetime import datetime
    from zoneinfo import ZoneInfo

    kiritimati_today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()  # UTC+14: often "tomorrow"
    assert f"no NFL games on {kiritimati_today}; none stored after it" in " ".join(today.stdout.split())


def test_an_unwritable_output_starts_no_run(home):
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        before = len(instance.get_runs())
    result = royaley(home, "predict", "--sport", "NFL", "--date", "2018-12-23", "--output", "/proc/slate.json")
    assert result.returncode == 2
    assert "--output /proc/slate.json: cannot write there" in " ".join(result.stdout.split())
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        assert len(instance.get_runs()) == before


def test_predict_before_kick_off_then_settle_and_read_the_ledger(home):
    """06:00 on game day with an opening book (+110 both ways), settle, then the ledger from the shell."""
    from royaley_pipeline.config import load_settings
    from royaley_pipeline.domain.ledger import ledger
    from royaley_pipeline.storage.database import engine_for
    from royaley_pipeline.storage.settlements import load_settlements
    from royaley_pipeline_tests.openers import insert_openers

    engine = engine_for(load_settings({"ROYALEY_HOME": str(home)}).database_url)
    insert_openers(engine, date(2018, 12, 23), opening=pd.Timestamp("2018-12-17 18:00", tz="UTC"),
                   late_move=pd.Timestamp("2018-12-23 17:00", tz="UTC"))
    predict = royaley(home, "predict", "--sport", "NFL", "--date", "2018-12-23", "--as-of", "2018-12-23T11:00:00Z")
    assert predict.returncode == 0, predict.stdout + predict.stderr
    settle = royaley(home, "settle", "--sport", "NFL", "--date", "2018-12-23")
    assert settle.returncode == 0, settle.stdout + settle.stderr
    result = royaley(home, "ledger", "--sport", "NFL")
    assert result.returncode == 0, result.stdout + result.stderr
    settled = load_settlements(engine, "NFL")
    overall = ledger(settled).set_index("group").loc["all"]
    assert overall["bets"] > 0
    row = next(line for line in result.stdout.splitlines() if line.startswith("| all"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == str(int(overall["bets"])) and cells[4] == f"{overall['units']:+.2f}"
    assert "first prediction of a game and bet type made before kick-off with a stake" in " ".join(result.stdout.split())
    spread_only = royaley(home, "ledger", "--sport", "NFL", "--bet-type", "spread", "--since", "2018-12-23")
    assert spread_only.returncode == 0 and "| moneyline" not in spread_only.stdout
