"""How models are written to and read from MLflow: the scikit-learn flavour (skops) and a pyfunc.

The framework entries in ``frameworks`` choose between these; nothing else logs or loads a model,
so the formats this installation will read are decided here and there only.
"""

from __future__ import annotations

import hashlib
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
import skops.io
from mlflow.models import Model, infer_signature
from mlflow.models.model import MLMODEL_FILE_NAME as MLMODEL_FILE

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
    "royaley_pipeline.domain.trainers.MissingIndicators",
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


class UnsafeModelError(RuntimeError):
    """A stored model this installation will not load: a format that could run code from the store
    (a pickle where skops is expected, a type outside the allow-list), or files that differ from the
    ones recorded when the version was registered."""


def load_sklearn_model(uri: str) -> Any:
    """A scikit-learn model stored with skops, loaded with our allow-list only.

    MLflow would read the format (and the skops trusted types) from the model's own ``MLmodel``
    file, which anyone who can write to the store can edit; here the format must be skops and the
    types must be ours, whatever the file says.
    """
    folder = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri))
    flavour = Model.load(folder / MLMODEL_FILE).flavors.get("sklearn") or {}
    stored_as = flavour.get("serialization_format")
    if stored_as != mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS:
        raise UnsafeModelError(
            f"{uri}: the model is stored as {stored_as!r}, not 'skops'; loading it could run code from the "
            "model store, so it is refused (retrain and register it again)"
        )
    path = folder / str(flavour.get("pickled_model", ""))
    if path.parent != folder or not path.is_file():
        raise UnsafeModelError(f"{uri}: the skops file named in MLmodel is missing")
    untrusted = sorted(set(skops.io.get_untrusted_types(file=path)) - set(SKOPS_TRUSTED_TYPES))
    if untrusted:
        raise UnsafeModelError(f"{uri}: the model holds types outside the allow-list: {', '.join(untrusted)}")
    return skops.io.load(path, trusted=SKOPS_TRUSTED_TYPES)


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


def load_pyfunc_model(uri: str, recorded: dict[str, str]) -> Any:
    """A pickled pyfunc model, loaded only when its files are exactly those recorded at registration.

    ``recorded`` (path → SHA-256) comes from the application database, not from MLflow.
    """
    folder = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri))
    if not recorded:
        raise UnsafeModelError(
            f"{uri}: no file digests were recorded for this pickled model at registration, so it is refused "
            "(retrain and register it again)"
        )
    found = file_digests(folder)
    if found != recorded:
        changed = sorted(path for path in set(found) | set(recorded) if found.get(path) != recorded.get(path))
        raise UnsafeModelError(
            f"{uri}: the model's files differ from those registered ({', '.join(changed[:5])}); refusing to "
            "unpickle them"
        )
    return mlflow.pyfunc.load_model(str(folder)).unwrap_python_model().model


# Written by MLflow into a registered model's download (name and version), not part of the model.
DOWNLOAD_ONLY_FILES = frozenset({"registered_model_meta"})


def file_digests(folder: str | Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by its path relative to it."""
    folder = Path(folder)
    digests = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in DOWNLOAD_ONLY_FILES:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            digests[path.relative_to(folder).as_posix()] = digest.hexdigest()
    return digests


def logged_model_digests(info: Any) -> dict[str, str]:
    """The digests of a model just logged (``ModelInfo``), as they will be checked when it is loaded."""
    return file_digests(mlflow.artifacts.download_artifacts(artifact_uri=info.model_uri))


def log_bytes(content: bytes, artifact_path: str) -> None:
    """Bytes (a PNG, a MOJO) as an artifact of the active run at ``artifact_path``."""
    with tempfile.TemporaryDirectory(prefix="royaley_artifact_") as folder:
        path = Path(folder) / Path(artifact_path).name
        path.write_bytes(content)
        directory = str(Path(artifact_path).parent)
        mlflow.log_artifact(str(path), artifact_path=None if directory == "." else directory)
