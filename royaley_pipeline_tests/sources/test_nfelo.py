from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.config import PACKAGE_DATA, load_settings
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.sources.catalog import default_source_locations
from royaley_pipeline.sources.errors import SourceRecordError, UnknownTeamError
from royaley_pipeline.sources.nfelo import (
    LINE_COLUMNS,
    read_nfelo_lines,
)
from royaley_pipeline.sources.nflverse import read_nflverse_games

# Given by `make test` / .ci/run as ROYALEY_SHARED_DATA=../shared/data when that folder exists.
NFELO_PATH = load_settings().nfelo_path
needs_nfelo = pytest.mark.skipif(NFELO_PATH is None or not NFELO_PATH.is_file(),
                                 reason="nfelo file not configured (not redistributed; set ROYALEY_SHARED_DATA)")


@pytest.fixture(scope="module")
def nflverse():
    return read_nflverse_games(PACKAGE_DATA / "nflverse" / "games.csv", start="2009-01-01")


def nfelo_csv(tmp_path: Path, rows: list[dict]) -> Path:
    """A small file in nfelo's shape: unnamed index column, game_id and the line columns."""
    frame = pd.DataFrame([{"game_id": "", **dict.fromkeys(LINE_COLUMNS, ""), **row} for row in rows])
    path = tmp_path / "nfelo_games.csv"
    frame.to_csv(path, index=True)
    return path


def test_nfelo_is_not_embedded_in_the_package():
    assert not list(PACKAGE_DATA.rglob("*nfelo*"))


def test_the_nfelo_path_is_a_setting_never_a_guess(tmp_path):
    explicit = {"ROYALEY_NFELO_PATH": str(tmp_path / "x.csv"), "ROYALEY_SHARED_DATA": str(tmp_path / "shared")}
    assert load_settings(explicit).nfelo_path == tmp_path / "x.csv"
    shared = {"ROYALEY_SHARED_DATA": str(tmp_path / "shared")}
    assert load_settings(shared).nfelo_path == tmp_path / "shared" / "nfelo" / "nfelo_games.csv"
    assert load_settings({"ROYALEY_NFELO_PATH": "", **shared}).nfelo_path is None  # explicitly off
    assert load_settings({}).nfelo_path is None  # nothing configured: no look beside the repository


def test_a_configured_nfelo_file_that_is_missing_is_refused(tmp_path):
    settings = load_settings({"ROYALEY_SHARED_DATA": str(tmp_path)})
    with pytest.raises(BadRequest, match="nfelo file .*nfelo_games.csv does not exist"):
        default_source_locations(settings)


@needs_nfelo
def test_every_nfelo_row_joins_to_an_nflverse_game(nflverse):
    odds = read_nfelo_lines(NFELO_PATH, nflverse.games)
    assert odds["source_game_id"].nunique() == 4345
    assert set(odds["source_game_id"]) <= set(nflverse.games["source_game_id"])
    assert len(odds) == 26618
    assert set(odds["book"]) == {"nfelo"}
    # relocated teams: nfelo says LAR and OAK for every year, nflverse STL and OAK/LV of the time
    assert {"2015_01_SEA_STL", "2016_01_LA_SF", "2019_01_DEN_OAK", "2016_01_DET_IND"} <= set(
        odds["source_game_id"]
    )


@needs_nfelo
def test_nfelo_closing_line_agrees_in_sign_with_nflverse(nflverse):
    odds = read_nfelo_lines(NFELO_PATH, nflverse.games, start="2015-01-01", end="2024-12-31")
    games = nflverse.games.set_index("source_game_id")
    start_time = games.loc[odds["source_game_id"], "start_time"].to_numpy()
    opening = odds["captured_at"].to_numpy() == start_time - pd.Timedelta(days=6)
    closing = odds["captured_at"].to_numpy() == start_time - pd.Timedelta(minutes=1)
    assert (opening | closing).all() and opening.any()
    home_close = odds[closing & (odds["market"] == "spread") & (odds["side"] == "home")].set_index(
        "source_game_id"
    )
    nflverse_close = nflverse.odds.query("market == 'spread' and side == 'home'").set_index("source_game_id")
    joined = home_close[["line"]].join(nflverse_close[["line"]], rsuffix="_nflverse").dropna()
    assert np.corrcoef(joined["line"], joined["line_nflverse"])[0, 1] > 0.99
    margin = (games["home_score"] - games["away_score"]).loc[home_close.index]
    assert np.corrcoef(home_close["line"], margin)[0, 1] < -0.3


def test_small_file_gives_open_and_close_snapshots(tmp_path, nflverse):
    path = nfelo_csv(
        tmp_path,
        [
            {
                "game_id": "2015_01_SEA_LAR",
                "home_line_open": "-3.5",
                "home_line_close": "4",
                "home_line_close_price": "-110",
                "away_line_close_price": "-105",
                "total_line_close": "41",
                "over_price_close": "-108",
                "under_price_close": "-112",
            }
        ],
    )
    odds = read_nfelo_lines(path, nflverse.games, start="2015-09-01", end="2015-09-30")
    assert set(odds["source_game_id"]) == {"2015_01_SEA_STL"}
    start = nflverse.games.set_index("source_game_id").at["2015_01_SEA_STL", "start_time"]
    by_key = odds.set_index(["market", "side", "captured_at"])
    assert by_key.at[("spread", "home", start - pd.Timedelta(days=6)), "line"] == -3.5
    assert by_key.at[("spread", "away", start - pd.Timedelta(days=6)), "line"] == 3.5
    assert np.isnan(by_key.at[("spread", "home", start - pd.Timedelta(days=6)), "price"])
    assert by_key.at[("spread", "away", start - pd.Timedelta(minutes=1)), "price"] == -105
    assert by_key.at[("total", "under", start - pd.Timedelta(minutes=1)), "line"] == 41
    assert len(odds) == 6  # no opening total in this row


def test_unknown_team(tmp_path, nflverse):
    path = nfelo_csv(tmp_path, [{"game_id": "2015_01_SEA_XYZ", "home_line_open": "-3"}])
    with pytest.raises(UnknownTeamError) as raised:
        read_nfelo_lines(path, nflverse.games)
    assert str(path) in str(raised.value) and "row 2 (game_id=2015_01_SEA_XYZ)" in str(raised.value)


def test_unmatched_game_in_a_loaded_week_fails(tmp_path, nflverse):
    path = nfelo_csv(tmp_path, [{"game_id": "2015_01_KC_LAR", "home_line_open": "-3"}])
    with pytest.raises(SourceRecordError, match="no nflverse game") as raised:
        read_nfelo_lines(path, nflverse.games)
    assert "row 2 (game_id=2015_01_KC_LAR)" in str(raised.value)


def test_malformed_game_id_and_line(tmp_path, nflverse):
    path = nfelo_csv(tmp_path, [{"game_id": "2015-01-SEA-LAR", "home_line_open": "-3"}])
    with pytest.raises(SourceRecordError, match="field 'game_id'"):
        read_nfelo_lines(path, nflverse.games)
    path = nfelo_csv(
        tmp_path,
        [
            {"game_id": "2015_01_SEA_LAR", "home_line_open": "-3"},
            {"game_id": "2015_01_GB_CHI", "home_line_close": "three"},
        ],
    )
    with pytest.raises(SourceRecordError) as raised:
        read_nfelo_lines(path, nflverse.games)
    assert str(path) in str(raised.value)
    assert "row 3 (game_id=2015_01_GB_CHI): field 'home_line_close': 'three' is not a number" in str(
        raised.value
    )


def test_missing_column(tmp_path, nflverse):
    path = nfelo_csv(tmp_path, [{"game_id": "2015_01_SEA_LAR"}])
    pd.read_csv(path).drop(columns=["total_line_close"]).to_csv(path, index=False)
    with pytest.raises(SourceRecordError, match="field 'total_line_close': missing column"):
        read_nfelo_lines(path, nflverse.games)
