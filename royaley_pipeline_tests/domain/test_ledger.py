"""The ledger against a hand computation, and its invariants on generated settlements."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royaley_pipeline.domain.ledger import bankroll_curve, counted_bets, ledger, ledger_markdown
from royaley_pipeline.domain.settlement import BET, LOST, PUSH, REPREDICTION, VOID, WON


def settled(rows) -> pd.DataFrame:
    """(hours after the first kick-off, bet type, tier, result, decimal odds, stake, clv, line pts, role)."""
    frame = pd.DataFrame(rows, columns=["hours", "bet_type", "tier", "result", "decimal_odds", "kelly_stake",
                                        "clv_probability", "clv_line_points", "role"])
    frame["start_time"] = pd.Timestamp("2024-12-22 18:00", tz="UTC") + pd.to_timedelta(frame["hours"], unit="h")
    frame["game_id"] = np.arange(len(frame))
    profit = {WON: frame["decimal_odds"] - 1.0, LOST: -1.0, PUSH: 0.0, VOID: 0.0}
    frame["units"] = [profit[r] if not isinstance(profit[r], pd.Series) else profit[r][i]
                      for i, r in enumerate(frame["result"])]
    return frame


HAND = settled([
    (0, "moneyline", "A", WON, 2.5, 0.04, 0.03, np.nan, BET),
    (1, "spread", "B", LOST, 21 / 11, 0.02, -0.01, 1.5, BET),
    (2, "total", "A", PUSH, 21 / 11, 0.03, 0.00, -0.5, BET),
    (3, "spread", "B", VOID, 2.0, 0.01, np.nan, np.nan, BET),
    (4, "spread", "A", WON, 2.0, 0.05, 0.10, 3.0, REPREDICTION),  # not the bet: never counted
])


def test_the_ledger_equals_a_hand_computation():
    table = ledger(HAND).set_index("group")
    overall = table.loc["all"]
    assert (overall["bets"], overall["won"], overall["lost"], overall["push"], overall["void"]) == (3, 1, 1, 1, 1)
    assert overall["hit_rate"] == 0.5
    # Wilson 95 % for 1 of 2: centre (0.5 + z²/4) / (1 + z²/2), half-width z·√(1/8 + z²/16) / (1 + z²/2)
    z = 1.959964
    centre, half = (0.5 + z * z / 4) / (1 + z * z / 2), z * np.sqrt(1 / 8 + z * z / 16) / (1 + z * z / 2)
    assert (overall["hit_rate_low"], overall["hit_rate_high"]) == pytest.approx((centre - half, centre + half))
    assert overall["units"] == pytest.approx(1.5 - 1.0)
    assert overall["roi"] == pytest.approx(0.5 / 3)
    # Kelly from 100: +4 % × 1.5, −2 %, push, void → 100 × 1.06 × 0.98 = 103.88; drawdown 106 → 103.88.
    assert overall["kelly_bankroll"] == pytest.approx(103.88)
    assert overall["kelly_max_drawdown"] == pytest.approx(1 - 103.88 / 106)
    assert overall["mean_clv_probability"] == pytest.approx((0.03 - 0.01 + 0.0) / 3)
    assert overall["mean_clv_line_points"] == pytest.approx((1.5 - 0.5) / 2)
    assert table.loc["tier A", "bets"] == 2 and table.loc["tier A", "units"] == pytest.approx(1.5)
    assert table.loc["tier B", "bets"] == 1 and table.loc["tier B", "void"] == 1
    assert table.loc["spread", "kelly_bankroll"] == pytest.approx(98.0)
    assert list(table.index) == ["all", "tier A", "tier B", "moneyline", "spread", "total"]
    assert "| all" in ledger_markdown(ledger(HAND))


def test_no_bets_gives_an_empty_ledger_not_an_error():
    table = ledger(HAND.assign(role=REPREDICTION))
    assert table["bets"].tolist() == [0]
    assert table["kelly_bankroll"].tolist() == [100.0]
    assert ledger_markdown(table) == "_no settled bets_"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([WON, LOST, PUSH, VOID]), st.floats(1.05, 6.0),
                          st.floats(0.0, 0.05), st.sampled_from(["A", "B", "C"])), min_size=1, max_size=40))
def test_group_rows_add_up_and_the_bankroll_never_goes_negative(rows):
    frame = settled([(i, ["moneyline", "spread", "total"][i % 3], tier, result, odds, stake, 0.0, np.nan, BET)
                     for i, (result, odds, stake, tier) in enumerate(rows)])
    table = ledger(frame).set_index("group")
    tiers = table.loc[table.index.str.startswith("tier ")]
    bet_types = table.loc[~table.index.str.startswith("tier ") & (table.index != "all")]
    for part in (tiers, bet_types):
        assert part["bets"].sum() == table.loc["all", "bets"]
        assert part["units"].sum() == pytest.approx(table.loc["all", "units"])
    curve = bankroll_curve(counted_bets(frame))
    assert (curve["kelly_bankroll"] > 0).all()
    assert curve["units"].iloc[-1] == pytest.approx(table.loc["all", "units"])
    assert 0.0 <= table.loc["all", "kelly_max_drawdown"] < 1.0
