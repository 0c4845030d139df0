"""Edges, tiers and Kelly stakes on scalars, arrays and Series, including the boundaries."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from royaley_pipeline.domain.staking import edge, kelly_stake, signal_tier


def test_edge_is_expected_profit_per_unit():
    assert edge(0.5, 2.2) == pytest.approx(0.1)
    assert edge(0.5, 1.9) == pytest.approx(-0.05)
    series = edge(pd.Series([0.5, 0.6], index=["g1", "g2"]), 2.0)
    assert list(series.index) == ["g1", "g2"]
    assert series.tolist() == pytest.approx([0.0, 0.2])
    assert edge(np.array([0.5]), np.array([3.0])).tolist() == pytest.approx([0.5])


@pytest.mark.parametrize(
    ("edge_value", "tier"),
    [(0.10, "A"), (0.0999, "B"), (0.05, "B"), (0.0499, "C"), (0.02, "C"), (0.0199, "D"), (-0.3, "D"),
     (float("nan"), "D")],
)
def test_tiers_at_their_boundaries(edge_value, tier):
    assert signal_tier(edge_value) == tier


def test_a_ten_percent_edge_from_prices_is_tier_a_despite_rounding():
    computed = edge(0.55, 2.0)  # 0.10000000000000009, and other prices can land just below
    assert signal_tier(computed) == "A"
    assert signal_tier(0.1 - 1e-15) == "A"


def test_tiers_vectorise_and_accept_custom_thresholds():
    tiers = signal_tier(pd.Series([0.2, 0.06, 0.03, 0.0]))
    assert tiers.tolist() == ["A", "B", "C", "D"]
    assert signal_tier(np.array([0.03]), thresholds=(0.05, 0.04, 0.03)).tolist() == ["C"]
    with pytest.raises(ValueError, match="highest first"):
        signal_tier(0.1, thresholds=(0.02, 0.05, 0.10))


def test_kelly_matches_the_formula_then_fraction_and_cap():
    # b = 1.5, p = 0.5: full Kelly (1.5 * 0.5 - 0.5) / 1.5 = 1/6
    assert kelly_stake(0.5, 2.5, fraction=1.0, cap=1.0) == pytest.approx(1 / 6)
    assert kelly_stake(0.5, 2.5, fraction=0.25, cap=1.0) == pytest.approx(1 / 24)
    assert kelly_stake(0.5, 2.5) == pytest.approx(1 / 24)  # quarter Kelly, under the 5% cap
    assert kelly_stake(0.9, 3.0) == 0.05  # capped


def test_kelly_stakes_nothing_without_an_edge_or_with_bad_inputs():
    assert kelly_stake(0.4, 2.0) == 0.0
    for probability, odds in [(0.6, 1.0), (0.6, 0.5), (0.6, float("nan")), (1.2, 2.0), (float("nan"), 2.0)]:
        assert kelly_stake(probability, odds) == 0.0
    stakes = kelly_stake(pd.Series([0.6, 0.4, 0.6]), pd.Series([2.0, 2.0, 1.0]))
    assert stakes.tolist() == pytest.approx([0.05, 0.0, 0.0])


probabilities = st.one_of(st.floats(-0.5, 1.5), st.just(float("nan")))
decimal_odds = st.one_of(st.floats(-1.0, 1000.0), st.sampled_from([float("nan"), float("inf")]))


@given(probability=probabilities, odds=decimal_odds,
       fraction=st.floats(0.0, 1.0), cap=st.floats(0.0, 1.0))
def test_kelly_is_never_negative_nor_above_the_cap(probability, odds, fraction, cap):
    stake = kelly_stake(probability, odds, fraction=fraction, cap=cap)
    assert math.isfinite(stake)
    assert 0.0 <= stake <= cap


@given(st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(1.01, 50.0)), min_size=1, max_size=20))
def test_vectorised_stakes_equal_scalar_stakes(bets):
    p = np.array([b[0] for b in bets])
    d = np.array([b[1] for b in bets])
    vector = kelly_stake(p, d)
    assert vector.tolist() == pytest.approx([kelly_stake(pi, di) for pi, di in bets])
    positive_edge = p * d - 1 > 1e-12
    assert np.all(vector[~positive_edge] == 0.0)
