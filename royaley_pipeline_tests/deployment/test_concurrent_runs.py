"""Two runs launched at once for the same partitions leave the rows one run leaves.

The run queue normally keeps one run per sport at a time (docker/dagster.yaml), but a manual
launch, a retry after a lost heartbeat or a second deployment can still start two: the writes
themselves must be safe. Both processes start against a fresh database, so they also race
through the schema migrations.
"""

import os
import subprocess
import sys
import time
from datetime import date

from royaley_pipeline_tests.assets.conftest import Pipeline
from royaley_pipeline_tests.conftest import drop_postgres_database, fresh_postgres_database
from royaley_pipeline_tests.deployment.conftest import REPOSITORY, scalar

SEASON = (date(2015, 9, 1), date(2016, 2, 29))

# A run process as a code server or run worker would be: imports done, then a real Dagster run
# through the runner; both wait on one file so their runs start together.
RUN_PROCESS = """
import sys, time
from datetime import date
from pathlib import Path
from royaley_pipeline import runner
import royaley_pipeline.definitions
runner.prepare_environment()
go = Path(sys.argv[1])
Path(sys.argv[2]).touch()
while not go.exists():
    time.sleep(0.01)
result = runner.run_sport_dates("collection_job", "NFL", date.fromisoformat(sys.argv[3]), date.fromisoformat(sys.argv[4]))
print(result.run_id)
sys.exit(0 if result.success else runner.failure_message(result))
"""

# Natural keys: a duplicate is a row whose key appears twice.
TABLES = {
    "games": "sport_id, source_game_id",
    "odds_snapshots": "game_id, book, market, side, captured_at",
    "weather": "game_id, source, observed_at",
    "features": "game_id, feature_set_version",
}


def counts(url: str) -> dict[str, tuple[int, int]]:
    return {
        table: (scalar(url, f"SELECT count(*) FROM {table}"),
                scalar(url, f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {table}) AS keys"))
        for table in TABLES
        for key in [TABLES[table]]
    }


def test_two_runs_of_the_same_partitions_at_once_leave_no_duplicates(stack, tmp_path):
    reference = Pipeline(tmp_path / "reference")
    assert reference.run_months("collection_job", "NFL", *SEASON).success
    expected = counts(str(reference.engine.url))

    app_url = fresh_postgres_database()
    try:
        # The same inputs as the reference pipeline above: no nfelo openers from a shared data folder.
        environment = {name: value for name, value in os.environ.items()
                       if name not in ("ROYALEY_SHARED_DATA", "ROYALEY_NFELO_PATH")}
        environment.update({**stack.environment(), "ROYALEY_DATABASE_URL": app_url,
                            "ROYALEY_HOME": str(tmp_path / "home")})
        go = tmp_path / "go"
        processes = []
        for number in range(2):
            ready = tmp_path / f"ready-{number}"
            processes.append((ready, subprocess.Popen(
                [sys.executable, "-c", RUN_PROCESS, str(go), str(ready), *(day.isoformat() for day in SEASON)],
                cwd=REPOSITORY, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )))
        deadline = time.monotonic() + 240
        while not all(ready.exists() for ready, _ in processes):
            assert time.monotonic() < deadline, "run processes did not get ready"
            assert all(process.poll() is None for _, process in processes), processes[0][1].communicate()
            time.sleep(0.05)
        go.touch()
        outputs = [process.communicate(timeout=600) for _, process in processes]
        for (_, process), (_, stderr) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, stderr[-4000:]
        run_ids = [stdout.strip().splitlines()[-1] for stdout, _ in outputs]

        # Both runs are in Dagster's PostgreSQL storage and really ran side by side.
        windows = [
            (scalar(stack.dagster_url, "SELECT start_time FROM runs WHERE run_id = :id", id=run_id),
             scalar(stack.dagster_url, "SELECT end_time FROM runs WHERE run_id = :id", id=run_id))
            for run_id in run_ids
        ]
        assert max(start for start, _ in windows) < min(end for _, end in windows), windows

        stored = counts(app_url)
        assert all(rows == keys for rows, keys in stored.values()), stored
        assert stored == expected
        assert stored["games"][0] > 250
    finally:
        drop_postgres_database(app_url)
