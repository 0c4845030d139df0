"""The betting-policy backtest on games whose outcomes and prices are chosen by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.backtest import (
    backtest,
    choose_bets,
    max_drawdown,
    pick_hit_rate,
    replay,
    wilson_interval,
)


def games(probabilities, labels, event_odds=2.0, other_odds=2.0, moves=None) -> pd.DataFrame:
    n = len(probabilities)
    frame = pd.DataFrame({
        "start_time": pd.date_range("2020-09-01", periods=n, freq="D", tz="UTC"),
        "season": 2020,
        "probability": probabilities,
        "label": labels,
        "event_decimal_odds": np.broadcast_to(event_odds, n).astype(float),
        "other_decimal_odds": np.broadcast_to(other_odds, n).astype(float),
    })
    if moves is not None:
        frame["line_move_toward_event"] = moves
    return frame


def test_wilson_interval_matches_the_published_formula():
    low, high = wilson_interval(55, 100)
    assert low == pytest.approx(0.4524, abs=1e-4)
    assert high == pytest.approx(0.6438, abs=1e-4)
    assert np.isnan(wilson_interval(0, 0)[0])


def test_pick_hit_rate_counts_the_side_the_forecast_picks():
    record = pick_hit_rate([1, 0, 1, 0], [0.6, 0.4, 0.3, 0.7])
    assert (record["hits"], record["n"], record["hit_rate"]) == (2, 4, 0.5)
    assert record["low"] < 0.5 < record["high"]


def test_the_side_with_the_larger_edge_is_bet_and_graded():
    bets = choose_bets(games([0.60, 0.30, 0.51], [1, 1, 0], moves=[0.5, -1.0, 0.0]))
    assert list(bets["side"]) == ["event", "other", "event"]
    assert bets["edge"].tolist() == pytest.approx([0.20, 0.40, 0.02])
    assert list(bets["tier"]) == ["A", "A", "C"]
    assert list(bets["won"]) == [True, False, False]
    # Closing-line value is signed toward the side bet.
    assert bets["closing_line_value"].tolist() == pytest.approx([0.5, 1.0, 0.0])


def test_games_without_an_edge_are_not_bets():
    bets = choose_bets(games([0.5, 0.5], [1, 0], event_odds=1.9, other_odds=1.9))
    assert (bets["tier"] == "D").all()


def test_flat_and_kelly_replay_by_hand():
    bets = pd.DataFrame({
        "won": [True, False, True],
        "decimal_odds": [2.0, 2.0, 3.0],
        "side_probability": [0.6, 0.6, 0.5],
    })
    summary, curves = replay(bets, kelly_fraction=0.5, kelly_cap=1.0, starting_bankroll=100.0)
    # Flat: +1, -1, +2 units.
    assert curves["flat"].tolist() == pytest.approx([101.0, 100.0, 102.0])
    assert summary["flat_roi"] == pytest.approx(2 / 3)
    # Half Kelly: 10% (p=.6 at evens: full 20%), 10%, 12.5% (p=.5 at 3.0: full 25%).
    expected = [110.0, 99.0, 99.0 * (1 + 0.125 * 2)]
    assert curves["kelly"].tolist() == pytest.approx(expected)
    assert summary["kelly_max_drawdown"] == pytest.approx(0.1)
    assert summary["hit_rate"] == pytest.approx(2 / 3)


def test_max_drawdown_is_the_largest_fall_from_a_peak():
    assert max_drawdown([100, 120, 90, 130, 117]) == pytest.approx(0.25)
    assert max_drawdown([100, 101, 102]) == 0.0


def test_backtest_reports_each_tier_selection():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.3, 0.7, 400)
    labels = (rng.random(400) < p).astype(int)
    result = backtest(games(p, labels, event_odds=1.95, other_odds=1.95))
    assert list(result.summary["tiers"]) == ["A", "A+B", "A+B+C"]
    assert result.summary["bets"].is_monotonic_increasing
    assert set(result.curves["tiers"]) == {"A", "A+B", "A+B+C"}
    # Honest probabilities against a fair-ish price: a positive flat ROI on the bets with an edge.
    assert result.summary.loc[2, "flat_roi"] > 0
