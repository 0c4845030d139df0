"""The MLflow registry adapter against a real SQLite-backed MLflow store in a temporary folder."""

from __future__ import annotations

import json

import mlflow
import numpy as np
import pytest

from royaley_pipeline.domain.model_names import ModelName
from royaley_pipeline.domain.trainers import SklearnTrainer
from royaley_pipeline.registry import ChampionNotFoundError, ModelRegistry, TrainingData
from royaley_pipeline_tests.domain.test_training import FEATURES, run_service, synthetic_league

SPORT, BET_TYPE = "NFL", "moneyline"
MODEL = ModelName(SPORT, BET_TYPE)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow")
    registry = ModelRegistry(f"sqlite:///{root}/mlflow.db", artifact_location=str(root / "artifacts"))
    league = synthetic_league(range(2012, 2018), games_per_season=250)
    strong = run_service(league, calibration="sigmoid")
    weak = run_service(league, trainer=SklearnTrainer("logistic", C=1e-5), calibration="none")
    return registry, league, strong, weak, root


@pytest.fixture(scope="module")
def versions(store):
    """Version 1 is the weak model (logged first), version 2 the strong one."""
    registry, _, strong, weak, _ = store
    first = registry.log_training(weak, sport=SPORT, bet_type=BET_TYPE, feature_set_version="v1")
    second = registry.log_training(
        strong,
        sport=SPORT,
        bet_type=BET_TYPE,
        feature_set_version="v1",
        extra_params={"max_runtime": 60},
        tags={"triggered_by": "test"},
    )
    return first, second


def test_runs_are_logged_under_the_model_names_experiment(store, versions):
    registry = store[0]
    run = registry.client.get_run(versions[0].run_id)
    assert registry.client.get_experiment(run.info.experiment_id).name == "royaley/nfl/moneyline"


def test_logging_records_evidence_and_marks_the_challenger(store, versions):
    registry, _, strong, _, root = store
    first, second = versions
    assert (first.name, first.version, second.version) == ("royaley-nfl-moneyline", 1, 2)
    run = registry.client.get_run(second.run_id)
    assert run.data.params["feature_set_version"] == "v1"
    assert run.data.params["framework"] == "sklearn"
    assert run.data.params["max_runtime"] == "60"
    assert json.loads(run.data.params["calibration_methods"]) == {
        "2015": "sigmoid",
        "2016": "sigmoid",
        "2017": "sigmoid",
    }
    assert run.data.tags["triggered_by"] == "test"
    assert json.loads(run.data.tags["feature_columns"]) == FEATURES
    assert run.data.tags["data_first_season"] == "2012"
    assert run.data.metrics["overall_model_log_loss"] == pytest.approx(strong.overall["model_log_loss"])
    assert run.data.metrics["overall_market_log_loss"] == pytest.approx(strong.overall["market_log_loss"])
    # One point per walk-forward test season, named so: the value MLflow shows is the last season's.
    history = registry.client.get_metric_history(second.run_id, "by_season_model_log_loss")
    assert sorted(point.step for point in history) == [2015, 2016, 2017]
    assert registry.client.get_metric_history(second.run_id, "by_season_market_brier")
    assert "walk_forward_log_loss" not in run.data.metrics
    assert run.data.tags["walk_forward_seasons"] == "2015–2017"
    artifacts = {artifact.path for artifact in registry.client.list_artifacts(second.run_id, "evaluation")}
    assert artifacts == {
        "evaluation/season_metrics.csv",
        "evaluation/out_of_fold.csv",
        "evaluation/summary.json",
    }
    assert int(registry.client.get_model_version_by_alias(first.name, "challenger").version) == 2
    assert list((root / "artifacts").iterdir())  # artifacts landed where they were told to
    assert mlflow.get_tracking_uri() != registry.tracking_uri  # the process-wide URI was restored


def test_an_unknown_model_has_no_champion(store):
    registry = store[0]
    with pytest.raises(ChampionNotFoundError, match="royaley-nba-spread"):
        registry.load_champion("NBA", "spread")


def test_promotion_lifecycle(store, versions):
    """First version wins by default, a better one replaces it, a worse one does not, humans can override."""
    registry, league, strong, weak, _ = store
    first, second = versions
    with pytest.raises(ChampionNotFoundError, match="royaley-nfl-moneyline.*no 'champion'"):
        registry.load_champion(SPORT, BET_TYPE)

    decision = registry.promote_if_better(SPORT, BET_TYPE, first.version)
    assert decision.promoted and decision.reason == "no champion yet"

    decision = registry.promote_if_better(SPORT, BET_TYPE, second.version, margin=0.001)
    assert decision.promoted
    assert decision.seasons_compared == [2015, 2016, 2017]
    assert decision.challenger_log_loss == pytest.approx(strong.overall["model_log_loss"])
    assert decision.champion_log_loss == pytest.approx(weak.overall["model_log_loss"])
    assert decision.previous_champion_version == 1

    decision = registry.promote_if_better(SPORT, BET_TYPE, first.version)
    assert not decision.promoted and "does not beat" in decision.reason
    tags = registry.client.get_model_version(first.name, "1").tags
    assert tags["promotion_decision"] == "rejected"
    assert registry.promote_if_better(SPORT, BET_TYPE, second.version).reason.endswith("already the champion")

    champion = registry.load_champion(SPORT, BET_TYPE)
    assert champion.version == 2 and champion.feature_columns == FEATURES and champion.run_id == second.run_id
    upcoming = league.tail(50)
    np.testing.assert_allclose(champion.predict_probability(upcoming), strong.predict_probability(upcoming))

    registry.promote(MODEL, first.version, reason="second version misbehaves live", actor="lead")
    assert registry.load_champion(SPORT, BET_TYPE).version == 1
    tags = registry.client.get_model_version(first.name, "1").tags
    assert (tags["promoted_by"], tags["promotion_decision"]) == ("lead", "manual")
    assert tags["previous_champion_version"] == "2"

    registry.rollback(MODEL, reason="false alarm", actor="lead")
    assert registry.load_champion(SPORT, BET_TYPE).version == 2
    assert registry.client.get_model_version(first.name, "2").current_stage == "Production"
    assert registry.client.get_model_version(first.name, "1").current_stage == "Archived"


def test_list_versions_shows_aliases_metrics_and_data_window(store, versions):
    registry = store[0]
    registry.promote(MODEL, 2, reason="list check", actor="test")
    rows = registry.list_versions(SPORT)
    assert [(row.name, row.version) for row in rows] == [
        ("royaley-nfl-moneyline", 2),
        ("royaley-nfl-moneyline", 1),
    ]
    newest = rows[0]
    assert newest.aliases == ["champion"]  # one role per version: the champion is no longer challenger
    assert newest.model_id == "royaley-nfl-moneyline:2"
    assert newest.framework == "sklearn"
    assert newest.data_window["first_season"] == 2012 and newest.data_window["last_season"] == 2017
    assert "overall_model_log_loss" in newest.metrics
    assert registry.list_versions(SPORT, BET_TYPE) == rows
    assert registry.list_versions() == rows
    assert registry.list_versions("NBA") == []


def test_the_gate_also_requires_calibration_no_worse_on_the_same_seasons(store, tmp_path):
    from royaley_pipeline.domain.metrics import expected_calibration_error

    _, _, strong, weak, _ = store
    registry = ModelRegistry(f"sqlite:///{tmp_path}/mlflow.db", artifact_location=str(tmp_path / "artifacts"))
    first = registry.log_training(weak, sport=SPORT, bet_type=BET_TYPE, feature_set_version="v1")
    assert registry.promote_if_better(SPORT, BET_TYPE, first.version).promoted
    second = registry.log_training(strong, sport=SPORT, bet_type=BET_TYPE, feature_set_version="v1")

    # An impossible calibration bar: better log loss alone must not be enough.
    strict = registry.promote_if_better(SPORT, BET_TYPE, second.version, ece_tolerance=-1.0)
    assert not strict.promoted and "worse than tolerance -1.0" in strict.reason
    assert strict.challenger_ece == pytest.approx(
        expected_calibration_error(strong.out_of_fold["label"], strong.out_of_fold["probability"])
    )
    assert strict.champion_ece == pytest.approx(
        expected_calibration_error(weak.out_of_fold["label"], weak.out_of_fold["probability"])
    )
    assert registry.load_champion(SPORT, BET_TYPE).version == first.version

    decision = registry.promote_if_better(SPORT, BET_TYPE, second.version)
    assert decision.promoted and "within tolerance" in decision.reason
    tags = registry.client.get_model_version(second.name, str(second.version)).tags
    assert float(tags["promotion_challenger_ece"]) == pytest.approx(decision.challenger_ece)
    assert tags["promotion_ece_tolerance"] == "0.005"


def test_gradient_boosting_with_a_never_filled_column_trains_registers_and_scores(tmp_path):
    """Injury columns are empty until a report is collected: boosting must train past an all-NaN
    column (scikit-learn's binning fails on one) and the stored model must load and score."""
    registry = ModelRegistry(f"sqlite:///{tmp_path}/mlflow.db", artifact_location=str(tmp_path / "artifacts"))
    league = synthetic_league(range(2014, 2017), games_per_season=250).assign(injury_impact_difference=np.nan)
    features = [*FEATURES, "injury_impact_difference"]
    result = run_service(league, trainer=SklearnTrainer("hist_gradient_boosting", max_iter=30), features=features,
                         first_test_season=2016, calibration="sigmoid", calibration_folds=3)
    version = registry.log_training(result, sport="NBA", bet_type=BET_TYPE, feature_set_version="v2")
    registry.promote(ModelName("NBA", BET_TYPE), version.version, reason="test", actor="test")
    champion = registry.load_champion("NBA", BET_TYPE)
    upcoming = league.head(10).assign(injury_impact_difference=[1.5, *[np.nan] * 9])
    probability = champion.predict_probability(upcoming)
    assert probability.shape == (10,) and np.all((probability > 0) & (probability < 1))


def test_a_training_run_spans_the_training_logs_its_data_and_describes_the_version(store, tmp_path):
    """The MLflow run opens before training (its duration is the training's), the training rows are
    its input dataset, the model and version carry descriptions, and the UIs link to each other."""
    _, league, _, _, _ = store
    registry = ModelRegistry(f"sqlite:///{tmp_path}/mlflow.db", artifact_location=str(tmp_path / "artifacts"),
                             ui_url="http://mlflow.example:5000/")
    dagster_url = "http://dagster.example:3000/runs/abc"
    with registry.training_run(SPORT, BET_TYPE, {"dagster_run_url": dagster_url}) as run_id:
        assert registry.client.get_run(run_id).info.status == "RUNNING"
        result = run_service(league, calibration="sigmoid")  # trained while the run is open
        trained = registry.client.get_run(run_id).info.start_time
        version = registry.log_training(
            result, sport=SPORT, bet_type=BET_TYPE, feature_set_version="v2", run_id=run_id,
            tags={"dagster_run_url": dagster_url},
            training_data=TrainingData(league, str(tmp_path / "v2.parquet"), "home_win"),
        )
    run = registry.client.get_run(run_id)
    assert version.run_id == run_id and run.info.status == "FINISHED"
    assert run.info.start_time == trained and run.info.end_time > run.info.start_time
    assert run.data.tags["dagster_run_url"] == dagster_url and run.data.tags["mlflow.user"] == "royaley"
    (dataset,) = run.inputs.dataset_inputs
    assert dataset.dataset.name == "royaley-nfl-moneyline-v2" and dataset.dataset.source_type == "local"
    assert {tag.key: tag.value for tag in dataset.tags}["mlflow.data.context"] == "training"
    assert json.loads(dataset.dataset.profile)["num_rows"] == len(league)
    described = registry.client.get_model_version(version.name, str(version.version)).description
    assert "seasons 2012–2017" in described and "feature set v2" in described
    assert f"vs closing market {result.overall['market_log_loss']:.4f}" in described
    assert f"Dagster run: {dagster_url}" in described
    assert "champion" in registry.client.get_registered_model(version.name).description
    assert registry.run_url(run_id) == f"http://mlflow.example:5000/#/experiments/{run.info.experiment_id}/runs/{run_id}"
    assert registry.version_url(version.name, 1) == "http://mlflow.example:5000/#/models/royaley-nfl-moneyline/versions/1"


def test_a_failed_training_leaves_a_failed_run(tmp_path):
    registry = ModelRegistry(f"sqlite:///{tmp_path}/mlflow.db", artifact_location=str(tmp_path / "artifacts"))
    with pytest.raises(RuntimeError, match="boom"), registry.training_run(SPORT, BET_TYPE) as run_id:
        raise RuntimeError("boom")
    assert registry.client.get_run(run_id).info.status == "FAILED"


def test_mock_versions_are_flagged_listed_as_the_elo_baseline_and_never_champion(store):
    """`royaley train --all --mock` once made the Elo-only mock the NFL total champion."""
    from royaley_pipeline.domain.trainers import EloBaselineTrainer
    from royaley_pipeline.registry import MOCK_FRAMEWORK, MockModelError

    registry, league, strong, _, _ = store
    model = ModelName("NBA", "total")
    mock = run_service(league, trainer=EloBaselineTrainer(column=FEATURES[0]), calibration="sigmoid")
    first = registry.log_training(mock, sport="NBA", bet_type="total", feature_set_version="v1", mock=True)
    decision = registry.promote_if_better("NBA", "total", first.version)  # no champion yet: still refused
    assert not decision.promoted and "--mock" in decision.reason
    assert registry.client.get_registered_model(str(model)).aliases == {}  # neither champion nor challenger
    real = registry.log_training(strong, sport="NBA", bet_type="total", feature_set_version="v1")
    assert registry.promote_if_better("NBA", "total", real.version).promoted
    with pytest.raises(MockModelError, match="never becomes champion"):
        registry.promote(model, first.version, reason="try", actor="test")
    assert int(registry.client.get_model_version_by_alias(str(model), "champion").version) == real.version
    listed = {row.version: row for row in registry.list_versions("NBA", "total")}
    assert (listed[first.version].framework, listed[first.version].mock) == (MOCK_FRAMEWORK, True)
    assert (listed[real.version].framework, listed[real.version].mock) == ("sklearn", False)
    assert listed[first.version].promotion_decision == "excluded"
