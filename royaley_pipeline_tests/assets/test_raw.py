"""Raw assets through real Dagster runs: a season backfill is one run, re-runs change nothing,
bad source rows fail the run with a clear error and write nothing."""

from datetime import date
from pathlib import Path

import pandas as pd
from dagster import AssetKey, DagsterEventType, EventRecordsFilter

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.games import count_rows, load_games
from royaley_pipeline_tests.assets.conftest import Pipeline

SEASON_2023 = (date(2023, 9, 1), date(2024, 2, 29))


def materialised_partitions(pipeline: Pipeline, key: list[str]) -> set[str]:
    records = pipeline.instance.get_event_records(
        EventRecordsFilter(event_type=DagsterEventType.ASSET_MATERIALIZATION, asset_key=AssetKey(key))
    )
    return {record.event_log_entry.dagster_event.partition for record in records}


def test_a_season_backfill_is_one_run_covering_every_month(pipeline):
    result = pipeline.run_months("collection_job", "NFL", *SEASON_2023)
    assert result.success, failure_message(result)
    assert len(pipeline.instance.get_runs()) == 1
    months = {f"2023-{m:02d}-01|NFL" for m in (9, 10, 11, 12)} | {f"2024-{m:02d}-01|NFL" for m in (1, 2)}
    for key in (["raw", "games"], ["raw", "odds_snapshots"], ["raw", "weather"], ["features", "game_features"]):
        assert materialised_partitions(pipeline, key) == months
    games = load_games(pipeline.engine, "NFL", *SEASON_2023)
    assert len(games) == 285  # 272 regular-season games and 13 playoff games
    checks = [e for e in result.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    assert checks and all(e.event_specific_data.passed for e in checks)


def test_materialising_a_partition_three_times_leaves_the_same_rows(pipeline):
    window = (date(2023, 9, 1), date(2023, 9, 30))
    counts, frames = [], []
    for _ in range(3):
        assert pipeline.run_months("collection_job", "NFL", *window).success
        counts.append(count_rows(pipeline.engine, "NFL", *window))
        frames.append(load_games(pipeline.engine, "NFL", *window))
    assert counts[0] == counts[1] == counts[2]
    assert counts[0]["games"] == 49  # weeks 1-3 and the Thursday game of week 4
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_a_malformed_row_fails_the_run_names_the_row_and_writes_nothing(tmp_path):
    source = tmp_path / "source"
    (source / "nflverse").mkdir(parents=True)
    lines = (PACKAGE_DATA / "nflverse" / "games.csv").read_text().splitlines()
    header = lines[0].split(",")
    rows = [line for line in lines if line.startswith("2023_01_")]
    broken = rows[3].split(",")
    broken[header.index("home_score")] = "twenty"
    rows[3] = ",".join(broken)
    (source / "nflverse" / "games.csv").write_text("\n".join([lines[0], *rows]) + "\n")
    pipeline = Pipeline(tmp_path / "home", {"ROYALEY_SOURCE_DATA": str(source), "ROYALEY_NFELO_PATH": ""})
    result = pipeline.run_months("collection_job", "NFL", date(2023, 9, 1), date(2023, 9, 30))
    assert not result.success
    message = failure_message(result)
    assert "games.csv" in message and "row 5" in message and "home_score" in message and "twenty" in message
    assert count_rows(pipeline.engine, "NFL") == {"games": 0, "odds_snapshots": 0}


def test_embedded_data_ships_with_attribution():
    attribution = (PACKAGE_DATA / "ATTRIBUTION.md").read_text()
    for origin in ("nflverse", "Sackmann", "FiveThirtyEight"):
        assert origin in attribution
    assert not list(Path(PACKAGE_DATA).rglob("nfelo*")), "nfelo states no licence: it is read, never shipped"


def test_nba_and_atp_months_load_through_the_same_assets(pipeline):
    assert pipeline.run_months("collection_job", "NBA", date(2023, 1, 1), date(2023, 1, 31)).success
    assert pipeline.run_months("collection_job", "ATP", date(2023, 7, 1), date(2023, 7, 31)).success
    nba = count_rows(pipeline.engine, "NBA")
    assert nba["games"] > 200 and nba["odds_snapshots"] >= 4 * nba["games"]  # spread and total, both sides
    tennis = load_games(pipeline.engine, "ATP")
    wimbledon_final = tennis.loc[tennis["source_game_id"] == "2023-540-226"].iloc[0]
    assert {wimbledon_final["home_team"], wimbledon_final["away_team"]} == {"104925", "207989"}
    assert count_rows(pipeline.engine, "ATP")["odds_snapshots"] == 0
