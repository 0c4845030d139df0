"""Trainers: recipes that build an unfitted probability estimator for one framework.

The training service, calibration and the registry only see this protocol, so H2O or AutoGluon
trainers can join later without touching walk-forward or calibration code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from royaley_pipeline.domain.holdout import choose_on_last_season


@runtime_checkable
class Trainer(Protocol):
    """What the training service needs from any framework."""

    @property
    def name(self) -> str:
        """Short identifier, e.g. ``sklearn-logistic``, used in run names and tags."""
        ...

    @property
    def framework(self) -> str:
        """The library that fits the model (``sklearn``, ``h2o``, ``autogluon``)."""
        ...

    @property
    def params(self) -> dict[str, Any]:
        """Every hyper-parameter that shapes the model, for the experiment record."""
        ...

    def build(self) -> BaseEstimator:
        """A fresh, unfitted estimator with ``fit`` and ``predict_proba`` on a feature DataFrame."""
        ...


# Optional members a trainer may add (looked up with getattr by the training service):
#   calibration_folds: int   folds for the calibrator; expensive AutoML frameworks ask for fewer
#   tuned(features, outcomes, seasons) -> (Trainer, dict)   a trainer with hyper-parameters chosen on
#                            the rows it is given (training rows only), and a record of the choice


# Defaults are conservative on purpose: a season of one sport holds a few hundred to a few
# thousand games, and the market is a strong baseline, so variance costs more than bias here.
LOGISTIC_DEFAULTS: dict[str, Any] = {"C": 0.1, "max_iter": 2000}
HIST_GRADIENT_BOOSTING_DEFAULTS: dict[str, Any] = {
    "learning_rate": 0.05,
    "max_iter": 150,
    "max_depth": 3,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 50,
    "l2_regularization": 1.0,
    "early_stopping": False,  # its random validation split would ignore time order
    "random_state": 0,
}
ALGORITHM_DEFAULTS = {"logistic": LOGISTIC_DEFAULTS, "hist_gradient_boosting": HIST_GRADIENT_BOOSTING_DEFAULTS}

# A few values per algorithm, never a wide sweep: each candidate is one more fit per fold, and with
# a few thousand games per sport a wide search mostly fits the noise of the inner hold-out season.
SEARCH_GRIDS: dict[str, dict[str, list[Any]]] = {
    "logistic": {"C": [0.01, 0.1, 1.0]},
    "hist_gradient_boosting": {"max_depth": [2, 3]},
}


class SklearnTrainer:
    """scikit-learn models wrapped in a Pipeline that owns its own preprocessing.

    Imputation and scaling live inside the Pipeline so that they are refitted on each training
    fold and can never learn from the games being predicted. Missing values become an indicator
    column as well as a median, because in betting data a missing value often means something
    (no line posted, no weather for a dome) — see `MissingIndicators` for which columns get one.
    """

    framework = "sklearn"

    def __init__(self, algorithm: str = "logistic", search: bool = False, **params: Any) -> None:
        if algorithm not in ALGORITHM_DEFAULTS:
            raise ValueError(f"unknown algorithm {algorithm!r}; choose one of {sorted(ALGORITHM_DEFAULTS)}")
        self.algorithm = algorithm
        self.search = search
        self._estimator_params = {**ALGORITHM_DEFAULTS[algorithm], **params}
        self.build()  # fail now, not mid-training, on a misspelt parameter

    def tuned(
        self,
        features: pd.DataFrame,
        outcomes: Sequence[int] | np.ndarray,
        seasons: Sequence[int] | np.ndarray,
    ) -> tuple[SklearnTrainer, dict[str, Any]]:
        """This trainer with the grid value that scored best on the last season of the rows given.

        The caller passes training rows only, so the choice never sees the test season: every
        candidate is fitted on the earlier training seasons and scored (log loss) on the last one
        (``choose_on_last_season``). Without a search, or without a split to choose on, the trainer
        comes back unchanged.
        """
        if not self.search:
            return self, {"searched": False}
        (parameter, values), = SEARCH_GRIDS[self.algorithm].items()

        def candidate(value: Any) -> Pipeline:
            return SklearnTrainer(self.algorithm, **{**self._estimator_params, parameter: value}).build()

        choice = choose_on_last_season(values, candidate, features, outcomes, seasons)
        if choice.best is None:
            return self, {"searched": False, "reason": choice.reason}
        chosen = SklearnTrainer(self.algorithm, **{**self._estimator_params, parameter: choice.best})
        return chosen, {
            "searched": True,
            "parameter": parameter,
            "chosen": choice.best,
            "holdout_season": choice.season,
            "holdout_log_loss": {str(value): score for value, score in choice.log_loss.items()},
        }

    @property
    def name(self) -> str:
        return f"sklearn-{self.algorithm.replace('_', '-')}"

    @property
    def params(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "search": self.search, **self._estimator_params}

    def build(self) -> Pipeline:
        if self.algorithm == "logistic":
            return Pipeline([
                ("prepare", FeatureUnion([
                    ("values", Pipeline([
                        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                        ("scale", StandardScaler()),
                    ])),
                    ("missing", MissingIndicators()),
                ])),
                ("classify", LogisticRegression(**self._estimator_params)),
            ])
        # Gradient boosting splits on raw values and routes NaN natively: no imputer or scaler.
        return Pipeline([
            ("drop_empty", DropEmptyColumns()),
            ("classify", HistGradientBoostingClassifier(**self._estimator_params)),
        ])

    def __repr__(self) -> str:
        overrides = ", ".join(f"{key}={value!r}" for key, value in self._estimator_params.items())
        return f"SklearnTrainer({self.algorithm!r}, {overrides})"


ELO_BASELINE_COLUMN = "home_elo_win_probability"


class EloBaselineTrainer:
    """The quickest real model: a logistic regression on the Elo win probability alone.

    It is what ``--mock`` trains (pipelines can be exercised in seconds with a genuine, fitted,
    calibrated model) and the Elo-only baseline every report compares with, on the same games.
    For spread and total it learns how far Elo's home-win view moves the cover or over rate,
    which is little: that weakness is the honest point of a baseline.
    """

    framework = "sklearn"
    calibration_folds = 3

    def __init__(self, column: str = ELO_BASELINE_COLUMN, C: float = 1.0) -> None:
        self.column = column
        self.C = C

    @property
    def name(self) -> str:
        return "elo-baseline-logistic"

    @property
    def params(self) -> dict[str, Any]:
        return {"algorithm": "logistic", "input_column": self.column, "C": self.C}

    def build(self) -> Pipeline:
        return Pipeline([
            ("select", ColumnTransformer([("elo", "passthrough", [self.column])])),
            ("impute", SimpleImputer(strategy="constant", fill_value=0.5, keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("classify", LogisticRegression(C=self.C, max_iter=1000)),
        ])

    def __repr__(self) -> str:
        return f"EloBaselineTrainer({self.column!r}, C={self.C!r})"


class MissingIndicators(TransformerMixin, BaseEstimator):
    """0/1 columns saying a value is missing, unscaled, for the features missing in at least
    ``min_share`` of the training rows (and not in all of them).

    A rarer missingness teaches nothing and is dangerous: over the NFL seasons since 2019 the
    opening spread is missing for 1 or 2 games in 1,500 (nfelo has the rest; before 2009 it has
    none, a missingness common enough to learn from) and for every game collected live. Scikit-
    learn's own indicator, standardised with the values, turned that into a 30-standard-deviation
    input on every live game and a 0.95 home-win probability on every replayed Sunday; unscaled but
    learned from one game it still moved predictions by 10 points. Without an indicator such a value
    is simply imputed with the training median.
    """

    def __init__(self, min_share: float = 0.01) -> None:
        self.min_share = min_share

    def fit(self, X, y=None) -> MissingIndicators:  # noqa: N803 (scikit-learn's argument name)
        share = np.isnan(np.asarray(X, dtype=float)).mean(axis=0)
        self.columns_ = np.flatnonzero((share >= self.min_share) & (share < 1.0))
        return self

    def transform(self, X) -> np.ndarray:  # noqa: N803
        return np.isnan(np.asarray(X, dtype=float)[:, self.columns_]).astype(float)


class DropEmptyColumns(TransformerMixin, BaseEstimator):
    """Drops the columns with no value at all in the training data.

    Gradient boosting routes NaN natively, but scikit-learn's binning fails on a column that is
    entirely missing (injury features before any report was collected, say). A column empty in
    training carries nothing to learn from, so it is dropped, as fitted state, for scoring too.
    """

    def fit(self, features, y=None):
        frame = pd.DataFrame(features)
        self.kept_columns_ = [column for column in frame.columns if frame[column].notna().any()]
        return self

    def transform(self, features):
        return pd.DataFrame(features)[self.kept_columns_]
