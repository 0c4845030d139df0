"""Features → models in MLflow → predictions, through real Dagster runs on real NFL seasons."""

import json
from datetime import date

import pandas as pd
import pytest
from mlflow import MlflowClient

from royaley_pipeline.assets.predictions import PredictionConfig
from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.launch import MODEL_OP, run_config
from royaley_pipeline.partitions import model_key
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.features import load_features
from royaley_pipeline.storage.predictions import load_predictions
from royaley_pipeline_tests.assets.conftest import Pipeline

HISTORY = (date(2013, 9, 1), date(2019, 2, 28))  # seasons 2013-2018
SLATE_DAY = date(2018, 12, 23)
TRAINING = {"first_test_season": 2016}


def mlflow_client(pipeline: Pipeline) -> MlflowClient:
    uri = pipeline.settings.mlflow_tracking_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("pipeline"))
    result = pipeline.run_months("collection_job", "NFL", *HISTORY)
    assert result.success, failure_message(result)
    for bet_type in ("moneyline", "spread", "total"):
        result = pipeline.train("NFL", bet_type, **TRAINING)
        assert result.success, failure_message(result)
    return pipeline


def test_each_bet_type_is_registered_with_a_champion(trained):
    client = mlflow_client(trained)
    for bet_type in ("moneyline", "spread", "total"):
        name = f"royaley-nfl-{bet_type}"
        champion = client.get_model_version_by_alias(name, "champion")
        run = client.get_run(champion.run_id)
        assert run.data.tags["feature_set_version"] == FEATURE_SET_VERSION
        assert 0.15 < run.data.metrics["overall_model_brier"] < 0.26
        # Each training run is recorded by Dagster and MLflow, each pointing at the other.
        dagster_run = trained.instance.get_run_by_id(run.data.tags["dagster_run_id"])
        assert dagster_run.is_success and dagster_run.job_name == "training_job"
        assert dagster_run.tags["dagster/partition"] == model_key("NFL", bet_type)
        # The training rows are the run's input dataset; the version says what it was trained on.
        (dataset,) = run.inputs.dataset_inputs
        assert dataset.dataset.name == f"{name}-{FEATURE_SET_VERSION}"
        assert json.loads(dataset.dataset.profile)["num_rows"] > 1000
        assert "seasons 2013–2018" in champion.description and "vs closing market" in champion.description
        assert "challenger" not in champion.aliases  # one role per version


def test_the_moneyline_model_is_honest_against_the_market(trained):
    """A walk-forward model far better than the closing market would mean a leak."""
    client = mlflow_client(trained)
    champion = client.get_model_version_by_alias("royaley-nfl-moneyline", "champion")
    metrics = client.get_run(champion.run_id).data.metrics
    assert metrics["overall_model_brier_on_market_games"] > metrics["overall_market_brier"] - 0.01
    assert metrics["overall_model_brier_on_market_games"] < 0.25


def test_a_retrained_model_is_challenger_and_promotion_is_decided_on_the_same_seasons(trained):
    # A second version on the same seasons: the gate must decide on those seasons, either way.
    result = trained.train("NFL", "moneyline", **TRAINING)
    assert result.success, failure_message(result)
    metadata = result.asset_materializations_for_node(MODEL_OP)[0].metadata
    client = mlflow_client(trained)
    version = str(metadata["model_version"].value)
    assert str(client.get_model_version_by_alias("royaley-nfl-moneyline", "challenger").version) == version
    champion = str(client.get_model_version_by_alias("royaley-nfl-moneyline", "champion").version)
    assert (champion == version) == metadata["promoted_to_champion"].value
    assert "log loss" in metadata["promotion_reason"].value
    # The overview's table: every champion against the market, whichever partition ran last.
    champions = {row.data["model"]: row.data for row in metadata["champions"].value.records}
    assert set(champions) == {"royaley-nfl-moneyline", "royaley-nfl-spread", "royaley-nfl-total"}
    moneyline = champions["royaley-nfl-moneyline"]
    assert moneyline["walk-forward seasons"] == "2016–2018" and moneyline["games"] > 700
    assert moneyline["Δ vs market"] == pytest.approx(moneyline["log loss (priced games)"] - moneyline["market log loss"],
                                                     abs=2e-4)
    assert metadata["model_version"].value == int(version)
    assert metadata["plot_season_log_loss"].value.startswith("![season_log_loss.png](data:image/png;base64,")
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "walk_forward_within_market_band" and check.passed
    assert check.metadata["verdict"].value == "plausible" and check.metadata["priced_games"].value > 500


def test_predictions_carry_edge_tier_and_bounded_stakes(trained):
    result = trained.run_days("predictions_job", "NFL", SLATE_DAY, SLATE_DAY)
    assert result.success, failure_message(result)
    slate = load_predictions(trained.engine, "NFL", SLATE_DAY)
    games_that_day = 13
    assert len(slate) == 3 * games_that_day
    assert set(slate["bet_type"]) == {"moneyline", "spread", "total"}
    assert slate["tier"].isin(["A", "B", "C", "D"]).all()
    assert ((slate["kelly_stake"] >= 0) & (slate["kelly_stake"] <= 0.05)).all()
    priced = slate.dropna(subset=["decimal_odds"])
    expected_edge = priced["probability"] * priced["decimal_odds"] - 1
    assert (priced["edge"] - expected_edge).abs().max() < 1e-9
    assert (slate.loc[slate["edge"] < 0.02, "tier"] == "D").all()
    stored = json.loads((trained.settings.predictions_path / "NFL" / f"{SLATE_DAY}.json").read_text())
    assert len(stored["predictions"]) == len(slate)
    metadata = result.asset_materializations_for_node("predictions__game_predictions")[0].metadata
    shown = [record.data for record in metadata["slate"].value.records]
    assert len(shown) == len(slate) and all("@" in row["game"] and " " not in row["game"] for row in shown)
    assert all(row["line"] is None for row in shown if row["bet"] == "moneyline")
    assert any(row["line"] is not None for row in shown if row["bet"] == "total")
    assert metadata["dagster/row_count"].value == len(slate)
    checks = {check.check_name: check for check in result.get_asset_check_evaluations()}
    assert set(checks) == {"slate_present_on_game_days", "probabilities_and_stakes_in_range"}
    assert all(check.passed for check in checks.values()), checks


def test_predicting_again_keeps_the_earlier_prediction_as_history(trained):
    """The same instant twice replaces; a later run adds re-predictions, and the slate shows the latest."""
    as_of = run_config(prediction=PredictionConfig(as_of="2018-12-23T11:00:00+00:00"))
    before = len(load_predictions(trained.engine, "NFL", SLATE_DAY, history=True))
    for _ in range(2):
        assert trained.run_days("predictions_job", "NFL", SLATE_DAY, SLATE_DAY, config=as_of).success
    assert len(load_predictions(trained.engine, "NFL", SLATE_DAY, history=True)) == before + 3 * 13
    assert trained.run_days("predictions_job", "NFL", SLATE_DAY, SLATE_DAY).success
    latest = load_predictions(trained.engine, "NFL", SLATE_DAY)
    assert len(latest) == 3 * 13
    assert (latest["predicted_at"] > pd.Timestamp("2026-01-01", tz="UTC")).all()


def test_games_after_a_date_change_no_feature_before_it(trained, tmp_path):
    """The point-in-time law at pipeline level: a database holding only the history up to D
    gives the same stored features for games up to D as one holding everything."""
    cutoff = date(2016, 11, 30)
    partial = Pipeline(tmp_path)
    assert partial.run_months("collection_job", "NFL", HISTORY[0], cutoff).success
    full = load_features(trained.engine, "NFL", FEATURE_SET_VERSION, end=cutoff)
    only_past = load_features(partial.engine, "NFL", FEATURE_SET_VERSION, end=cutoff)
    key = ["season", "game_date"]
    full = full.drop(columns="game_id").sort_values([*key, "home_elo"]).reset_index(drop=True)
    only_past = only_past.drop(columns="game_id").sort_values([*key, "home_elo"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(full, only_past[full.columns])
