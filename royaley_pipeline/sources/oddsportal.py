"""Reader for OddsPortal average moneylines (NHL 2008-09..2023-24, MLB 2006..2022).

One row per game, ``team_1`` = home (OddsPortal's "home – away" order), American moneylines that
are the average over the books OddsPortal listed after the game (stored as book
``oddsportal_avg``, captured one minute before the start: "closing" is assumed, not proven).
Neither file gives a start time, so 19:00 US Eastern is assumed and flagged as estimated.

Quirks, each counted in ``SourceBatch.quirks``:

* NHL exhibitions (All-Star games, skills teams such as "Team McDavid") are not games between
  clubs: rejected (``exhibition_rejected``); pre-season games have no odds and mixed rosters:
  rejected (``preseason_rejected``). Play-offs and the 2020 placement round are ``POST``.
* NHL ``neutral`` = 1 (49 games: outdoor and overseas games, the 2020 bubble): kept as neutral
  (``neutral_site_games``).
* A hockey game cannot end tied; the one 0-0 "tie" is a data error: result blanked
  (``tied_score_rejected``).
* Games without a moneyline (NHL playoffs, 2008-10 gaps) are kept without odds
  (``moneyline_missing``); a pair that cannot be a market is blanked (``moneyline_impossible``).
* MLB doubleheaders (same day, same teams) become two games ``…_AWAY_HOME`` and
  ``…_AWAY_HOME_2``, the second starting four hours later (``doubleheader_games``); the file
  lists a day's games latest first, so the later row in the file is game 1.
* MLB ``result`` must agree with the scores; a row where it does not fails the read.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.sources.frames import CLOSING_LINE_LEAD, SourceBatch, odds_for_sides
from royaley_pipeline.sources.league import (
    DOUBLEHEADER_GAP,
    Quirks,
    check_unique_games,
    dated_games,
    drop_impossible_moneylines,
    game_id,
    number_doubleheaders,
    reject_ties,
    team_games,
)
from royaley_pipeline.sources.parsing import (
    DateBound,
    check_season,
    read_source_csv,
    reject_value,
    to_date,
    to_flag,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.teams import TeamDirectory

SOURCE = "oddsportal"
BOOK = "oddsportal_avg"
KEY = "game_url"
NHL_COLUMNS = ("season", "date", "season_type", "neutral", "team_1", "team_2", "points_1", "points_2",
               "moneyline_1", "moneyline_2", "game_url")
MLB_COLUMNS = ("season", "date", "team_1", "team_2", "score_1", "score_2", "result",
               "avg_moneyline_1", "avg_moneyline_2", "game_url")
NHL_GAME_TYPES = {"Regular": "REG", "Play Offs": "POST", "Placement Group": "POST"}
NHL_EXHIBITION_TYPES = {"All Stars"}
NHL_PRESEASON_TYPES = {"Pre-season"}
NHL_EXHIBITION_TEAM = r"^(?:All-Stars .*|Team .*|.* Division)$"  # some All-Star rows say "Regular"
NHL_SEASON_GRACE_MONTHS = 3  # the 2019-20 play-offs ran to September 2020


def read_oddsportal_nhl(
    location: str | PathLike[str], *, start: DateBound = None, end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    """NHL games (regular season and play-offs) with OddsPortal's average closing moneyline."""
    source, raw = read_source_csv(SOURCE, location, NHL_COLUMNS)
    quirks = Quirks()
    season_type = raw["season_type"].str.strip()
    unknown = ~season_type.isin({*NHL_GAME_TYPES, *NHL_EXHIBITION_TYPES, *NHL_PRESEASON_TYPES})
    reject_value(unknown, raw, KEY, source, "season_type", "is not a known season type")
    dates = to_date(raw, "date", source, KEY, "%d %b %Y")
    keep = within_dates(dates, start, end)
    exhibition = season_type.isin(NHL_EXHIBITION_TYPES) | raw["team_1"].str.strip().str.fullmatch(
        NHL_EXHIBITION_TEAM).fillna(False).astype(bool)
    preseason = season_type.isin(NHL_PRESEASON_TYPES) & ~exhibition
    quirks.note("exhibition_rejected", (keep & exhibition).sum())
    quirks.note("preseason_rejected", (keep & preseason).sum())
    raw = raw[keep & ~exhibition & ~preseason]
    typed = _typed(raw, dates[raw.index], "NHL", source, teams or TeamDirectory(),
                   scores=("points_1", "points_2"), prices=("moneyline_1", "moneyline_2"))
    typed["season"] = raw["season"].str.slice(0, 4).pipe(pd.to_numeric, errors="coerce")
    _check_season(raw, typed, "NHL", source, NHL_SEASON_GRACE_MONTHS)
    typed["game_type"] = raw["season_type"].str.strip().map(NHL_GAME_TYPES)
    typed["neutral_site"] = to_flag(raw, "neutral", source, KEY)
    quirks.note("neutral_site_games", typed["neutral_site"].sum())
    reject_ties(typed, quirks)
    typed["source_game_id"] = game_id(typed)
    check_unique_games(typed, raw, source, KEY)
    return _batch(typed, "NHL", quirks)


def read_oddsportal_mlb(
    location: str | PathLike[str], *, start: DateBound = None, end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    """MLB games (regular season and postseason, not told apart) with the average moneyline."""
    source, raw = read_source_csv(SOURCE, location, MLB_COLUMNS)
    dates = to_date(raw, "date", source, KEY, "%d-%m-%Y")
    raw = raw[within_dates(dates, start, end)]
    quirks = Quirks()
    typed = _typed(raw, dates[raw.index], "MLB", source, teams or TeamDirectory(),
                   scores=("score_1", "score_2"), prices=("avg_moneyline_1", "avg_moneyline_2"))
    typed["season"] = to_number(raw, "season", source, KEY, required=True)
    _check_season(raw, typed, "MLB", source, 0)
    typed["game_type"] = "REG"
    typed["neutral_site"] = False
    result = to_number(raw, "result", source, KEY)
    decided = typed["home_score"].notna() & (typed["home_score"] != typed["away_score"])
    disagrees = decided & (result != (typed["home_score"] > typed["away_score"]).astype(float))
    reject_value(disagrees, raw, KEY, source, "result", "disagrees with the score")
    typed["file_order"] = -np.arange(len(typed))  # latest first in the file
    number = number_doubleheaders(typed, quirks, DOUBLEHEADER_GAP)
    quirks.note("tied_score_kept", (decided.eq(False) & typed["home_score"].notna()).sum())
    typed["source_game_id"] = game_id(typed, number)
    check_unique_games(typed, raw, source, KEY)
    return _batch(typed, "MLB", quirks)


def _typed(raw: pd.DataFrame, dates: pd.Series, sport: str, source: str, teams: TeamDirectory, *,
           scores: tuple[str, str], prices: tuple[str, str]) -> pd.DataFrame:
    typed = dated_games(dates)
    typed["home_team"] = teams.resolve_column(raw, "team_1", sport, source=source, key_column=KEY)
    typed["away_team"] = teams.resolve_column(raw, "team_2", sport, source=source, key_column=KEY)
    typed["home_score"] = to_number(raw, scores[0], source, KEY)
    typed["away_score"] = to_number(raw, scores[1], source, KEY)
    typed["moneyline_home"] = to_number(raw, prices[0], source, KEY)
    typed["moneyline_away"] = to_number(raw, prices[1], source, KEY)
    return typed


def _check_season(raw: pd.DataFrame, typed: pd.DataFrame, sport: str, source: str, grace: int) -> None:
    missing = typed["season"].isna()
    reject_value(missing, raw, KEY, source, "season", "is not a season")
    typed["season"] = typed["season"].astype(int)
    check_season(raw, typed["season"], typed["game_date"], sport=sport,
                 source=source, key_column=KEY, grace_months=grace)


def _batch(typed: pd.DataFrame, sport: str, quirks: Quirks) -> SourceBatch:
    quirks.note("moneyline_missing", (typed["moneyline_home"].isna() | typed["moneyline_away"].isna()).sum())
    drop_impossible_moneylines(typed, "moneyline_home", "moneyline_away", quirks, "moneyline_impossible")
    games = team_games(typed, sport=sport, source=SOURCE)
    priced = typed["moneyline_home"].notna() & typed["moneyline_away"].notna()
    no_line = pd.Series(np.nan, index=typed.index)
    sides = [
        ("moneyline", "home", no_line, typed["moneyline_home"], priced),
        ("moneyline", "away", no_line, typed["moneyline_away"], priced),
    ]
    odds = odds_for_sides(games, sides, book=BOOK, source=SOURCE,
                          captured_at=games["start_time"] - CLOSING_LINE_LEAD)
    return SourceBatch(games=games, odds=odds, quirks=quirks.as_dict())
