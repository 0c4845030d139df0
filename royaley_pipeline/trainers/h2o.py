"""H2O behind the Trainer protocol: AutoML or GBM fitted on the cluster, scored from an exported MOJO.

Every fitted model is exported as a MOJO straight after training and removed from the cluster.
All scoring, during walk-forward and in production, runs the MOJO through
``h2o.mojo_predict_pandas`` (a short-lived ``java`` process), so what was validated is exactly
what is scored later, scoring needs no running cluster, and the cluster's memory stays bounded
however many folds are trained. The estimator is a scikit-learn classifier, so the calibration
and walk-forward code wrap it unchanged.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from royaley_pipeline.trainers.frames import as_float_frame

LABEL = "royaley_label"
ALGORITHMS = ("automl", "gbm")
GBM_DEFAULTS: dict[str, Any] = {"ntrees": 100, "max_depth": 3, "learn_rate": 0.05, "min_rows": 50}


class H2OUnavailableError(RuntimeError):
    """H2O cannot fit here (no cluster connected, or the client is missing)."""


def _connected_cluster() -> None:
    import h2o

    connection = h2o.connection()
    if connection is None or not connection.connected:
        raise H2OUnavailableError(
            "no H2O cluster is connected: train through the Dagster asset (it starts or connects one) "
            "or call royaley_pipeline.h2o_cluster.h2o_cluster(); or use --framework sklearn"
        )


class H2OProbabilityModel(ClassifierMixin, BaseEstimator):
    """A binary H2O model as a scikit-learn classifier whose fitted state is a MOJO (bytes).

    Pickling keeps only the MOJO and the genmodel jar that scores it, never a cluster handle.
    """

    def __init__(
        self,
        algorithm: str = "automl",
        max_runtime_seconds: int = 60,
        seed: int = 0,
        ntrees: int = 100,
        max_depth: int = 3,
        learn_rate: float = 0.05,
        min_rows: int = 50,
    ) -> None:
        self.algorithm = algorithm
        self.max_runtime_seconds = max_runtime_seconds
        self.seed = seed
        self.ntrees = ntrees
        self.max_depth = max_depth
        self.learn_rate = learn_rate
        self.min_rows = min_rows

    def fit(self, features: pd.DataFrame, outcomes) -> H2OProbabilityModel:
        import h2o

        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"unknown H2O algorithm {self.algorithm!r}; choose one of {ALGORITHMS}")
        _connected_cluster()
        frame = as_float_frame(features)
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.classes_ = np.array([0, 1])
        training = frame.assign(**{LABEL: np.asarray(outcomes, dtype=int).astype(str)})
        types = {column: "real" for column in frame.columns} | {LABEL: "enum"}
        h2o_frame = h2o.H2OFrame(training, column_types=types)
        model = self._train(h2o_frame, list(frame.columns))
        try:
            with tempfile.TemporaryDirectory(prefix="royaley_mojo_") as folder:
                mojo_path = Path(model.download_mojo(path=folder, get_genmodel_jar=True))
                self.mojo_ = mojo_path.read_bytes()
                self.genmodel_jar_ = (mojo_path.parent / "h2o-genmodel.jar").read_bytes()
            self.model_id_ = model.model_id
        finally:
            h2o.remove(h2o_frame)
            h2o.remove(model)
        return self

    def _train(self, frame, columns: list[str]):
        if self.algorithm == "gbm":
            from h2o.estimators import H2OGradientBoostingEstimator

            model = H2OGradientBoostingEstimator(
                ntrees=self.ntrees, max_depth=self.max_depth, learn_rate=self.learn_rate,
                min_rows=self.min_rows, seed=self.seed, distribution="bernoulli",
            )
            model.train(x=columns, y=LABEL, training_frame=frame)
            return model
        from h2o.automl import H2OAutoML

        # Internal cross-validation sees only the rows given here, i.e. the training seasons.
        automl = H2OAutoML(
            max_runtime_secs=int(self.max_runtime_seconds), seed=self.seed, nfolds=3,
            sort_metric="logloss", exclude_algos=["DeepLearning"], verbosity=None,
        )
        automl.train(x=columns, y=LABEL, training_frame=frame)
        if automl.leader is None:
            raise H2OUnavailableError(
                f"H2O AutoML built no model in {self.max_runtime_seconds} s: raise --max-runtime"
            )
        return automl.leader

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Probabilities from the MOJO: no cluster needed, only ``java``."""
        import h2o

        frame = as_float_frame(features)[list(self.feature_names_in_)]
        with tempfile.TemporaryDirectory(prefix="royaley_mojo_score_") as folder:
            mojo, jar = Path(folder) / "model.zip", Path(folder) / "h2o-genmodel.jar"
            mojo.write_bytes(self.mojo_)
            jar.write_bytes(self.genmodel_jar_)
            scored = h2o.mojo_predict_pandas(frame, mojo_zip_path=str(mojo), genmodel_jar_path=str(jar))
        positive = scored["p1"] if "p1" in scored else scored["1"]
        probability = pd.to_numeric(positive, errors="coerce").to_numpy(dtype=float)
        if probability.shape[0] != len(frame) or np.isnan(probability).any():
            raise RuntimeError(f"MOJO {self.model_id_} returned {probability.shape[0]} scores for {len(frame)} rows")
        return np.column_stack([1.0 - probability, probability])

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(features)[:, 1] >= 0.5).astype(int)


class H2OTrainer:
    """H2O AutoML (bounded by ``max_runtime_seconds`` per fit) or a single GBM."""

    framework = "h2o"
    # Each calibration fold is one more AutoML run: two keep a 60 s budget to ~3 minutes per season.
    calibration_folds = 2

    def __init__(self, algorithm: str = "automl", max_runtime_seconds: int = 60, **params: Any) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown H2O algorithm {algorithm!r}; choose one of {ALGORITHMS}")
        self.algorithm = algorithm
        self.max_runtime_seconds = int(max_runtime_seconds)
        self._params = {**(GBM_DEFAULTS if algorithm == "gbm" else {}), **params}
        self.build()

    @property
    def name(self) -> str:
        return f"h2o-{self.algorithm}"

    @property
    def params(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "max_runtime_seconds": self.max_runtime_seconds, **self._params}

    def build(self) -> H2OProbabilityModel:
        return H2OProbabilityModel(self.algorithm, self.max_runtime_seconds, **self._params)

    def __repr__(self) -> str:
        return f"H2OTrainer({self.algorithm!r}, max_runtime_seconds={self.max_runtime_seconds})"
