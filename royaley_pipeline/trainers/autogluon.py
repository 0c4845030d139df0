"""AutoGluon tabular behind the Trainer protocol, bounded in time and in model families.

The preset is ``medium_quality`` restricted to LightGBM and a linear model, without bagging or
stacking: on a few thousand games per sport, the larger presets mostly add training time. The
fitted predictor folder travels inside the estimator as a compressed archive, so the model can be
logged to MLflow and loaded elsewhere like any other.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from royaley_pipeline.trainers.frames import as_float_frame

LABEL = "royaley_label"
PRESET = "medium_quality"
MODEL_FAMILIES: dict[str, Any] = {"GBM": {}, "LR": {}}


class AutoGluonProbabilityModel(ClassifierMixin, BaseEstimator):
    """A binary AutoGluon TabularPredictor as a scikit-learn classifier."""

    def __init__(self, time_limit_seconds: int = 60, presets: str = PRESET, seed: int = 0) -> None:
        self.time_limit_seconds = time_limit_seconds
        self.presets = presets
        self.seed = seed

    def fit(self, features: pd.DataFrame, outcomes) -> AutoGluonProbabilityModel:
        from autogluon.tabular import TabularPredictor

        frame = as_float_frame(features)
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.classes_ = np.array([0, 1])
        folder = Path(tempfile.mkdtemp(prefix="royaley_autogluon_"))
        try:
            predictor = TabularPredictor(
                label=LABEL, path=str(folder / "predictor"), problem_type="binary",
                eval_metric="log_loss", verbosity=0,
            ).fit(
                frame.assign(**{LABEL: np.asarray(outcomes, dtype=int)}),
                time_limit=int(self.time_limit_seconds),
                presets=self.presets,
                hyperparameters=MODEL_FAMILIES,
                num_bag_folds=0,
                num_stack_levels=0,
                dynamic_stacking=False,
                fit_weighted_ensemble=True,
                keep_only_best=True,
                save_space=True,
                ag_args_fit={"num_cpus": 1},
            )
            self.best_model_ = predictor.model_best
            self.archive_ = _archive(folder / "predictor")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return self

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        frame = as_float_frame(features)[list(self.feature_names_in_)]
        probability = self._predictor().predict_proba(frame, as_multiclass=True)
        positive = probability[1].to_numpy(dtype=float)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(features)[:, 1] >= 0.5).astype(int)

    def _predictor(self):
        """The predictor, unpacked once per process from the archive the estimator carries."""
        from autogluon.tabular import TabularPredictor

        loaded = self.__dict__.get("_loaded")
        if loaded is None:
            folder = Path(tempfile.mkdtemp(prefix="royaley_autogluon_load_"))
            with tarfile.open(fileobj=io.BytesIO(self.archive_), mode="r:gz") as archive:
                archive.extractall(folder, filter="data")
            loaded = TabularPredictor.load(str(folder / "predictor"), verbosity=0, require_py_version_match=False)
            self.__dict__["_loaded"] = loaded
        return loaded

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_loaded", None)
        return state


def _archive(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder, arcname="predictor")
    return buffer.getvalue()


class AutoGluonTrainer:
    """AutoGluon tabular with a time limit per fit (``--max-runtime``)."""

    framework = "autogluon"
    calibration_folds = 2

    def __init__(self, time_limit_seconds: int = 60, presets: str = PRESET) -> None:
        self.time_limit_seconds = int(time_limit_seconds)
        self.presets = presets

    @property
    def name(self) -> str:
        return "autogluon-tabular"

    @property
    def params(self) -> dict[str, Any]:
        return {
            "time_limit_seconds": self.time_limit_seconds,
            "presets": self.presets,
            "model_families": ",".join(MODEL_FAMILIES),
        }

    def build(self) -> AutoGluonProbabilityModel:
        return AutoGluonProbabilityModel(self.time_limit_seconds, self.presets)

    def __repr__(self) -> str:
        return f"AutoGluonTrainer(time_limit_seconds={self.time_limit_seconds})"
