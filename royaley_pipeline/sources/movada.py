"""Reader for the NCAAB closing lines derived from SBRO by rileypeterson/movada (2012-13..2020-21).

The repository's author rewrote SBRO's rows as favourite (``top_``) and underdog (``bottom_``)
and kept only games with both moneylines, so **which team was at home is lost**. Putting the
favourite in the home slot would tie the label to the market, so a deterministic coin toss on the
game (the date and both names) decides which team is stored as "home", and every game is stored
as neutral-site (Elo then gives no home advantage): ``home_away_unknown`` counts them.

Lines: closing moneyline, closing spread (the favourite's, negative) and closing total. The
spread and total prices in the file are a hard-coded −110, not observed, so they are stored
missing (the pipeline then assumes the standard −110 for them): ``spread_total_price_not_observed``.
There is no tip-off time: 19:00 US Eastern is assumed and flagged as estimated.

Other quirks, counted in ``SourceBatch.quirks``: a spread that is really a total (about 0.4 % of
rows: |spread| above 60) is blanked (``spread_is_total_rejected``), a total outside 80–260 points
is blanked (``total_implausible_rejected``), impossible moneyline pairs (−420/−420, −33) are
blanked (``moneyline_impossible``), equal final scores (basketball cannot tie) lose their result
(``tied_score_rejected``), and names with a leading no-break space resolve like the others.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.sources.atp import winner_is_home
from royaley_pipeline.sources.frames import CLOSING_LINE_LEAD, SourceBatch, odds_for_sides
from royaley_pipeline.sources.league import (
    Quirks,
    check_unique_games,
    dated_games,
    drop_impossible_moneylines,
    game_id,
    reject_ties,
    team_games,
)
from royaley_pipeline.sources.parsing import (
    DateBound,
    check_season,
    read_source_csv,
    to_date,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.teams import TeamDirectory

SOURCE = "sbro_movada"
BOOK = "sbro_close"
KEY = "game_datetime"
SPORT = "NCAAB"
MAX_SPREAD = 60.0
PLAUSIBLE_TOTAL = (80.0, 260.0)
SEASON_GRACE_MONTHS = 1  # the 2020-21 tournament ended on 5 April 2021
COLUMNS = ("season", "game_datetime", "top_team", "top_final", "bottom_final", "bottom_team", "top_spread",
           "top_ml_odds", "top_total", "bottom_spread", "bottom_ml_odds", "bottom_total")


def favourite_is_home(date_text: str, favourite: str, underdog: str) -> bool:
    """Deterministic coin toss per game; the same game always lands the same way."""
    return winner_is_home("|".join([date_text, *sorted([favourite, underdog])]))


def read_movada_ncaab(
    location: str | PathLike[str], *, start: DateBound = None, end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    source, raw = read_source_csv(SOURCE, location, COLUMNS)
    dates = to_date(raw, KEY, source, KEY, "%Y-%m-%d")
    raw, dates = raw[within_dates(dates, start, end)], dates[within_dates(dates, start, end)]
    quirks = Quirks()
    directory = teams or TeamDirectory()
    favourite = directory.resolve_column(raw, "top_team", SPORT, source=source, key_column=KEY)
    underdog = directory.resolve_column(raw, "bottom_team", SPORT, source=source, key_column=KEY)
    toss = pd.Series([favourite_is_home(day, top, bottom) for day, top, bottom in
                      zip(raw[KEY].str.strip(), favourite, underdog, strict=True)], index=raw.index, dtype=bool)
    quirks.note("home_away_unknown", len(raw))

    def by_side(top: pd.Series, bottom: pd.Series) -> tuple[pd.Series, pd.Series]:
        return top.where(toss, bottom), bottom.where(toss, top)

    typed = dated_games(dates)
    typed["home_team"], typed["away_team"] = by_side(favourite, underdog)
    typed["neutral_site"] = True
    typed["season"] = pd.to_numeric(raw["season"].str.slice(0, 4), errors="coerce")
    typed["season"] = typed["season"].fillna(-1).astype(int)
    check_season(raw, typed["season"], dates, sport=SPORT, source=source,
                 key_column=KEY, grace_months=SEASON_GRACE_MONTHS)
    typed["game_type"] = "REG"
    number = {column: to_number(raw, column, source, KEY) for column in COLUMNS[3:] if column != "bottom_team"}
    typed["home_score"], typed["away_score"] = by_side(number["top_final"], number["bottom_final"])
    reject_ties(typed, quirks)
    typed["moneyline_home"], typed["moneyline_away"] = by_side(number["top_ml_odds"], number["bottom_ml_odds"])
    drop_impossible_moneylines(typed, "moneyline_home", "moneyline_away", quirks, "moneyline_impossible")
    favourite_spread = number["top_spread"]
    not_a_spread = favourite_spread.abs() > MAX_SPREAD
    quirks.note("spread_is_total_rejected", not_a_spread.sum())
    favourite_spread = favourite_spread.where(~not_a_spread)
    typed["spread_home"] = favourite_spread.where(toss, -favourite_spread)
    total = number["top_total"].where(number["top_total"].notna(), number["bottom_total"])
    implausible = total.notna() & ~total.between(*PLAUSIBLE_TOTAL)
    quirks.note("total_implausible_rejected", implausible.sum())
    typed["total"] = total.where(~implausible)
    quirks.note("spread_total_price_not_observed",
                (typed["spread_home"].notna() | typed["total"].notna()).sum())
    typed["source_game_id"] = game_id(typed)
    check_unique_games(typed, raw, source, KEY)
    games = team_games(typed, sport=SPORT, source=SOURCE)
    no_value = pd.Series(np.nan, index=typed.index)
    priced = typed["moneyline_home"].notna() & typed["moneyline_away"].notna()
    spread, total = typed["spread_home"], typed["total"]
    sides = [
        ("moneyline", "home", no_value, typed["moneyline_home"], priced),
        ("moneyline", "away", no_value, typed["moneyline_away"], priced),
        ("spread", "home", spread, no_value, spread.notna()),
        ("spread", "away", -spread, no_value, spread.notna()),
        ("total", "over", total, no_value, total.notna()),
        ("total", "under", total, no_value, total.notna()),
    ]
    odds = odds_for_sides(games, sides, book=BOOK, source=SOURCE,
                          captured_at=games["start_time"] - CLOSING_LINE_LEAD)
    return SourceBatch(games=games, odds=odds, quirks=quirks.as_dict())
