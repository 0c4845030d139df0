import functools
import http.server
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.sources.errors import SourceRecordError, UnknownTeamError
from royaley_pipeline.sources.nflverse import NFLVERSE_GAMES_URL, read_nflverse_games
from royaley_pipeline_tests.sources.broken_files import read_broken, text_rows, write_csv

GAMES_PATH = PACKAGE_DATA / "nflverse" / "games.csv"


@pytest.fixture(scope="module")
def batch():
    return read_nflverse_games(GAMES_PATH)


@pytest.fixture(scope="module")
def raw_sample() -> pd.DataFrame:
    """A slice of the real file as text: 2005 week 1 and 2023 week 1."""
    raw = text_rows(GAMES_PATH)
    return raw[raw["game_id"].str.match(r"^(2005|2023)_01_")].reset_index(drop=True)


def write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    return write_csv(tmp_path, frame, "games.csv")


def test_public_url_constant():
    assert NFLVERSE_GAMES_URL == "https://raw.githubusercontent.com/nflverse/nfldata/master/data/games.csv"


def test_counts_and_contract(batch):
    games = batch.games
    assert len(games) == 6991
    assert (games["season"] == 2023).sum() == 285
    assert games["source_game_id"].is_unique
    assert str(games["start_time"].dtype) == "datetime64[ns, UTC]"
    assert games["start_time"].notna().all()
    assert games["neutral_site"].sum() == 86
    assert set(games["game_type"]) == {"REG", "POST"}
    assert set(games["status"]) == {"final"}
    assert games["start_time_estimated"].sum() == 259
    assert len(batch.weather) == 6991
    assert not games["surface"].dropna().str.endswith(" ").any()


def test_kickoff_is_eastern_time_converted_to_utc(batch):
    games = batch.games.set_index("source_game_id")
    # 2024 conference final, 18:30 EST = 23:30 UTC; 2023 opener, 20:20 EDT = 00:20 UTC next day
    assert games.at["2024_21_BUF_KC", "start_time"] == pd.Timestamp("2025-01-26 23:30", tz="UTC")
    assert games.at["2023_01_DET_KC", "start_time"] == pd.Timestamp("2023-09-08 00:20", tz="UTC")
    assert games.at["2023_01_DET_KC", "game_date"] == pd.Timestamp("2023-09-07")
    # no time in the file: 13:00 Eastern, flagged as estimated
    assert games.at["1999_01_MIN_ATL", "start_time"] == pd.Timestamp("1999-09-12 17:00", tz="UTC")
    assert games.at["1999_01_MIN_ATL", "start_time_estimated"]


def test_spread_sign_home_favourite_has_negative_home_line(batch):
    odds = batch.odds
    spread = odds[odds["market"] == "spread"].pivot(index="source_game_id", columns="side", values="line")
    assert (spread["away"] == -spread["home"]).all()
    moneyline = odds[odds["market"] == "moneyline"].pivot(
        index="source_game_id", columns="side", values="price"
    )
    both = spread.join(moneyline, rsuffix="_price").dropna()
    home_favoured = both["home_price"] < both["away_price"]
    assert (both.loc[home_favoured, "home"] <= 0).mean() > 0.97
    games = batch.games.set_index("source_game_id")
    margin = (games["home_score"] - games["away_score"]).loc[spread.index]
    assert np.corrcoef(spread["home"], margin)[0, 1] < -0.35
    # KC favoured by 4 at home against DET in the 2023 opener (spread_line = 4.0 in the file)
    assert spread.at["2023_01_DET_KC", "home"] == -4.0


def test_closing_snapshots_one_minute_before_kickoff(batch):
    odds = batch.odds.merge(batch.games[["source_game_id", "start_time"]], on="source_game_id")
    assert (odds["captured_at"] == odds["start_time"] - pd.Timedelta(minutes=1)).all()
    assert set(odds["book"]) == {"nflverse_close"}
    assert odds.groupby(["market", "side"]).size().to_dict() == {
        ("moneyline", "away"): 5010,
        ("moneyline", "home"): 5010,
        ("spread", "away"): 6991,
        ("spread", "home"): 6991,
        ("total", "over"): 6991,
        ("total", "under"): 6991,
    }
    assert odds.loc[odds["market"] == "moneyline", "line"].isna().all()


def test_weather_marks_domes_and_closed_roofs_indoor(batch):
    weather = batch.weather.merge(batch.games[["source_game_id", "roof"]], on="source_game_id")
    assert weather.loc[weather["roof"].isin(["dome", "closed"]), "is_indoor"].all()
    assert not weather.loc[weather["roof"] == "outdoors", "is_indoor"].any()
    assert weather["precipitation_probability"].isna().all()
    assert weather["temperature_f"].notna().sum() == 5016


def test_date_window_is_inclusive(batch):
    window = read_nflverse_games(GAMES_PATH, start="2023-09-07", end="2023-09-11")
    assert len(window.games) == 16
    assert window.games["source_game_id"].str.startswith("2023_01_").all()
    assert set(window.odds["source_game_id"]) <= set(window.games["source_game_id"])


def test_bad_row_outside_the_window_does_not_block_a_load(tmp_path, raw_sample):
    broken = raw_sample.copy()
    broken.loc[0, "home_score"] = "abc"  # a 2005 row
    path = write(tmp_path, broken)
    recent = read_nflverse_games(path, start="2023-01-01")
    assert recent.games["season"].eq(2023).all() and len(recent.games) == 16
    with pytest.raises(SourceRecordError):
        read_nflverse_games(path)


def assert_names(error: SourceRecordError, path: Path, line: int, field: str | None) -> None:
    message = str(error)
    assert str(path) in message
    assert f"row {line}" in message
    if field is not None:
        assert f"field '{field}'" in message
        assert error.field == field


@pytest.mark.parametrize(("row", "column", "value", "error", "says", "options"), [
    (3, "home_score", "abc", SourceRecordError, "'abc' is not a number", {}),
    (1, "away_team", "XYZ", UnknownTeamError, "", {}),
    (2, "gameday", "2005-02-30", SourceRecordError, "", {"start": "2023-01-01"}),  # checked for every row
    (20, "season", "2022", SourceRecordError, "does not match the date", {}),
    (4, "gametime", "25:99", SourceRecordError, "", {}),
    (5, "away_score", "", SourceRecordError, "", {}),  # half a score
])
def test_a_bad_cell_names_its_row_and_field(tmp_path, raw_sample, row, column, value, error, says, options):
    path, raised = read_broken(tmp_path, raw_sample, row, column, value, "games.csv",
                               lambda path: read_nflverse_games(path, **options), error)
    assert_names(raised, path, row + 2, column)  # the header is line 1
    assert f"(game_id={raw_sample.loc[row, 'game_id']})" in str(raised) and says in str(raised)


def test_missing_column(tmp_path, raw_sample):
    path = write(tmp_path, raw_sample.drop(columns=["spread_line"]))
    with pytest.raises(SourceRecordError) as raised:
        read_nflverse_games(path)
    assert str(path) in str(raised.value) and "'spread_line'" in str(raised.value)
    assert "missing column" in str(raised.value)


def test_unplayed_game_is_scheduled_with_nan_scores(tmp_path, raw_sample):
    future = raw_sample.copy()
    future.loc[0, ["home_score", "away_score"]] = ""
    games = read_nflverse_games(write(tmp_path, future)).games
    assert games.loc[0, "status"] == "scheduled" and np.isnan(games.loc[0, "home_score"])


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(SourceRecordError, match="nope.csv"):
        read_nflverse_games(tmp_path / "nope.csv")


def test_reads_from_an_http_url(tmp_path, raw_sample):
    write(tmp_path, raw_sample)

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/games.csv"
        from_url = read_nflverse_games(url)
    finally:
        server.shutdown()
        server.server_close()
    from_file = read_nflverse_games(tmp_path / "games.csv")
    pd.testing.assert_frame_equal(from_url.games, from_file.games)
    assert len(from_url.odds) == len(from_file.odds) > 0
