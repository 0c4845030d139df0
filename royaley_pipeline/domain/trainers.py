"""Trainers: recipes that build an unfitted probability estimator for one framework.

The training service, calibration and the registry only see this protocol, so H2O or AutoGluon
trainers can join later without touching walk-forward or calibration code.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


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


class SklearnTrainer:
    """scikit-learn models wrapped in a Pipeline that owns its own preprocessing.

    Imputation and scaling live inside the Pipeline so that they are refitted on each training
    fold and can never learn from the games being predicted. Missing values become an indicator
    column as well as a median, because in betting data a missing value often means something
    (no line posted, no weather for a dome).
    """

    framework = "sklearn"

    def __init__(self, algorithm: str = "logistic", **params: Any) -> None:
        if algorithm not in ALGORITHM_DEFAULTS:
            raise ValueError(f"unknown algorithm {algorithm!r}; choose one of {sorted(ALGORITHM_DEFAULTS)}")
        self.algorithm = algorithm
        self._estimator_params = {**ALGORITHM_DEFAULTS[algorithm], **params}
        self.build()  # fail now, not mid-training, on a misspelt parameter

    @property
    def name(self) -> str:
        return f"sklearn-{self.algorithm.replace('_', '-')}"

    @property
    def params(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, **self._estimator_params}

    def build(self) -> Pipeline:
        if self.algorithm == "logistic":
            return Pipeline([
                ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
                ("scale", StandardScaler()),
                ("classify", LogisticRegression(**self._estimator_params)),
            ])
        # Gradient boosting splits on raw values and routes NaN natively: no imputer or scaler.
        return Pipeline([("classify", HistGradientBoostingClassifier(**self._estimator_params))])

    def __repr__(self) -> str:
        overrides = ", ".join(f"{key}={value!r}" for key, value in self._estimator_params.items())
        return f"SklearnTrainer({self.algorithm!r}, {overrides})"
