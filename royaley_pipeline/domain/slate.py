"""From model probabilities and market prices to a slate of bets: side, edge, tier and stake.

Every bet type is a two-way market, so the model's probability of one side fixes the other;
we take the side whose best available price gives the larger edge, and stake it by Kelly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from royaley_pipeline.domain.staking import edge, kelly_stake, signal_tier
from royaley_pipeline.sports import MATCH_WINNER, MONEYLINE, SPREAD, TOTAL

# (market the bet type is priced in, side the model's probability refers to, the other side)
MARKET_SIDES = {
    MONEYLINE: ("moneyline", "home", "away"),
    MATCH_WINNER: ("moneyline", "home", "away"),
    SPREAD: ("spread", "home", "away"),
    TOTAL: ("total", "over", "under"),
}

# What a slate row says about its game: the key, and the description taken from the games table.
GAME_DESCRIPTION_COLUMNS = ["start_time", "home_team", "away_team"]
SLATE_GAME_COLUMNS = ["game_id", "game_date", *GAME_DESCRIPTION_COLUMNS]
SLATE_ORDER = ["game_date", "start_time", "game_id", "bet_type"]

PICK_COLUMNS = ["probability", "market_probability", "line", "price_american", "decimal_odds", "book", "edge",
                "tier", "kelly_stake"]
"""What a slate says of its pick of a game and bet type (stored as such with each prediction)."""
SLATE_COLUMNS = ["game_id", "bet_type", "side", *PICK_COLUMNS]


def price_bets(
    bet_type: str,
    probabilities: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    kelly_fraction: float = 0.25,
    kelly_cap: float = 0.05,
    tier_thresholds: tuple[float, float, float] = (0.10, 0.05, 0.02),
) -> pd.DataFrame:
    """One row per game: the better side of the bet at its best available price.

    ``probabilities`` holds ``game_id``, ``probability`` (of the first side: home win, home cover,
    over) and ``market_probability`` (same event, de-vigged). ``prices`` is the output of
    ``market.best_available_prices``. Games without a price keep their probability, with no
    edge, tier D and no stake: a bet we cannot price is not a bet.
    """
    market, first_side, second_side = MARKET_SIDES[bet_type]
    quotes = prices.loc[prices["market"] == market]
    sides = []
    for side, flip in ((first_side, False), (second_side, True)):
        frame = probabilities[["game_id", "probability", "market_probability"]].copy()
        if flip:
            frame["probability"] = 1.0 - frame["probability"]
            frame["market_probability"] = 1.0 - frame["market_probability"]
        frame["side"] = side
        side_quotes = quotes.loc[
            quotes["side"] == side, ["game_id", "line", "price_american", "decimal_odds", "book"]
        ]
        frame = frame.merge(side_quotes, on="game_id", how="left")
        frame["edge"] = edge(frame["probability"].to_numpy(), frame["decimal_odds"].to_numpy(dtype=float))
        sides.append(frame)
    both = pd.concat(sides, ignore_index=True)
    # The better side: highest edge; unpriced games fall back to the side the model favours.
    both["rank_key"] = both["edge"].fillna(-np.inf)
    both["favoured"] = both["probability"]
    best = (
        both.sort_values(["game_id", "rank_key", "favoured"], ascending=[True, False, False])
        .drop_duplicates("game_id")
        .reset_index(drop=True)
    )
    priced = best["decimal_odds"].notna()
    best["tier"] = np.where(priced, signal_tier(best["edge"].fillna(-1.0).to_numpy(), tier_thresholds), "D")
    stakes = kelly_stake(
        best["probability"].to_numpy(),
        best["decimal_odds"].fillna(0.0).to_numpy(),
        fraction=kelly_fraction,
        cap=kelly_cap,
    )
    best["kelly_stake"] = np.where(priced, stakes, 0.0)
    best["bet_type"] = bet_type
    return best[SLATE_COLUMNS]
