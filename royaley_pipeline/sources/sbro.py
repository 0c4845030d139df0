"""Readers for SportsbookReviewsOnline (SBRO) odds archives: two rows per game, and one.

**Two-row variant** (NHL 2016-17..2021-22): a visitor row then a home row per game, keyed on
``VH`` ("V", "H"; "N" twice for a neutral site, the second row then taken as home), with period
scores, ``Final``, opening and closing moneyline, puck line and price, opening and closing total
with a price (over in the visitor row, under in the home row: checked on the data, the row with
the shorter price goes over 54 % of the time against 48 %). ``game_date`` is the date (``Date``
is MMDD only).

**One-row variant** (MLB 2010..2019, cswaters' cleaned copy): ``v_*`` visitor and ``h_*`` home
columns with opening and closing moneylines, run line (2014 on) and opening/closing totals.

Neither gives a start time: 19:00 US Eastern is assumed and flagged as estimated. Opening lines
are captured ``OPENING_LINE_LEAD`` before the start, closing ones a minute before (``frames``).

Quirks, each counted in ``SourceBatch.quirks``:

* a pair listed home first (17 Jan 2020 PIT/DET) is read by ``VH``, not by row order
  (``visitor_home_order_reversed``); neutral pairs are kept as neutral (``neutral_site_games``);
* a ``Final`` below the sum of the periods: when the periods are level and the finals read 1/0,
  the final holds the overtime/shoot-out winner, so the scores become the period sums plus one for
  that side (``final_score_fixed_from_periods``); when the periods are level and the finals give
  no winner, the result is blanked (``final_score_rejected``). A ``Final`` that is not a number
  ("F") with decisive periods takes the period sums (also ``final_score_fixed_from_periods``);
* a tie where the sport has none (hockey) is blanked (``tied_score_rejected``); MLB ties are
  suspended games and kept (``tied_score_kept``), games without a final are kept without a result
  (``final_score_missing``);
* "no line" markers ("-", "NL") and unreadable prices ("a100") become missing prices
  (``price_missing_marker`` / ``price_unreadable``); an opening total that is a price (the price
  shifted into the total column, e.g. −110 with 605 as its "price") is blanked
  (``total_shifted_rejected``); impossible moneyline pairs are blanked (``moneyline_impossible``);
* MLB doubleheaders become ``…_AWAY_HOME`` and ``…_AWAY_HOME_2`` (``doubleheader_games``).
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.sources.errors import SourceRecordError
from royaley_pipeline.sources.frames import (
    CLOSING_LINE_LEAD,
    OPENING_LINE_LEAD,
    SourceBatch,
    odds_for_sides,
)
from royaley_pipeline.sources.league import (
    DOUBLEHEADER_GAP,
    Quirks,
    check_unique_games,
    dated_games,
    drop_impossible_moneylines,
    game_id,
    lenient_price,
    number_doubleheaders,
    reject_ties,
    team_games,
)
from royaley_pipeline.sources.parsing import (
    DateBound,
    check_season,
    read_source_csv,
    record_label,
    reject_first,
    to_date,
    to_flag,
    to_number,
    within_dates,
)
from royaley_pipeline.sources.teams import TeamDirectory

SOURCE = "sbro"
BOOK = "sbro"
KEY = "Rot"
PLAUSIBLE_TOTAL = (0.5, 60.0)  # anything outside is a price or a typo, in any sport here
TWO_ROW_COLUMNS = ("season", "game_date", "Rot", "VH", "Team", "1st", "2nd", "3rd", "Final", "Open",
                   "Close", "PuckLine", "PuckLine_price", "OpenOU", "OpenOU_price", "CloseOU", "CloseOU_price")
ONE_ROW_COLUMNS = ("seas", "date", "v_rot", "v_team", "v_final", "h_rot", "h_team", "h_final", "v_ml_open",
                   "v_ml_close", "v_rl", "v_rl_odds", "h_ml_open", "h_ml_close", "h_rl", "h_rl_odds", "ou_open",
                   "ou_open_ovr", "ou_open_und", "ou_close", "ou_close_ovr", "ou_close_und", "neutral")
PERIODS = ("1st", "2nd", "3rd")
SEASON_GRACE_MONTHS = 3  # the 2019-20 play-offs ran to September 2020


def plausible_total(total: pd.Series, quirks: Quirks) -> pd.Series:
    shifted = total.notna() & ~total.between(*PLAUSIBLE_TOTAL)
    quirks.note("total_shifted_rejected", shifted.sum())
    return total.where(~shifted)


def read_sbro_two_row(
    location: str | PathLike[str], sport: str = "NHL", *, start: DateBound = None, end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    """Games, moneylines (opening, closing), puck line and totals from a two-row SBRO file."""
    source, raw = read_source_csv(SOURCE, location, TWO_ROW_COLUMNS)
    if len(raw) % 2:
        raise SourceRecordError(source, f"row {raw.index[-1]}", None, "odd number of rows: a game lacks a row")
    quirks = Quirks()
    first, second = raw.iloc[0::2], raw.iloc[1::2]
    first_vh = first["VH"].str.strip().to_numpy()
    second_vh = second["VH"].str.strip().to_numpy()
    normal = (first_vh == "V") & (second_vh == "H")
    reversed_pair = (first_vh == "H") & (second_vh == "V")
    neutral = (first_vh == "N") & (second_vh == "N")
    rotation = {name: pd.to_numeric(rows["Rot"], errors="coerce").to_numpy() for name, rows in
                (("first", first), ("second", second))}
    bad = (~(normal | reversed_pair | neutral) | (first["game_date"].to_numpy() != second["game_date"].to_numpy())
           | (np.abs(rotation["second"] - rotation["first"]) != 1))
    if bad.any():
        line = first.index[bad.argmax()]
        raise SourceRecordError(source, record_label(raw, line, KEY), "VH",
                                f"rows {line} and {line + 1} are not one game (VH {first_vh[bad.argmax()]!r}/"
                                f"{second_vh[bad.argmax()]!r}, different dates, or rotation numbers not adjacent)")
    home = pd.DataFrame(np.where(reversed_pair[:, None], first.to_numpy(), second.to_numpy()),
                        columns=raw.columns, index=second.index)
    away = pd.DataFrame(np.where(reversed_pair[:, None], second.to_numpy(), first.to_numpy()),
                        columns=raw.columns, index=second.index)
    dates = to_date(home, "game_date", source, KEY, "%Y-%m-%d")
    keep = within_dates(dates, start, end)
    home, away, dates = home[keep], away[keep], dates[keep]
    quirks.note("visitor_home_order_reversed", reversed_pair[keep.to_numpy()].sum())
    quirks.note("neutral_site_games", neutral[keep.to_numpy()].sum())
    team_directory = teams or TeamDirectory()
    typed = dated_games(dates)
    # resolved on the file's own rows, so an unknown team's error names its line
    home_lines = np.where(reversed_pair, first.index, second.index)[keep.to_numpy()]
    away_lines = np.where(reversed_pair, second.index, first.index)[keep.to_numpy()]
    codes = team_directory.resolve_column(raw.loc[np.sort(np.concatenate([home_lines, away_lines]))], "Team",
                                          sport, source=source, key_column=KEY)
    typed["home_team"] = codes[home_lines].to_numpy()
    typed["away_team"] = codes[away_lines].to_numpy()
    typed["neutral_site"] = neutral[keep.to_numpy()]
    typed["season"] = home["season"].str.slice(0, 4).pipe(pd.to_numeric, errors="coerce")
    reject_first(typed["season"].isna(), home, KEY, source, "season", "not a season")
    typed["season"] = typed["season"].astype(int)
    check_season(home, typed["season"], dates, sport=sport, source=source,
                 key_column=KEY, grace_months=SEASON_GRACE_MONTHS)
    typed["game_type"] = "REG"
    _scores_from_periods(typed, home, away, source, quirks)
    reject_ties(typed, quirks)
    for side, rows in (("home", home), ("away", away)):
        typed[f"ml_open_{side}"] = lenient_price(rows, "Open", quirks)
        typed[f"ml_close_{side}"] = lenient_price(rows, "Close", quirks)
        typed[f"spread_{side}"] = lenient_price(rows, "PuckLine", quirks)
        typed[f"spread_price_{side}"] = lenient_price(rows, "PuckLine_price", quirks)
    for when, column in (("open", "OpenOU"), ("close", "CloseOU")):
        typed[f"total_{when}"] = plausible_total(lenient_price(away, column, quirks), quirks)
        typed[f"over_{when}"] = lenient_price(away, f"{column}_price", quirks)
        typed[f"under_{when}"] = lenient_price(home, f"{column}_price", quirks)
    typed["source_game_id"] = game_id(typed)
    check_unique_games(typed, home, source, KEY)
    return _batch(typed, sport, quirks)


def _scores_from_periods(typed: pd.DataFrame, home: pd.DataFrame, away: pd.DataFrame, source: str,
                         quirks: Quirks) -> None:
    periods = {side: sum(to_number(rows, column, source, KEY, required=True) for column in PERIODS)
               for side, rows in (("home", home), ("away", away))}
    finals = {side: pd.to_numeric(rows["Final"].str.strip(), errors="coerce").astype(float)
              for side, rows in (("home", home), ("away", away))}
    level = periods["home"] == periods["away"]
    short = (finals["home"] < periods["home"]) | (finals["away"] < periods["away"])
    unreadable = finals["home"].isna() | finals["away"].isna()
    winner_flag = level & short & (finals["home"] + finals["away"] == 1) & ~unreadable
    fix_unreadable = unreadable & ~level
    rejected = (short & ~winner_flag) | (unreadable & level)
    for side in ("home", "away"):
        score = finals[side].copy()
        score[winner_flag] = periods[side][winner_flag] + finals[side][winner_flag]
        score[fix_unreadable] = periods[side][fix_unreadable]
        score[rejected] = np.nan
        typed[f"{side}_score"] = score
    quirks.note("final_score_fixed_from_periods", (winner_flag | fix_unreadable).sum())
    quirks.note("final_score_rejected", rejected.sum())


def read_sbro_one_row(
    location: str | PathLike[str], sport: str = "MLB", *, start: DateBound = None, end: DateBound = None,
    teams: TeamDirectory | None = None,
) -> SourceBatch:
    """Games, moneylines (opening, closing), run line and totals from a one-row SBRO file."""
    source, raw = read_source_csv(SOURCE, location, ONE_ROW_COLUMNS)
    raw = raw.rename(columns={"v_rot": KEY})
    dates = to_date(raw, "date", source, KEY, "%Y-%m-%d")
    raw, dates = raw[within_dates(dates, start, end)], dates[within_dates(dates, start, end)]
    quirks = Quirks()
    team_directory = teams or TeamDirectory()
    typed = dated_games(dates)
    typed["home_team"] = team_directory.resolve_column(raw, "h_team", sport, source=source, key_column=KEY)
    typed["away_team"] = team_directory.resolve_column(raw, "v_team", sport, source=source, key_column=KEY)
    typed["season"] = to_number(raw, "seas", source, KEY, required=True).astype(int)
    check_season(raw, typed["season"], dates, sport=sport, source=source,
                 key_column=KEY, season_column="seas")
    typed["game_type"] = "REG"
    typed["neutral_site"] = to_flag(raw, "neutral", source, KEY)
    quirks.note("neutral_site_games", typed["neutral_site"].sum())
    typed["home_score"] = to_number(raw, "h_final", source, KEY)
    typed["away_score"] = to_number(raw, "v_final", source, KEY)
    missing = typed["home_score"].isna() | typed["away_score"].isna()
    quirks.note("final_score_missing", missing.sum())
    typed.loc[missing, ["home_score", "away_score"]] = np.nan
    quirks.note("tied_score_kept", (typed["home_score"] == typed["away_score"]).sum())
    for side, prefix in (("home", "h"), ("away", "v")):
        typed[f"ml_open_{side}"] = lenient_price(raw, f"{prefix}_ml_open", quirks)
        typed[f"ml_close_{side}"] = lenient_price(raw, f"{prefix}_ml_close", quirks)
        typed[f"spread_{side}"] = lenient_price(raw, f"{prefix}_rl", quirks)
        typed[f"spread_price_{side}"] = lenient_price(raw, f"{prefix}_rl_odds", quirks)
    for when in ("open", "close"):
        typed[f"total_{when}"] = plausible_total(lenient_price(raw, f"ou_{when}", quirks), quirks)
        typed[f"over_{when}"] = lenient_price(raw, f"ou_{when}_ovr", quirks)
        typed[f"under_{when}"] = lenient_price(raw, f"ou_{when}_und", quirks)
    typed["file_order"] = np.arange(len(typed))
    number = number_doubleheaders(typed, quirks, DOUBLEHEADER_GAP)
    typed["source_game_id"] = game_id(typed, number)
    check_unique_games(typed, raw, source, KEY)
    return _batch(typed, sport, quirks)


def _batch(typed: pd.DataFrame, sport: str, quirks: Quirks) -> SourceBatch:
    for when in ("open", "close"):
        drop_impossible_moneylines(typed, f"ml_{when}_home", f"ml_{when}_away", quirks, "moneyline_impossible")
    games = team_games(typed, sport=sport, source=SOURCE)
    opening_at = games["start_time"] - OPENING_LINE_LEAD
    closing_at = games["start_time"] - CLOSING_LINE_LEAD
    no_line = pd.Series(np.nan, index=typed.index)
    open_priced = typed["ml_open_home"].notna() & typed["ml_open_away"].notna()
    close_priced = typed["ml_close_home"].notna() & typed["ml_close_away"].notna()
    spread = typed["spread_home"].where(typed["spread_home"].notna(), -typed["spread_away"])
    has_spread = spread.notna()
    sides = [
        ("moneyline", "home", no_line, typed["ml_open_home"], open_priced, opening_at),
        ("moneyline", "away", no_line, typed["ml_open_away"], open_priced, opening_at),
        ("moneyline", "home", no_line, typed["ml_close_home"], close_priced, closing_at),
        ("moneyline", "away", no_line, typed["ml_close_away"], close_priced, closing_at),
        ("spread", "home", spread, typed["spread_price_home"], has_spread, closing_at),
        ("spread", "away", -spread, typed["spread_price_away"], has_spread, closing_at),
    ]
    for when, at in (("open", opening_at), ("close", closing_at)):
        total = typed[f"total_{when}"]
        sides += [
            ("total", "over", total, typed[f"over_{when}"], total.notna(), at),
            ("total", "under", total, typed[f"under_{when}"], total.notna(), at),
        ]
    odds = odds_for_sides(games, sides, book=BOOK, source=SOURCE)
    return SourceBatch(games=games, odds=odds, quirks=quirks.as_dict())
