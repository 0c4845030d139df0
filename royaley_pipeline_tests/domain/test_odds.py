import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from royaley_pipeline.domain.odds import (
    american_to_decimal,
    decimal_to_american,
    devig_two_way,
    fill_standard_price,
    implied_probability,
)


@pytest.mark.parametrize(
    ("american", "decimal"),
    [(100.0, 2.0), (-100.0, 2.0), (150.0, 2.5), (-110.0, 1.0 + 100 / 110), (-200.0, 1.5), (400.0, 5.0)],
)
def test_american_and_decimal_convert_both_ways(american, decimal):
    assert american_to_decimal(american) == pytest.approx(decimal)
    expected_american = 100.0 if american == -100.0 else american
    assert decimal_to_american(decimal) == pytest.approx(expected_american)


def test_values_that_are_not_odds_become_nan():
    result = american_to_decimal(np.array([50.0, 0.0, -99.0, np.nan, -110.0]))
    assert np.isnan(result[:4]).all()
    assert result[4] == pytest.approx(1.90909, abs=1e-5)
    assert np.isnan(decimal_to_american(np.array([1.0, 0.5]))).all()


def test_series_keep_their_index_and_scalars_stay_scalars():
    prices = pd.Series([-110.0, 120.0], index=[7, 9], name="price")
    decimal = american_to_decimal(prices)
    assert isinstance(decimal, pd.Series) and list(decimal.index) == [7, 9]
    assert isinstance(implied_probability(-110.0), float)


def test_implied_probability_includes_the_vig():
    assert implied_probability(-110.0) == pytest.approx(110 / 210)
    assert implied_probability(150.0) == pytest.approx(0.4)


def test_devig_of_a_standard_market_is_a_coin_flip():
    home, away = devig_two_way(-110.0, -110.0)
    assert home == pytest.approx(0.5) and away == pytest.approx(0.5)


def test_devig_is_multiplicative_normalisation():
    home, away = devig_two_way(np.array([-200.0]), np.array([170.0]))
    implied_home, implied_away = 200 / 300, 100 / 270
    assert home[0] == pytest.approx(implied_home / (implied_home + implied_away))
    assert home[0] + away[0] == pytest.approx(1.0)


def test_devig_with_a_missing_side_is_missing():
    home, _ = devig_two_way(np.array([np.nan, -150.0]), np.array([130.0, np.nan]))
    assert np.isnan(home).all()


def test_missing_spread_prices_mean_minus_110():
    filled = fill_standard_price(np.array([np.nan, -105.0]))
    assert list(filled) == [-110.0, -105.0]


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=1.01, max_value=100.0))
def test_decimal_round_trip(decimal):
    assert american_to_decimal(decimal_to_american(decimal)) == pytest.approx(decimal)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=100, max_value=5000), st.floats(min_value=100, max_value=5000),
       st.booleans(), st.booleans())
def test_devigged_probabilities_sum_to_one(price_a, price_b, a_favourite, b_favourite):
    american_a = -price_a if a_favourite else price_a
    american_b = -price_b if b_favourite else price_b
    probability_a, probability_b = devig_two_way(american_a, american_b)
    assert probability_a + probability_b == pytest.approx(1.0)
    assert 0.0 < probability_a < 1.0
