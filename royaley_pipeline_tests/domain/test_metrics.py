"""Probability scores agree with their textbook definitions and survive edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from royaley_pipeline.domain.metrics import expected_calibration_error, probability_metrics, reliability_table


def test_scores_match_hand_computed_values():
    outcomes = [1, 0, 1, 0]
    probabilities = [0.8, 0.3, 0.6, 0.4]
    metrics = probability_metrics(outcomes, probabilities)
    expected_log_loss = -np.mean(np.log([0.8, 0.7, 0.6, 0.6]))
    assert metrics["log_loss"] == pytest.approx(expected_log_loss)
    assert metrics["brier"] == pytest.approx(np.mean([0.04, 0.09, 0.16, 0.16]))
    assert metrics["accuracy"] == 1.0
    assert metrics["auc"] == 1.0
    assert metrics["n"] == 4


def test_certain_misses_stay_finite_but_expensive():
    metrics = probability_metrics([1, 0], [0.0, 1.0])
    assert math.isfinite(metrics["log_loss"])
    assert metrics["log_loss"] > 10


def test_auc_is_nan_with_one_outcome_and_everything_is_nan_when_empty():
    assert math.isnan(probability_metrics([1, 1, 1], [0.6, 0.7, 0.4])["auc"])
    empty = probability_metrics([], [])
    assert empty["n"] == 0 and math.isnan(empty["log_loss"])


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="equal length"):
        probability_metrics([1, 0], [0.5])
    with pytest.raises(ValueError, match="NaN"):
        probability_metrics([1, np.nan], [0.5, 0.5])
    with pytest.raises(ValueError, match="1 .* or 0"):
        probability_metrics([2, 0], [0.5, 0.5])


def test_expected_calibration_error_is_zero_when_forecasts_match_frequencies():
    outcomes = [1, 0] * 50 + [1, 1, 1, 0] * 25
    probabilities = [0.5] * 100 + [0.75] * 100
    assert expected_calibration_error(outcomes, probabilities) == pytest.approx(0.0)


def test_expected_calibration_error_weights_bins_by_games():
    outcomes = [1] * 10 + [0] * 30
    probabilities = [0.9] * 10 + [0.2] * 30  # gaps 0.1 over 10 games and 0.2 over 30
    assert expected_calibration_error(outcomes, probabilities) == pytest.approx((0.1 * 10 + 0.2 * 30) / 40)
    assert expected_calibration_error([1, 0], [1.0, 0.0], bins=1) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="bins"):
        expected_calibration_error([1], [0.5], bins=0)


def test_reliability_bins_hold_at_least_the_minimum_games_and_cover_every_game():
    rng = np.random.default_rng(3)
    forecasts = np.concatenate([rng.uniform(0.3, 0.7, 500), [0.02, 0.05, 0.97]])  # three stragglers in the tails
    outcomes = (rng.uniform(size=forecasts.size) < forecasts).astype(int)
    table = reliability_table(outcomes, forecasts, min_games=30)
    assert table["games"].min() >= 30 and table["games"].sum() == forecasts.size
    assert (table["bin_high"].to_numpy()[:-1] == table["bin_low"].to_numpy()[1:]).all()  # adjacent, no gaps
    assert table["bin_low"].iloc[0] == 0.0 and table["bin_high"].iloc[-1] == 1.0
    unmerged = reliability_table(outcomes, forecasts, min_games=1)
    assert unmerged["games"].min() == 1 and len(unmerged) > len(table)


def test_reliability_with_fewer_games_than_the_minimum_is_one_bin():
    table = reliability_table([1, 0, 1], [0.2, 0.5, 0.9], min_games=30)
    assert table[["bin_low", "bin_high", "games"]].values.tolist() == [[0.0, 1.0, 3]]
    assert table["observed"].iloc[0] == pytest.approx(2 / 3)


def test_reliability_bins_reach_one_even_when_no_forecast_is_high():
    forecasts = np.linspace(0.05, 0.6, 200)
    table = reliability_table((forecasts > 0.3).astype(int), forecasts, min_games=30)
    assert table["bin_high"].iloc[-1] == 1.0 and table["games"].min() >= 30
