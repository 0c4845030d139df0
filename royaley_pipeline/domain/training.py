"""Walk-forward training: fit per season, score against the market, then fit the production model.

The out-of-fold probabilities are what a bettor would have seen at the time, so every claim about
a model (its log loss, its edge over the closing line) is made on them and only on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from royaley_pipeline.domain.calibration import CalibrationChoice, fit_calibrated
from royaley_pipeline.domain.metrics import expected_calibration_error, probability_metrics
from royaley_pipeline.domain.trainers import EloBaselineTrainer, Trainer
from royaley_pipeline.domain.walk_forward import Window, season_folds, training_seasons_before

SEASON_METRIC_COLUMNS = (
    "season",
    "n",
    "model_log_loss",
    "model_brier",
    "model_accuracy",
    "model_auc",
    "market_n",
    "market_log_loss",
    "market_brier",
    "market_accuracy",
    "market_auc",
    "model_log_loss_on_market_games",
    "model_brier_on_market_games",
    "model_ece",
    "market_ece",
    "baseline_log_loss",
    "baseline_brier",
    "baseline_accuracy",
    "baseline_auc",
)
OUT_OF_FOLD_COLUMNS = (
    "game_id", "season", "start_time", "probability", "market_probability", "baseline_probability", "label",
)


class InsufficientTrainingDataError(ValueError):
    """Raised when the data cannot support an honest walk-forward evaluation."""


@dataclass
class TrainingResult:
    """Everything a training run produced: the production model and the evidence for it."""

    model: BaseEstimator
    feature_columns: list[str]
    season_metrics: pd.DataFrame
    overall: dict[str, float]
    out_of_fold: pd.DataFrame
    calibration_methods: dict[int, str]
    data_window: dict[str, Any]
    params: dict[str, Any]
    production_calibration: CalibrationChoice | None = None
    calibration_choices: dict[int, CalibrationChoice] = field(default_factory=dict)
    fold_models: dict[int, BaseEstimator] = field(default_factory=dict, repr=False)
    input_example: pd.DataFrame | None = field(default=None, repr=False)
    tuning: dict[str, dict[str, Any]] = field(default_factory=dict)

    def predict_probability(self, frame: pd.DataFrame) -> np.ndarray:
        """Probability of the labelled event for each row of ``frame`` (extra columns ignored)."""
        return self.model.predict_proba(frame[self.feature_columns])[:, 1]


def forecast_comparison(out_of_fold: pd.DataFrame) -> dict[str, float]:
    """Model and market scores on one set of games, like for like.

    Games without a market price still count for the model, but the model is also scored on the
    market-priced subset alone so that the two are compared on the same games.
    """
    model = probability_metrics(out_of_fold["label"], out_of_fold["probability"])
    priced = out_of_fold[out_of_fold["market_probability"].notna()]
    market = probability_metrics(priced["label"], priced["market_probability"])
    model_on_priced = probability_metrics(priced["label"], priced["probability"])
    scores = {
        "n": model["n"],
        **{f"model_{name}": model[name] for name in ("log_loss", "brier", "accuracy", "auc")},
        "market_n": market["n"],
        **{f"market_{name}": market[name] for name in ("log_loss", "brier", "accuracy", "auc")},
        "model_log_loss_on_market_games": model_on_priced["log_loss"],
        "model_brier_on_market_games": model_on_priced["brier"],
        "model_ece": expected_calibration_error(out_of_fold["label"], out_of_fold["probability"]),
        "market_ece": expected_calibration_error(priced["label"], priced["market_probability"]),
    }
    names = ("log_loss", "brier", "accuracy", "auc")
    scores.update({f"baseline_{name}": float("nan") for name in names})
    if "baseline_probability" in out_of_fold and out_of_fold["baseline_probability"].notna().all():
        baseline = probability_metrics(out_of_fold["label"], out_of_fold["baseline_probability"])
        scores.update({f"baseline_{name}": baseline[name] for name in names})
    return scores


@dataclass
class TrainingService:
    """Walk-forward evaluation by season followed by a production fit on the same terms.

    For each season S from ``first_test_season`` on, a fresh model (preprocessing, base model and
    calibrator) is fitted on earlier seasons only and predicts S. The production model is then
    fitted the same way on the seasons a model for the next, unseen season would use.
    """

    trainer: Trainer
    first_test_season: int
    window: Window = "expanding"
    calibration: str = "auto"
    window_seasons: int | None = None
    calibration_folds: int = 5
    min_training_rows: int = 200
    baseline: Trainer | None = None

    def run(
        self,
        frame: pd.DataFrame,
        feature_columns: Sequence[str],
        label_column: str,
        market_probability_column: str,
    ) -> TrainingResult:
        feature_columns = list(feature_columns)
        games = self._labelled_games(frame, feature_columns, label_column, market_probability_column)
        seasons = games["season"].to_numpy()
        folds = season_folds(seasons, self.first_test_season, self.window, self.window_seasons)
        if not folds:
            counts = games["season"].value_counts().sort_index().to_dict()
            raise InsufficientTrainingDataError(
                f"walk-forward needs at least one labelled season before the first test season "
                f"{self.first_test_season} and one from it on; labelled games per season: {counts}"
            )

        baseline = self.baseline
        if baseline is None and EloBaselineTrainer().column in games:
            baseline = EloBaselineTrainer()
        predictions, fold_models, choices, tuning = [], {}, {}, {}
        for fold in folds:
            training = games[games["season"].isin(fold.train_seasons)]
            testing = games[games["season"] == fold.test_season]
            model, choice, tuning[str(fold.test_season)] = self._fit(
                training, feature_columns, purpose=f"test season {fold.test_season}"
            )
            fold_models[fold.test_season] = model
            choices[fold.test_season] = choice
            baseline_probability = np.full(len(testing), np.nan)
            if baseline is not None:
                baseline_model, _ = fit_calibrated(
                    baseline.build(), training, training["label"].to_numpy(dtype=int),
                    training["season"].to_numpy(), method="sigmoid", folds=3,
                )
                baseline_probability = baseline_model.predict_proba(testing)[:, 1]
            predictions.append(
                pd.DataFrame(
                    {
                        "game_id": testing["game_id"].to_numpy(),
                        "season": testing["season"].to_numpy(),
                        "start_time": testing["start_time"].to_numpy(),
                        "probability": model.predict_proba(testing[feature_columns])[:, 1],
                        "market_probability": testing["market_probability"].to_numpy(),
                        "baseline_probability": baseline_probability,
                        "label": testing["label"].to_numpy(),
                    }
                )
            )
        out_of_fold = pd.concat(predictions, ignore_index=True)

        production_seasons = training_seasons_before(
            seasons, int(seasons.max()) + 1, self.window, self.window_seasons
        )
        production_rows = games[games["season"].isin(production_seasons)]
        production_model, production_choice, tuning["production"] = self._fit(
            production_rows, feature_columns, "production"
        )

        season_metrics = pd.DataFrame(
            [
                {"season": season, **forecast_comparison(group)}
                for season, group in out_of_fold.groupby("season", sort=True)
            ],
            columns=list(SEASON_METRIC_COLUMNS),
        )
        example = production_rows[feature_columns]
        complete = example.dropna()
        return TrainingResult(
            model=production_model,
            feature_columns=feature_columns,
            season_metrics=season_metrics,
            overall=forecast_comparison(out_of_fold),
            out_of_fold=out_of_fold,
            calibration_methods={season: choice.method for season, choice in choices.items()},
            data_window={
                "first_season": int(production_rows["season"].min()),
                "last_season": int(production_rows["season"].max()),
                "first_start_time": production_rows["start_time"].min().isoformat(),
                "last_start_time": production_rows["start_time"].max().isoformat(),
                "games": len(production_rows),
            },
            params=self._params(),
            production_calibration=production_choice,
            calibration_choices=choices,
            fold_models=fold_models,
            input_example=(complete if len(complete) else example).tail(5).reset_index(drop=True),
            tuning=tuning,
        )

    def _fit(
        self, training: pd.DataFrame, feature_columns: list[str], purpose: str
    ) -> tuple[BaseEstimator, CalibrationChoice, dict[str, Any]]:
        """Tune (if the trainer can), choose the calibration and fit, all on ``training`` alone."""
        n_rows, n_outcomes = len(training), training["label"].nunique()
        if n_rows < self.min_training_rows or n_outcomes < 2:
            raise InsufficientTrainingDataError(
                f"too little training data for the {purpose}: {n_rows} labelled games with "
                f"{n_outcomes} distinct outcome(s) (need at least {self.min_training_rows} games and both outcomes)"
            )
        outcomes, seasons = training["label"].to_numpy(dtype=int), training["season"].to_numpy()
        trainer, tuning = self.trainer, {"searched": False}
        if hasattr(trainer, "tuned"):
            trainer, tuning = trainer.tuned(training[feature_columns], outcomes, seasons)
        model, choice = fit_calibrated(
            trainer.build(),
            training[feature_columns],
            outcomes,
            seasons,
            method=self.calibration,
            folds=self._calibration_folds(),
        )
        return model, choice, tuning

    def _calibration_folds(self) -> int:
        return int(getattr(self.trainer, "calibration_folds", None) or self.calibration_folds)

    def _labelled_games(
        self,
        frame: pd.DataFrame,
        feature_columns: list[str],
        label_column: str,
        market_probability_column: str,
    ) -> pd.DataFrame:
        """Games with a result, in kick-off order, under the service's own column names.

        Pushes, ties and unplayed games carry no label and are dropped: they are neither wins nor
        losses for the bet being modelled.
        """
        required = [
            "game_id",
            "season",
            "start_time",
            label_column,
            market_probability_column,
            *feature_columns,
        ]
        missing = [column for column in required if column not in frame.columns]
        if missing:
            raise KeyError(f"training frame lacks columns {missing}")
        if not feature_columns:
            raise ValueError("feature_columns is empty")
        reserved = sorted(set(feature_columns) & set(OUT_OF_FOLD_COLUMNS))
        if reserved:
            raise ValueError(
                f"feature columns {reserved} clash with the service's own column names; rename them"
            )
        games = pd.DataFrame(
            {
                "game_id": frame["game_id"],
                "season": frame["season"].astype(int),
                "start_time": pd.to_datetime(frame["start_time"], utc=True),
                "label": pd.to_numeric(frame[label_column], errors="coerce"),
                "market_probability": pd.to_numeric(frame[market_probability_column], errors="coerce"),
            }
        )
        # The Elo-only baseline reads its column even when the model under test does not.
        extra = [c for c in (EloBaselineTrainer().column,) if c in frame.columns and c not in feature_columns]
        features = frame[[*feature_columns, *extra]].astype(float)
        games = pd.concat([games, features], axis=1)
        games = games[games["label"].notna()]
        if not games["label"].isin((0, 1)).all():
            raise ValueError(f"label column {label_column!r} must hold 1, 0 or NaN")
        games["label"] = games["label"].astype(int)
        return games.sort_values(["start_time", "game_id"], kind="stable").reset_index(drop=True)

    def _params(self) -> dict[str, Any]:
        return {
            "trainer": self.trainer.name,
            "framework": self.trainer.framework,
            "first_test_season": self.first_test_season,
            "walk_forward_window": self.window,
            "window_seasons": self.window_seasons,
            "calibration": self.calibration,
            "calibration_folds": self._calibration_folds(),
            **{f"model_{name}": value for name, value in self.trainer.params.items()},
        }
