"""Market lines per game, derived from the odds snapshot history.

Opening and closing are never stored: they are the earliest and latest snapshot of each book
captured strictly before the game's start time, so a snapshot taken at or after kick-off (live
odds, late scrapes) can never leak into a pre-game feature.

Consensus across books is the median: it ignores one stale or off-market book, which a mean
would not. Lines are medians of the lines; prices are medians of decimal odds converted back
to American (a median taken in American odds breaks around even money, where −105 and +105 are
neighbours but numerically 210 apart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.odds import (
    american_to_decimal,
    decimal_to_american,
    devig_two_way,
    fill_standard_price,
)

SNAPSHOT_KEY = ["game_id", "market", "side", "book"]
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


def _pre_game_snapshots(games: pd.DataFrame, snapshots: pd.DataFrame | None,
                        cutoff: pd.Series | None = None) -> pd.DataFrame:
    """Snapshots of known games captured strictly before kick-off (or before `cutoff` if earlier).

    Spread and total prices that are missing become −110 here, once, so every consumer agrees.
    Adds `decimal_odds`.
    """
    if snapshots is None or snapshots.empty:
        snapshots = empty_snapshots()
    limit = games[["game_id", "start_time"]] if cutoff is None else games[["game_id"]].assign(start_time=cutoff)
    known = snapshots[SNAPSHOT_COLUMNS].merge(limit, on="game_id", how="inner")
    known = known[known["captured_at"] < known["start_time"]].drop(columns="start_time")
    price = known["price"].to_numpy(dtype="float64")
    is_moneyline = (known["market"] == "moneyline").to_numpy()
    price = np.where(is_moneyline, price, fill_standard_price(price))
    return known.assign(price=price, decimal_odds=american_to_decimal(price))


def _first_and_last_per_book(snapshots: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each book's earliest (opening) and latest (closing) snapshot per game, market and side."""
    ordered = snapshots.sort_values("captured_at", kind="stable")
    opening = ordered.drop_duplicates(SNAPSHOT_KEY, keep="first")
    closing = ordered.drop_duplicates(SNAPSHOT_KEY, keep="last")
    return opening, closing


def _consensus(per_book: pd.DataFrame) -> pd.DataFrame:
    """Median line and price across books, one column per (market, side, quantity)."""
    medians = per_book.groupby(["game_id", "market", "side"], sort=False)[["line", "decimal_odds"]].median()
    medians["price"] = decimal_to_american(medians["decimal_odds"].to_numpy())
    wide = medians[["line", "price"]].unstack(["market", "side"])
    return wide


def _column(wide: pd.DataFrame, quantity: str, market: str, side: str, index: pd.Index) -> pd.Series:
    key = (quantity, market, side)
    if key in wide.columns:
        return wide[key].reindex(index).astype("float64")
    return pd.Series(np.nan, index=index, dtype="float64")


def _home_spread(wide: pd.DataFrame, index: pd.Index) -> pd.Series:
    """Home handicap; books that quote only the away side give it with the sign flipped."""
    home = _column(wide, "line", "spread", "home", index)
    return home.fillna(-_column(wide, "line", "spread", "away", index))


def _total_points(wide: pd.DataFrame, index: pd.Index) -> pd.Series:
    return _column(wide, "line", "total", "over", index).fillna(_column(wide, "line", "total", "under", index))


def market_lines(games: pd.DataFrame, snapshots: pd.DataFrame | None) -> pd.DataFrame:
    """One row per game: consensus opening/closing lines and prices, movements, de-vigged probabilities.

    Movement is closing − opening (a spread moving from −3 to −4.5 has movement −1.5: money on
    the home side). Games without pre-game snapshots get NaN, never a made-up line.
    """
    known = _pre_game_snapshots(games, snapshots)
    opening_books, closing_books = _first_and_last_per_book(known)
    opening, closing = _consensus(opening_books), _consensus(closing_books)
    index = pd.Index(games["game_id"].to_numpy(), name="game_id")

    lines = pd.DataFrame(index=index)
    lines["opening_spread_home"] = _home_spread(opening, index)
    lines["closing_spread_home"] = _home_spread(closing, index)
    lines["spread_movement"] = lines["closing_spread_home"] - lines["opening_spread_home"]
    lines["closing_spread_home_price"] = _column(closing, "price", "spread", "home", index)
    lines["closing_spread_away_price"] = _column(closing, "price", "spread", "away", index)
    lines["opening_total"] = _total_points(opening, index)
    lines["closing_total"] = _total_points(closing, index)
    lines["total_movement"] = lines["closing_total"] - lines["opening_total"]
    lines["closing_over_price"] = _column(closing, "price", "total", "over", index)
    lines["closing_under_price"] = _column(closing, "price", "total", "under", index)
    lines["opening_moneyline_home"] = _column(opening, "price", "moneyline", "home", index)
    lines["opening_moneyline_away"] = _column(opening, "price", "moneyline", "away", index)
    lines["closing_moneyline_home"] = _column(closing, "price", "moneyline", "home", index)
    lines["closing_moneyline_away"] = _column(closing, "price", "moneyline", "away", index)

    lines["market_home_win_probability"] = devig_two_way(
        lines["closing_moneyline_home"], lines["closing_moneyline_away"]
    )[0]
    lines["market_home_cover_probability"] = devig_two_way(
        lines["closing_spread_home_price"], lines["closing_spread_away_price"]
    )[0]
    lines["market_over_probability"] = devig_two_way(
        lines["closing_over_price"], lines["closing_under_price"]
    )[0]
    return lines.reset_index()


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
    known = _pre_game_snapshots(games, snapshots, cutoff=cutoff)
    _, latest = _first_and_last_per_book(known)
    latest = latest.dropna(subset=["decimal_odds"])
    best = latest.sort_values(["decimal_odds", "book"], ascending=[False, True], kind="stable")
    best = best.drop_duplicates(["game_id", "market", "side"], keep="first")
    best = best.sort_values(["game_id", "market", "side"], kind="stable").reset_index(drop=True)
    best = best.rename(columns={"price": "price_american"})
    return best[["game_id", "market", "side", "line", "price_american", "decimal_odds", "book"]]
