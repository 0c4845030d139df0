"""H2O and AutoGluon models through real Dagster runs: trained, reported, registered, then scored
by the predictions asset after the H2O cluster is gone (the MOJO needs only java)."""

from datetime import date

import h2o
import pytest
from mlflow import MlflowClient

from royaley_pipeline.launch import MODEL_OP
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.games import count_rows
from royaley_pipeline.storage.predictions import load_predictions
from royaley_pipeline_tests.assets.conftest import Pipeline

HISTORY = (date(2014, 9, 1), date(2018, 2, 28))  # seasons 2014-2017
SLATE_DAY = date(2017, 12, 24)
SMALL = {"first_test_season": 2017, "calibration": "sigmoid"}  # one walk-forward season + production


@pytest.fixture(scope="module")
def collected(tmp_path_factory, h2o_cluster) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("frameworks"))  # built after ROYALEY_H2O_URL is set
    result = pipeline.run_months("collection_job", "NFL", *HISTORY)
    assert result.success, failure_message(result)
    return pipeline


def client_for(pipeline: Pipeline) -> MlflowClient:
    uri = pipeline.settings.mlflow_tracking_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


@pytest.fixture(scope="module")
def h2o_spread(collected):
    result = collected.train("NFL", "spread", framework="h2o", algorithm="gbm", **SMALL)
    assert result.success, failure_message(result)
    return result.asset_materializations_for_node(MODEL_OP)[0].metadata


@pytest.fixture(scope="module")
def autogluon_moneyline(collected):
    result = collected.train("NFL", "moneyline", framework="autogluon", max_runtime_seconds=8, **SMALL)
    assert result.success, failure_message(result)
    return result.asset_materializations_for_node(MODEL_OP)[0].metadata


def test_h2o_model_is_registered_with_its_mojo_and_reports(collected, h2o_spread, h2o_cluster):
    client = client_for(collected)
    champion = client.get_model_version_by_alias("royaley-nfl-spread", "champion")
    assert champion.tags["framework"] == "h2o"
    run = client.get_run(champion.run_id)
    assert run.data.params["trainer"] == "h2o-gbm"
    assert run.data.params["production_calibration"] == "sigmoid"
    artifacts = {item.path for item in client.list_artifacts(champion.run_id, "h2o_mojo")}
    assert artifacts == {"h2o_mojo/model_0.zip"}
    reports = {item.path for item in client.list_artifacts(champion.run_id, "report")}
    assert {"report/reliability_diagram.png", "report/bankroll_curve.png", "report/backtest.md"} <= reports
    assert 0.0 <= run.data.metrics["overall_model_ece"] < 0.2
    assert 0.2 < run.data.metrics["pick_hit_rate_model"] < 0.8
    assert "| forecast" in h2o_spread["pick_hit_rates"].value  # ATS with Wilson interval
    assert "Elo baseline" in h2o_spread["overall_comparison"].value
    assert h2o_spread["plot_reliability_diagram"].value.startswith("![reliability_diagram.png](data:image/png;base64,")
    assert h2o_spread["framework"].value == "h2o"
    # The cluster was reached by URL, so the run must have left it running.
    assert h2o.cluster().is_running()


def test_autogluon_model_is_registered_and_compared_with_the_market(collected, autogluon_moneyline):
    client = client_for(collected)
    champion = client.get_model_version_by_alias("royaley-nfl-moneyline", "champion")
    assert champion.tags["framework"] == "autogluon"
    metrics = client.get_run(champion.run_id).data.metrics
    assert metrics["overall_model_brier_on_market_games"] > metrics["overall_market_brier"] - 0.01
    assert metrics["overall_model_brier"] < 0.26
    assert "backtest_ABC_bets" in metrics
    assert "| tiers" in autogluon_moneyline["backtest"].value
    assert autogluon_moneyline["framework"].value == "autogluon"


def test_predictions_score_both_champions_with_no_h2o_cluster_running(
    collected, h2o_spread, autogluon_moneyline, h2o_cluster
):
    h2o_cluster.shutdown()
    assert not h2o.connection().connected
    result = collected.run_days("predictions_job", "NFL", SLATE_DAY, SLATE_DAY)
    assert result.success, failure_message(result)
    slate = load_predictions(collected.engine, "NFL", SLATE_DAY)
    assert set(slate["bet_type"]) == {"moneyline", "spread"}  # total has no champion here
    games_that_day = count_rows(collected.engine, "NFL", SLATE_DAY, SLATE_DAY)["games"]
    for bet_type, metadata in (("spread", h2o_spread), ("moneyline", autogluon_moneyline)):
        rows = slate[slate["bet_type"] == bet_type]
        assert len(rows) == games_that_day
        assert rows["probability"].between(0.01, 0.99).all()
        assert rows["probability"].nunique() > 5  # a real model, game by game
        assert set(rows["model_version"]) == {str(metadata["model_version"].value)}
