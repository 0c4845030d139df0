"""Each sport's history from the files read in place (``external``): which readers, in which order.

========  ==========================================================================================
NHL       OddsPortal games and average moneyline 2008-09..2023-24, plus SBRO opening/closing
          moneyline, puck line and totals 2016-17..2021-22 attached to the same games (``merge``)
MLB       OddsPortal games and average moneyline 2006..2022, plus SBRO (cswaters) opening/closing
          moneyline, run line (2014 on) and totals 2010..2019
NCAAF     CollegeFootballData lines 2020..2023 (moneyline 2021 on), one provider per game and market
NCAAB     SBRO closing moneyline, spread and total 2012-13..2020-21 (home team unknown: neutral)
WTA       tennis-data.co.uk matches and prices 2007..2022
ATP       games from Sackmann's files (``atp``); tennis-data.co.uk prices 2015..2022 joined to them
========  ==========================================================================================
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from royaley_pipeline.sources.cfbd import read_cfbd_lines
from royaley_pipeline.sources.external import external_file
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.league import Quirks
from royaley_pipeline.sources.merge import attach_lines
from royaley_pipeline.sources.movada import read_movada_ncaab
from royaley_pipeline.sources.oddsportal import read_oddsportal_mlb, read_oddsportal_nhl
from royaley_pipeline.sources.parsing import DateBound, read_text_csv
from royaley_pipeline.sources.sbro import read_sbro_one_row, read_sbro_two_row
from royaley_pipeline.sources.tennis_data import match_odds, read_tennis_data, read_tennis_data_games
from royaley_pipeline.sources.tennis_names import MATCH_WINDOW, join_sackmann, load_aliases

SPORT_FILES: dict[str, tuple[str, ...]] = {
    "NHL": ("nhl_oddsportal", "nhl_sbro"),
    "MLB": ("mlb_oddsportal", "mlb_sbro"),
    "NCAAF": ("ncaaf_cfbd",),
    "NCAAB": ("ncaab_sbro",),
    "WTA": ("wta_tennis_data",),
    "ATP": ("atp_tennis_data",),
}


def sports_with_external_history(shared_data_path: Path | None) -> list[str]:
    """Sports whose first (main) file is present in the shared folder."""
    return [sport for sport, roles in SPORT_FILES.items() if external_file(roles[0], shared_data_path) is not None]


def read_external_history(sport: str, shared_data_path: Path | None, *, start: DateBound = None,
                          end: DateBound = None) -> SourceBatch | None:
    """A team sport's or WTA's games and odds, or None when its main file is absent."""
    files = {role: external_file(role, shared_data_path) for role in SPORT_FILES.get(sport, ())}
    if sport not in SPORT_FILES or sport == "ATP" or files[SPORT_FILES[sport][0]] is None:
        return None
    window = {"start": start, "end": end}
    if sport == "NHL":
        batch = read_oddsportal_nhl(files["nhl_oddsportal"], **window)
        return _with_sbro(batch, files["nhl_sbro"], lambda path: read_sbro_two_row(path, "NHL", **window))
    if sport == "MLB":
        batch = read_oddsportal_mlb(files["mlb_oddsportal"], **window)
        return _with_sbro(batch, files["mlb_sbro"], lambda path: read_sbro_one_row(path, "MLB", **window))
    if sport == "NCAAF":
        return read_cfbd_lines(files["ncaaf_cfbd"], **window)
    if sport == "NCAAB":
        return read_movada_ncaab(files["ncaab_sbro"], **window)
    return read_tennis_data_games(files["wta_tennis_data"], "WTA", **window)


def _with_sbro(batch: SourceBatch, path, read) -> SourceBatch:
    return batch if path is None else attach_lines(batch, read(path), "sbro")


def with_atp_prices(sackmann: SourceBatch, players_path: str | PathLike[str] | None,
                    shared_data_path: Path | None, *, start: DateBound = None, end: DateBound = None) -> SourceBatch:
    """Sackmann's ATP games with tennis-data.co.uk prices joined on (nothing added if absent)."""
    path = external_file("atp_tennis_data", shared_data_path)
    if path is None or sackmann.games.empty or players_path is None:
        return sackmann
    quirks = Quirks()
    matches, read_quirks = read_tennis_data(
        path, "ATP",
        start=None if start is None else pd.Timestamp(start) - MATCH_WINDOW,
        end=None if end is None else pd.Timestamp(end) + MATCH_WINDOW,
    )
    quirks.update(read_quirks)
    players = read_text_csv(players_path, f"sackmann_atp {players_path}")
    players = players[players["player_id"].str.strip().isin(
        set(sackmann.games["home_team"]) | set(sackmann.games["away_team"]))]
    joined, winner_home = join_sackmann(matches, sackmann.games, players, load_aliases("ATP"), quirks)
    if joined.empty:
        return sackmann
    games = sackmann.games.set_index("source_game_id").loc[joined["source_game_id"]].reset_index()
    odds = match_odds(joined.reset_index(drop=True), games, winner_home.reset_index(drop=True))
    batch = sackmann.with_odds(odds)
    batch.quirks.update({f"tennis_data_{name}": count for name, count in quirks.as_dict().items()})
    return batch
