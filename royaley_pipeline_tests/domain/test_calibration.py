"""Calibration is chosen and fitted on training seasons only, and it does calibrate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from royaley_pipeline.domain.calibration import (
    calibrated_estimator,
    choose_calibration_method,
    fit_calibrated,
)
from royaley_pipeline.domain.metrics import probability_metrics
from royaley_pipeline.domain.trainers import SklearnTrainer
from royaley_pipeline_tests.domain.test_training import FEATURES, run_service, synthetic_league


def test_changing_the_test_season_changes_nothing_fitted_before_it():
    """Scramble every game of the last season: earlier predictions and every fold model must not move.

    The fold that tests on the last season is included: its imputer, scaler, base model and
    calibrator were fitted on earlier seasons, so they must be bit-for-bit the same model.
    """
    league = synthetic_league(range(2012, 2018), games_per_season=250)
    last = league["season"] == 2017
    rng = np.random.default_rng(99)
    scrambled = league.copy()
    scrambled.loc[last, FEATURES] = rng.normal(5, 3, (last.sum(), len(FEATURES)))
    scrambled.loc[last, "home_win"] = 1.0 - scrambled.loc[last, "home_win"]
    scrambled.loc[last, "market_home_win_probability"] = 0.5

    original = run_service(league)
    changed = run_service(scrambled)

    def earlier(result):
        oof = result.out_of_fold
        return oof[oof["season"] < 2017].sort_values("game_id").reset_index(drop=True)

    pd.testing.assert_frame_equal(earlier(original), earlier(changed))
    probe = league[FEATURES]  # the original rows, including the untouched last season
    for season in (2015, 2016, 2017):
        np.testing.assert_array_equal(
            original.fold_models[season].predict_proba(probe),
            changed.fold_models[season].predict_proba(probe),
        )
        assert original.calibration_methods[season] == changed.calibration_methods[season]
    # The scrambled season does reach the production model, which is trained on every season.
    assert not np.array_equal(original.model.predict_proba(probe), changed.model.predict_proba(probe))


@pytest.fixture(scope="module")
def training_rows():
    league = synthetic_league(range(2012, 2016), games_per_season=300).sort_values("start_time")
    labelled = league[league["home_win"].notna()]
    return labelled[FEATURES], labelled["home_win"].astype(int).to_numpy(), labelled["season"].to_numpy()


def test_auto_choice_picks_the_lowest_held_out_log_loss_on_the_last_training_season(training_rows):
    features, outcomes, seasons = training_rows
    choice = choose_calibration_method(SklearnTrainer().build(), features, outcomes, seasons)
    assert choice.validation_season == 2015
    assert set(choice.validation_log_loss) == {"sigmoid", "isotonic"}
    assert choice.method == min(choice.validation_log_loss, key=choice.validation_log_loss.get)


def test_a_single_training_season_falls_back_to_sigmoid(training_rows):
    features, outcomes, seasons = training_rows
    only_2012 = seasons == 2012
    choice = choose_calibration_method(
        SklearnTrainer().build(), features[only_2012], outcomes[only_2012], seasons[only_2012]
    )
    assert choice.method == "sigmoid"
    assert "no inner hold-out" in choice.reason


def test_calibration_repairs_an_underconfident_model(training_rows):
    """A heavily shrunk logistic regression squeezes forecasts toward 50%; sigmoid stretches them back."""
    features, outcomes, seasons = training_rows
    shrunk = Pipeline([("classify", LogisticRegression(C=1e-3))])
    training, testing = seasons < 2015, seasons == 2015
    raw = shrunk.fit(features[training].fillna(0), outcomes[training])
    calibrated, choice = fit_calibrated(
        shrunk, features[training].fillna(0), outcomes[training], seasons[training], method="sigmoid"
    )
    raw_probability = raw.predict_proba(features[testing].fillna(0))[:, 1]
    calibrated_probability = calibrated.predict_proba(features[testing].fillna(0))[:, 1]
    raw_score = probability_metrics(outcomes[testing], raw_probability)
    calibrated_score = probability_metrics(outcomes[testing], calibrated_probability)
    assert choice.reason == "fixed by configuration"
    assert raw_probability.std() < 0.05 < calibrated_probability.std()
    assert calibrated_score["log_loss"] < raw_score["log_loss"] - 0.05
    # Calibration is a monotone map: it changes confidence, not the ranking of games.
    assert calibrated_score["auc"] == pytest.approx(raw_score["auc"], abs=0.01)


def test_fixed_methods_build_plain_scikit_learn_objects():
    base = SklearnTrainer().build()
    isotonic = calibrated_estimator(base, "isotonic", folds=4)
    assert isinstance(isotonic, CalibratedClassifierCV)
    assert isotonic.method == "isotonic" and isotonic.cv.n_splits == 4 and isotonic.ensemble is False
    assert isinstance(calibrated_estimator(base, "none"), Pipeline)
    with pytest.raises(ValueError, match="unknown calibration method"):
        calibrated_estimator(base, "platt")
