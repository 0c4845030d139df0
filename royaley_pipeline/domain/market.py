"""Market lines per game, derived from the odds snapshot history.

Opening and closing are never stored: they are the earliest and latest snapshot of each book
captured strictly before the game's start time, so a snapshot taken at or after kick-off (live
odds, late scrapes) can never leak into a pre-game feature.

A book's opening quote exists only when the book was seen more than once before kick-off: a
single snapshot (every historical closing-line file: nflverse, the NBA lines) is a closing line,
and calling it the opener too would invent a market that never moved. Without an opener the
opening values and movements are NaN and `opening_*_available` is 0.

Consensus across books is the median: it ignores one stale or off-market book, which a mean
would not. Lines are medians of the lines; prices are medians of decimal odds converted back
to American (a median taken in American odds breaks around even money, where −105 and +105 are
neighbours but numerically 210 apart).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from royaley_pipeline.domain.elo import start_time_nanoseconds
from royaley_pipeline.domain.odds import (
    american_to_decimal,
    decimal_to_american,
    devig_two_way,
    fill_standard_price,
)

SNAPSHOT_COLUMNS = ["game_id", "book", "market", "side", "line", "price", "captured_at"]

MARKET_LINE_COLUMNS = [
    "opening_spread_home",
    "closing_spread_home",
    "spread_movement",
    "closing_spread_home_price",
    "closing_spread_away_price",
    "opening_total",
    "closing_total",
    "total_movement",
    "closing_over_price",
    "closing_under_price",
    "opening_moneyline_home",
    "opening_moneyline_away",
    "closing_moneyline_home",
    "closing_moneyline_away",
    "opening_home_win_probability",
    "moneyline_probability_movement",
    "opening_spread_available",
    "opening_total_available",
    "opening_moneyline_available",
]
MARKET_PROBABILITY_COLUMNS = [
    "market_home_win_probability",
    "market_home_cover_probability",
    "market_over_probability",
]


def empty_snapshots() -> pd.DataFrame:
    """A snapshot frame with no rows, for sports or seasons without odds."""
    return pd.DataFrame(
        {
            "game_id": pd.Series(dtype="int64"),
            "book": pd.Series(dtype="object"),
            "market": pd.Series(dtype="object"),
            "side": pd.Series(dtype="object"),
            "line": pd.Series(dtype="float64"),
            "price": pd.Series(dtype="float64"),
            "captured_at": pd.Series(dtype="datetime64[ns, UTC]"),
        }
    )


MARKET_SIDES = [
    ("spread", "home"), ("spread", "away"), ("total", "over"), ("total", "under"),
    ("moneyline", "home"), ("moneyline", "away"),
]
"""The two-way markets a game is described by; position in this list is the `market_side` code."""


@dataclass(frozen=True)
class _PreGameQuotes:
    """Snapshots of known games captured before kick-off, as parallel arrays.

    Arrays, not a DataFrame: a million-game history has twelve million snapshots, and every copy
    or string comparison of that frame costs seconds. Rows are ordered by (game, market side,
    book, captured_at), so each book's opening and closing quote bracket a run of equal keys.
    """

    rows: np.ndarray          # positions in the snapshot frame
    game_position: np.ndarray  # position of the game in `games`
    market_side: np.ndarray    # index into MARKET_SIDES
    book: np.ndarray           # factorized book code
    line: np.ndarray
    price: np.ndarray          # American; missing spread/total prices filled with −110 once, here
    decimal_odds: np.ndarray

    def book_runs(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions of each (game, market side, book)'s earliest and latest quote (the same
        position when the book was seen once)."""
        key = (self.game_position * len(MARKET_SIDES) + self.market_side) * (self.book.max(initial=0) + 1) + self.book
        is_first = np.ones(len(key), dtype=bool)
        is_first[1:] = key[1:] != key[:-1]
        first = np.flatnonzero(is_first)
        last = np.append(first[1:] - 1, len(key) - 1) if len(key) else first
        return first, last


def _pre_game_quotes(games: pd.DataFrame, snapshots: pd.DataFrame | None,
                     cutoff: pd.Series | None = None) -> _PreGameQuotes:
    """Snapshots of known games captured strictly before kick-off (or before `cutoff` if earlier)."""
    if snapshots is None or snapshots.empty:
        snapshots = empty_snapshots()
    limit = start_time_nanoseconds(games["start_time"] if cutoff is None else cutoff)
    game_position = pd.Index(games["game_id"].to_numpy()).get_indexer(snapshots["game_id"].to_numpy())
    market_codes, markets = pd.factorize(snapshots["market"])
    side_codes, sides = pd.factorize(snapshots["side"])
    lookup = np.full((len(markets) + 1, len(sides) + 1), -1, dtype=np.int8)  # small codes: 12 M of them
    for code, (market, side) in enumerate(MARKET_SIDES):
        if market in markets and side in sides:
            lookup[markets.get_loc(market), sides.get_loc(side)] = code
    market_side = lookup[market_codes, side_codes]  # −1 codes (missing) land on the −1 sentinel row
    del market_codes, side_codes
    captured = start_time_nanoseconds(snapshots["captured_at"])
    known = (game_position >= 0) & (market_side >= 0)
    if len(limit):
        known &= captured < limit[np.where(known, game_position, 0)]
    else:
        known[:] = False
    # Codes and keys on whole columns, then one gather per array: a million-game history has twelve
    # million snapshots, and each masked copy of them costs as much as the arithmetic.
    book_codes = pd.factorize(snapshots["book"])[0]
    rows = np.flatnonzero(known)
    del known
    key = (game_position[rows].astype("int64") * len(MARKET_SIDES) + market_side[rows]) * (
        book_codes.max(initial=0) + 1) + book_codes[rows]
    rows = rows[np.lexsort((captured[rows], key))]  # one int64 key sorts 5× faster than four keys
    del key
    market_side = market_side[rows]
    price = snapshots["price"].to_numpy(dtype="float64")[rows]
    price = np.where(market_side >= 4, price, fill_standard_price(price))
    return _PreGameQuotes(
        rows=rows, game_position=game_position[rows], market_side=market_side, book=book_codes[rows],
        line=snapshots["line"].to_numpy(dtype="float64")[rows], price=price,
        decimal_odds=american_to_decimal(price),
    )


def _consensus(quotes: _PreGameQuotes, chosen: np.ndarray, game_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Median line and price across books of the chosen quotes, as (games × market sides) arrays.

    Most groups hold one book; only groups with several books go through a (slower) median.
    """
    group = quotes.game_position[chosen] * len(MARKET_SIDES) + quotes.market_side[chosen]
    line, decimal_odds = quotes.line[chosen], quotes.decimal_odds[chosen]
    lines = np.full(game_count * len(MARKET_SIDES), np.nan)
    odds = np.full(game_count * len(MARKET_SIDES), np.nan)
    shared = np.zeros(len(group), dtype=bool)
    if len(group) > 1:
        shared[1:] = group[1:] == group[:-1]
        shared[:-1] |= shared[1:]
    lines[group[~shared]] = line[~shared]
    odds[group[~shared]] = decimal_odds[~shared]
    if shared.any():
        medians = pd.DataFrame({"group": group[shared], "line": line[shared], "odds": decimal_odds[shared]})
        medians = medians.groupby("group", sort=False).median()
        lines[medians.index.to_numpy()] = medians["line"].to_numpy()
        odds[medians.index.to_numpy()] = medians["odds"].to_numpy()
    shape = (game_count, len(MARKET_SIDES))
    return lines.reshape(shape), decimal_to_american(odds).reshape(shape)


def market_lines(games: pd.DataFrame, snapshots: pd.DataFrame | None) -> pd.DataFrame:
    """One row per game: consensus opening/closing lines and prices, movements, de-vigged probabilities.

    "Closing" is the latest quote before kick-off known when the matrix is built: for a game still
    to be played it is the current line. "Opening" is the median of the earliest quotes of the books
    seen at least twice (see the module docstring). Movement is closing − opening (a spread moving
    from −3 to −4.5 has movement −1.5: money on the home side). Games without pre-game snapshots,
    or without an opener, get NaN, never a made-up line.
    """
    quotes = _pre_game_quotes(games, snapshots)
    first, last = quotes.book_runs()
    game_count = len(games)
    opening_line, opening_price = _consensus(quotes, first[last > first], game_count)
    closing_line, closing_price = _consensus(quotes, last, game_count)
    spread_home, spread_away, over, under, moneyline_home, moneyline_away = range(len(MARKET_SIDES))

    def home_spread(line: np.ndarray) -> np.ndarray:
        """Books that quote only the away side give the home handicap with the sign flipped."""
        return np.where(np.isnan(line[:, spread_home]), -line[:, spread_away], line[:, spread_home])

    def total_points(line: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(line[:, over]), line[:, under], line[:, over])

    lines = pd.DataFrame({"game_id": games["game_id"].to_numpy()})
    lines["opening_spread_home"] = home_spread(opening_line)
    lines["closing_spread_home"] = home_spread(closing_line)
    lines["spread_movement"] = lines["closing_spread_home"] - lines["opening_spread_home"]
    lines["closing_spread_home_price"] = closing_price[:, spread_home]
    lines["closing_spread_away_price"] = closing_price[:, spread_away]
    lines["opening_total"] = total_points(opening_line)
    lines["closing_total"] = total_points(closing_line)
    lines["total_movement"] = lines["closing_total"] - lines["opening_total"]
    lines["closing_over_price"] = closing_price[:, over]
    lines["closing_under_price"] = closing_price[:, under]
    lines["opening_moneyline_home"] = opening_price[:, moneyline_home]
    lines["opening_moneyline_away"] = opening_price[:, moneyline_away]
    lines["closing_moneyline_home"] = closing_price[:, moneyline_home]
    lines["closing_moneyline_away"] = closing_price[:, moneyline_away]
    lines["opening_home_win_probability"] = devig_two_way(
        opening_price[:, moneyline_home], opening_price[:, moneyline_away]
    )[0]
    lines["market_home_win_probability"] = devig_two_way(
        closing_price[:, moneyline_home], closing_price[:, moneyline_away]
    )[0]
    lines["moneyline_probability_movement"] = (
        lines["market_home_win_probability"] - lines["opening_home_win_probability"]
    )
    lines["market_home_cover_probability"] = devig_two_way(
        closing_price[:, spread_home], closing_price[:, spread_away]
    )[0]
    lines["market_over_probability"] = devig_two_way(closing_price[:, over], closing_price[:, under])[0]
    for market, columns in (("spread", ["opening_spread_home"]), ("total", ["opening_total"]),
                            ("moneyline", ["opening_moneyline_home", "opening_moneyline_away"])):
        lines[f"opening_{market}_available"] = lines[columns].notna().all(axis=1).astype("float64")
    return lines


def best_available_prices(games: pd.DataFrame, snapshots: pd.DataFrame | None,
                          as_of: pd.Timestamp) -> pd.DataFrame:
    """For each game, market and side, the book offering the highest decimal odds right now.

    "Now" is each book's latest snapshot captured at or before `as_of` and strictly before
    kick-off, so a backtest run as of a past date sees only the prices a bettor could have taken
    then. The line that goes with the best price is reported too: for spreads and totals a better
    price may come with a worse line, and the bet is settled on the line actually taken.
    """
    as_of = pd.Timestamp(as_of)
    if as_of.tzinfo is None:
        as_of = as_of.tz_localize("UTC")
    # "at or before as_of": a snapshot stamped exactly at as_of is already known at as_of.
    cutoff = games["start_time"].where(games["start_time"] <= as_of, as_of + pd.Timedelta(1, "ns"))
    quotes = _pre_game_quotes(games, snapshots, cutoff=cutoff)
    _, last = quotes.book_runs()
    sides = np.array(MARKET_SIDES, dtype=object)[quotes.market_side[last]]
    latest = pd.DataFrame({
        "game_id": games["game_id"].to_numpy()[quotes.game_position[last]],
        "market": sides[:, 0] if len(sides) else [],
        "side": sides[:, 1] if len(sides) else [],
        "line": quotes.line[last],
        "price_american": quotes.price[last],
        "decimal_odds": quotes.decimal_odds[last],
        "book": snapshots["book"].to_numpy()[quotes.rows[last]] if len(last) else [],
    })
    latest = latest.dropna(subset=["decimal_odds"])
    best = latest.sort_values(["decimal_odds", "book"], ascending=[False, True], kind="stable")
    best = best.drop_duplicates(["game_id", "market", "side"], keep="first")
    best = best.sort_values(["game_id", "market", "side"], kind="stable").reset_index(drop=True)
    return best[["game_id", "market", "side", "line", "price_american", "decimal_odds", "book"]]
