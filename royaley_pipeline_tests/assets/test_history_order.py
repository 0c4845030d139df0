"""Features do not depend on the order history arrives in: any change to a sport's raw games
(an earlier season loaded after a later one, a corrected score) leaves every later feature as an
oldest-first load gives it, in the same run, with no manual step."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pandas as pd
from dagster import AssetKey, AssetRecordsFilter

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.features import load_features
from royaley_pipeline.storage.games import load_games
from royaley_pipeline_tests.assets.conftest import Pipeline

END_OF_2022 = (date(2022, 12, 1), date(2023, 2, 28))  # the end of one season and the start of the next
START_OF_2023 = (date(2023, 9, 1), date(2023, 10, 31))
FEATURES = AssetKey(["features", "game_features"])


def _features_by_source_id(pipeline: Pipeline) -> pd.DataFrame:
    """Stored features keyed by the source's game id (database ids depend on load order)."""
    features = load_features(pipeline.engine, "NFL", FEATURE_SET_VERSION)
    games = load_games(pipeline.engine, "NFL")[["game_id", "source_game_id", "start_time"]]
    frame = features.merge(games, on="game_id").drop(columns="game_id")
    return frame.set_index("source_game_id").sort_index()


def _load(pipeline: Pipeline, *seasons) -> None:
    for start, end in seasons:
        result = pipeline.run_months("collection_job", "NFL", start, end)
        assert result.success, failure_message(result)


def test_newest_first_and_oldest_first_backfills_give_identical_features(tmp_path):
    oldest_first, newest_first = Pipeline(tmp_path / "oldest"), Pipeline(tmp_path / "newest")
    _load(oldest_first, END_OF_2022, START_OF_2023)
    _load(newest_first, START_OF_2023, END_OF_2022)
    expected, actual = _features_by_source_id(oldest_first), _features_by_source_id(newest_first)
    assert len(expected) > 200 and list(actual.index) == list(expected.index)
    pd.testing.assert_frame_equal(actual[expected.columns], expected)
    # The issue's example: 2023's opener keeps Elo and head-to-head from 2022, not a blank slate.
    opener = actual.loc["2023_01_DET_KC"]
    assert opener["home_elo"] != 1500.0 and opener["h2h_games"] >= 0 and not np.isnan(opener["home_rest_days"])

    # The later season's months were rewritten by the earlier season's run, and say so in the UI.
    records = newest_first.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=FEATURES, asset_partitions=["2023-10-01|NFL"]), limit=1
    ).records
    metadata = records[0].asset_materialization.metadata
    assert "history changed from 2022-12-01" in metadata["recomputed_because"].value
    assert metadata["dagster/row_count"].value == metadata["games"].value > 0


def test_a_corrected_score_changes_features_from_that_game_on_and_nothing_before(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(PACKAGE_DATA, source, ignore=shutil.ignore_patterns("tennis_atp", "nba"))
    pipeline = Pipeline(tmp_path / "home", {"ROYALEY_SOURCE_DATA": str(source)})
    _load(pipeline, (date(2019, 9, 1), date(2019, 12, 31)))
    before = _features_by_source_id(pipeline)

    games_file = source / "nflverse" / "games.csv"
    nflverse = pd.read_csv(games_file, low_memory=False)
    corrected = nflverse["game_id"] == "2019_06_PHI_MIN"
    assert corrected.sum() == 1
    nflverse.loc[corrected, "home_score"] = 10  # MIN 38 → 10: the winner flips
    nflverse.to_csv(games_file, index=False)
    result = pipeline.run_months("collection_job", "NFL", date(2019, 10, 1), date(2019, 10, 31))
    assert result.success, failure_message(result)
    after = _features_by_source_id(pipeline)

    kick_off = before.loc["2019_06_PHI_MIN", "start_time"]
    earlier = before["start_time"] < kick_off
    pd.testing.assert_frame_equal(after.loc[earlier], before.loc[earlier])
    assert after.loc["2019_06_PHI_MIN", "home_elo"] == before.loc["2019_06_PHI_MIN", "home_elo"]  # pre-game
    changed = (after != before) & ~(after.isna() & before.isna())
    later = before["start_time"] > kick_off
    changed_later = changed.loc[later].any(axis=1)
    assert changed_later.mean() > 0.5  # Elo moves for both teams, then for everyone they meet
    assert changed_later.loc[after.loc[later, "start_time"] >= pd.Timestamp("2019-11-01", tz="UTC")].any()
    assert (before.loc["2019_06_PHI_MIN", "home_win"], after.loc["2019_06_PHI_MIN", "home_win"]) == (1, 0)

    # Oldest-first from the corrected file gives exactly these features.
    fresh = Pipeline(tmp_path / "fresh", {"ROYALEY_SOURCE_DATA": str(source)})
    _load(fresh, (date(2019, 9, 1), date(2019, 12, 31)))
    pd.testing.assert_frame_equal(after, _features_by_source_id(fresh)[after.columns])
