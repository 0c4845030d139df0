"""Probability scores agree with their textbook definitions and survive edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from royaley_pipeline.domain.metrics import expected_calibration_error, probability_metrics


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
