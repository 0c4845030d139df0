"""The plausibility rules of the asset checks: a model far better than the market is a probable
leak; features out of range or under-filled and stakes out of bounds are named."""

import numpy as np
import pandas as pd

from royaley_pipeline.domain.plausibility import compare_with_market, feature_problems, stake_problems


def games(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.25, 0.75, n)
    labels = (rng.uniform(size=n) < truth).astype(int)
    market = np.clip(truth + rng.normal(0, 0.02, n), 0.01, 0.99)
    return labels, truth, market


def test_a_model_near_the_market_is_plausible():
    labels, truth, market = games()
    comparison = compare_with_market(labels, np.clip(truth + 0.01, 0, 1), market)
    assert comparison.verdict == "plausible" and comparison.passed and comparison.games == 3000


def test_a_model_that_saw_the_result_is_a_probable_leak():
    labels, truth, market = games()
    leaky = np.where(labels == 1, 0.8, 0.2)  # knows who won
    comparison = compare_with_market(labels, leaky, market)
    assert comparison.verdict == "probable leak" and not comparison.passed
    assert comparison.difference < -0.1


def test_a_coin_flip_model_passes_but_is_flagged_far_worse():
    labels, _, market = games()
    market = np.where(labels == 1, 0.7, 0.3)  # a market that is very sharp
    comparison = compare_with_market(labels, np.full(labels.size, 0.5), market)
    assert comparison.verdict == "far worse than the market" and comparison.passed


def test_unpriced_games_are_left_out_and_none_priced_is_said():
    labels, truth, market = games(n=10)
    assert compare_with_market(labels, truth, np.full(10, np.nan)).verdict == "no priced games"
    market[:5] = np.nan
    assert compare_with_market(labels, truth, market).games == 5


def test_feature_problems_name_the_column_the_count_and_an_example():
    frame = pd.DataFrame({"home_elo": [1500.0, np.nan, 1490.0], "market_home_win_probability": [0.5, 1.2, 0.4],
                          "home_rest_days": [7.0, -1.0, 6.0], "form_last5_difference": [9.0, -9.0, 0.0]})
    problems = feature_problems(frame)
    assert "market_home_win_probability: 1 value(s) outside [0, 1], e.g. 1.2" in problems
    assert "home_rest_days: 1 value(s) outside [0, 400], e.g. -1" in problems
    assert "home_elo: filled for 66.7% of games, need 99.9%" in problems
    assert len(problems) == 3


def test_stake_problems():
    slate = pd.DataFrame({"probability": [0.4, 1.1], "market_probability": [np.nan, 0.5],
                          "kelly_stake": [0.0, 0.06]})
    assert stake_problems(slate, 0.05) == ["probability: 1 value(s) outside [0, 1]",
                                           "kelly_stake: 1 value(s) outside [0, 0.05]"]
    assert stake_problems(slate.iloc[:1], 0.05) == []
