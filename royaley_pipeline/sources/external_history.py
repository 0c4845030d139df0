"""Each sport's history from the files read in place (see ``external``): where, which readers, in which order.

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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from os import PathLike
from pathlib import Path

import pandas as pd

from royaley_pipeline.sources.cfbd import read_cfbd_lines
from royaley_pipeline.sources.frames import SourceBatch
from royaley_pipeline.sources.league import Quirks
from royaley_pipeline.sources.merge import attach_lines
from royaley_pipeline.sources.movada import read_movada_ncaab
from royaley_pipeline.sources.oddsportal import read_oddsportal_mlb, read_oddsportal_nhl
from royaley_pipeline.sources.parsing import DateBound, read_text_csv
from royaley_pipeline.sources.sbro import read_sbro_one_row, read_sbro_two_row
from royaley_pipeline.sources.tennis_data import match_odds, read_tennis_data, read_tennis_data_games
from royaley_pipeline.sources.tennis_names import MATCH_WINDOW, join_sackmann, load_aliases


@dataclass(frozen=True)
class ExternalHistory:
    """A sport's history read in place: its files (role → path under the shared folder; the first is
    the main one, without which the sport has no history), the month of its first game, and how to
    read them (``read(files, window)``, a role's path None when its file is absent)."""

    files: dict[str, str]
    start: date
    read: Callable[[dict[str, Path | None], dict], SourceBatch]


EXTERNAL_HISTORY: dict[str, ExternalHistory] = {
    "NHL": ExternalHistory(
        {"nhl_oddsportal": "nhl/nhl_oddsportal_avgml_2008-09_2023-24.csv", "nhl_sbro": "nhl/nhl_sbro_2016-17_2021-22.csv"},
        date(2008, 10, 1),
        lambda files, window: _with_sbro(read_oddsportal_nhl(files["nhl_oddsportal"], **window), files["nhl_sbro"],
                                         lambda path: read_sbro_two_row(path, "NHL", **window))),
    "MLB": ExternalHistory(
        {"mlb_oddsportal": "mlb/mlb_oddsportal_avgml_2006_2022.csv", "mlb_sbro": "mlb/mlb_sbro_cswaters_2010_2019.csv"},
        date(2006, 3, 1),
        lambda files, window: _with_sbro(read_oddsportal_mlb(files["mlb_oddsportal"], **window), files["mlb_sbro"],
                                         lambda path: read_sbro_one_row(path, "MLB", **window))),
    "NCAAF": ExternalHistory({"ncaaf_cfbd": "ncaaf/ncaaf_cfbd_lines_long_2020_2023.csv"}, date(2020, 8, 1),
                             lambda files, window: read_cfbd_lines(files["ncaaf_cfbd"], **window)),
    "NCAAB": ExternalHistory({"ncaab_sbro": "ncaab/ncaab_sbro_movada_2012-13_2020-21.csv"}, date(2012, 11, 1),
                             lambda files, window: read_movada_ncaab(files["ncaab_sbro"], **window)),
    "WTA": ExternalHistory({"wta_tennis_data": "tennis_odds/wta_tennisdata_2007_2022.csv"}, date(2007, 1, 1),
                           lambda files, window: read_tennis_data_games(files["wta_tennis_data"], "WTA", **window)),
}
"""Adding a sport whose history is read in place is its entry here (with its reader under
``sources/`` and its ``Sport`` in the registry)."""
ATP_PRICES = "atp_tennis_data"  # tennis-data.co.uk prices joined to the bundled ATP games
EXTERNAL_FILES: dict[str, str] = {
    **{role: path for history in EXTERNAL_HISTORY.values() for role, path in history.files.items()},
    ATP_PRICES: "tennis_odds/atp_tennisdata_2000_2022.csv",
}


def external_file(role: str, shared_data_path: Path | None) -> Path | None:
    """The file of a role (a key of ``EXTERNAL_FILES``) if it exists in the shared folder, else None."""
    if shared_data_path is None:
        return None
    path = Path(shared_data_path) / EXTERNAL_FILES[role]
    return path if path.is_file() else None


def sports_with_external_history(shared_data_path: Path | None) -> list[str]:
    """Sports whose first (main) file is present in the shared folder."""
    return [sport for sport, history in EXTERNAL_HISTORY.items()
            if external_file(next(iter(history.files)), shared_data_path) is not None]


def read_external_history(sport: str, shared_data_path: Path | None, *, start: DateBound = None,
                          end: DateBound = None) -> SourceBatch | None:
    """A team sport's or WTA's games and odds, or None when its main file is absent."""
    history = EXTERNAL_HISTORY.get(sport)
    if history is None:
        return None
    files = {role: external_file(role, shared_data_path) for role in history.files}
    if files[next(iter(history.files))] is None:
        return None
    return history.read(files, {"start": start, "end": end})


def _with_sbro(batch: SourceBatch, path, read) -> SourceBatch:
    return batch if path is None else attach_lines(batch, read(path), "sbro")


def with_atp_prices(sackmann: SourceBatch, players_path: str | PathLike[str] | None,
                    shared_data_path: Path | None, *, start: DateBound = None, end: DateBound = None) -> SourceBatch:
    """Sackmann's ATP games with tennis-data.co.uk prices joined on (nothing added if absent)."""
    path = external_file(ATP_PRICES, shared_data_path)
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
