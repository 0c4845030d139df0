"""Pricing a slate: the better side of each two-way market, its edge, tier and stake."""

import numpy as np
import pandas as pd

from royaley_pipeline.domain.odds import american_to_decimal
from royaley_pipeline.domain.slate import price_bets


def quotes(rows):
    frame = pd.DataFrame(rows, columns=["game_id", "market", "side", "line", "price_american", "book"])
    frame["decimal_odds"] = american_to_decimal(frame["price_american"].astype(float))
    return frame


def test_the_side_with_the_larger_edge_is_bet():
    probabilities = pd.DataFrame({"game_id": [1, 2], "probability": [0.60, 0.30], "market_probability": [0.5, 0.5]})
    prices = quotes([
        (1, "moneyline", "home", np.nan, 100, "a"), (1, "moneyline", "away", np.nan, -120, "a"),
        (2, "moneyline", "home", np.nan, 110, "b"), (2, "moneyline", "away", np.nan, 120, "b"),
    ])
    slate = price_bets("moneyline", probabilities, prices).set_index("game_id")
    assert slate.loc[1, "side"] == "home" and np.isclose(slate.loc[1, "edge"], 0.60 * 2.0 - 1)
    assert slate.loc[2, "side"] == "away" and np.isclose(slate.loc[2, "probability"], 0.70)
    assert np.isclose(slate.loc[2, "market_probability"], 0.5)
    assert slate.loc[1, "tier"] == "A" and slate.loc[2, "tier"] == "A"


def test_tiers_follow_the_edge_thresholds_and_stakes_respect_the_cap():
    probabilities = pd.DataFrame({
        "game_id": [1, 2, 3, 4], "probability": [0.56, 0.53, 0.515, 0.50], "market_probability": np.nan,
    })
    prices = quotes([(g, "total", side, 44.5, 100, "a") for g in (1, 2, 3, 4) for side in ("over", "under")])
    slate = price_bets("total", probabilities, prices, kelly_fraction=1.0, kelly_cap=0.05).set_index("game_id")
    assert list(slate["tier"]) == ["A", "B", "C", "D"]  # edges at even money: 12%, 6%, 3%, 0%
    assert (slate["kelly_stake"] <= 0.05).all() and (slate["kelly_stake"] >= 0).all()
    assert slate.loc[1, "kelly_stake"] == 0.05


def test_an_unpriced_game_keeps_its_probability_but_gets_no_stake():
    probabilities = pd.DataFrame({"game_id": [7], "probability": [0.8], "market_probability": [np.nan]})
    slate = price_bets("match_winner", probabilities, quotes([]))
    row = slate.iloc[0]
    assert row["side"] == "home" and row["probability"] == 0.8
    assert row["tier"] == "D" and row["kelly_stake"] == 0.0 and np.isnan(row["edge"])
