"""How models are written to and read from MLflow: the scikit-learn flavour (skops) and a pyfunc.

The framework entries in ``frameworks`` choose between these; nothing else logs or loads a model,
so the formats this installation will read are decided here and there only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import sklearn
import skops
from mlflow.models import infer_signature

from royaley_pipeline.domain.training import TrainingResult

MODEL_ARTIFACT_NAME = "model"

# Requirements are pinned from the running environment rather than inferred: inference costs
# seconds per model and would guess from whatever happens to be imported.
MODEL_PIP_REQUIREMENTS = [
    f"mlflow=={mlflow.__version__}",
    f"scikit-learn=={sklearn.__version__}",
    f"pandas=={pd.__version__}",
    f"numpy=={np.__version__}",
    f"skops=={skops.__version__}",
]

# Models are stored with skops, MLflow's safe default outside Databricks: loading cannot run
# arbitrary code. skops refuses types it does not know; these are the scikit-learn internals our
# calibrated pipelines hold (checked for logistic and gradient boosting with every calibration).
SKOPS_TRUSTED_TYPES = [
    "numpy.dtype",
    "royaley_pipeline.domain.trainers.DropEmptyColumns",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.model_selection._split.KFold",
]


def log_sklearn_model(result: TrainingResult, name: str, example: pd.DataFrame) -> Any:
    """A scikit-learn model in MLflow's sklearn flavour, serialised with skops."""
    return mlflow.sklearn.log_model(
        result.model,
        name=MODEL_ARTIFACT_NAME,
        registered_model_name=name,
        signature=infer_signature(example, result.model.predict_proba(example)),
        input_example=example,
        pip_requirements=MODEL_PIP_REQUIREMENTS,
        pyfunc_predict_fn="predict_proba",
        serialization_format="skops",
        skops_trusted_types=SKOPS_TRUSTED_TYPES,
    )


def load_sklearn_model(uri: str) -> Any:
    return mlflow.sklearn.load_model(uri)


def log_pyfunc_model(result: TrainingResult, name: str, example: pd.DataFrame, requirements: list[str]) -> Any:
    """A non-scikit-learn model (H2O MOJO, AutoGluon) as a pyfunc around the calibrated estimator.

    The estimator carries its own fitted state (an H2O MOJO with its genmodel jar, or an AutoGluon
    predictor archive), so loading it needs neither a cluster nor the training folder.
    """
    from royaley_pipeline.model_wrappers import CalibratedProbabilityModel

    probabilities = result.model.predict_proba(example)
    return mlflow.pyfunc.log_model(
        name=MODEL_ARTIFACT_NAME,
        python_model=CalibratedProbabilityModel(result.model, result.feature_columns),
        registered_model_name=name,
        signature=infer_signature(example, probabilities[:, 1]),
        pip_requirements=[*MODEL_PIP_REQUIREMENTS, *requirements],
    )


def load_pyfunc_model(uri: str) -> Any:
    return mlflow.pyfunc.load_model(uri).unwrap_python_model().model


def log_bytes(content: bytes, artifact_path: str) -> None:
    """Bytes (a PNG, a MOJO) as an artifact of the active run at ``artifact_path``."""
    with tempfile.TemporaryDirectory(prefix="royaley_artifact_") as folder:
        path = Path(folder) / Path(artifact_path).name
        path.write_bytes(content)
        directory = str(Path(artifact_path).parent)
        mlflow.log_artifact(str(path), artifact_path=None if directory == "." else directory)
