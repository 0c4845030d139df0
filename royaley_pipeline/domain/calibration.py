"""Calibration: turn a model's scores into probabilities that can be staked on.

Both the choice of method and the fit use training seasons only. The recipe:

* Final fit: ``CalibratedClassifierCV(cv=KFold(k), ensemble=False)`` on the training seasons.
  The base model's out-of-fold predictions (contiguous, time-ordered blocks: KFold without
  shuffling) train one calibrator, then the base model is refitted on all training rows. The
  result is a plain scikit-learn object (it pickles and loads without this package) whose base
  model uses every training season, including the most recent one, which matters most.
* Why not ``cv=TimeSeriesSplit``: with ``ensemble=False`` scikit-learn calls
  ``cross_val_predict``, which needs every row predicted exactly once; TimeSeriesSplit never
  predicts its first block, so it fails. Why not ``FrozenEstimator`` on a held-out last season
  for the final model: the base model would then never learn from the latest season.
* Choice (``method="auto"``): the same recipe is fitted for each candidate on all training
  seasons but the last, and scored by log loss on that last training season. This is a
  time-ordered inner split: the held-out season plays the role of "the future" without the
  real test season ever being touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import KFold

from royaley_pipeline.domain.holdout import choose_on_last_season

CANDIDATE_METHODS = ("sigmoid", "isotonic")
FIXED_METHODS = ("sigmoid", "isotonic", "temperature", "none")
DEFAULT_METHOD = "sigmoid"
"""Used when there is no held-out season to choose with: two parameters cannot overfit much."""


@dataclass(frozen=True)
class CalibrationChoice:
    """Which calibration a model got, why, and the held-out log loss of each candidate."""

    method: str
    reason: str
    validation_log_loss: dict[str, float] = field(default_factory=dict)
    validation_season: int | None = None


def calibrated_estimator(estimator: BaseEstimator, method: str, folds: int = 5) -> BaseEstimator:
    """An unfitted estimator that calibrates ``estimator`` with ``method`` on its own training data."""
    if method not in FIXED_METHODS:
        raise ValueError(f"unknown calibration method {method!r}; choose one of {FIXED_METHODS} or 'auto'")
    if method == "none":
        return clone(estimator)
    return CalibratedClassifierCV(
        estimator=clone(estimator), method=method, cv=KFold(n_splits=folds, shuffle=False), ensemble=False
    )


def choose_calibration_method(
    estimator: BaseEstimator,
    features: pd.DataFrame,
    outcomes: Sequence[int] | np.ndarray | pd.Series,
    seasons: Sequence[int] | np.ndarray | pd.Series,
    candidates: Sequence[str] = CANDIDATE_METHODS,
    folds: int = 5,
    min_rows: int = 100,
) -> CalibrationChoice:
    """Pick the candidate with the lowest log loss on the last training season.

    Rows must be training rows only and in time order. Ties go to the earlier candidate (sigmoid
    by default), the simpler method.
    """
    choice = choose_on_last_season(
        candidates, lambda method: calibrated_estimator(estimator, method, folds), features, outcomes, seasons,
        min_rows=min_rows,
    )
    if choice.best is None:
        return CalibrationChoice(DEFAULT_METHOD, choice.reason)
    return CalibrationChoice(choice.best, choice.reason, choice.log_loss, choice.season)


def fit_calibrated(
    estimator: BaseEstimator,
    features: pd.DataFrame,
    outcomes: Sequence[int] | np.ndarray | pd.Series,
    seasons: Sequence[int] | np.ndarray | pd.Series,
    method: str = "auto",
    folds: int = 5,
) -> tuple[BaseEstimator, CalibrationChoice]:
    """Choose (if ``method="auto"``) and fit a calibrated model on training rows only.

    The caller passes training rows only, in time order; nothing here can reach the test season
    because nothing here receives it.
    """
    y = np.asarray(outcomes, dtype=int)
    if method == "auto":
        choice = choose_calibration_method(estimator, features, y, seasons, folds=folds)
    else:
        calibrated_estimator(estimator, method, folds)  # validates the name
        choice = CalibrationChoice(method, "fixed by configuration")
    model = calibrated_estimator(estimator, choice.method, folds).fit(features, y)
    return model, choice
