"""Real H2O (shared small cluster) and real AutoGluon fits behind the Trainer protocol."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from royaley_pipeline.domain.metrics import probability_metrics
from royaley_pipeline.domain.training import TrainingService
from royaley_pipeline.frameworks import FrameworkUnavailableError
from royaley_pipeline.h2o_cluster import memory_bytes
from royaley_pipeline.trainers import build_trainer
from royaley_pipeline.trainers.autogluon import AutoGluonTrainer
from royaley_pipeline.trainers.h2o import H2OTrainer
from royaley_pipeline_tests.domain.test_training import FEATURES, synthetic_league


@pytest.fixture(scope="module")
def league():
    return synthetic_league(range(2012, 2016), games_per_season=250)


def test_build_trainer_maps_flags_to_trainers():
    assert build_trainer("sklearn").name == "sklearn-logistic"
    assert build_trainer("h2o", mock=True).name == "elo-baseline-logistic"
    assert build_trainer("h2o", "gbm").name == "h2o-gbm"
    automl = build_trainer("h2o", max_runtime_seconds=42)
    assert (automl.name, automl.params["max_runtime_seconds"]) == ("h2o-automl", 42)
    assert build_trainer("autogluon", max_runtime_seconds=7).params["time_limit_seconds"] == 7
    with pytest.raises(FrameworkUnavailableError, match="unknown framework"):
        build_trainer("xgboost")


def test_memory_sizes_are_read_like_the_jvm_reads_them():
    assert memory_bytes("2G") == 2 * 2**30
    assert memory_bytes("512m") == 512 * 2**20
    with pytest.raises(ValueError, match="not a size"):
        memory_bytes("lots")


def test_h2o_automl_respects_its_budget_and_scores_from_the_mojo(h2o_cluster, league):
    rows = league.dropna(subset=["home_win"])
    train, test = rows[rows["season"] < 2015], rows[rows["season"] == 2015]
    model = H2OTrainer("automl", max_runtime_seconds=10).build().fit(train[FEATURES], train["home_win"].astype(int))
    assert "AutoML" in model.model_id_
    assert model.mojo_[:2] == b"PK"  # a zip: the MOJO
    restored = pickle.loads(pickle.dumps(model))  # no cluster handle inside
    probability = restored.predict_proba(test[FEATURES])[:, 1]
    assert np.allclose(probability, model.predict_proba(test[FEATURES])[:, 1])
    scores = probability_metrics(test["home_win"], probability)
    assert scores["log_loss"] < 0.62 and scores["auc"] > 0.75  # it learned the known signal


def test_autogluon_walk_forward_is_calibrated_on_training_folds(league):
    service = TrainingService(AutoGluonTrainer(time_limit_seconds=5), first_test_season=2015, calibration="sigmoid")
    result = service.run(league, FEATURES, "home_win", "market_home_win_probability")
    assert result.params["calibration_folds"] == 2
    assert list(result.season_metrics["season"]) == [2015]
    assert result.overall["model_log_loss"] < 0.62
    restored = pickle.loads(pickle.dumps(result.model))
    frame = league[FEATURES].head(20)
    assert np.allclose(restored.predict_proba(frame), result.model.predict_proba(frame))
