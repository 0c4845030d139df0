"""CFBD long lines (provider priority) and tennis-data.co.uk (prices, names, Sackmann join)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.sources.atp import read_atp_matches
from royaley_pipeline.sources.cfbd import PROVIDER_PRIORITY, read_cfbd_lines
from royaley_pipeline.sources.frames import validate_batch
from royaley_pipeline.sources.league import Quirks
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sources.tennis_data import match_odds, read_tennis_data, read_tennis_data_games
from royaley_pipeline.sources.tennis_names import (
    ALIASES_PATH,
    join_sackmann,
    load_aliases,
    resolve_names,
    split_name,
    squash,
)
from royaley_pipeline_tests.sources.external_data import require_external

SACKMANN = PACKAGE_DATA / "tennis_atp"


def lines_of(batch, game_id: str, market: str) -> pd.DataFrame:
    return batch.odds[(batch.odds["source_game_id"] == game_id) & (batch.odds["market"] == market)]


# --- CFBD ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cfbd_week():
    return validate_batch(read_cfbd_lines(require_external("ncaaf_cfbd"), start="2023-09-02", end="2023-09-04"))


def test_cfbd_one_line_per_game_and_market_by_provider_priority(cfbd_week):
    # 3 Sep 2023, game 401520171: DraftKings −198/+205 is no market (overround 0.99), so Bovada
    # (−270/+220) prices it; the spread comes from DraftKings, first in the priority.
    moneyline = lines_of(cfbd_week, "401520171", "moneyline")
    assert set(moneyline["book"]) == {"cfbd:Bovada"}
    assert sorted(moneyline["price"]) == [-270, 220]
    spread = lines_of(cfbd_week, "401520171", "spread")
    assert set(spread["book"]) == {"cfbd:DraftKings"}
    closing = spread[(spread["side"] == "home")].sort_values("captured_at").iloc[-1]
    assert closing["line"] == -6.5
    assert spread["captured_at"].nunique() == 2  # DraftKings also gave the opening spread
    assert cfbd_week.quirks["moneyline_impossible"] >= 1
    per_game = cfbd_week.odds.groupby(["source_game_id", "market", "side", "captured_at"]).size()
    assert per_game.max() == 1


def test_cfbd_real_kickoff_times_and_teams(cfbd_week):
    games = cfbd_week.games
    assert not games["start_time_estimated"].any()
    assert games["start_time"].dt.tz is not None
    teams = TeamDirectory()
    assert teams.resolve("NCAAF", "Mississippi", source="t", record=None) == "Ole Miss"
    assert teams.resolve("NCAAF", "San Jose State", source="t", record=None) == "San José State"
    assert cfbd_week.quirks["line_rows_not_chosen"] > 0
    assert "provider_unranked" not in cfbd_week.quirks


def test_cfbd_priority_puts_books_before_aggregators():
    assert PROVIDER_PRIORITY.index("DraftKings") < PROVIDER_PRIORITY.index("Bovada")
    assert PROVIDER_PRIORITY.index("Bovada") < PROVIDER_PRIORITY.index("consensus")
    assert PROVIDER_PRIORITY[-2:] == ("teamrankings", "numberfire")


def test_cfbd_whole_file_counts():
    batch = read_cfbd_lines(require_external("ncaaf_cfbd"))
    assert len(batch.games) == 4326
    assert batch.games["game_type"].value_counts()["POST"] > 100
    assert batch.quirks["neutral_site_games"] == int(batch.games["neutral_site"].sum())


# --- tennis-data.co.uk -----------------------------------------------------------------------------

def test_tennis_data_quirks_on_real_rows():
    matches, quirks = read_tennis_data(require_external("wta_tennis_data"), "WTA", start="2010-01-01",
                                       end="2012-12-31")
    assert quirks["date_fixed_from_tournament"] == 2  # two WTA finals without a date
    assert quirks["walkover"] == int((matches["completion"] == "walkover").sum())
    walkovers = matches[matches["completion"] == "walkover"]
    assert walkovers["winner_sets"].isna().all()
    retired = matches[matches["completion"] == "retired"]
    assert (retired["winner_sets"] > retired["loser_sets"]).all()
    assert quirks["retired_winner_credited_a_set"] > 0
    all_years, all_quirks = read_tennis_data(require_external("wta_tennis_data"), "WTA")
    assert all_quirks["comment_typo_fixed"] == 1  # "Walkoer"
    assert all_quirks["not_played_rejected"] == 1  # "Cancelled"
    assert all_quirks["price_unreadable"] >= 1  # "5..5"
    assert all_years["match_id"].is_unique


def test_wta_games_prices_in_american_odds_per_book():
    batch = validate_batch(read_tennis_data_games(require_external("wta_tennis_data"), "WTA", start="2022-01-01",
                                                  end="2022-01-09"))
    assert {"pinnacle", "oddsportal_max", "oddsportal_avg", "bet365"} <= set(batch.odds["book"])
    assert batch.odds["price"].abs().ge(100).all()
    assert set(batch.players["source_player_id"]) >= set(batch.games["home_team"])
    winners_home = batch.games["winner_side"] == "home"
    assert 0.3 < winners_home.mean() < 0.7
    best = batch.odds[batch.odds["book"] == "oddsportal_max"].set_index(["source_game_id", "side"])["price"]
    pinnacle = batch.odds[batch.odds["book"] == "pinnacle"].set_index(["source_game_id", "side"])["price"]
    both = best.index.intersection(pinnacle.index)

    def decimal(american):
        return np.where(american > 0, 1 + american / 100, 1 + 100 / np.abs(american))

    assert (decimal(best[both].to_numpy()) >= decimal(pinnacle[both].to_numpy()) - 1e-9).mean() > 0.99


def test_name_rule():
    assert split_name("Del Potro J.M.") == ("delpotro", "j")
    assert split_name("Auger-Aliassime F.") == ("augeraliassime", "f")
    assert split_name("Aragone JC") == ("aragone", "j")
    assert split_name("Kuznetsov An.") == ("kuznetsov", "a")


def test_alias_table_points_at_real_players_of_that_surname():
    aliases = load_aliases("ATP", ALIASES_PATH)
    assert aliases
    players = pd.read_csv(SACKMANN / "atp_players.csv", dtype=str).set_index("player_id")
    for name, player_id in aliases.items():
        assert player_id in players.index, name
        surname = squash(players.at[player_id, "name_last"])
        words = [squash(word) for word in name.split() if len(squash(word)) >= 3]
        assert any(word in surname or surname in word for word in words), (name, surname)


@pytest.fixture(scope="module")
def atp_join():
    sackmann = read_atp_matches(sorted(SACKMANN.glob("atp_matches_2019.csv")))
    matches, quirks = read_tennis_data(require_external("atp_tennis_data"), "ATP", start="2019-01-01",
                                       end="2019-12-31")
    ids = set(sackmann.games["home_team"]) | set(sackmann.games["away_team"])
    players = pd.read_csv(SACKMANN / "atp_players.csv", dtype=str)
    players = players[players["player_id"].isin(ids)]
    joined, winner_home = join_sackmann(matches, sackmann.games, players, load_aliases("ATP"), quirks)
    return sackmann, matches, joined, winner_home, quirks, players


def test_atp_prices_join_sackmann_games_and_nothing_is_dropped_silently(atp_join):
    sackmann, matches, joined, winner_home, quirks, _ = atp_join
    accounted = sum(quirks.get(name, 0) for name in (
        "odds_matched", "odds_player_unresolved", "odds_match_not_found", "odds_winner_disagrees",
        "odds_duplicate_match_rejected", "odds_outside_match_dates"))
    assert accounted == len(matches)
    assert quirks["odds_matched"] > 0.95 * len(matches)
    games = sackmann.games.set_index("source_game_id")
    start = games.loc[joined["source_game_id"], "start_time"].reset_index(drop=True)
    odds = match_odds(joined.reset_index(drop=True),
                      games.loc[joined["source_game_id"]].reset_index().assign(sport="ATP", start_time=start),
                      winner_home.reset_index(drop=True))
    pinnacle = odds[(odds["book"] == "pinnacle")].pivot_table(index="source_game_id", columns="side", values="price")
    home_won = (games.loc[pinnacle.index, "winner_side"] == "home").to_numpy()
    home_favoured = (pinnacle["home"] < pinnacle["away"]).to_numpy()
    assert (home_won == home_favoured).mean() > 0.6  # favourites win about 68 % of ATP matches


def test_alias_table_resolves_the_names_the_rule_cannot(atp_join):
    *_, players = atp_join
    names = pd.Series(["Dolgopolov O.", "Chung H.", "Kuznetsov An.", "Nadal R."])
    without = resolve_names(names, players, {})
    with_aliases = resolve_names(names, players, load_aliases("ATP"))
    assert without.isna().sum() >= 2 and without[3] == "104745"
    assert with_aliases.notna().all()


def test_unresolved_names_are_counted():
    quirks = Quirks()
    sackmann = read_atp_matches([SACKMANN / "atp_matches_2019.csv"])
    matches, _ = read_tennis_data(require_external("atp_tennis_data"), "ATP", start="2019-01-01",
                                  end="2019-01-31")
    matches.loc[matches.index[0], "winner"] = "Nobody N."
    players = pd.read_csv(SACKMANN / "atp_players.csv", dtype=str)
    join_sackmann(matches, sackmann.games, players, {}, quirks)
    assert quirks["odds_player_unresolved"] >= 1
