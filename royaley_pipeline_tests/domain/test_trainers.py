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
