"""Shared shaping for the league files (NHL, MLB, NCAAF, NCAAB): games, start times, quirks.

The readers of those files each turn their rows into one "typed" frame per game with these
columns, and the helpers here make the normalised games frame and the moneyline/spread/total
snapshots from it:

    source_game_id, season, game_type, game_date, start_time, start_time_estimated,
    home_team, away_team, neutral_site, home_score, away_score

Quirks are counted, never silent: every helper that drops, fixes or blanks something returns or
records how many rows it touched, under a name the run's metadata shows (``Quirks``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from royaley_pipeline.domain.odds import american_to_decimal
from royaley_pipeline.sources.errors import SourceRecordError
from royaley_pipeline.sources.frames import games_of
from royaley_pipeline.sources.parsing import record_label

EASTERN = "America/New_York"
ASSUMED_START = pd.Timedelta(hours=19)
"""Local (US Eastern) start assumed where a league file gives only the date; flagged estimated."""
DOUBLEHEADER_GAP = pd.Timedelta(hours=4)
"""A doubleheader's later game is assumed to start this long after the earlier one."""
NO_LINE_MARKERS = {"-", "NL", "N/A", "NA"}
MAX_OVERROUND = 1.25
"""A two-way moneyline whose implied probabilities sum above this (e.g. −420/−420) or below 1
(both sides longer than fair, which no single book offers) is a data error, not a market."""


class Quirks(Counter):
    """Counts of source rows per quirk; only non-zero counts are kept."""

    def note(self, name: str, count: int | np.integer | bool) -> None:
        if int(count):
            self[name] += int(count)

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.items()))


def lenient_price(frame: pd.DataFrame, column: str, quirks: Quirks) -> pd.Series:
    """A price column where "no line" markers and unreadable entries become NaN, counted."""
    text = frame[column].str.strip()
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    marker = text.str.upper().isin(NO_LINE_MARKERS)
    quirks.note("price_missing_marker", marker.sum())
    quirks.note("price_unreadable", (numbers.isna() & text.notna() & ~marker).sum())
    return numbers


def estimated_start(game_dates: pd.Series, local_time: pd.Timedelta, timezone: str = EASTERN) -> pd.Series:
    """UTC start times for dates whose clock time the file does not give (flag them estimated)."""
    local = game_dates + local_time
    return local.dt.tz_localize(timezone, nonexistent="shift_forward", ambiguous=False).dt.tz_convert("UTC")


def dated_games(dates: pd.Series) -> pd.DataFrame:
    """A typed frame of games the file gives only a date for: the date and an estimated start
    (``ASSUMED_START`` Eastern), indexed like ``dates``."""
    return pd.DataFrame({"game_date": dates, "start_time": estimated_start(dates, ASSUMED_START),
                         "start_time_estimated": True}, index=dates.index)


def impossible_moneyline(home_price: pd.Series, away_price: pd.Series) -> pd.Series:
    """Pairs present on both sides whose prices cannot come from one two-way market."""
    home_decimal = american_to_decimal(home_price)
    away_decimal = american_to_decimal(away_price)
    both_given = home_price.notna() & away_price.notna()
    overround = 1 / home_decimal + 1 / away_decimal
    plausible = (overround >= 1.0) & (overround <= MAX_OVERROUND)
    return both_given & ~plausible.fillna(False)


def drop_impossible_moneylines(typed: pd.DataFrame, home: str, away: str, quirks: Quirks, name: str) -> None:
    """Blank (in place) moneyline pairs that cannot be a market; the game and its result stay."""
    impossible = impossible_moneyline(typed[home], typed[away])
    quirks.note(name, impossible.sum())
    typed.loc[impossible, [home, away]] = np.nan


def reject_ties(typed: pd.DataFrame, quirks: Quirks, name: str = "tied_score_rejected") -> None:
    """Blank (in place) the result of games the sport cannot tie (hockey since 2005, basketball):
    a final like 0-0 is a data error, so the game stays but has no result to learn from."""
    tied = typed["home_score"].notna() & (typed["home_score"] == typed["away_score"])
    quirks.note(name, tied.sum())
    typed.loc[tied, ["home_score", "away_score"]] = np.nan


def number_doubleheaders(typed: pd.DataFrame, quirks: Quirks, second_game_delay: pd.Timedelta) -> pd.Series:
    """Game number within a day for each pairing (1, 2); later games start ``second_game_delay``
    after the previous one. Returns the number; shifts ``start_time`` in place."""
    order = typed.sort_values(["game_date", "home_team", "away_team", "file_order"], kind="stable")
    number = order.groupby(["game_date", "home_team", "away_team"], sort=False).cumcount() + 1
    number = number.reindex(typed.index)
    quirks.note("doubleheader_games", (number > 1).sum() * 2)
    typed["start_time"] = typed["start_time"] + (number - 1) * second_game_delay
    return number


def team_games(typed: pd.DataFrame, *, sport: str, source: str) -> pd.DataFrame:
    """The normalised games frame (see ``frames``) of a typed league frame of played games."""
    return games_of(typed, sport=sport, source=source, season=typed["season"].astype(int),
                    neutral_site=typed["neutral_site"].astype(bool),
                    status="final",  # history: played; a rejected result is NaN scores, not "scheduled"
                    home_score=typed["home_score"].astype(float), away_score=typed["away_score"].astype(float))


def check_unique_games(typed: pd.DataFrame, raw: pd.DataFrame, source: str, key_column: str) -> None:
    duplicated = typed["source_game_id"].duplicated()
    if duplicated.any():
        line = duplicated.idxmax()
        raise SourceRecordError(
            source, record_label(raw, line, key_column), None,
            f"game {typed.at[line, 'source_game_id']} appears twice",
        )


def game_id(typed: pd.DataFrame, number: pd.Series | None = None) -> pd.Series:
    """``YYYY-MM-DD_AWAY_HOME`` (``_2`` for a doubleheader's second game), as the NBA reader."""
    ids = typed["game_date"].dt.strftime("%Y-%m-%d") + "_" + typed["away_team"] + "_" + typed["home_team"]
    if number is not None:
        ids = ids.where(number == 1, ids + "_" + number.astype(str))
    return ids
