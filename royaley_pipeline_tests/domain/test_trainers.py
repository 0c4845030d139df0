"""scikit-learn trainers: the inner-fold search and the Elo baseline behind `--mock`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.domain.metrics import probability_metrics
from royaley_pipeline.domain.trainers import EloBaselineTrainer, SklearnTrainer
from royaley_pipeline.domain.training import TrainingService
from royaley_pipeline_tests.domain.test_training import FEATURES, synthetic_league


@pytest.fixture(scope="module")
def league() -> pd.DataFrame:
    frame = synthetic_league(range(2012, 2017), games_per_season=300)
    # An Elo-like probability that knows the strength gap but not the rest gap.
    frame["home_elo_win_probability"] = 1 / (1 + np.exp(-(0.15 + 1.1 * frame["strength_gap"])))
    return frame


def test_the_search_chooses_on_the_last_training_season_only(league):
    rows = league.dropna(subset=["home_win"]).sort_values("start_time")
    trainer, record = SklearnTrainer("logistic", search=True).tuned(
        rows[FEATURES], rows["home_win"].astype(int), rows["season"]
    )
    assert record["searched"] and record["holdout_season"] == 2016
    assert set(record["holdout_log_loss"]) == {"0.01", "0.1", "1.0"}
    assert trainer.params["C"] == record["chosen"]
    best = min(record["holdout_log_loss"].values())
    assert record["holdout_log_loss"][str(record["chosen"])] == best
    # The choice depends on the training rows only: dropping every later season changes nothing.
    earlier = rows[rows["season"] <= 2016]
    assert SklearnTrainer("logistic", search=True).tuned(
        earlier[FEATURES], earlier["home_win"].astype(int), earlier["season"]
    )[1] == record


def test_without_search_or_with_one_season_the_trainer_is_unchanged(league):
    rows = league.dropna(subset=["home_win"])
    plain = SklearnTrainer("logistic")
    assert plain.tuned(rows[FEATURES], rows["home_win"].astype(int), rows["season"]) == (plain, {"searched": False})
    one = rows[rows["season"] == 2012]
    searching = SklearnTrainer("logistic", search=True)
    trainer, record = searching.tuned(one[FEATURES], one["home_win"].astype(int), one["season"])
    assert trainer is searching and not record["searched"]


def test_the_service_records_the_search_per_walk_forward_season(league):
    service = TrainingService(SklearnTrainer("logistic", search=True), first_test_season=2015)
    result = service.run(league, FEATURES, "home_win", "market_home_win_probability")
    assert set(result.tuning) == {"2015", "2016", "production"}
    assert result.tuning["2015"]["holdout_season"] == 2014  # never the test season
    assert result.tuning["production"]["holdout_season"] == 2016


def test_the_elo_baseline_is_a_real_fitted_model_on_one_column(league):
    features = [*FEATURES, "home_elo_win_probability"]
    service = TrainingService(EloBaselineTrainer(), first_test_season=2015, calibration="sigmoid")
    result = service.run(league, features, "home_win", "market_home_win_probability")
    fold = result.out_of_fold
    # It learns from Elo alone: close to Elo's own score, and better than a coin.
    elo = probability_metrics(fold["label"], league.set_index("game_id").loc[fold["game_id"],
                                                                             "home_elo_win_probability"])
    assert result.overall["model_log_loss"] < 0.67
    assert abs(result.overall["model_log_loss"] - elo["log_loss"]) < 0.02
    # The rest gap, which Elo does not know, cannot move its forecast.
    frame = league[features].head(50)
    shifted = frame.assign(rest_gap=frame["rest_gap"] + 5.0)
    assert np.allclose(result.model.predict_proba(frame), result.model.predict_proba(shifted))
    # The baseline column is also scored as the Elo-only baseline on the same games.
    assert np.isfinite(result.season_metrics["baseline_log_loss"]).all()


def test_a_value_almost_never_missing_in_training_does_not_swing_a_prediction_when_missing():
    """Train/serve skew seen in the replay: the opening spread exists for nearly every historical
    game (nfelo) and for no live one. Its missing-value indicator, almost constant in training,
    must not be standardised into a huge input: the prediction of a game without it stays where
    the median-imputed game would be, not at 0.95."""
    rng = np.random.default_rng(7)
    n = 2000
    gap = rng.normal(0.0, 1.0, n)
    frame = pd.DataFrame({"strength_gap": gap, "opening_spread_home": -3.0 * gap + rng.normal(0.0, 1.0, n)})
    outcomes = (rng.random(n) < 1 / (1 + np.exp(-gap))).astype(int)
    frame.loc[0, "opening_spread_home"] = np.nan  # the one game without an opener: a home win
    outcomes[0] = 1
    for C in (0.01, 0.1, 1.0):
        model = SklearnTrainer("logistic", C=C).build().fit(frame, outcomes)
        served = frame.iloc[1:200].copy()
        imputed = served.assign(opening_spread_home=float(frame["opening_spread_home"].median()))
        served["opening_spread_home"] = np.nan
        shift = model.predict_proba(served)[:, 1] - model.predict_proba(imputed)[:, 1]
        assert np.abs(shift).max() < 0.05, f"C={C}: a missing opener moved a prediction by {np.abs(shift).max():.2f}"
