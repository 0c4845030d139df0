"""Reader for tennis-data.co.uk match files with odds (ATP 2000..2022, WTA 2007..2022).

One row per match: ``Winner``/``Loser`` as "Last F." names, ranks, sets, a ``Comment`` saying
how it ended, and decimal odds per book (``PSW``/``PSL`` Pinnacle, ``B365W``/``B365L`` bet365,
``MaxW``/``MaxL`` and ``AvgW``/``AvgL`` the best and average price over the books OddsPortal
listed, 2010 on, and older books' columns in early years). Prices are stored in American odds
per book (``BOOKS``) as closing lines; ``oddsportal_max`` is the best available price, and
``pinnacle`` the sharp reference (``sports.Sport.reference_books``).

* WTA has no other match source here, so its games come from this file alone: players are
  keyed by the file's own spelling (``Sun T.T.``), the "home" player is a coin toss on the match
  (as for ATP), and start times are the match date at 10:00 UTC plus the round, estimated.
* ATP games come from Sackmann's files (``atp``); this file only adds prices to them, matched by
  player ids (``tennis_names``) and the tournament's dates (``join_sackmann``).

Quirks, counted in ``quirks``: ``Comment`` typos ("Rrtired", "Walkoer") read as meant
(``comment_typo_fixed``); matches never played ("Sched", "Cancelled") are rejected
(``not_played_rejected``); walkovers are kept without sets (``walkover``), retirements and
defaults with the sets completed (``retired``), and when the winner was not ahead in sets when
the opponent retired, the winner is credited one set more than the loser, so that the stored
score names the winner (``retired_winner_credited_a_set``); a match without a date (2 WTA finals) takes its
tournament's latest date (``date_fixed_from_tournament``); a price of 1.0 or less is not a price
(``price_impossible``).
"""

from __future__ import annotations

import hashlib
from os import PathLike

import numpy as np
import pandas as pd

from royaley_pipeline.domain.odds import decimal_to_american
from royaley_pipeline.sources.atp import ENDED_EARLY, credit_retired_winner, winner_is_home
from royaley_pipeline.sources.frames import CLOSING_LINE_LEAD, SourceBatch, empty_odds, odds_for_sides
from royaley_pipeline.sources.league import Quirks, lenient_price
from royaley_pipeline.sources.parsing import (
    DateBound,
    read_source_csv,
    reject_first,
    reject_value,
    to_number,
    within_dates,
)

SOURCE = "tennis_data"
KEY = "match"
BOOKS = {
    "PS": "pinnacle", "B365": "bet365", "Max": "oddsportal_max", "Avg": "oddsportal_avg", "CB": "centrebet",
    "GB": "gamebookers", "IW": "interwetten", "SB": "sportingbet", "B&W": "bet_and_win", "EX": "expekt",
    "UB": "unibet", "LB": "ladbrokes", "SJ": "stan_james",
}
COMPLETION = {
    "Completed": "completed", "Retired": "retired", "Rrtired": "retired", "Walkover": "walkover",
    "Walkoer": "walkover", "Disqualified": "default", "Awarded": "default",
}
COMMENT_TYPOS = {"Rrtired", "Walkoer"}
NOT_PLAYED = {"Sched", "Cancelled"}
ROUNDS = {
    "1st Round": "R1", "2nd Round": "R2", "3rd Round": "R3", "4th Round": "R4", "Round Robin": "RR",
    "Quarterfinals": "QF", "Semifinals": "SF", "Third Place": "BR", "The Final": "F",
}
ROUND_ORDER = {"R1": 0, "R2": 1, "R3": 2, "R4": 3, "RR": 4, "QF": 5, "SF": 6, "BR": 7, "F": 8}
FIRST_START = pd.Timedelta(hours=10)
ROUND_STEP = pd.Timedelta(hours=1)
COLUMNS = ("season", "date_iso", "Tournament", "Surface", "Round", "Winner", "Loser", "WRank", "LRank",
           "Wsets", "Lsets", "Comment")


def read_tennis_data(location: str | PathLike[str], tour: str, *, start: DateBound = None,
                     end: DateBound = None) -> tuple[pd.DataFrame, Quirks]:
    """Typed matches: one row per match with ids, dates, names, completion and decimal prices
    (``price_<book>_winner`` / ``price_<book>_loser``), plus the quirk counts."""
    source, raw = read_source_csv(SOURCE, location, COLUMNS)
    quirks = Quirks()
    raw[KEY] = "line " + raw.index.astype(str)
    comment = raw["Comment"].str.strip()
    unknown = ~comment.isin({*COMPLETION, *NOT_PLAYED})
    reject_value(unknown, raw, KEY, source, "Comment", "is not a known way for a match to end")
    dates, undated = _dates(raw, source)
    quirks.note("date_fixed_from_tournament", (undated & within_dates(dates, start, end)).sum())
    raw, dates, comment = raw[within_dates(dates, start, end)], dates[within_dates(dates, start, end)], \
        comment[within_dates(dates, start, end)]
    quirks.note("comment_typo_fixed", comment.isin(COMMENT_TYPOS).sum())
    quirks.note("not_played_rejected", comment.isin(NOT_PLAYED).sum())
    raw, dates, comment = raw[~comment.isin(NOT_PLAYED)], dates[~comment.isin(NOT_PLAYED)], \
        comment[~comment.isin(NOT_PLAYED)]
    rounds = raw["Round"].str.strip().map(ROUNDS)
    reject_value(rounds.isna(), raw, KEY, source, "Round", f"is not one of {sorted(ROUNDS)}")
    matches = pd.DataFrame(index=raw.index)
    matches["match_id"] = [
        f"{tour}-{day:%Y%m%d}-" + hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:12]
        for day, *parts in zip(dates, raw["Tournament"].str.strip(), raw["Round"].str.strip(),
                               raw["Winner"].str.strip(), raw["Loser"].str.strip(), strict=True)
    ]
    reject_first(matches["match_id"].duplicated(), raw, KEY, source, None, "the same match appears twice")
    matches["season"] = to_number(raw, "season", source, KEY, required=True).astype(int)
    matches["date"] = dates
    matches["tournament"] = raw["Tournament"].str.strip()
    matches["surface"] = raw["Surface"].str.strip()
    matches["round"] = rounds
    for side, column in (("winner", "Winner"), ("loser", "Loser")):
        names = raw[column].str.strip()
        reject_first(names.isna(), raw, KEY, source, column, "value is missing")
        matches[side] = names
    for side, column in (("winner", "WRank"), ("loser", "LRank")):
        unranked = raw[column].str.strip().str.upper() == "NR"
        quirks.note("rank_not_ranked", unranked.sum())
        matches[f"{side}_rank"] = to_number(raw.assign(**{column: raw[column].where(~unranked)}), column,
                                            source, KEY)
    matches["completion"] = comment.map(COMPLETION)
    walkover = matches["completion"] == "walkover"
    quirks.note("walkover", walkover.sum())
    quirks.note("retired", matches["completion"].isin(ENDED_EARLY).sum())
    matches["winner_sets"], matches["loser_sets"], credited = credit_retired_winner(
        to_number(raw, "Wsets", source, KEY).where(~walkover), to_number(raw, "Lsets", source, KEY).where(~walkover),
        matches["completion"])
    quirks.note("retired_winner_credited_a_set", credited.sum())
    for prefix, book in BOOKS.items():
        for side, letter in (("winner", "W"), ("loser", "L")):
            column = f"{prefix}{letter}"
            if column not in raw.columns:
                matches[f"price_{book}_{side}"] = np.nan
                continue
            price = lenient_price(raw, column, quirks)
            impossible = price <= 1.0
            quirks.note("price_impossible", impossible.sum())
            matches[f"price_{book}_{side}"] = price.where(~impossible)
    return matches, quirks


def _dates(raw: pd.DataFrame, source: str) -> tuple[pd.Series, pd.Series]:
    """Match dates, and which of them were missing and taken from the tournament."""
    text = raw["date_iso"].str.strip().str.slice(0, 10)
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    unreadable = dates.isna() & text.notna()
    reject_value(unreadable, raw, KEY, source, "date_iso", "is not a date (YYYY-MM-DD)")
    missing = dates.isna()
    if missing.any():
        event = raw["season"].str.strip() + "|" + raw["Tournament"].str.strip()
        latest = dates.groupby(event).transform("max")
        dates = dates.where(~missing, latest)
        reject_first(dates.isna(), raw, KEY, source, "date_iso",
                     "value is missing and the tournament has no other dated match")
    return dates, missing


def american_prices(matches: pd.DataFrame, book: str, side: str) -> pd.Series:
    return decimal_to_american(matches[f"price_{book}_{side}"])


def match_games(matches: pd.DataFrame, sport: str) -> pd.DataFrame:
    """Games-contract rows for matches that are their own source (WTA): players keyed by name."""
    winner_home = matches["match_id"].map(winner_is_home).astype(bool)

    def by_side(winner: pd.Series, loser: pd.Series) -> tuple[pd.Series, pd.Series]:
        return winner.where(winner_home, loser), loser.where(winner_home, winner)

    home, away = by_side(matches["winner"], matches["loser"])
    home_score, away_score = by_side(matches["winner_sets"], matches["loser_sets"])
    home_rank, away_rank = by_side(matches["winner_rank"], matches["loser_rank"])
    start = matches["date"] + FIRST_START + matches["round"].map(ROUND_ORDER) * ROUND_STEP
    return pd.DataFrame({
        "sport": sport, "source": SOURCE, "source_game_id": matches["match_id"], "season": matches["season"],
        "week": pd.array([pd.NA] * len(matches), dtype="Int64"), "game_type": matches["round"],
        "game_date": matches["date"], "start_time": start.dt.tz_localize("UTC"), "start_time_estimated": True,
        "home_team": home, "away_team": away, "neutral_site": True, "status": "final",
        "home_score": home_score.astype(float), "away_score": away_score.astype(float),
        "venue": matches["tournament"], "roof": None, "surface": matches["surface"],
        "home_rank": home_rank, "away_rank": away_rank,
        "winner_side": np.where(winner_home, "home", "away"), "completion": matches["completion"],
    }, index=matches.index)


def match_odds(matches: pd.DataFrame, games: pd.DataFrame, winner_home: pd.Series) -> pd.DataFrame:
    """Closing moneyline snapshots per book for matched games (aligned on ``matches``' index);
    ``winner_home`` says whether each match's winner is the game's home player."""
    if matches.empty:
        return empty_odds()
    captured_at = games["start_time"] - CLOSING_LINE_LEAD
    no_line = pd.Series(np.nan, index=matches.index)
    frames = []
    for book in BOOKS.values():
        winner, loser = american_prices(matches, book, "winner"), american_prices(matches, book, "loser")
        priced = winner.notna() & loser.notna()
        if not priced.any():
            continue
        home, away = winner.where(winner_home, loser), loser.where(winner_home, winner)
        sides = [("moneyline", "home", no_line, home, priced), ("moneyline", "away", no_line, away, priced)]
        frames.append(odds_for_sides(games, sides, book=book, source=SOURCE, captured_at=captured_at))
    return pd.concat(frames, ignore_index=True) if frames else empty_odds()


def read_tennis_data_games(location: str | PathLike[str], sport: str, *, start: DateBound = None,
                           end: DateBound = None) -> SourceBatch:
    """A tour's games, players (by name) and prices from the file alone (WTA)."""
    matches, quirks = read_tennis_data(location, sport, start=start, end=end)
    games = match_games(matches, sport)
    odds = match_odds(matches, games, games["winner_side"] == "home")
    names = pd.concat([matches["winner"], matches["loser"]]).drop_duplicates()
    players = pd.DataFrame({"sport": sport, "source_player_id": names, "name": names, "hand": None,
                            "country": None, "height_cm": np.nan, "birth_date": pd.NaT})
    return SourceBatch(games=games, odds=odds, players=players, quirks=quirks.as_dict())
