"""Reader for the NBA results-and-lines file ``nba_2008-2025.csv`` (sportsbookreviews archive).

The file names seasons by the year they END and gives the spread as the favourite's margin
(always >= 0) with ``whos_favored`` for its direction; here seasons are named by their start
year and spreads are home lines (negative = home favoured). ``id_spread`` and ``id_total`` are
outcomes (cover, over) and are never returned. There is no tip-off time, so 19:30 US Eastern is
assumed and flagged as estimated.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.sources.errors import shown
from royaley_pipeline.sources.frames import CLOSING_LINE_LEAD, SourceBatch, games_of, odds_for_sides
from royaley_pipeline.sources.parsing import (
    DateBound,
    check_season,
    read_source_csv,
    reject_first,
    to_date,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.teams import TeamDirectory

SOURCE = "nba_sbr"
BOOK = "sbr_close"
KEY = "date"
EASTERN = "America/New_York"
ASSUMED_TIP_OFF = pd.Timedelta(hours=19, minutes=30)
SEASON_GRACE_MONTHS = 4  # the 2019-20 season ended in October 2020, the 2020-21 one in July 2021
OUTCOME_COLUMNS = ("id_spread", "id_total")
REQUIRED_COLUMNS = (
    "season",
    "date",
    "regular",
    "playoffs",
    "away",
    "home",
    "score_away",
    "score_home",
    "whos_favored",
    "spread",
    "total",
    "moneyline_away",
    "moneyline_home",
)
# Neutral courts the file does not flag: the Orlando bubble and the Las Vegas in-season cup finals.
BUBBLE_FIRST_DAY, BUBBLE_LAST_DAY = pd.Timestamp("2020-07-30"), pd.Timestamp("2020-10-11")
NEUTRAL_SITE_GAMES = frozenset({"2023-12-07_NOP_LAL", "2023-12-07_IND_MIL", "2023-12-09_IND_LAL"})
BOOLEAN_TEXT = {"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}


def read_nba_lines(
    location: str | PathLike[str],
    *,
    start: DateBound = None,
    end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    """Games and closing spread, total and moneyline snapshots; no weather (indoor sport)."""
    source, raw = read_source_csv(SOURCE, location, REQUIRED_COLUMNS, KEY)
    raw = raw.drop(columns=[column for column in OUTCOME_COLUMNS if column in raw.columns])
    game_dates = to_date(raw, "date", source, KEY, "%Y-%m-%d")
    selected = raw[within_dates(game_dates, start, end)]
    games = validate_nba_lines(selected, source, teams or TeamDirectory())
    return SourceBatch(games=_games_frame(games), odds=_odds_frame(games))


def validate_nba_lines(raw: pd.DataFrame, source: str, teams: TeamDirectory) -> pd.DataFrame:
    """Typed, checked columns of the file's rows, with canonical teams and start-year seasons."""
    typed = pd.DataFrame(index=raw.index)
    typed["game_date"] = to_date(raw, "date", source, KEY, "%Y-%m-%d")
    typed["season"] = to_number(raw, "season", source, KEY, required=True).astype(int) - 1
    check_season(raw, typed["season"], typed["game_date"], sport="NBA", source=source, key_column=KEY,
                 grace_months=SEASON_GRACE_MONTHS)
    for side in ("home", "away"):
        typed[f"{side}_team"] = teams.resolve_column(raw, side, "NBA", source=source, key_column=KEY)
    for column in ("regular", "playoffs"):
        flags = raw[column].str.strip().map(BOOLEAN_TEXT)
        reject_first(flags.isna(), raw, KEY, source, column,
                     lambda line, column=column: f"{shown(raw.at[line, column])} is not True/False")
        typed[column] = flags.astype(bool)
    typed["game_type"] = _game_types(typed)
    for column in ("score_home", "score_away", "spread", "total", "moneyline_home", "moneyline_away"):
        typed[column] = to_number(raw, column, source, KEY, non_negative=column.startswith("score_"))
    for column in ("score_home", "score_away"):
        reject_first(typed[column].isna(), raw, KEY, source, column, "value is missing")
    favoured = raw["whos_favored"].str.strip().str.lower()
    reject_first(
        typed["spread"].notna() & ~favoured.isin(["home", "away"]), raw, KEY, source, "whos_favored",
        lambda line: f"{shown(raw.at[line, 'whos_favored'])} is neither 'home' nor 'away'",
    )
    reject_first(
        typed["spread"] < 0, raw, KEY, source, "spread",
        lambda line: f"{shown(raw.at[line, 'spread'])} is negative; the file gives the favourite's margin",
    )
    typed["home_line"] = np.where(favoured == "home", -typed["spread"], typed["spread"])
    typed["source_game_id"] = (
        typed["game_date"].dt.strftime("%Y-%m-%d") + "_" + typed["away_team"] + "_" + typed["home_team"]
    )
    reject_first(
        typed["source_game_id"].duplicated(), raw, KEY, source, None,
        lambda line: f"game {typed.at[line, 'source_game_id']} appears twice",
    )
    local_start = typed["game_date"] + ASSUMED_TIP_OFF
    typed["start_time"] = local_start.dt.tz_localize(EASTERN).dt.tz_convert("UTC")
    return typed


def _game_types(typed: pd.DataFrame) -> pd.Series:
    """REG or POST; rows flagged neither are play-in games (after the season's last regular game,
    so POST) or the in-season cup final (during the season, so REG)."""
    last_regular_day = typed[typed["regular"]].groupby("season")["game_date"].max()
    after_regular = typed["game_date"] > typed["season"].map(last_regular_day).fillna(pd.Timestamp.max)
    return pd.Series(
        np.where(typed["playoffs"] | (~typed["regular"] & after_regular), "POST", "REG"), index=typed.index
    )


def _neutral_site(games: pd.DataFrame) -> pd.Series:
    in_bubble = games["game_date"].between(BUBBLE_FIRST_DAY, BUBBLE_LAST_DAY)
    return in_bubble | games["source_game_id"].isin(NEUTRAL_SITE_GAMES)


def _games_frame(games: pd.DataFrame) -> pd.DataFrame:
    return games_of(games, sport="NBA", source=SOURCE, start_time_estimated=True, neutral_site=_neutral_site(games),
                    status="final", home_score=games["score_home"], away_score=games["score_away"])


def _odds_frame(games: pd.DataFrame) -> pd.DataFrame:
    games = games.assign(sport="NBA")
    captured_at = games["start_time"] - CLOSING_LINE_LEAD
    no_line = pd.Series(np.nan, index=games.index)
    no_price = no_line
    home_line = games["home_line"]
    sides = [
        ("spread", "home", home_line, no_price, home_line.notna()),
        ("spread", "away", -home_line, no_price, home_line.notna()),
        ("total", "over", games["total"], no_price, games["total"].notna()),
        ("total", "under", games["total"], no_price, games["total"].notna()),
        ("moneyline", "home", no_line, games["moneyline_home"], games["moneyline_home"].notna()),
        ("moneyline", "away", no_line, games["moneyline_away"], games["moneyline_away"].notna()),
    ]
    return odds_for_sides(games, sides, book=BOOK, source=SOURCE, captured_at=captured_at)
