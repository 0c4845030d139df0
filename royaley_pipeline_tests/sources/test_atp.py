from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.sources.atp import parse_score, read_atp_matches, winner_is_home
from royaley_pipeline.sources.errors import SourceRecordError
from royaley_pipeline_tests.sources.broken_files import read_broken, text_rows, write_csv

ATP_FOLDER = PACKAGE_DATA / "tennis_atp"
MATCH_FILES = sorted(ATP_FOLDER.glob("atp_matches_*.csv"))


@pytest.fixture(scope="module")
def batch():
    return read_atp_matches(MATCH_FILES, players_path=ATP_FOLDER / "atp_players.csv")


@pytest.fixture(scope="module")
def raw_sample() -> pd.DataFrame:
    raw = text_rows(ATP_FOLDER / "atp_matches_2019.csv")
    return raw.head(40)


def write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    return write_csv(tmp_path, frame, "atp_matches_2019.csv")


def test_counts_and_contract(batch):
    games = batch.games
    assert len(games) == 24596 and len(MATCH_FILES) == 9
    assert games["source_game_id"].is_unique
    assert games["neutral_site"].all() and games["start_time_estimated"].all()
    assert set(games["status"]) == {"final"}
    assert games.groupby("season").size().to_dict()[2020] == 1462
    # Brisbane 2019 started on 2018-12-31 and belongs to the 2019 season
    assert (games.loc[games["source_game_id"].str.startswith("2019-M020-"), "season"] == 2019).all()
    assert {"home_rank", "away_rank", "winner_side", "completion"} <= set(games.columns)
    assert batch.odds.empty and batch.weather.empty


def test_player_order_is_randomised_but_deterministic(batch):
    share_home = (batch.games["winner_side"] == "home").mean()
    assert 0.47 < share_home < 0.53
    again = read_atp_matches(MATCH_FILES[:1])
    first = batch.games[batch.games["source_game_id"].isin(again.games["source_game_id"])]
    assert first["home_team"].tolist() == again.games["home_team"].tolist()
    assert winner_is_home("2015-339-1") == winner_is_home("2015-339-1")


def test_scores_are_sets_won_and_agree_with_the_winner(batch):
    completed = batch.games[batch.games["completion"] == "completed"]
    home_won = completed["home_score"] > completed["away_score"]
    assert (home_won == (completed["winner_side"] == "home")).mean() > 0.999
    walkovers = batch.games[batch.games["completion"] == "walkover"]
    assert len(walkovers) == 147 and walkovers["home_score"].isna().all()
    assert walkovers["winner_side"].isin(["home", "away"]).all()


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("6-3 6-1", (2, 0, "completed")),
        ("7-6(4) 6-3", (2, 0, "completed")),
        ("4-6 7-6(6) [11-9]", (2, 1, "completed")),
        ("6-4 3-6 7-6(7) 6-7(2) 7-5", (3, 2, "completed")),
        ("6-7(5) 2-1 RET", (0, 1, "retired")),
        ("6-3 6-4 RET", (2, 0, "retired")),
        ("6-4 0-0 RET", (1, 0, "retired")),
        ("6-3 6-7(5) 2-1 Def.", (1, 1, "default")),
        ("4-6 6-3 [6-7] RET", (1, 1, "retired")),
    ],
)
def test_parse_score(score, expected):
    assert parse_score(score, "src", "match x") == expected


def test_retirements_are_won_by_the_winner_and_walkovers_are_void(batch, raw_sample, tmp_path):
    from royaley_pipeline.domain.labels import labels

    games = batch.games
    ended_early = games[games["completion"].isin(["retired", "default"])]
    lines = pd.DataFrame({"game_id": games["source_game_id"], "closing_spread_home": np.nan, "closing_total": np.nan})
    graded = labels(games.assign(game_id=games["source_game_id"]), lines).set_index("game_id")["home_win"]
    home_won = graded[ended_early["source_game_id"]].to_numpy()
    assert len(ended_early) > 500 and (home_won == (ended_early["winner_side"] == "home")).all()
    assert graded[games.loc[games["completion"] == "walkover", "source_game_id"]].isna().all()
    assert batch.quirks["walkover"] == 147
    assert batch.quirks["retired"] == len(ended_early)
    assert 0 < batch.quirks["retired_winner_credited_a_set"] < len(ended_early)
    # one file's row: the loser led by a set when the opponent retired
    sample = raw_sample.head(2).copy()
    sample.loc[sample.index[0], "score"] = "6-7(5) 2-1 RET"
    one = read_atp_matches(write(tmp_path, sample))
    retired = one.games.iloc[0]
    winner, loser = ("home", "away") if retired["winner_side"] == "home" else ("away", "home")
    assert (retired[f"{winner}_score"], retired[f"{loser}_score"]) == (2.0, 1.0)
    assert one.quirks == {"retired": 1, "retired_winner_credited_a_set": 1}


def test_walkover_scores():
    for score in ("W/O", "Walkover"):
        winner, loser, completion = parse_score(score, "src", "match x")
        assert np.isnan(winner) and np.isnan(loser) and completion == "walkover"


def test_match_dates_follow_rounds(batch):
    games = batch.games.set_index("source_game_id")
    wimbledon = games[games.index.str.startswith("2019-540-")]
    day = (wimbledon["game_date"] - wimbledon["game_date"].min()).dt.days
    assert (
        day[wimbledon["game_type"] == "R128"].eq(0).all() and day[wimbledon["game_type"] == "F"].eq(13).all()
    )
    brisbane = games[games.index.str.startswith("2015-339-")]
    order = brisbane.sort_values("start_time")["game_type"].drop_duplicates().tolist()
    assert order == ["R32", "R16", "QF", "SF", "F"]
    assert brisbane["start_time"].dt.hour.min() >= 10


def test_players_from_file_with_bios(batch):
    players = batch.players.set_index("source_player_id")
    ids = set(batch.games["home_team"]) | set(batch.games["away_team"])
    assert set(players.index) == ids
    assert players.at["104925", "name"] == "Novak Djokovic"
    assert players.at["104925", "birth_date"] == pd.Timestamp("1987-05-22")
    assert players.at["104925", "height_cm"] == 188


def test_window_is_by_estimated_match_date():
    window = read_atp_matches(MATCH_FILES, start="2019-07-14", end="2019-07-14")
    assert window.games["source_game_id"].tolist() == ["2019-540-226"]  # the Wimbledon final


@pytest.mark.parametrize(
    ("column", "value", "field", "expected"),
    [
        ("score", "6-3 banana", "score", "'banana' is not a set score"),
        ("tourney_date", "20190231", "tourney_date", "is not a date"),
        ("winner_rank", "first", "winner_rank", "'first' is not a number"),
        ("round", "R3", "round", "'R3' is not one of"),
        ("loser_id", "abc", "loser_id", "is not a player id"),
    ],
)
def test_malformed_values_name_file_match_and_field(tmp_path, raw_sample, column, value, field, expected):
    path, raised = read_broken(tmp_path, raw_sample, 6, column, value, "atp_matches_2019.csv",
                               lambda path: read_atp_matches([path]))
    message = str(raised)
    match_id = f"{raw_sample.loc[6, 'tourney_id']}-{raw_sample.loc[6, 'match_num']}"
    assert str(path) in message and f"row 8 (match_id={match_id})" in message
    assert f"field '{field}'" in message and expected in message


def test_missing_column(tmp_path, raw_sample):
    path = write(tmp_path, raw_sample.drop(columns=["round"]))
    with pytest.raises(SourceRecordError, match="field 'round': missing column"):
        read_atp_matches([path])
