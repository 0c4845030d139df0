"""Reader for nfelo's opening and closing NFL lines, keyed to nflverse games.

nfelo is the only bundled source with OPENING spreads, which is what line-movement features
need. Its licence is unstated ("do not redistribute"), so the file is never copied into the
package: it is read from the path the settings name (``ROYALEY_NFELO_PATH``, or
``nfelo/nfelo_games.csv`` under ``ROYALEY_SHARED_DATA``), never from a guessed location.

nfelo game ids use today's franchise codes for every year (LAR, LAC, OAK), nflverse uses the
codes of the time (STL, SD, LV), so the two are joined on (season, week, canonical away,
canonical home) and the result carries the nflverse ``game_id``. ``home_line_*`` < 0 already
means home favoured, the convention stored here.
"""

from __future__ import annotations

from os import PathLike

import pandas as pd

from royaley_pipeline.sources.errors import shown
from royaley_pipeline.sources.frames import (
    CLOSING_LINE_LEAD,
    OPENING_LINE_LEAD,
    empty_odds,
    odds_for_sides,
)
from royaley_pipeline.sources.parsing import (
    DateBound,
    read_source_csv,
    reject_first,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.teams import TeamDirectory

SOURCE = "nfelo"
BOOK = "nfelo"
KEY = "game_id"
GAME_ID_PATTERN = r"^(?P<season>\d{4})_(?P<week>\d{1,2})_(?P<away>[A-Za-z]+)_(?P<home>[A-Za-z]+)$"
LINE_COLUMNS = (
    "home_line_open",
    "home_line_open_price",
    "away_line_open_price",
    "home_line_close",
    "home_line_close_price",
    "away_line_close_price",
    "total_line_open",
    "under_price_open",
    "over_price_open",
    "total_line_close",
    "under_price_close",
    "over_price_close",
)


def read_nfelo_lines(
    path: str | PathLike[str],
    nflverse_games: pd.DataFrame,
    *,
    start: DateBound = None,
    end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> pd.DataFrame:
    """Opening and closing odds snapshots from nfelo for the games in ``nflverse_games``.

    ``nflverse_games`` is the normalised games frame of ``read_nflverse_games``; it supplies the
    nflverse ids and start times. nfelo rows of weeks absent from it are outside the load and
    skipped; a row of a week that is present but whose matchup is not fails, because a silent
    miss there would mean a team-code mapping error. Give it whole weeks (read nflverse a week
    wider than ``start``/``end``) when loading a date window.
    """
    source, raw = read_source_csv(SOURCE, path, (KEY, *LINE_COLUMNS), KEY)
    matched = match_nflverse_games(raw, nflverse_games, source, teams or TeamDirectory())
    game_dates = matched["start_time"].dt.tz_convert("America/New_York").dt.tz_localize(None)
    matched = matched[within_dates(game_dates.dt.normalize(), start, end)]
    if matched.empty:
        return empty_odds()
    lines = pd.DataFrame({column: to_number(matched, column, source, KEY) for column in LINE_COLUMNS})
    return _odds_frame(matched, lines)


def match_nflverse_games(
    raw: pd.DataFrame, nflverse_games: pd.DataFrame, source: str, teams: TeamDirectory
) -> pd.DataFrame:
    """nfelo rows with the nflverse game id and start time of the same game attached."""
    parts = raw[KEY].str.strip().str.extract(GAME_ID_PATTERN)
    reject_first(parts["season"].isna(), raw, KEY, source, KEY,
                 lambda line: f"{shown(raw.at[line, KEY])} is not SEASON_WEEK_AWAY_HOME")
    keys = pd.DataFrame(
        {
            "season": parts["season"].astype(int),
            "week": parts["week"].astype(int),
            "away_team": teams.resolve_column(
                parts.assign(**{KEY: raw[KEY]}), "away", "NFL", source=source, key_column=KEY
            ),
            "home_team": teams.resolve_column(
                parts.assign(**{KEY: raw[KEY]}), "home", "NFL", source=source, key_column=KEY
            ),
        },
        index=raw.index,
    )
    nflverse = nflverse_games[["season", "week", "away_team", "home_team", "source_game_id", "start_time"]]
    nflverse = nflverse.astype({"season": int, "week": int})
    joined = (
        keys.reset_index()
        .merge(nflverse, on=["season", "week", "away_team", "home_team"], how="left", validate="many_to_one")
        .set_index("line")
    )
    covered_weeks = pd.MultiIndex.from_frame(nflverse[["season", "week"]].drop_duplicates())
    in_covered_week = pd.MultiIndex.from_frame(keys[["season", "week"]]).isin(covered_weeks)
    reject_first(
        joined["source_game_id"].isna() & in_covered_week, raw, KEY, source, KEY,
        lambda line: f"no nflverse game for season {joined.at[line, 'season']} week {joined.at[line, 'week']} "
        f"{joined.at[line, 'away_team']} at {joined.at[line, 'home_team']}",
    )
    reject_first(
        joined["source_game_id"].notna() & joined["source_game_id"].duplicated(keep=False), raw, KEY, source, KEY,
        lambda line: f"more than one nfelo row for nflverse game {joined.at[line, 'source_game_id']}",
    )
    keep = joined["source_game_id"].notna()
    return raw[keep].assign(
        source_game_id=joined.loc[keep, "source_game_id"], start_time=joined.loc[keep, "start_time"]
    )


def _odds_frame(matched: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    games = matched.assign(sport="NFL")
    opening_at = games["start_time"] - OPENING_LINE_LEAD
    closing_at = games["start_time"] - CLOSING_LINE_LEAD
    open_spread, close_spread = lines["home_line_open"], lines["home_line_close"]
    open_total, close_total = lines["total_line_open"], lines["total_line_close"]
    sides = [
        ("spread", "home", open_spread, lines["home_line_open_price"], open_spread.notna(), opening_at),
        ("spread", "away", -open_spread, lines["away_line_open_price"], open_spread.notna(), opening_at),
        ("spread", "home", close_spread, lines["home_line_close_price"], close_spread.notna(), closing_at),
        ("spread", "away", -close_spread, lines["away_line_close_price"], close_spread.notna(), closing_at),
        ("total", "over", open_total, lines["over_price_open"], open_total.notna(), opening_at),
        ("total", "under", open_total, lines["under_price_open"], open_total.notna(), opening_at),
        ("total", "over", close_total, lines["over_price_close"], close_total.notna(), closing_at),
        ("total", "under", close_total, lines["under_price_close"], close_total.notna(), closing_at),
    ]
    return odds_for_sides(games, sides, book=BOOK, source=SOURCE)
