"""Which files feed which sport, and one call that reads a sport's whole bundled history.

The storage and asset layers ask here instead of knowing file names, so swapping the embedded
copies for fresher files is a matter of pointing ``ROYALEY_SOURCE_DATA`` elsewhere.

NHL, MLB, NCAAF, NCAAB and WTA history, and ATP prices, come from files that are never shipped
and are read in place (``external_history``); a sport whose files are absent returns an empty
batch and logs a warning rather than fail, so an "all sports" run still runs for the others.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pandas as pd

from royaley_pipeline.config import Settings
from royaley_pipeline.errors import BadRequest
from royaley_pipeline.sources.atp import read_atp_matches
from royaley_pipeline.sources.external import SHARED_DATA_VARIABLE
from royaley_pipeline.sources.external_history import (
    EXTERNAL_HISTORY,
    read_external_history,
    sports_with_external_history,
    with_atp_prices,
)
from royaley_pipeline.sources.frames import SourceBatch, validate_batch
from royaley_pipeline.sources.nba_lines import read_nba_lines
from royaley_pipeline.sources.nfelo import read_nfelo_lines
from royaley_pipeline.sources.nflverse import read_nflverse_games
from royaley_pipeline.sources.parsing import DateBound, within_dates
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sports import SPORTS, get_sport

logger = logging.getLogger(__name__)

NFL_WEEK_MARGIN = pd.Timedelta(days=7)  # read whole NFL weeks so nfelo rows can all be matched


def default_source_locations(settings: Settings) -> dict[str, Path | list[Path] | None]:
    """Every bundled file by role; ``nfelo_games`` is None unless the settings name a copy."""
    root = Path(settings.source_data_path)
    nfelo = settings.nfelo_path
    if nfelo is not None and not nfelo.is_file():
        raise BadRequest(f"nfelo file {nfelo} does not exist (set ROYALEY_NFELO_PATH to the file, "
                         "or ROYALEY_SHARED_DATA to the folder holding nfelo/nfelo_games.csv)")
    return {
        "nflverse_games": root / "nflverse" / "games.csv",
        "nfelo_games": nfelo,
        "nba_lines": root / "nba" / "nba_2008-2025.csv",
        "atp_matches": sorted((root / "tennis_atp").glob("atp_matches_*.csv")),
        "atp_players": root / "tennis_atp" / "atp_players.csv",
        "fivethirtyeight_nfl_elo_games": root / "fivethirtyeight" / "nfl_elo_games.csv",
        "fivethirtyeight_initial_elos": root / "fivethirtyeight" / "initial_elos.csv",
        "checking_our_work_nfl_games": root / "fivethirtyeight" / "checking_our_work_nfl_games.csv",
        "checking_our_work_nba_games": root / "fivethirtyeight" / "checking_our_work_nba_games.csv",
    }


def read_sport_history(
    sport_code: str, settings: Settings, *, start: DateBound = None, end: DateBound = None
) -> SourceBatch:
    """Games, odds, weather and players of a sport from its bundled files, between two dates."""
    sport = get_sport(sport_code)
    locations = default_source_locations(settings)
    if sport.code == "NFL":
        return validate_batch(_read_nfl(locations, start, end))
    if sport.code == "NBA":
        return validate_batch(read_nba_lines(locations["nba_lines"], start=start, end=end))
    if sport.code == "ATP":
        players = locations["atp_players"] if locations["atp_players"].is_file() else None
        matches = read_atp_matches(locations["atp_matches"], start=start, end=end, players_path=players)
        return validate_batch(with_atp_prices(matches, players, settings.shared_data_path, start=start, end=end))
    external = read_external_history(sport.code, settings.shared_data_path, start=start, end=end)
    if external is not None:
        return validate_batch(external)
    logger.warning("no history files for %s (set %s to the folder holding them): returning an empty batch",
                   sport.code, SHARED_DATA_VARIABLE)
    return SourceBatch()


def _read_nfl(locations: dict, start: DateBound, end: DateBound) -> SourceBatch:
    """nflverse games and closing lines, plus nfelo opening and closing lines when available."""
    teams = TeamDirectory()
    wide_start = None if start is None else pd.Timestamp(start) - NFL_WEEK_MARGIN
    wide_end = None if end is None else pd.Timestamp(end) + NFL_WEEK_MARGIN
    wide = read_nflverse_games(locations["nflverse_games"], start=wide_start, end=wide_end, teams=teams)
    in_window = within_dates(wide.games["game_date"], start, end)
    kept_ids = set(wide.games.loc[in_window, "source_game_id"])
    batch = SourceBatch(
        games=wide.games[in_window],
        odds=wide.odds[wide.odds["source_game_id"].isin(kept_ids)],
        weather=wide.weather[wide.weather["source_game_id"].isin(kept_ids)],
    )
    nfelo_path = locations.get("nfelo_games")
    if nfelo_path is None:
        logger.info("nfelo file not found: NFL odds are nflverse closing lines only")
        return batch
    # Match against whole weeks only: a week with a game in the window lies wholly inside the
    # widened read, while a week cut by the widened edges would look "covered" yet miss games.
    weeks = wide.games.loc[in_window, ["season", "week"]].drop_duplicates()
    whole_weeks = wide.games.merge(weeks, on=["season", "week"])
    nfelo_odds = read_nfelo_lines(nfelo_path, whole_weeks, start=start, end=end, teams=teams)
    return batch.with_odds(nfelo_odds)


BUNDLED_SPORTS = ("NFL", "NBA", "ATP")
HISTORY_STARTS = {
    "NFL": date(1999, 9, 1), "NBA": date(2007, 10, 1), "ATP": date(2015, 1, 1),
    **{sport: history.start for sport, history in EXTERNAL_HISTORY.items()},
}
"""The month of each sport's first game in its files (bundled: NFL 1999-09-12, NBA 2007-10-30, ATP
2015-01-05; read in place: NHL 2008-09, MLB 2006, NCAAF 2020, NCAAB 2012-13 and WTA 2007 seasons)."""


def sports_with_history(settings: Settings) -> list[str]:
    """Sports with history to read: the bundled ones and those whose files are in the shared
    data folder (what ``--all`` means)."""
    external = sports_with_external_history(settings.shared_data_path)
    return [code for code in SPORTS if code in BUNDLED_SPORTS or code in external]
