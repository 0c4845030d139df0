from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.sources.errors import SourceRecordError, UnknownTeamError
from royaley_pipeline.sources.nba_lines import read_nba_lines
from royaley_pipeline_tests.sources.broken_files import read_broken, text_rows, write_csv

LINES_PATH = PACKAGE_DATA / "nba" / "nba_2008-2025.csv"


@pytest.fixture(scope="module")
def batch():
    return read_nba_lines(LINES_PATH)


@pytest.fixture(scope="module")
def raw_sample() -> pd.DataFrame:
    raw = text_rows(LINES_PATH)
    return raw[raw["date"].str.startswith("2015-11-0")].reset_index(drop=True)


def write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    return write_csv(tmp_path, frame, "nba.csv")


def test_counts_ids_and_seasons(batch):
    games = batch.games
    assert len(games) == 21797
    assert games["source_game_id"].is_unique
    assert games["season"].min() == 2007 and games["season"].max() == 2023
    assert (games["season"] == 2022).sum() == 1320  # the file's 2023 = the 2022-23 season
    row = games.set_index("source_game_id").loc["2007-10-30_POR_SAS"]
    assert (row["home_team"], row["away_team"], row["season"]) == ("SAS", "POR", 2007)
    assert row["start_time"] == pd.Timestamp("2007-10-30 23:30", tz="UTC") and row["start_time_estimated"]
    assert games["game_type"].value_counts().to_dict() == {"REG": 20349, "POST": 1448}
    assert batch.weather.empty and batch.players.empty


def test_outcome_columns_never_leak(batch):
    for frame in (batch.games, batch.odds, batch.weather, batch.players):
        assert not {"id_spread", "id_total"} & set(frame.columns)


def test_spread_direction_and_correlation_with_results(batch):
    odds = batch.odds
    spread = odds[odds["market"] == "spread"].pivot(index="source_game_id", columns="side", values="line")
    assert (spread["away"] == -spread["home"]).all()
    assert spread.at["2007-10-30_POR_SAS", "home"] == -13.0  # sa favoured by 13 at home
    assert spread.at["2007-10-30_UTA_GSW", "home"] == -1.0
    games = batch.games.set_index("source_game_id")
    margin = (games["home_score"] - games["away_score"]).loc[spread.index]
    assert np.corrcoef(spread["home"], margin)[0, 1] < -0.4
    moneyline = odds[odds["market"] == "moneyline"].pivot(
        index="source_game_id", columns="side", values="price"
    )
    joined = spread.join(moneyline, rsuffix="_price").dropna()
    assert ((joined["home"] < 0) == (joined["home_price"] < joined["away_price"])).mean() > 0.97


def test_odds_counts_and_capture_time(batch):
    odds = batch.odds
    assert odds.groupby(["market", "side"]).size().to_dict() == {
        ("moneyline", "away"): 19820,
        ("moneyline", "home"): 19820,
        ("spread", "away"): 21794,
        ("spread", "home"): 21794,
        ("total", "over"): 21797,
        ("total", "under"): 21797,
    }
    assert set(odds["book"]) == {"sbr_close"}
    merged = odds.merge(batch.games[["source_game_id", "start_time"]], on="source_game_id")
    assert (merged["captured_at"] == merged["start_time"] - pd.Timedelta(minutes=1)).all()


def test_bubble_games_are_neutral_and_bubble_season_passes_the_date_check(batch):
    games = batch.games.set_index("source_game_id")
    bubble = games[(games["season"] == 2019) & (games["game_date"] >= "2020-07-30")]
    assert len(bubble) > 80 and bubble["neutral_site"].all()


def test_window(tmp_path):
    window = read_nba_lines(LINES_PATH, start="2023-10-24", end="2023-10-24")
    assert set(window.games["source_game_id"]) == {"2023-10-24_LAL_DEN", "2023-10-24_PHX_GSW"}
    assert (window.games["season"] == 2023).all()


@pytest.mark.parametrize(
    ("column", "value", "field", "expected"),
    [
        ("score_home", "abc", "score_home", "'abc' is not a number"),
        ("score_home", "", "score_home", "value is missing"),
        ("date", "2015-13-01", "date", "is not a date"),
        ("season", "2015", "season", "does not match the date"),
        ("whos_favored", "draw", "whos_favored", "neither 'home' nor 'away'"),
        ("spread", "-3", "spread", "is negative"),
    ],
)
def test_malformed_values_name_file_row_and_field(tmp_path, raw_sample, column, value, field, expected):
    path, raised = read_broken(tmp_path, raw_sample, 2, column, value, "nba.csv", read_nba_lines)
    message = str(raised)
    assert (
        str(path) in message and "row 4" in message and f"field '{field}'" in message and expected in message
    )


def test_unknown_team_and_missing_column(tmp_path, raw_sample):
    broken = raw_sample.copy()
    broken.loc[5, "home"] = "sea2"
    path = write(tmp_path, broken)
    with pytest.raises(UnknownTeamError, match=r"row 7 \(date=2015-11-0\d\): field 'home': 'sea2'"):
        read_nba_lines(path)
    path = write(tmp_path, raw_sample.drop(columns=["whos_favored"]))
    with pytest.raises(SourceRecordError, match="field 'whos_favored': missing column"):
        read_nba_lines(path)
