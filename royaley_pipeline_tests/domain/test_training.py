"""Walk-forward training on a league whose true probabilities are known, and on real NFL games."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from royaley_pipeline.config import PACKAGE_DATA
from royaley_pipeline.domain.metrics import probability_metrics
from royaley_pipeline.domain.trainers import SklearnTrainer
from royaley_pipeline.domain.training import (
    SEASON_METRIC_COLUMNS,
    InsufficientTrainingDataError,
    TrainingService,
)

FEATURES = ["strength_gap", "rest_gap", "noise"]
NFL_GAMES = PACKAGE_DATA / "nflverse" / "games.csv"  # the embedded copy of the shared file


def synthetic_league(
    seasons: range = range(2012, 2019), games_per_season: int = 300, seed: int = 7
) -> pd.DataFrame:
    """Games whose home-win probability is a known logistic function of two features.

    ``true_probability`` is the oracle: no honest model can beat it on average. The market is the
    oracle blurred by noise, priced on 90% of games. Pushes (NaN labels) are sprinkled in.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for season in seasons:
        n = games_per_season
        strength_gap = rng.normal(0, 1, n)
        rest_gap = rng.normal(0, 1, n)
        logit = 0.15 + 1.1 * strength_gap + 0.3 * rest_gap
        probability = 1 / (1 + np.exp(-logit))
        label = (rng.random(n) < probability).astype(float)
        label[rng.random(n) < 0.02] = np.nan
        market = 1 / (1 + np.exp(-(logit + rng.normal(0, 0.25, n))))
        market[rng.random(n) < 0.1] = np.nan
        rest_gap[rng.random(n) < 0.05] = np.nan
        start = pd.Timestamp(f"{season}-09-01", tz="UTC") + pd.to_timedelta(np.arange(n) * 12, unit="h")
        rows.append(
            pd.DataFrame(
                {
                    "game_id": [f"{season}_{i:04d}" for i in range(n)],
                    "season": season,
                    "start_time": start,
                    "strength_gap": strength_gap,
                    "rest_gap": rest_gap,
                    "noise": rng.normal(0, 1, n),
                    "home_win": label,
                    "market_home_win_probability": market,
                    "true_probability": probability,
                }
            )
        )
    return pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def run_service(frame: pd.DataFrame, **options) -> object:
    trainer = options.pop("trainer", SklearnTrainer("logistic"))
    features = options.pop("features", FEATURES)
    service = TrainingService(trainer, first_test_season=options.pop("first_test_season", 2015), **options)
    return service.run(frame, features, "home_win", "market_home_win_probability")


@pytest.fixture(scope="module")
def league() -> pd.DataFrame:
    return synthetic_league()


@pytest.fixture(scope="module")
def result(league):
    return run_service(league)


def test_every_test_season_game_is_predicted_once_by_a_model_that_never_saw_it(league, result):
    labelled = league[league["home_win"].notna() & (league["season"] >= 2015)]
    assert sorted(result.out_of_fold["game_id"]) == sorted(labelled["game_id"])
    assert result.out_of_fold["season"].min() == 2015
    assert result.out_of_fold["probability"].between(0, 1).all()
    assert set(result.calibration_methods) == {2015, 2016, 2017, 2018}
    assert set(result.fold_models) == {2015, 2016, 2017, 2018}


def test_model_recovers_the_known_signal(league, result):
    oracle = league.set_index("game_id").loc[result.out_of_fold["game_id"], "true_probability"].to_numpy()
    oracle_loss = probability_metrics(result.out_of_fold["label"], oracle)["log_loss"]
    assert result.overall["model_log_loss"] < 0.62  # a coin scores 0.693
    assert result.overall["model_log_loss"] - oracle_loss < 0.015
    assert result.overall["model_auc"] > 0.75


def test_season_metrics_compare_model_and_market_on_the_same_games(result):
    metrics = result.season_metrics
    assert list(metrics.columns) == list(SEASON_METRIC_COLUMNS)
    assert metrics["season"].tolist() == [2015, 2016, 2017, 2018]
    assert (metrics["market_n"] < metrics["n"]).all()  # unpriced games are left out of the market side
    oof = result.out_of_fold
    season = oof[(oof["season"] == 2016) & oof["market_probability"].notna()]
    row = metrics.set_index("season").loc[2016]
    expected = probability_metrics(season["label"], season["probability"])
    assert row["model_log_loss_on_market_games"] == pytest.approx(expected["log_loss"])
    assert row["market_n"] == len(season)
    assert set(result.overall) == set(SEASON_METRIC_COLUMNS) - {"season"}
    assert result.overall["n"] == metrics["n"].sum()


def test_production_model_uses_every_season_and_predicts_from_a_feature_frame(league, result):
    assert result.data_window["first_season"] == 2012
    assert result.data_window["last_season"] == 2018
    assert result.data_window["first_start_time"].startswith("2012-09-01")
    upcoming = league.head(20)[FEATURES + ["game_id"]]
    probability = result.predict_probability(upcoming)
    assert probability.shape == (20,)
    assert result.production_calibration.method in ("sigmoid", "isotonic")
    assert result.params["framework"] == "sklearn"
    assert result.params["model_C"] == 0.1
    assert list(result.input_example.columns) == FEATURES


def test_sliding_window_trains_on_the_latest_seasons_only(league):
    result = run_service(league, window="sliding", window_seasons=2, calibration="sigmoid")
    assert result.data_window["first_season"] == 2017
    assert set(result.calibration_methods.values()) == {"sigmoid"}


def test_gradient_boosting_trainer_runs_through_the_same_service():
    small = synthetic_league(range(2014, 2017), games_per_season=250)
    trainer = SklearnTrainer("hist_gradient_boosting", max_iter=40)
    result = run_service(
        small, trainer=trainer, first_test_season=2016, calibration="sigmoid", calibration_folds=3
    )
    assert result.overall["model_log_loss"] < 0.66
    assert result.params["trainer"] == "sklearn-hist-gradient-boosting"


def test_too_little_history_is_refused_with_the_counts(league):
    with pytest.raises(InsufficientTrainingDataError, match="before the first test season 2030"):
        run_service(league, first_test_season=2030)
    with pytest.raises(InsufficientTrainingDataError, match=r"\d+ labelled games .*need at least 5000"):
        run_service(league, min_training_rows=5000)


def test_bad_inputs_are_named(league):
    with pytest.raises(KeyError, match="missing_feature"):
        TrainingService(SklearnTrainer(), 2015).run(
            league, ["missing_feature"], "home_win", "market_home_win_probability"
        )
    broken = league.assign(home_win=league["home_win"].replace(1.0, 2.0))
    with pytest.raises(ValueError, match="must hold 1, 0 or NaN"):
        run_service(broken)


def nfl_home_win_frame() -> pd.DataFrame:
    """Real NFL games: the closing spread as the only feature, the de-vigged moneyline as market."""
    games = pd.read_csv(NFL_GAMES)
    games = games[games["season"].between(2009, 2024) & games["result"].notna()]

    def implied(american: pd.Series) -> pd.Series:
        return pd.Series(
            np.where(american < 0, -american / (100 - american), 100 / (american + 100)), index=american.index
        )

    home, away = implied(games["home_moneyline"]), implied(games["away_moneyline"])
    kickoff = pd.to_datetime(games["gameday"] + " " + games["gametime"].fillna("13:00"))
    return pd.DataFrame(
        {
            "game_id": games["game_id"],
            "season": games["season"],
            "start_time": kickoff.dt.tz_localize("America/New_York").dt.tz_convert("UTC"),
            "closing_spread_home": -games["spread_line"],  # nflverse spread_line > 0 means home favoured
            "home_win": np.select([games["result"] > 0, games["result"] < 0], [1.0, 0.0], np.nan),
            "market_home_win_probability": home / (home + away),
        }
    )


@pytest.mark.skipif(not NFL_GAMES.exists(), reason="shared NFL data not present")
def test_real_nfl_walk_forward_sits_near_the_closing_market():
    """A leak guard, not a target: a spread-only model cannot honestly beat the market by much."""
    frame = nfl_home_win_frame()
    result = TrainingService(SklearnTrainer("logistic"), first_test_season=2015).run(
        frame, ["closing_spread_home"], "home_win", "market_home_win_probability"
    )
    overall = result.overall
    assert result.season_metrics["season"].tolist() == list(range(2015, 2025))
    assert overall["market_n"] == 2733  # ties excluded, as in the design's reference table
    assert overall["market_brier"] == pytest.approx(0.2123, abs=0.0005)
    assert 0.20 <= overall["model_brier"] <= 0.23
    assert abs(overall["model_brier_on_market_games"] - overall["market_brier"]) < 0.005
