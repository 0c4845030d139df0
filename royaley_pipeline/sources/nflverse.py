"""Reader for the nflverse games file (Lee Sharpe's schedule with results and closing lines).

The file gives kick-off in US Eastern time, team codes of the time (STL, SD, OAK) and one line
per game. Its ``spread_line`` is the expected HOME margin (positive = home favoured), the
opposite of the bookmaker convention stored here, so the home line is ``-spread_line``.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.sources.errors import shown
from royaley_pipeline.sources.frames import (
    CLOSING_LINE_LEAD,
    TEXT_LIMITS,
    SourceBatch,
    games_of,
    odds_for_sides,
)
from royaley_pipeline.sources.parsing import (
    DateBound,
    check_lengths,
    check_season,
    reject_first,
    require_columns,
    to_date,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.teams import TeamDirectory
from royaley_pipeline.sources.text_files import read_text_csv

NFLVERSE_GAMES_URL = "https://raw.githubusercontent.com/nflverse/nfldata/master/data/games.csv"
SOURCE = "nflverse"
BOOK = "nflverse_close"
EASTERN = "America/New_York"
DEFAULT_KICKOFF = "13:00"  # the classic Sunday slot, used where the file has no time
GAME_TYPES = {"REG": "REG", "WC": "POST", "DIV": "POST", "CON": "POST", "SB": "POST"}
INDOOR_ROOFS = {"dome", "closed"}
KEY = "game_id"
PRICE_COLUMNS = (  # the closing lines and prices of each game
    "away_moneyline",
    "home_moneyline",
    "spread_line",
    "away_spread_odds",
    "home_spread_odds",
    "total_line",
    "under_odds",
    "over_odds",
)
REQUIRED_COLUMNS = (
    "game_id",
    "season",
    "game_type",
    "week",
    "gameday",
    "gametime",
    "away_team",
    "away_score",
    "home_team",
    "home_score",
    "location",
    *PRICE_COLUMNS,
    "roof",
    "surface",
    "temp",
    "wind",
    "stadium",
)
SCORE_COLUMNS = ("away_score", "home_score")
GAME_KEY = ["season", "week", "away_team", "home_team"]  # one game; nfelo lines are matched on it
STORED_TEXT = {"game_id": "source_game_id", "stadium": "venue", "roof": "roof", "surface": "surface"}
NUMERIC_COLUMNS = ("away_score", "home_score", *PRICE_COLUMNS, "temp", "wind")


def source_label(location: str | PathLike[str]) -> str:
    """How errors name the file: the source plus the path or URL it was read from."""
    return f"{SOURCE} {location}"


def read_nflverse_games(
    location: str | PathLike[str] = NFLVERSE_GAMES_URL,
    *,
    start: DateBound = None,
    end: DateBound = None,
    teams: TeamDirectory | None = None,
    label: str | None = None,
) -> SourceBatch:
    """Games, closing odds and kick-off weather from an nflverse games file (path, URL or text buffer;
    ``label`` names a buffer's origin in errors).

    ``start``/``end`` (inclusive dates) choose the rows to validate and return, so a bad row in
    an old season does not stop a recent load; every row's date must still parse.
    """
    source = source_label(label or location)
    raw = read_text_csv(location, source, KEY)
    require_columns(raw, REQUIRED_COLUMNS, source)
    game_dates = to_date(raw, "gameday", source, KEY, "%Y-%m-%d")
    selected = raw[within_dates(game_dates, start, end)]
    games = validate_nflverse_games(selected, source, teams or TeamDirectory())
    return SourceBatch(games=_games_frame(games), odds=_odds_frame(games), weather=_weather_frame(games))


def validate_nflverse_games(raw: pd.DataFrame, source: str, teams: TeamDirectory) -> pd.DataFrame:
    """Typed, checked columns of nflverse rows (text in, numbers/dates/canonical codes out)."""
    typed = pd.DataFrame(index=raw.index)
    reject_first(raw[KEY].isna(), raw, KEY, source, KEY, "value is missing")
    reject_first(raw[KEY].duplicated(), raw, KEY, source, KEY, "game id appears twice")
    check_lengths(raw, {column: TEXT_LIMITS[stored] for column, stored in STORED_TEXT.items()}, source, KEY)
    typed["game_id"] = raw[KEY].str.strip()
    typed["game_date"] = to_date(raw, "gameday", source, KEY, "%Y-%m-%d")
    typed["season"] = to_number(raw, "season", source, KEY, required=True).astype(int)
    check_season(raw, typed["season"], typed["game_date"], sport="NFL", source=source, key_column=KEY)
    typed["week"] = to_number(raw, "week", source, KEY, required=True).astype("Int64")
    reject_first(
        ~raw["game_type"].isin(GAME_TYPES.keys()), raw, KEY, source, "game_type",
        lambda line: f"{shown(raw.at[line, 'game_type'])} is not one of {sorted(GAME_TYPES)}",
    )
    typed["game_type"] = raw["game_type"].map(GAME_TYPES)
    typed["start_time_estimated"] = raw["gametime"].isna()
    local_start = pd.to_datetime(
        raw["gameday"].str.strip() + " " + raw["gametime"].fillna(DEFAULT_KICKOFF).str.strip(),
        format="%Y-%m-%d %H:%M",
        errors="coerce",
    )
    reject_first(
        local_start.isna(), raw, KEY, source, "gametime",
        lambda line: f"{shown(raw.at[line, 'gametime'])} is not a time (HH:MM, US Eastern)",
    )
    typed["start_time"] = local_start.dt.tz_localize(EASTERN, nonexistent="shift_forward").dt.tz_convert(
        "UTC"
    )
    for side in ("home", "away"):
        typed[f"{side}_team"] = teams.resolve_column(
            raw, f"{side}_team", "NFL", source=source, key_column=KEY
        )
    for column in NUMERIC_COLUMNS:
        typed[column] = to_number(raw, column, source, KEY, non_negative=column in SCORE_COLUMNS)
    reject_first(
        typed.duplicated(GAME_KEY), raw, KEY, source, KEY,
        lambda line: f"the game of row {_first_row_like(typed, line)} ({raw.at[_first_row_like(typed, line), KEY]}) "
        f"under another id: season {typed.at[line, 'season']} week {typed.at[line, 'week']} "
        f"{typed.at[line, 'away_team']} at {typed.at[line, 'home_team']}",
    )
    reject_first(
        typed["home_score"].isna() != typed["away_score"].isna(), raw, KEY, source,
        lambda line: "home_score" if pd.isna(typed.at[line, "home_score"]) else "away_score",
        "value is missing while the other team's score is present",
    )
    reject_first(
        ~raw["location"].isin(["Home", "Neutral"]), raw, KEY, source, "location",
        lambda line: f"{shown(raw.at[line, 'location'])} is neither 'Home' nor 'Neutral'",
    )
    typed["neutral_site"] = raw["location"] == "Neutral"
    for column, text in (("roof", raw["roof"]), ("surface", raw["surface"]), ("venue", raw["stadium"])):
        stripped = text.str.strip()
        typed[column] = stripped.where(stripped.notna() & (stripped != ""), None)
    return typed


def _first_row_like(typed: pd.DataFrame, line: int) -> int:
    """The first row describing the same game (season, week and teams) as ``line``."""
    return typed.index[(typed[GAME_KEY] == typed.loc[line, GAME_KEY]).all(axis=1)][0]


def _games_frame(games: pd.DataFrame) -> pd.DataFrame:
    return games_of(games, sport="NFL", source=SOURCE, source_game_id=games["game_id"],
                    status=np.where(games["home_score"].notna(), "final", "scheduled"))


def _odds_frame(games: pd.DataFrame) -> pd.DataFrame:
    """Closing snapshots; each market side is kept where the file has its line (or price)."""
    games = games.assign(sport="NFL", source_game_id=games["game_id"])
    captured_at = games["start_time"] - CLOSING_LINE_LEAD
    sides = [(market, side, line, price, (price if market == "moneyline" else line).notna())
             for market, side, line, price in closing_quotes(games)]
    return odds_for_sides(games, sides, book=BOOK, source=SOURCE, captured_at=captured_at)


def closing_quotes(games: pd.DataFrame) -> list[tuple[str, str, pd.Series, pd.Series]]:
    """``(market, side, line, price)`` of each quoted side in nflverse's columns (a moneyline has no
    line); the home spread is ``-spread_line``, since nflverse's positive spread_line is the home favoured."""
    home_line = -games["spread_line"]
    no_line = pd.Series(np.nan, index=games.index)
    return [
        ("spread", "home", home_line, games["home_spread_odds"]),
        ("spread", "away", -home_line, games["away_spread_odds"]),
        ("moneyline", "home", no_line, games["home_moneyline"]),
        ("moneyline", "away", no_line, games["away_moneyline"]),
        ("total", "over", games["total_line"], games["over_odds"]),
        ("total", "under", games["total_line"], games["under_odds"]),
    ]


def _weather_frame(games: pd.DataFrame) -> pd.DataFrame:
    """Kick-off conditions; every game gets a row because the roof alone says indoor or not."""
    return pd.DataFrame(
        {
            "sport": "NFL",
            "source_game_id": games["game_id"],
            "observed_at": games["start_time"],
            "temperature_f": games["temp"],
            "wind_mph": games["wind"],
            "precipitation_probability": np.nan,
            "is_indoor": games["roof"].isin(INDOOR_ROOFS),
            "source": SOURCE,
        },
        index=games.index,
    )
