"""Reader for CollegeFootballData betting lines in long form (NCAAF 2020..2023, CollinKrum's copy).

One row per game and ``LineProvider``; ``Spread`` is the home line (negative = home favoured, the
convention stored here), ``OverUnder`` the total, ``Opening*`` the opening values (mostly blank
before 2023), moneylines only from some books and only from 2021. ``StartDate`` is the kick-off
in UTC, so start times are real, not estimated.

**Consensus rule.** Providers are not independent books (``consensus``, ``teamrankings`` and
``numberfire`` are aggregates or tipsters) and cover different games, so a median across them
would mix sources game by game. Instead each game's line per market (moneyline, spread, total)
is taken from the first provider in ``PROVIDER_PRIORITY`` that has it: sportsbooks first, in the
data README's order for moneylines (DraftKings > ESPN Bet > Bovada), then the other books, then
CFBD's own consensus, then the aggregators. The opening value comes from the same provider. The
chosen provider is the stored book (``cfbd:<provider>``); ``line_rows_not_chosen`` counts the
provider rows that lost, ``provider_unranked`` any provider missing from the list (it then
ranks last, never dropped). A provider's moneyline counts only when it has both sides and they
can be one market; otherwise the next provider's is taken (``moneyline_impossible`` counts them).

Quirks: postseason games (bowls, play-offs; ``NeutralSite`` mostly true) are ``POST``; neutral
sites are kept (``neutral_site_games``); a tie (impossible since overtime) loses its result
(``tied_score_rejected``); impossible moneyline pairs are blanked (``moneyline_impossible``).
Team names pass through the alias table (``San José State``/``San Jose State``, ``Ole Miss``/
``Mississippi``, ``South Florida``/``USF``).
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.sources.frames import (
    CLOSING_LINE_LEAD,
    OPENING_LINE_LEAD,
    SourceBatch,
    odds_for_sides,
)
from royaley_pipeline.sources.league import (
    EASTERN,
    Quirks,
    check_unique_games,
    drop_impossible_moneylines,
    reject_ties,
    team_games,
)
from royaley_pipeline.sources.parsing import (
    DateBound,
    check_season,
    read_source_csv,
    reject_value,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.teams import TeamDirectory

SOURCE = "cfbd"
SPORT = "NCAAF"
KEY = "Id"
PROVIDER_PRIORITY = (
    "DraftKings", "ESPN Bet", "Bovada", "William Hill (New Jersey)", "Caesars", "Caesars Sportsbook (Colorado)",
    "Caesars (Pennsylvania)", "SugarHouse", "consensus", "teamrankings", "numberfire",
)
SEASON_TYPES = {"regular": "REG", "postseason": "POST"}
SEASON_GRACE_MONTHS = 4  # the 2020 FCS season was played in spring 2021
COLUMNS = ("season", "Id", "HomeTeam_x", "HomeScore", "AwayTeam_x", "AwayScore", "LineProvider", "OverUnder",
           "Spread", "OpeningSpread", "OpeningOverUnder", "HomeMoneyline", "AwayMoneyline", "Week", "SeasonType",
           "StartDate", "NeutralSite")
MARKET_COLUMNS = {
    "moneyline": ("HomeMoneyline", "AwayMoneyline"),
    "spread": ("Spread", "OpeningSpread"),
    "total": ("OverUnder", "OpeningOverUnder"),
}
BOOLEAN_TEXT = {"True": True, "False": False}


def read_cfbd_lines(
    location: str | PathLike[str], *, start: DateBound = None, end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    source, raw = read_source_csv(SOURCE, location, COLUMNS)
    start_time = pd.to_datetime(raw["StartDate"].str.strip(), format="%Y-%m-%dT%H:%M:%S.%fZ", errors="coerce",
                                utc=True)
    reject_value(start_time.isna(), raw, KEY, source, "StartDate", "is not an ISO UTC time")
    game_dates = start_time.dt.tz_convert(EASTERN).dt.tz_localize(None).dt.normalize()
    keep = within_dates(game_dates, start, end)
    raw, start_time, game_dates = raw[keep], start_time[keep], game_dates[keep]
    quirks = Quirks()
    provider = raw["LineProvider"].str.strip()
    rank = provider.map({name: position for position, name in enumerate(PROVIDER_PRIORITY)})
    quirks.note("provider_unranked", rank.isna().sum())
    rows = pd.DataFrame({"game": raw[KEY].str.strip(), "provider": provider,
                         "rank": rank.fillna(len(PROVIDER_PRIORITY)), "row": raw.index}, index=raw.index)
    for market_columns in MARKET_COLUMNS.values():
        for column in market_columns:
            rows[column] = to_number(raw, column, source, KEY)
    # A provider's moneyline counts only with both sides and as a possible market; otherwise the
    # next provider in the priority prices the game.
    drop_impossible_moneylines(rows, "HomeMoneyline", "AwayMoneyline", quirks, "moneyline_impossible")
    rows.loc[rows["AwayMoneyline"].isna(), "HomeMoneyline"] = np.nan
    first = rows.sort_values(["game", "rank", "row"], kind="stable").drop_duplicates("game")
    directory = teams or TeamDirectory()
    games_raw = raw.loc[first["row"]]
    typed = pd.DataFrame(index=games_raw.index)
    typed["source_game_id"] = games_raw[KEY].str.strip()
    typed["game_date"] = game_dates[games_raw.index]
    typed["start_time"] = start_time[games_raw.index]
    typed["start_time_estimated"] = False
    typed["home_team"] = directory.resolve_column(games_raw, "HomeTeam_x", SPORT, source=source, key_column=KEY)
    typed["away_team"] = directory.resolve_column(games_raw, "AwayTeam_x", SPORT, source=source, key_column=KEY)
    typed["season"] = to_number(games_raw, "season", source, KEY, required=True).astype(int)
    check_season(games_raw, typed["season"], typed["game_date"], sport=SPORT,
                 source=source, key_column=KEY, grace_months=SEASON_GRACE_MONTHS)
    typed["week"] = to_number(games_raw, "Week", source, KEY).astype("Int64")
    typed["game_type"] = _mapped(games_raw, "SeasonType", SEASON_TYPES, source)
    typed["neutral_site"] = _mapped(games_raw, "NeutralSite", BOOLEAN_TEXT, source).astype(bool)
    quirks.note("neutral_site_games", typed["neutral_site"].sum())
    typed["home_score"] = to_number(games_raw, "HomeScore", source, KEY)
    typed["away_score"] = to_number(games_raw, "AwayScore", source, KEY)
    reject_ties(typed, quirks)
    check_unique_games(typed, games_raw, source, KEY)
    for market, (first_column, second_column) in MARKET_COLUMNS.items():
        has = rows[rows[first_column].notna()]
        best = has.sort_values(["game", "rank", "row"], kind="stable").drop_duplicates("game").set_index("game")
        for column in (first_column, second_column):
            typed[f"{market}:{column}"] = typed["source_game_id"].map(best[column])
        typed[f"{market}:book"] = typed["source_game_id"].map("cfbd:" + best["provider"])
    quirks.note("line_rows_not_chosen", _rows_not_chosen(rows))
    games = team_games(typed, sport=SPORT, source=SOURCE)
    return SourceBatch(games=games, odds=_odds(typed, games), quirks=quirks.as_dict())


def _rows_not_chosen(rows: pd.DataFrame) -> int:
    """Provider rows none of whose values became a stored line."""
    used = pd.Series(False, index=rows.index)
    for first_column, _ in MARKET_COLUMNS.values():
        has = rows[rows[first_column].notna()]
        best = has.sort_values(["game", "rank", "row"], kind="stable").drop_duplicates("game")
        used[best.index] = True
    return int((~used).sum())


def _mapped(raw: pd.DataFrame, column: str, mapping: dict, source: str) -> pd.Series:
    values = raw[column].str.strip().map(mapping)
    reject_value(values.isna(), raw, KEY, source, column, f"is not one of {sorted(mapping)}")
    return values


def _odds(typed: pd.DataFrame, games: pd.DataFrame) -> pd.DataFrame:
    opening_at = games["start_time"] - OPENING_LINE_LEAD
    closing_at = games["start_time"] - CLOSING_LINE_LEAD
    no_value = pd.Series(np.nan, index=typed.index)
    frames = []
    home_price, away_price = typed["moneyline:HomeMoneyline"], typed["moneyline:AwayMoneyline"]
    priced = home_price.notna() & away_price.notna()
    spread, spread_open = typed["spread:Spread"], typed["spread:OpeningSpread"]
    total, total_open = typed["total:OverUnder"], typed["total:OpeningOverUnder"]
    per_market = {
        "moneyline": [("moneyline", "home", no_value, home_price, priced, closing_at),
                      ("moneyline", "away", no_value, away_price, priced, closing_at)],
        "spread": [("spread", "home", spread_open, no_value, spread_open.notna(), opening_at),
                   ("spread", "away", -spread_open, no_value, spread_open.notna(), opening_at),
                   ("spread", "home", spread, no_value, spread.notna(), closing_at),
                   ("spread", "away", -spread, no_value, spread.notna(), closing_at)],
        "total": [("total", "over", total_open, no_value, total_open.notna(), opening_at),
                  ("total", "under", total_open, no_value, total_open.notna(), opening_at),
                  ("total", "over", total, no_value, total.notna(), closing_at),
                  ("total", "under", total, no_value, total.notna(), closing_at)],
    }
    for market, sides in per_market.items():
        books = typed[f"{market}:book"]
        for book in books.dropna().unique():
            of_book = (books == book).to_numpy()
            frames.append(odds_for_sides(games[of_book], [
                (m, s, line[of_book], price[of_book], present[of_book], at[of_book])
                for m, s, line, price, present, at in sides
            ], book=book, source=SOURCE))
    return pd.concat(frames, ignore_index=True) if frames else odds_for_sides(games, [], book="", source=SOURCE)
