"""OddsPortal, SBRO (two-row and one-row) and movada readers on slices of the real files.

Each quirk the data README lists is looked up on the day it happens and checked to be kept,
fixed or rejected as the reader's docstring says, with its count in ``SourceBatch.quirks``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.sources.errors import SourceRecordError, UnknownTeamError
from royaley_pipeline.sources.external_history import external_file
from royaley_pipeline.sources.frames import validate_batch
from royaley_pipeline.sources.merge import attach_lines
from royaley_pipeline.sources.movada import favourite_is_home, read_movada_ncaab
from royaley_pipeline.sources.oddsportal import read_oddsportal_mlb, read_oddsportal_nhl
from royaley_pipeline.sources.sbro import read_sbro_one_row, read_sbro_two_row
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline_tests.sources.external_data import require_external


def game(batch, source_game_id: str) -> pd.Series:
    rows = batch.games[batch.games["source_game_id"] == source_game_id]
    assert len(rows) == 1, f"{source_game_id} not found once"
    return rows.iloc[0]


def closing(batch, source_game_id: str, market: str, side: str) -> pd.Series:
    odds = batch.odds[(batch.odds["source_game_id"] == source_game_id) & (batch.odds["market"] == market)
                      & (batch.odds["side"] == side)]
    return odds.sort_values("captured_at").iloc[-1]


def test_external_files_come_only_from_the_configured_folder(tmp_path):
    assert external_file("nhl_sbro", None) is None  # never a guessed location
    assert external_file("nhl_sbro", tmp_path) is None
    (tmp_path / "nhl").mkdir()
    (tmp_path / "nhl" / "nhl_sbro_2016-17_2021-22.csv").write_text("season\n")
    assert external_file("nhl_sbro", tmp_path) == tmp_path / "nhl" / "nhl_sbro_2016-17_2021-22.csv"


def test_the_unlicensed_files_are_not_in_the_package():
    package = Path(__file__).resolve().parents[2] / "royaley_pipeline"
    shipped = {path.name for path in package.rglob("*.csv")}
    assert not shipped & {"nhl_sbro_2016-17_2021-22.csv", "mlb_oddsportal_avgml_2006_2022.csv",
                          "ncaab_sbro_movada_2012-13_2020-21.csv", "ncaaf_cfbd_lines_long_2020_2023.csv",
                          "atp_tennisdata_2000_2022.csv", "wta_tennisdata_2007_2022.csv",
                          "nhl_oddsportal_avgml_2008-09_2023-24.csv", "mlb_sbro_cswaters_2010_2019.csv"}


# --- NHL OddsPortal -------------------------------------------------------------------------------

def test_nhl_oddsportal_tie_is_a_data_error_and_loses_its_result():
    batch = validate_batch(read_oddsportal_nhl(require_external("nhl_oddsportal"), start="2013-11-22",
                                               end="2013-11-22"))
    tie = game(batch, "2013-11-22_TBL_ANA")
    assert np.isnan(tie["home_score"]) and tie["status"] == "final"
    assert batch.quirks["tied_score_rejected"] == 1


def test_nhl_oddsportal_all_star_games_are_rejected_and_counted():
    batch = read_oddsportal_nhl(require_external("nhl_oddsportal"), start="2020-01-20", end="2020-01-31")
    assert batch.quirks["exhibition_rejected"] == 3
    assert not batch.games["home_team"].str.contains("Division").any()


def test_nhl_oddsportal_reads_home_first_with_the_average_moneyline():
    batch = read_oddsportal_nhl(require_external("nhl_oddsportal"), start="2024-06-24", end="2024-06-24")
    final = game(batch, "2024-06-24_EDM_FLA")  # Stanley Cup final game 7: Florida at home won 2-1
    assert (final["home_score"], final["away_score"], final["game_type"]) == (2.0, 1.0, "POST")
    assert batch.quirks["moneyline_missing"] == 1  # play-off rows carry no odds
    regular = read_oddsportal_nhl(require_external("nhl_oddsportal"), start="2024-04-18", end="2024-04-18")
    assert set(regular.odds["book"]) == {"oddsportal_avg"}
    assert regular.odds["price"].abs().ge(100).all()


def test_nhl_oddsportal_bubble_playoffs_stay_in_their_season():
    batch = read_oddsportal_nhl(require_external("nhl_oddsportal"), start="2020-08-01", end="2020-08-10")
    assert set(batch.games["season"]) == {2019} and set(batch.games["game_type"]) == {"POST"}


# --- MLB OddsPortal -------------------------------------------------------------------------------

def test_mlb_oddsportal_doubleheaders_are_two_games():
    batch = validate_batch(read_oddsportal_mlb(require_external("mlb_oddsportal"), start="2019-05-27",
                                               end="2019-05-27"))
    first, second = game(batch, "2019-05-27_PIT_CIN"), game(batch, "2019-05-27_PIT_CIN_2")
    assert second["start_time"] - first["start_time"] == pd.Timedelta(hours=4)
    assert batch.quirks["doubleheader_games"] == 2


def test_mlb_oddsportal_result_must_agree_with_the_score(tmp_path):
    lines = Path(require_external("mlb_oddsportal")).read_text().splitlines()[:3]
    header, row = lines[0], lines[1].split(",")
    row[7] = "0" if row[7] == "1" else "1"
    path = tmp_path / "mlb.csv"
    path.write_text("\n".join([header, ",".join(row)]) + "\n")
    with pytest.raises(SourceRecordError, match=r"row 2 .*field 'result'"):
        read_oddsportal_mlb(path)


# --- NHL SBRO (two rows per game) -----------------------------------------------------------------

def test_sbro_reversed_pair_is_read_by_vh():
    batch = read_sbro_two_row(require_external("nhl_sbro"), "NHL", start="2020-01-17", end="2020-01-17")
    reversed_game = game(batch, "2020-01-17_DET_PIT")  # listed home (PIT) first
    assert (reversed_game["home_team"], reversed_game["home_score"], reversed_game["away_score"]) == ("PIT", 2, 1)
    assert batch.quirks == {"visitor_home_order_reversed": 1}


def test_sbro_bad_finals_are_fixed_from_periods_or_rejected():
    read = require_external("nhl_sbro")
    shootout = read_sbro_two_row(read, "NHL", start="2021-01-13", end="2021-01-13")
    fixed = game(shootout, "2021-01-13_MTL_TOR")  # periods 4-4, finals 0/1: Toronto won in OT/SO
    assert (fixed["home_score"], fixed["away_score"]) == (5.0, 4.0)
    assert shootout.quirks["final_score_fixed_from_periods"] == 1
    unreadable = read_sbro_two_row(read, "NHL", start="2021-03-04", end="2021-03-04")
    assert (game(unreadable, "2021-03-04_TOR_VAN")["home_score"], game(unreadable, "2021-03-04_TOR_VAN")[
        "away_score"]) == (5.0, 1.0)  # Final "F", periods 5-1
    no_winner = read_sbro_two_row(read, "NHL", start="2016-12-13", end="2016-12-13")
    assert np.isnan(game(no_winner, "2016-12-13_SJS_TOR")["home_score"])  # periods 2-2, finals 0/0
    assert no_winner.quirks["final_score_rejected"] == 1


def test_sbro_city_typos_and_neutral_bubble():
    read = require_external("nhl_sbro")
    whole = read_sbro_two_row(read, "NHL")
    assert whole.quirks["neutral_site_games"] == 130
    assert len(whole.games) == 6987
    teams = TeamDirectory()
    for spelling, code in {"Arizonas": "ARI", "Tampa": "TBL", "SeattleKraken": "SEA", "NY Islanders": "NYI"}.items():
        assert teams.resolve("NHL", spelling, source="test", record=None) == code
    bubble = whole.games[whole.games["neutral_site"]]
    assert bubble["game_date"].between("2020-08-01", "2020-09-30").all()


def test_sbro_lines_have_the_stored_sign_and_sides():
    batch = read_sbro_two_row(require_external("nhl_sbro"), "NHL", start="2016-10-12", end="2016-10-12")
    ottawa = "2016-10-12_TOR_OTT"  # Ottawa home −141 close, puck line −1.5 +205, total 5.5 over 105
    assert closing(batch, ottawa, "moneyline", "home")["price"] == -141
    spread = closing(batch, ottawa, "spread", "home")
    assert (spread["line"], spread["price"]) == (-1.5, 205)
    over = closing(batch, ottawa, "total", "over")
    assert (over["line"], over["price"]) == (5.5, 105)
    opening = batch.odds[(batch.odds["source_game_id"] == ottawa) & (batch.odds["market"] == "moneyline")]
    assert opening["captured_at"].nunique() == 2  # opening and closing


def test_sbro_rows_that_are_not_a_game_fail(tmp_path):
    lines = Path(require_external("nhl_sbro")).read_text().splitlines()
    path = tmp_path / "nhl.csv"
    path.write_text("\n".join([lines[0], lines[1], lines[2], lines[3]]) + "\n")
    with pytest.raises(SourceRecordError, match="odd number of rows"):
        read_sbro_two_row(path, "NHL")
    path.write_text("\n".join([lines[0], lines[1], lines[4]]) + "\n")  # a visitor, another game's home
    with pytest.raises(SourceRecordError, match="are not one game"):
        read_sbro_two_row(path, "NHL")


def test_unknown_team_names_the_row(tmp_path):
    lines = Path(require_external("nhl_sbro")).read_text().splitlines()
    path = tmp_path / "nhl.csv"
    path.write_text("\n".join([lines[0], lines[1].replace("Toronto", "Atlantis"), lines[2]]) + "\n")
    with pytest.raises(UnknownTeamError, match=r"row 2 .*'Atlantis' is not a known NHL team"):
        read_sbro_two_row(path, "NHL")


# --- MLB SBRO (one row per game) ------------------------------------------------------------------

def test_sbro_one_row_keeps_suspended_ties_and_run_lines():
    batch = validate_batch(read_sbro_one_row(require_external("mlb_sbro"), "MLB", start="2016-06-01",
                                             end="2016-07-31"))
    assert batch.quirks["final_score_missing"] == 1  # 6 Jun 2016 NYM at PIT
    assert np.isnan(game(batch, "2016-06-06_NYM_PIT")["home_score"])
    assert batch.quirks["tied_score_kept"] == 1  # 23 Jul 2016 DET at CWS, 3-3
    run_line = batch.odds[batch.odds["market"] == "spread"]
    assert set(run_line["line"].abs()) <= {0.5, 1.0, 1.5}
    assert batch.quirks["doubleheader_games"] > 0


# --- NCAAB movada -----------------------------------------------------------------------------------

def test_ncaab_home_away_lost_is_a_coin_toss_and_neutral():
    batch = validate_batch(read_movada_ncaab(require_external("ncaab_sbro"), start="2021-04-01",
                                             end="2021-04-05"))
    assert batch.games["neutral_site"].all()
    assert batch.quirks["home_away_unknown"] == len(batch.games)
    final = batch.games[batch.games["game_date"] == "2021-04-05"].iloc[0]  # Baylor beat Gonzaga 86-70
    home_is_gonzaga = favourite_is_home("2021-04-05", "Gonzaga", "Baylor")
    assert final["home_team"] == ("Gonzaga" if home_is_gonzaga else "Baylor")
    assert (final["home_score"] > final["away_score"]) == (not home_is_gonzaga)
    whole = read_movada_ncaab(require_external("ncaab_sbro"))
    home_wins = (whole.games["home_score"] > whole.games["away_score"]).mean()
    assert 0.45 < home_wins < 0.55  # the coin toss, not the favourite, decides the home slot


def test_ncaab_impossible_prices_and_spreads_that_are_totals_are_blanked():
    batch = read_movada_ncaab(require_external("ncaab_sbro"))
    assert 14 <= batch.quirks["moneyline_impossible"] <= 20  # the data README counts 18
    assert batch.quirks["tied_score_rejected"] == 4
    assert batch.quirks["spread_is_total_rejected"] > 0
    spreads = batch.odds[batch.odds["market"] == "spread"]
    assert spreads["line"].abs().max() <= 60 and spreads["price"].isna().all()
    aliases = TeamDirectory()
    assert aliases.resolve("NCAAB", "\xa0WichitaState", source="t", record=None) == "WichitaState"
    assert aliases.resolve("NCAAB", "zzzzNDakotaSt", source="t", record=None) == "NorthDakotaState"


# --- two files about one league ---------------------------------------------------------------------

def test_sbro_lines_attach_to_the_oddsportal_games():
    window = {"start": "2019-10-01", "end": "2019-10-31"}
    primary = read_oddsportal_nhl(require_external("nhl_oddsportal"), **window)
    secondary = read_sbro_two_row(require_external("nhl_sbro"), "NHL", **window)
    merged = validate_batch(attach_lines(primary, secondary, "sbro"))
    assert len(merged.games) == len(primary.games) + merged.quirks.get("sbro_added", 0)
    assert merged.quirks["sbro_matched"] + merged.quirks.get("sbro_added", 0) + merged.quirks.get(
        "sbro_unmatched_rejected", 0) == len(secondary.games)
    assert merged.quirks["sbro_matched"] >= 0.98 * len(secondary.games)
    assert set(merged.odds["source_game_id"]) <= set(merged.games["source_game_id"])
    starts = merged.games.set_index("source_game_id")["start_time"]
    assert (merged.odds["captured_at"] < merged.odds["source_game_id"].map(starts)).all()
    puck_lines = merged.odds[merged.odds["market"] == "spread"]
    assert len(puck_lines) == 2 * merged.quirks["sbro_matched"] + 2 * merged.quirks.get("sbro_added", 0)


def test_doubleheaders_attach_by_score():
    window = {"start": "2019-05-27", "end": "2019-05-27"}
    primary = read_oddsportal_mlb(require_external("mlb_oddsportal"), **window)
    secondary = read_sbro_one_row(require_external("mlb_sbro"), "MLB", **window)
    merged = attach_lines(primary, secondary, "sbro")
    for game_id in ("2019-05-27_PIT_CIN", "2019-05-27_PIT_CIN_2"):
        mine = game(primary, game_id)
        theirs = secondary.games[(secondary.games["home_team"] == "CIN") & (secondary.games["home_score"]
                                                                            == mine["home_score"])]
        assert len(theirs) == 1
        sbro_total = secondary.odds[(secondary.odds["source_game_id"] == theirs.iloc[0]["source_game_id"])
                                    & (secondary.odds["market"] == "total")]["line"]
        merged_total = merged.odds[(merged.odds["source_game_id"] == game_id) & (merged.odds["market"] == "total")]
        assert set(merged_total["line"]) == set(sbro_total)
